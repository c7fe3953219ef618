"""The beam search tree of a subword model, read in words.

Beam search extends hypotheses a piece at a time, so its tree has a node per piece: "▁Gar",
"ten" and "." are three generations. In Words mode a node is a word instead: the chain of piece
nodes from a word's first piece to its last. A node of the piece tree *ends a word* when the
hypothesis can go on with a new word after it (a child starts a word), when it finished, or when
the search stopped there (no children: pruned, or the last step); only such nodes become word
nodes. A search that split inside a word (``▁Gar`` → ``ten`` or ``▁Gar`` → ``▁im``) gives two
sibling words, "Garten" and "Gar", both shown: the model considered both.

A word node's probability is the product of its pieces' (the chain rule, as in
``word_merge.merge_probs``); its log-probability, status, N-best rank and score are those of
its last piece, where the search's bookkeeping for the whole word ends. Word starts follow the
same rules as ``word_merge.group_pieces``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.decoding.beam_tree import FINISHED, BeamTree, TreeNode
from core.decoding.inspection import Inspection
from core.events import Translation
from core.inspection.word_merge import begins_word, to_words, word_text


@dataclass(frozen=True)
class WordTree:
    """A piece tree regrouped into words. ``ends[w]`` is the piece node where word node ``w``
    ends, ``pieces[w]`` the piece nodes of its own word (root: ``[0]``)."""

    tree: BeamTree
    tokens: list[str]
    texts: list[str]
    ends: list[int]
    pieces: list[list[int]]

    def word_of(self, piece_node: int) -> int:
        """The word node that shows ``piece_node``: the word ending there, else the first word
        that contains it (a piece inside a word)."""
        for w, end in enumerate(self.ends):
            if end == piece_node:
                return w
        for w, own in enumerate(self.pieces):
            if piece_node in own:
                return w
        raise IndexError(f"no word node holds piece node {piece_node}")


def starts_word(tree: BeamTree, tokens: Sequence[str], node: TreeNode) -> bool:
    """Whether ``node``'s piece begins a word on its path (``group_pieces``'s rule)."""
    if node.parent <= 0:  # the first output piece, or the root itself
        return True
    return begins_word(tokens[node.id], tokens[node.parent])


def word_tree(tree: BeamTree, tokens: Sequence[str], texts: Sequence[str]) -> WordTree:
    """``tree`` (pieces) in words; ``tokens``/``texts`` are the piece tree's node tokens and
    partial-hypothesis texts."""
    starts = [starts_word(tree, tokens, n) for n in tree.nodes]
    kids: dict[int, list[int]] = {}
    for n in tree.nodes[1:]:
        kids.setdefault(n.parent, []).append(n.id)
    first = [0] * len(tree.nodes)  # the piece node where each node's own word began
    for n in tree.nodes[1:]:  # parents come before their children
        first[n.id] = n.id if starts[n.id] else first[n.parent]
    word_at: dict[int, int] = {0: 0}  # piece node ending a word → its word node
    nodes = [dataclasses.replace(tree.root)]
    out_tokens, out_texts = [tokens[0]], [texts[0]]
    ends, pieces = [0], [[0]]
    for n in tree.nodes[1:]:
        children = kids.get(n.id, [])
        if children and n.status != FINISHED and not any(starts[c] for c in children):
            continue  # inside a word: every way on continues it
        own = _chain(tree, first[n.id], n.id)
        parent = word_at[tree.nodes[first[n.id]].parent]
        w = len(nodes)
        nodes.append(
            TreeNode(
                id=w,
                parent=parent,
                step=nodes[parent].step + 1,
                token_id=n.token_id,  # the word's last piece
                prob=float(np.prod([tree.nodes[i].prob for i in own], dtype=np.float64)),
                logp=n.logp,
                attention=np.mean([tree.nodes[i].attention for i in own], axis=0).astype(
                    np.float32
                ),
                status=n.status,
                rank=n.rank,
                score=n.score,
            )
        )
        word_at[n.id] = w
        out_tokens.append(word_text([tokens[i] for i in own]) or tokens[n.id])
        out_texts.append(texts[n.id])
        ends.append(n.id)
        pieces.append(own)
    return WordTree(BeamTree(nodes), out_tokens, out_texts, ends, pieces)


def _chain(tree: BeamTree, start: int, end: int) -> list[int]:
    """The piece nodes from ``start`` down to ``end`` (``start`` an ancestor-or-self)."""
    out = [end]
    while out[-1] != start:
        out.append(tree.nodes[out[-1]].parent)
    return out[::-1]


@dataclass(frozen=True)
class WordInspection(Inspection):
    """An ``Inspection`` whose tree is in words. Its partial hypotheses come from the piece tree
    (merged into words), so their attention is exactly what Words mode shows elsewhere."""

    pieces: Inspection | None = None
    words: WordTree | None = None

    def partial(self, node_id: int) -> Translation:
        assert self.pieces is not None and self.words is not None
        if node_id == 0:
            raise ValueError("the root is no partial hypothesis")
        return to_words(self.pieces.partial(self.words.ends[node_id]))


def words_inspection(ins: Inspection) -> Inspection:
    """``ins`` with its beam tree in words (unchanged when it has no tree)."""
    if ins.tree is None or ins.node_tokens is None or ins.node_texts is None:
        return ins
    if isinstance(ins, WordInspection):
        return ins
    words = word_tree(ins.tree, ins.node_tokens, ins.node_texts)
    return WordInspection(
        hypotheses=ins.hypotheses,
        tree=words.tree,
        node_tokens=words.tokens,
        node_texts=words.texts,
        reference=ins.reference,
        prefix=ins.prefix,
        pieces=ins,
        words=words,
    )


def same_node(before: Inspection | None, after: Inspection | None, node_id: int) -> int:
    """The node of ``after``'s tree showing what node ``node_id`` of ``before``'s showed, when
    the switch moves between pieces and words (0: the root, or nothing to map)."""
    if node_id <= 0 or before is None or after is None or before is after:
        return node_id if before is after else 0
    if isinstance(before, WordInspection) and before.words is not None:
        node_id = before.words.ends[node_id]  # back to pieces
        before = before.pieces
    if isinstance(after, WordInspection) and after.words is not None and after.pieces is before:
        return after.words.word_of(node_id)
    return node_id if after is before else 0


__all__ = ["WordInspection", "WordTree", "same_node", "word_tree", "words_inspection"]
