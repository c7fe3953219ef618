"""The command-line options for Transformers: the model family and shape at ``train``, and which
layer and head ``attention`` and ``align`` read.

Why a module of its own: the same ``--layer``/``--head`` choice and its checks serve several
commands, and a GRU model (one attention) must refuse them with a clear message.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from core.errors import ConfigError
from core.events import Translation

MEAN = "mean"


def head_choice(value: str) -> int | None:
    """``--head``: a head number (0-based) or ``mean`` (None: the mean over the layer's heads)."""
    if value == MEAN:
        return None
    try:
        head = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a head number or 'mean', not {value!r}") from None
    if head < 0:
        raise argparse.ArgumentTypeError("head numbers start at 0")
    return head


def add_head_options(t: Any, what: str) -> None:
    t.add_argument(
        "--layer",
        type=int,
        default=None,
        metavar="L",
        help=f"Transformer models: the decoder layer whose cross-attention {what} "
        "(0-based; default: the last)",
    )
    t.add_argument(
        "--head",
        type=head_choice,
        default=None,
        metavar="H|mean",
        help="Transformer models: one head of that layer (0-based), or mean (default): the "
        "mean over its heads, which is what the app shows by default",
    )


def viewed(t: Translation, layer: int | None, head: int | None) -> Translation:
    """``t`` with ``attention`` (and so entropy, coverage, alignments) read from one layer and
    head; unchanged when neither is chosen."""
    if layer is None and head is None:
        return t
    if t.cross_attention is None:
        raise ConfigError(
            "--layer and --head choose among a Transformer's attention heads; "
            "this model (a GRU) has one attention"
        )
    try:
        return dataclasses.replace(t, attention=t.head_attention(layer, head))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def add_transformer_train_options(model: Any) -> None:
    """train's --arch and the Transformer's shape (each overrides the preset's value)."""
    model.add_argument(
        "--arch",
        choices=["gru", "transformer"],
        default=None,
        help="model family: gru (default: bi-GRU encoder, attentive GRU decoder) or "
        "transformer (pre-norm encoder-decoder; --preset picks its size: tiny 2+2 layers "
        "d_model 64, small 2+2 d_model 128, base 3+3 d_model 256 with 4 heads and ff 1024)",
    )
    model.add_argument(
        "--d-model", type=int, metavar="N", help="Transformer width (embeddings and states)"
    )
    model.add_argument("--heads", type=int, metavar="N", help="Transformer attention heads")
    model.add_argument("--ff-size", type=int, metavar="N", help="Transformer feed-forward size")
    model.add_argument(
        "--positions",
        choices=["sinusoidal", "learned"],
        help="Transformer position vectors (default sinusoidal)",
    )
    model.add_argument(
        "--share-embeddings",
        action="store_true",
        help="Transformer: one embedding table for source and target (builds one joint vocabulary)",
    )
    model.add_argument(
        "--warmup",
        type=int,
        metavar="N",
        help="Transformer: updates of linear learning-rate warm-up before the "
        "inverse-square-root decay (the learning rate is the peak)",
    )


def transformer_changes(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """(model config changes, train config changes) from the Transformer options given."""
    model: dict[str, Any] = {}
    if args.d_model is not None:
        model["emb_size"] = model["hidden_size"] = args.d_model
    for key in ("heads", "ff_size", "positions"):
        if getattr(args, key) is not None:
            model[key] = getattr(args, key)
    if args.share_embeddings:
        model["share_embeddings"] = True
    train = {"warmup_steps": args.warmup} if args.warmup is not None else {}
    return model, train
