"""What the inspector shows for one sentence: the N-best list, the beam's search tree, and the
user's own translation scored by the model. Plain data, so it can cross to the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass

from core.decoding.beam_tree import BeamTree
from core.events import Translation


@dataclass(frozen=True)
class Inspection:
    hypotheses: list[Translation]  # best first
    tree: BeamTree | None = None  # beam search only (greedy explores no tree)
    node_tokens: list[str] | None = None  # the token of each tree node ("<s>" for the root)
    node_texts: list[str] | None = None  # the detokenized partial hypothesis ending at each node
    reference: Translation | None = None  # the user's translation, force-decoded
    prefix: str = ""  # the words the output was made to start with

    @property
    def source_tokens(self) -> list[str]:
        return self.hypotheses[0].source_tokens if self.hypotheses else []

    def partial(self, node_id: int) -> Translation:
        """The partial hypothesis ending at a tree node, with its own attention."""
        if self.tree is None or self.node_tokens is None or self.node_texts is None:
            raise ValueError("this inspection has no beam tree (greedy search)")
        path = self.tree.path(node_id)
        node = self.tree.nodes[node_id]
        return Translation(
            self.source_tokens,
            [self.node_tokens[n.id] for n in path],
            self.tree.probs(node_id),
            self.tree.attention(node_id),
            node.score if node.score is not None else node.logp,
            self.node_texts[node_id],
        )


def what_if(
    translator,
    ctx,
    text: str,
    target_tokens: list[str],
    step: int,
    source_index: int,
    source_weights: list[float] | None = None,
    layer: int | None = None,
    head: int | None = None,
) -> Translation:
    """Job form of ``Translator.what_if`` (``ctx`` is the front end's job context, unused: one
    short greedy decode). ``layer``/``head``: which Transformer cross-attention to replace (None:
    the last layer, all heads)."""
    return translator.what_if(text, target_tokens, step, source_index, source_weights, layer, head)
