"""Compiled CPU kernels for work that PyTorch spreads over several passes through memory.

The label-smoothed loss of a chunk of logits is a softmax, a few reductions and a gradient
over a (rows × vocabulary) tensor; in PyTorch that is seven operations, each streaming the
13 MB tensor through memory (with conversions from and to bf16 around them), ~9 ms a bf16
training step of the base model. One C loop a row at a time, the row in cache, does it in one
pass (``kernels.c``). It is compiled on first use (``build``) and checked against the PyTorch
code once per process; where there is no compiler, the check fails, or ``ATTNSCOPE_NATIVE=0``
is set, callers get None and run their PyTorch code, which stays the reference.
"""

from __future__ import annotations

import ctypes
import os

import torch
from torch import Tensor

from core.native.build import BuildError, load

__all__ = [
    "attention_backward",
    "attention_forward",
    "available",
    "gru_backward",
    "gru_forward",
    "smoothed_xent",
    "unavailable_reason",
]

#: None: decide on first use (compile, load, check); False: never use the kernels (tests and
#: benchmarks set it to compare with the PyTorch code); True: decided, in use
ENABLED: bool | None = None
_lib: ctypes.CDLL | None = None
_why_not = ""


class _Strides(ctypes.Structure):
    """Where row (o, i) of a batch of rows laid out outer × inner starts (kernels.c)."""

    _fields_ = [("so", ctypes.c_int64), ("si", ctypes.c_int64)]


def _setup(lib: ctypes.CDLL) -> None:
    f = lib.attnscope_smoothed_xent
    f.restype = None
    f.argtypes = [
        ctypes.c_void_p,  # z
        ctypes.c_int,  # z is bf16
        ctypes.c_int64,  # rows
        ctypes.c_int64,  # vocabulary
        ctypes.c_void_p,  # targets (int64)
        ctypes.c_void_p,  # keep (fp32)
        ctypes.c_float,  # smoothing
        ctypes.c_void_p,  # loss per row (fp32)
        ctypes.c_void_p,  # nll per row (fp32)
        ctypes.c_void_p,  # gradient (z's dtype) or NULL
        ctypes.c_int,  # threads
    ]

    P, I64, INT = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
    f = lib.attnscope_attention_forward
    f.restype = None
    # batch, src, size, dim, keys2, q2, q2 stride, v2, mask, energies, energies bf16, alpha,
    # alpha stride, values, values bf16, context, context stride, threads
    f.argtypes = [I64, I64, I64, I64, P, P, I64, P, P, P, INT, P, I64, P, INT, P, I64, INT]
    f = lib.attnscope_attention_backward
    f.restype = None
    # batch, src, size, dim, values, values bf16, dc, alpha, alpha stride, energies,
    # energies bf16, v4, d_energy_sum, gs, gs stride, d_v, threads
    f.argtypes = [I64, I64, I64, I64, P, INT, P, P, I64, P, INT, P, P, P, I64, P, INT]

    S = _Strides
    f = lib.attnscope_gru_forward
    f.restype = None
    # outer, inner, hidden, gi, gh, state, cell (+ bf16), out, mask, threads; each with strides
    f.argtypes = [I64, I64, I64, P, S, P, S, P, S, P, INT, S, P, S, P, S, INT]
    f = lib.attnscope_gru_backward
    f.restype = None
    # outer, inner, hidden, ds, prev, cell (+ bf16), d_gi, d_gh, direct, mask, threads
    f.argtypes = [I64, I64, I64, P, S, P, S, P, INT, S, P, S, P, S, P, S, P, S, INT]


def _decide() -> bool:
    global ENABLED, _lib, _why_not
    if os.environ.get("ATTNSCOPE_NATIVE", "") == "0":
        _why_not = "turned off (ATTNSCOPE_NATIVE=0)"
        ENABLED = False
        return False
    from core.paths import AppPaths

    try:
        lib = load(AppPaths.default().cache)
        _setup(lib)
        _lib, ENABLED = lib, True
        _self_check()
    except BuildError as exc:
        _lib, _why_not, ENABLED = None, str(exc), False
        return False
    except AssertionError as exc:
        _lib, _why_not, ENABLED = None, f"the compiled kernels disagree with PyTorch: {exc}", False
        return False
    ENABLED = True
    return True


