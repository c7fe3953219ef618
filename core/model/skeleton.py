"""A network's shapes without its numbers: built on the meta device, initialisers skipped.

Why: reading a model folder compares the file's tensors with the shapes ``model.json`` implies
before allocating anything (a crafted size must not allocate gigabytes first). On the meta device
every initialiser (``normal_``, ``uniform_``, ...) runs PyTorch's Python reference kernels, and
their first call imports ``torch._dynamo`` and sympy: 125 MB of resident memory (the app's window
with a model open went from 525 to 400 MB without it) and seconds of start-up, paid by the window
and by every ``attnscope-cli translate`` that only wanted to check a file. Meta tensors hold no
values, so skipping their initialisers loses nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch.overrides import TorchFunctionMode

from core.model.build import build_model

if TYPE_CHECKING:
    from core.config import ModelConfig

__all__ = ["build_skeleton"]


class _SkipMetaInit(TorchFunctionMode):
    """In-place calls (``normal_``, ``zero_``, ``nn.init.*_``) on a meta tensor return it as is."""

    def __torch_function__(self, func, types, args=(), kwargs=None) -> Any:
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        target = args[0] if args else kwargs.get("tensor")
        in_place = name.endswith("_") and not name.endswith("__")
        if in_place and isinstance(target, torch.Tensor) and target.is_meta:
            return target
        return func(*args, **kwargs)


def build_skeleton(cfg: ModelConfig, src_vocab_size: int, tgt_vocab_size: int) -> torch.nn.Module:
    """The network ``cfg`` describes, on the meta device: the right parameter names and shapes,
    nothing allocated, nothing initialised."""
    with torch.device("meta"), _SkipMetaInit():
        return build_model(cfg, src_vocab_size, tgt_vocab_size)
