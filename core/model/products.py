"""fp32 matrix products through oneDNN, for the fused loss and recurrences on the CPU.

PyTorch runs a CPU product in bf16 through oneDNN but one in fp32 through MKL's sgemm, and on
the AMD CPU the benchmarks run on, sgemm is slow for the shapes a training step is made of: the
loss's (rows × 256) @ (256 × vocabulary) runs at ~120 GFLOP/s against ~180 through oneDNN, a
decoder step's (64 × 256) @ (256 × 1,024) 0.35 against 0.22 ms (``bench/recurrence.py``). oneDNN
is what PyTorch's own compiler calls for a linear layer on the CPU (``mkldnn._linear_pointwise``);
the fused operations, which take their products themselves outside autograd, call it the same
way for the products where it was measured faster (``x @ weight.T`` with ``weight`` as stored;
not the weight gradients' ``a.T @ b``, where it was slower).

The result is the same product (fp32 accumulation either way; they differ in the order of
the sums). Which is faster depends on the CPU and the shape: on a Xeon with AMX, MKL won the
loss's product (5.7 against 6.4 ms) and lost a decoder step's context product (0.31 against
0.24 ms). So each (rows, inner, outputs) shape is timed both ways the first time it is met
(the faster of three calls each, a few milliseconds once per shape and process) and keeps the
faster. Where the operation is missing (a PyTorch built without oneDNN) or fails its check
once on first use, ``linear`` falls back to ``torch.nn.functional.linear``.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import Tensor

#: None: use oneDNN for fp32 CPU products where it is present, passes a check on first use and
#: was measured faster for the shape; True: always where present; False: never (the plain
#: PyTorch product; bench/recurrence.py --against compares the two)
ONEDNN_FP32: bool | None = None
_present: bool | None = None
#: per (rows, inner, outputs, threads): whether oneDNN was the faster
_faster: dict[tuple[int, ...], bool] = {}


def _onednn_works() -> bool:
    """Whether oneDNN's linear operation is present here and computes ``x @ w.T + b``."""
    try:
        op = torch.ops.mkldnn._linear_pointwise
        if not torch.backends.mkldnn.is_available():
            return False
        gen = torch.Generator().manual_seed(0)
        x, w, b = (torch.randn(*s, generator=gen) for s in ((5, 7), (3, 7), (3,)))
        with torch.no_grad():
            got = op(x, w, b, "none", [], "")
        return bool(torch.allclose(got, torch.addmm(b, x, w.t()), atol=1e-5, rtol=1e-5))
    except (AttributeError, RuntimeError, TypeError):
        return False


def uses_onednn() -> bool:
    """Whether oneDNN's linear operation is present here and right (decided once per
    process); unless ``ONEDNN_FP32`` says otherwise."""
    global _present
    if ONEDNN_FP32 is not None:
        return ONEDNN_FP32
    if _present is None:
        _present = _onednn_works()
    return _present


def _best_of_three(run) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _onednn_faster(x: Tensor, weight: Tensor, bias: Tensor | None) -> bool:
    """Whether oneDNN computes this shape of product faster than PyTorch's own, timed once
    per shape (and thread count) in this process."""
    if ONEDNN_FP32 is not None:
        return ONEDNN_FP32
    key = (x.numel() // x.size(-1), x.size(-1), weight.size(0), torch.get_num_threads())
    known = _faster.get(key)
    if known is None:
        op = torch.ops.mkldnn._linear_pointwise
        op(x, weight, bias, "none", [], "")  # kernels prepared, caches warm before the timing
        F.linear(x, weight, bias)
        ours = _best_of_three(lambda: op(x, weight, bias, "none", [], ""))
        plain = _best_of_three(lambda: F.linear(x, weight, bias))
        known = _faster[key] = ours < plain
    return known


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` for tensors outside autograd (the fused operations' own
    products): through oneDNN for fp32 on the CPU, else ``F.linear``. x (..., K), weight (N, K),
    bias (N,) or None. Only a dense weight (contiguous, or the transpose of a contiguous
    tensor) goes to oneDNN: given a slice of a wider matrix it falls back to a reference
    kernel ~1,000× slower."""
    if (
        x.dtype == torch.float32
        and weight.dtype == torch.float32
        and x.device.type == "cpu"
        and x.stride(-1) == 1
        and (weight.is_contiguous() or weight.t().is_contiguous())
        and not (
            torch.is_grad_enabled()
            and (
                x.requires_grad or weight.requires_grad or (bias is not None and bias.requires_grad)
            )
        )
        and uses_onednn()
        and _onednn_faster(x, weight, bias)
    ):
        return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
    return F.linear(x, weight, bias)


def mm(a: Tensor, b: Tensor, bias: Tensor | None = None) -> Tensor:
    """``a @ b + bias`` as ``linear`` computes it (``b`` in any layout: oneDNN reads a
    transposed view as fast as a contiguous one). a (..., K), b (K, N), bias (N,) or None."""
    return linear(a, b.t(), bias)