def available() -> bool:
    """Whether the compiled kernels are in use in this process (decided once)."""
    if ENABLED is None:
        return _decide()
    return bool(ENABLED and _lib is not None)


def unavailable_reason() -> str:
    """Why the kernels are not in use, in words ("" when they are or nothing was tried)."""
    return _why_not


def _ptr(t: Tensor | None) -> int | None:
    return None if t is None else t.data_ptr()


def smoothed_xent(
    z: Tensor, targets: Tensor, keep: Tensor, smoothing: float, grads: bool
) -> tuple[Tensor, Tensor, Tensor | None] | None:
    """``core.model.loss._chunk`` in one pass: logits z (c, V), fp32 or bf16, contiguous, on
    the CPU; targets (c,) int64; keep (c,) fp32 (0 or 1) → the summed loss and NLL of the rows
    times keep and (``grads``) d loss / d z in z's dtype. None where the kernels are not in
    use or do not take these tensors; the caller then runs its PyTorch code."""
    if not (
        z.device.type == "cpu"
        and z.dtype in (torch.float32, torch.bfloat16)
        and z.dim() == 2
        and z.is_contiguous()
        and available()
        and _lib is not None
    ):
        return None
    rows, vocab = z.shape
    targets = targets.to(torch.int64).contiguous()
    keep = keep.to(torch.float32).contiguous()
    loss = torch.empty(rows, dtype=torch.float32)
    nll = torch.empty(rows, dtype=torch.float32)
    g = torch.empty_like(z) if grads else None
    _lib.attnscope_smoothed_xent(
        z.data_ptr(),
        int(z.dtype == torch.bfloat16),
        rows,
        vocab,
        targets.data_ptr(),
        keep.data_ptr(),
        float(smoothing),
        loss.data_ptr(),
        nll.data_ptr(),
        _ptr(g),
        torch.get_num_threads(),
    )
    return loss.sum(), nll.sum(), g


_FLOATS = (torch.float32, torch.bfloat16)


def _rows(t: Tensor, dtype: torch.dtype | tuple[torch.dtype, ...] = _FLOATS) -> bool:
    """Whether ``t`` is a CPU matrix of rows laid side by side (a row stride, unit columns)."""
    dtypes = dtype if isinstance(dtype, tuple) else (dtype,)
    return t.device.type == "cpu" and t.dim() == 2 and t.stride(1) == 1 and t.dtype in dtypes


def _dense(t: Tensor, dtype: torch.dtype | tuple[torch.dtype, ...] = _FLOATS) -> bool:
    dtypes = dtype if isinstance(dtype, tuple) else (dtype,)
    return t.device.type == "cpu" and t.is_contiguous() and t.dtype in dtypes


def attention_forward(
    keys2: Tensor,
    q2: Tensor,
    v2: Tensor,
    mask: Tensor,
    energies: Tensor,
    alpha: Tensor,
    values: Tensor,
    context: Tensor,
) -> bool:
    """One step of the Bahdanau recurrence's attention (``core.model.recurrence``) in one pass:
    keys2 (B, S, A) fp32, q2 (B, A) fp32 rows, v2 (A,) fp32, mask (B, S) bool (True: real) →
    writes energies (B, S, A) = σ(keys2 + q2) in their dtype, alpha (B, S) rows (the softmax of
    energies · v2 over the real positions) and context (B, K) rows = Σ alpha · values (B, S, K),
    in values' dtype. False (nothing written) where the kernels are not in use or do not take
    these tensors."""
    f32 = torch.float32
    if not (
        _dense(keys2, f32)
        and _rows(q2, f32)
        and _dense(v2, f32)
        and _dense(mask, torch.bool)
        and _dense(energies)
        and _rows(alpha, f32)
        and _dense(values)
        and _rows(context, values.dtype)
        and available()
        and _lib is not None
    ):
        return False
    batch, src, size = keys2.shape
    _lib.attnscope_attention_forward(
        batch,
        src,
        size,
        values.size(-1),
        keys2.data_ptr(),
        q2.data_ptr(),
        q2.stride(0),
        v2.data_ptr(),
        mask.data_ptr(),
        energies.data_ptr(),
        int(energies.dtype == torch.bfloat16),
        alpha.data_ptr(),
        alpha.stride(0),
        values.data_ptr(),
        int(values.dtype == torch.bfloat16),
        context.data_ptr(),
        context.stride(0),
        torch.get_num_threads(),
    )
    return True


