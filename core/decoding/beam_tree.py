"""The search tree a beam search explored, for showing why the model chose its words.

Every step of ``core.decoding.search.beam_search`` scores the 2·K best extensions of the K open
hypotheses. Each of those candidates becomes a node here, joined to the hypothesis it extends:
``kept`` ones stayed in the beam, ``finished`` ones ended (with ``</s>`` or at the length limit)
and ``pruned`` ones were considered and dropped. Tokens that never made the 2·K shortlist are not
nodes: they were never candidates. The finished nodes that made the N-best list carry their
rank, and walking up from one of them gives exactly that hypothesis: its ids, probabilities,
attention and score.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

KEPT, FINISHED, PRUNED, PREFIX, ROOT = "kept", "finished", "pruned", "prefix", "root"


@dataclass(frozen=True)
class TreeNode:
    id: int  # index in BeamTree.nodes
    parent: int  # -1 for the root
    step: int  # output position of ``token``; -1 for the root
    token_id: int
    prob: float  # p(token | the parent's prefix)
    logp: float  # log-probability of the whole partial hypothesis
    attention: np.ndarray  # (S,) attention while producing the token (empty for the root)
    status: str  # root, prefix, kept, finished or pruned
    rank: int | None = None  # place in the N-best list (0 = best) for finished nodes in it
    score: float | None = None  # length-normalised score, for finished nodes


@dataclass(frozen=True)
class BeamTree:
    nodes: list[TreeNode]

    @property
    def root(self) -> TreeNode:
        return self.nodes[0]

    def children(self, node_id: int) -> list[TreeNode]:
        return [n for n in self.nodes if n.parent == node_id]

    def path(self, node_id: int) -> list[TreeNode]:
        """The nodes from the first output token down to ``node_id`` (the root left out)."""
        out = []
        node = self.nodes[node_id]
        while node.parent >= 0:
            out.append(node)
            node = self.nodes[node.parent]
        return out[::-1]

    def ids(self, node_id: int) -> list[int]:
        return [n.token_id for n in self.path(node_id)]

    def probs(self, node_id: int) -> np.ndarray:
        return np.array([n.prob for n in self.path(node_id)], dtype=np.float32)

    def attention(self, node_id: int) -> np.ndarray:
        """(len(path), S): the partial hypothesis's attention, one row per output token."""
        rows = [n.attention for n in self.path(node_id)]
        width = self.nodes[-1].attention.shape[0] if len(self.nodes) > 1 else 0
        return np.stack(rows) if rows else np.zeros((0, width), np.float32)

    def ranked(self) -> list[TreeNode]:
        """The finished nodes of the N-best list, best first."""
        return sorted((n for n in self.nodes if n.rank is not None), key=lambda n: n.rank)

    def on_best_path(self) -> set[int]:
        """Ids of the nodes leading to the best hypothesis (root included)."""
        best = self.ranked()
        if not best:
            return {0}
        return {0, *(n.id for n in self.path(best[0].id))}


def build_tree(
    steps: list,
    finished: list[tuple[float, int, int]],
    ranked: list[tuple[float, int, int]],
    sentence: int,
    k: int,
    n_prefix: int,
    src_len: int,
    alpha: float,
) -> BeamTree:
    """Turn the recorded steps of one sentence into a tree.

    ``steps`` hold numpy copies (parent row, token, prob, attention, kept slots, which kept rows
    are alive, candidate score, the original sentence at each batch position) for the batch;
    ``finished``/``ranked`` are that sentence's (raw score, step, slot) entries, all of them and the
    N-best ones in order.
    """
    nodes = [TreeNode(0, -1, -1, -1, 1.0, 0.0, np.zeros(0, np.float32), ROOT)]
    finished_slots = {(t, slot) for _, t, slot in finished}
    rank_of = {(t, slot): (r, raw / (t + 1) ** alpha) for r, (raw, t, slot) in enumerate(ranked)}
    c = _position(steps[0][7], sentence)
    row_node = {c * k + q: 0 for q in range(k)}  # beam row (this step's numbering) → node
    for t, (parent, token, prob, attn, kept, alive, cand, _cur) in enumerate(steps):
        lo, hi = c * 2 * k, (c + 1) * 2 * k
        slot_node: dict[int, int] = {}
        if t < n_prefix:  # every slot repeats the one forced token: a single node
            node = TreeNode(
                len(nodes),
                row_node[int(parent[lo])],
                t,
                int(token[lo]),
                float(prob[lo]),
                float(cand[lo]),
                attn[lo, :src_len].copy(),
                PREFIX,
            )
            nodes.append(node)
            slot_node = {s: node.id for s in range(lo, hi)}
        else:
            for s in range(lo, hi):
                if not np.isfinite(cand[s]) or int(parent[s]) not in row_node:
                    continue  # padding, or an extension of a dead beam row
                rank, score = rank_of.get((t, s), (None, None))
                if (t, s) in finished_slots:
                    status = FINISHED
                    if score is None:
                        score = float(cand[s]) / (t + 1) ** alpha
                else:
                    status = PRUNED  # until the next step's rows show it was kept
                node = TreeNode(
                    len(nodes),
                    row_node[int(parent[s])],
                    t,
                    int(token[s]),
                    float(prob[s]),
                    float(cand[s]),
                    attn[s, :src_len].copy(),
                    status,
                    rank,
                    score,
                )
                nodes.append(node)
                slot_node[s] = node.id
        if kept is None or t + 1 >= len(steps):
            break
        c = _position(steps[t + 1][7], sentence)
        if c is None:  # the sentence finished and left the batch
            break
        row_node = {}
        for q in range(k):
            r = c * k + q
            s = int(kept[r])
            if alive[r] and s in slot_node:
                node = nodes[slot_node[s]]
                if node.status == PRUNED:
                    nodes[node.id] = dataclasses.replace(node, status=KEPT)
                row_node[r] = node.id
    return BeamTree(nodes)


def _position(cur: np.ndarray, sentence: int) -> int | None:
    where = np.nonzero(cur == sentence)[0]
    return int(where[0]) if where.size else None
