"""Dropout with a cheaper random mask on the CPU.

``nn.Dropout`` draws its mask on the CPU with ``bernoulli_``, which fills a tensor one random
draw at a time: 7 % of a base GRU training step in bf16 (19 masks a step, about 0.6 ms each),
25 % of a base Transformer's. ``rand_like(x) >= p`` draws the same distribution with PyTorch's
vectorised uniform generator: forward and backward together take about half the time
(``bench/dropout.py``). A mask needs 16 random bits an element, not a float's draw: the mask is
cut from 64-bit draws, four elements to a draw, about half the time again (0.67 against 1.35 ms
for a 64 × 14 × 512 mask). Same formula (keep with probability 1 − p, scale the kept values by
1 / (1 − p)) with p taken to the nearest multiple of 1 / 65,536 for drawing (0.3 → 0.300003),
same global random generator (seeded runs repeat), no parameters (checkpoints unchanged). On
other devices ``F.dropout`` already runs one fused kernel and is used as it is.

Where the compiled kernels run (``core.native``), one pass does it all: the 16 bits of each
element come from a counter-based generator (SplitMix64 of a seed drawn from PyTorch's generator
and the element's index), so the forward pass writes x · m without a mask tensor and the
backward pass computes the same m again instead of keeping it (one dropout, forward and
backward, in 0.4–0.5 of the 64-bit draws' time on a Xeon with AMX: ``bench/dropout.py``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import native


def _keep(x: Tensor, p: float) -> Tensor:
    """A bool mask of x's shape, each element True with probability 1 − p (p to the nearest
    1 / 65,536): 16 uniform random bits an element, four elements from every 64-bit draw."""
    n = x.numel()
    words = torch.empty(-(-n // 4), dtype=torch.int64, device=x.device)
    words.random_(-(2**63), None)  # all 64 bits (without bounds, random_ leaves the sign bit 0)
    bits = words.view(torch.int16)[:n].view(x.shape)  # uniform over [-32,768, 32,767]
    return bits >= _threshold(p) - 32768


class _MaskedScale(torch.autograd.Function):
    """x · m with m = keep / (1 − p), kept for the backward pass in x's dtype (one tensor)."""

    @staticmethod
    def forward(ctx, x: Tensor, p: float) -> Tensor:  # type: ignore[override]
        scale = _keep(x, p).to(x.dtype).mul_(1.0 / (1.0 - p))
        ctx.save_for_backward(scale)
        return x * scale

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        (scale,) = ctx.saved_tensors
        return grad * scale, None


class _CompiledDropout(torch.autograd.Function):
    """x · m in one pass through core.native, m drawn from a seed taken from PyTorch's
    generator (seeded runs repeat); the backward pass draws m again from the seed, so nothing
    is kept for it."""

    @staticmethod
    def forward(ctx, x: Tensor, p: float, seed: int) -> Tensor:  # type: ignore[override]
        ctx.mask = (seed, _threshold(p), 1.0 / (1.0 - p))
        out = native.dropout(x, *ctx.mask)
        if out is None:  # the kernels decline a tensor dropout() checked: not expected
            raise RuntimeError("core.native declined a dropout it was given")
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, None, None]:  # type: ignore[override]
        out = native.dropout(grad.contiguous(), *ctx.mask)
        if out is None:
            raise RuntimeError("core.native declined a dropout's gradient")
        return out, None, None


def _threshold(p: float) -> int:
    """The 16-bit draws below which an element is dropped: p to the nearest 1 / 65,536."""
    return round(p * 65536)


def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """``F.dropout(x, p, training)``, with the CPU mask drawn in one pass by the compiled
    kernels where they run, else cut from 64-bit draws."""
    if not training or p == 0.0:
        return x
    if p >= 1.0 or x.device.type != "cpu":
        return F.dropout(x, p, training)
    if x.dtype in (torch.float32, torch.bfloat16) and native.available():
        seed = int(torch.randint(0, 2**62, (1,)))
        return _CompiledDropout.apply(x.contiguous(), p, seed)
    return _MaskedScale.apply(x, p)


class Dropout(nn.Module):
    """``nn.Dropout(p)`` by ``dropout`` above: the drop-in the models use."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