def attention_backward(
    values: Tensor,
    dc: Tensor,
    alpha: Tensor,
    energies: Tensor,
    v4: Tensor,
    d_energy_sum: Tensor,
    gs: Tensor,
    d_v: Tensor,
) -> bool:
    """That step's backward pass from the context's gradient dc (B, K) fp32: adds each
    position's d energies (e − e²) · d score into d_energy_sum (B, S, A), writes
    v4 ⊙ Σ_s d energies into gs (B, A) rows and adds 2 Σ d score · e into d_v (A,). False
    (nothing written) where the kernels are not in use or do not take these tensors."""
    f32 = torch.float32
    if not (
        _dense(values)
        and _dense(dc, f32)
        and _rows(alpha, f32)
        and _dense(energies)
        and _dense(v4, f32)
        and _dense(d_energy_sum, f32)
        and _rows(gs, f32)
        and _dense(d_v, f32)
        and available()
        and _lib is not None
    ):
        return False
    batch, src, size = energies.shape
    _lib.attnscope_attention_backward(
        batch,
        src,
        size,
        values.size(-1),
        values.data_ptr(),
        int(values.dtype == torch.bfloat16),
        dc.data_ptr(),
        alpha.data_ptr(),
        alpha.stride(0),
        energies.data_ptr(),
        int(energies.dtype == torch.bfloat16),
        v4.data_ptr(),
        d_energy_sum.data_ptr(),
        gs.data_ptr(),
        gs.stride(0),
        d_v.data_ptr(),
        torch.get_num_threads(),
    )
    return True


def _batch_rows(t: Tensor, dtype: torch.dtype | tuple[torch.dtype, ...], lead: tuple[int, ...]):
    """(pointer, strides) of t as a batch of rows (B, X) or (D, B, X) with the leading shape
    ``lead`` and unit steps along its rows; None where it is not one."""
    dtypes = dtype if isinstance(dtype, tuple) else (dtype,)
    if t.device.type != "cpu" or t.dtype not in dtypes or tuple(t.shape[:-1]) != lead:
        return None
    if t.stride(-1) != 1 and t.size(-1) != 1:
        return None
    if len(lead) == 1:
        return t.data_ptr(), _Strides(0, t.stride(0))
    return t.data_ptr(), _Strides(t.stride(0), t.stride(1))


def _mask_rows(mask: Tensor | None, lead: tuple[int, ...]):
    if mask is None:
        return None, _Strides(0, 0)
    if mask.device.type != "cpu" or mask.dtype != torch.bool or tuple(mask.shape) != lead:
        return False
    strides = (0, mask.stride(0)) if len(lead) == 1 else (mask.stride(0), mask.stride(1))
    return mask.data_ptr(), _Strides(*strides)


def gru_forward(
    gi: Tensor,
    gh: Tensor,
    state: Tensor,
    cell: Tensor,
    out: Tensor,
    mask: Tensor | None = None,
) -> bool:
    """The GRU cell's gates for one step (``core.model.recurrence._gates``) in one pass, over
    rows (B, ·) or (D, B, ·): gi, gh (3H) fp32, state (H) fp32 → writes r, z, n and the hidden
    product of n to cell (4H, fp32 or bf16) and the new state to out (H, fp32), or the old
    state where ``mask`` (B) / (D, B) is False. False (nothing written) where the kernels are
    not in use or do not take these tensors."""
    lead = tuple(state.shape[:-1])
    f32 = torch.float32
    parts = [
        _batch_rows(gi, f32, lead),
        _batch_rows(gh, f32, lead),
        _batch_rows(state, f32, lead),
        _batch_rows(cell, _FLOATS, lead),
        _batch_rows(out, f32, lead),
    ]
    masked = _mask_rows(mask, lead)
    if any(p is None for p in parts) or masked is False or len(lead) not in (1, 2):
        return False
    if not (available() and _lib is not None):
        return False
    outer, inner = (1, lead[0]) if len(lead) == 1 else lead
    (gi_p, gi_s), (gh_p, gh_s), (st_p, st_s), (c_p, c_s), (o_p, o_s) = parts  # type: ignore[misc]
    m_p, m_s = masked  # type: ignore[misc]
    _lib.attnscope_gru_forward(
        outer, inner, state.size(-1), gi_p, gi_s, gh_p, gh_s, st_p, st_s,
        c_p, int(cell.dtype == torch.bfloat16), c_s, o_p, o_s, m_p, m_s,
        torch.get_num_threads(),
    )  # fmt: skip
    return True


