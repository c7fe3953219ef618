"""One place that turns a ``ModelConfig`` into a network.

Why: training, reading a model folder and loading a checkpoint each build a model; with one
builder, a new model type is added here (and as a choice of ``ModelConfig.arch``), not in every
module that builds one. Torch is imported only when a model is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.config import ModelConfig

if TYPE_CHECKING:
    from core.model.seq2seq import Seq2Seq
    from core.model.transformer import Transformer


__all__ = ["build_model"]


def build_model(
    cfg: ModelConfig, src_vocab_size: int, tgt_vocab_size: int
) -> Seq2Seq | Transformer:
    """The network ``cfg`` describes (``cfg.arch``), with fresh weights on torch's current default
    device (``core.model.skeleton.build_skeleton`` gives its shapes without allocating)."""
    if cfg.arch == "transformer":
        from core.model.transformer import Transformer

        return Transformer(cfg, src_vocab_size, tgt_vocab_size)
    from core.model.seq2seq import Seq2Seq

    return Seq2Seq(cfg, src_vocab_size, tgt_vocab_size)