def gru_backward(
    ds: Tensor,
    prev: Tensor,
    cell: Tensor,
    d_gi: Tensor,
    d_gh: Tensor,
    direct: Tensor,
    mask: Tensor | None = None,
) -> bool:
    """Its backward pass (``core.model.recurrence._gates_backward``): from the new state's
    gradient ds (H), the previous state and the kept cell → writes the gradients of gi and gh
    (3H) and ds · z (direct, H), all fp32; ds counts as 0 where ``mask`` is False. False
    (nothing written) where the kernels are not in use or do not take these tensors."""
    lead = tuple(ds.shape[:-1])
    f32 = torch.float32
    parts = [
        _batch_rows(ds, f32, lead),
        _batch_rows(prev, f32, lead),
        _batch_rows(cell, _FLOATS, lead),
        _batch_rows(d_gi, f32, lead),
        _batch_rows(d_gh, f32, lead),
        _batch_rows(direct, f32, lead),
    ]
    masked = _mask_rows(mask, lead)
    if any(p is None for p in parts) or masked is False or len(lead) not in (1, 2):
        return False
    if not (available() and _lib is not None):
        return False
    outer, inner = (1, lead[0]) if len(lead) == 1 else lead
    (d_p, d_s), (p_p, p_s), (c_p, c_s), (gi_p, gi_s), (gh_p, gh_s), (x_p, x_s) = parts  # type: ignore[misc]
    m_p, m_s = masked  # type: ignore[misc]
    _lib.attnscope_gru_backward(
        outer, inner, ds.size(-1), d_p, d_s, p_p, p_s, c_p, int(cell.dtype == torch.bfloat16),
        c_s, gi_p, gi_s, gh_p, gh_s, x_p, x_s, m_p, m_s, torch.get_num_threads(),
    )  # fmt: skip
    return True


def _self_check() -> None:
    """The kernel against the loss written plainly with PyTorch (log-softmax, one-hot), on a
    small random case in both dtypes, once per process."""
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(7, 301, generator=gen) * 4
    targets = torch.randint(0, 301, (7,), generator=gen)
    keep = torch.tensor([1, 1, 0, 1, 1, 1, 1], dtype=torch.float32)
    eps = 0.1
    onehot = torch.nn.functional.one_hot(targets, 301).float()
    # fp32 to 2e-4: PyTorch's own exp was seen 4e-5 off in a training process (the kernel's
    # value was the right one); what this check is for is a kernel built wrong, which is far off
    for dtype, tol in ((torch.float32, 2e-4), (torch.bfloat16, 1e-2)):
        z = z.to(dtype)
        logp = torch.log_softmax(z.float(), -1)
        nll_rows = -(logp * onehot).sum(-1)
        want_loss = (keep * ((1 - eps) * nll_rows - eps * logp.mean(-1))).sum()
        want_g = keep[:, None] * (logp.exp() - (1 - eps) * onehot - eps / 301)
        got = smoothed_xent(z, targets, keep, eps, grads=True)
        assert got is not None, "the kernel did not run"
        loss, nll, g = got
        assert g is not None
        assert torch.allclose(loss, want_loss, rtol=1e-4, atol=1e-4), f"loss {loss} ≠ {want_loss}"
        want_nll = (keep * nll_rows).sum()
        assert torch.allclose(nll, want_nll, rtol=1e-4, atol=1e-4), f"nll {nll} ≠ {want_nll}"
        assert torch.allclose(g.float(), want_g, rtol=tol, atol=tol), (
            f"{dtype} gradient differs by {float((g.float() - want_g).abs().max()):.3g}"
        )
