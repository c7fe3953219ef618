"""Compiled CPU kernels for the training step's and the search's passes through memory.

PyTorch runs the label-smoothed loss of a chunk of logits as seven operations, each streaming
the (rows × vocabulary) tensor through memory with conversions from and to bf16 around them,
and a decoder step's attention and GRU gates as some twenty small operations, each a pass over
its tensor and ~15 µs of dispatch. ``kernels.c`` does each of them in one pass, a row at a time
while the row is in cache: the loss with its gradient, one step's additive attention and its
backward pass, the GRU cell's gates and their backward pass. The kernels read the products'
results in their dtype and write what the next product takes in its dtype, so that between
them only the products run (``core.model.recurrence``, ``core.model.loss``). A search step
(``core.model.search_step``, ``core.decoding.search``) uses the forward kernels and one more:
each row's best tokens and log-sum-exp in one pass over the logits. Dropout
(``core.model.dropout``) draws its mask from a counter-based generator in the same pass as the
product, and its backward pass draws the same mask again instead of keeping it.

The library is compiled on first use (``build``) and checked against PyTorch once per process.
Where there is no compiler, the check fails, or ``ATTNSCOPE_NATIVE=0`` is set, every function
here answers None or False and the callers run their PyTorch code, which stays the reference
the tests compare with.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable

import torch
from torch import Tensor

from core.native.build import BuildError, load

__all__ = [
    "accumulate",
    "attention_backward",
    "attention_forward",
    "available",
    "dropout",
    "gru_backward",
    "gru_forward",
    "row_top",
    "smoothed_xent",
    "unavailable_reason",
]

#: None: decide on first use (compile, load, check); False: never use the kernels (tests and
#: benchmarks set it to compare with the PyTorch code); True: decided, in use
ENABLED: bool | None = None
_lib: ctypes.CDLL | None = None
_why_not = ""
_deciding = threading.Lock()


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

    P, I64, INT, S = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int, _Strides
    kernels = {
        # batch, src, size, dim, keys2, q2 (+ bf16, stride), v2, mask, energies (+ bf16),
        # alpha (+ stride), values (+ bf16), context (+ stride), context copy, threads
        "attention_forward": [I64, I64, I64, I64, P, P, INT, I64, P, P, P, INT, P, I64, P, INT,
                              P, I64, P, INT],
        # batch, src, size, dim, values (+ bf16), dc (+ bf16, stride), dc extra (+ stride),
        # dc out (+ stride), alpha (+ stride), energies (+ bf16), v4, d_energy_sum,
        # gs (+ stride), gs copy (+ stride), d_v, threads
        "attention_backward": [I64, I64, I64, I64, P, INT, P, INT, I64, P, I64, P, I64, P, I64,
                               P, INT, P, P, P, I64, P, I64, P, INT],
        # outer, inner, hidden, gi, gh (each + bf16, strides), state, cell (+ bf16), out,
        # state copy, mask (each + strides), threads
        "gru_forward": [I64, I64, I64, P, INT, S, P, INT, S, P, S, P, INT, S, P, S, P, S, P, S,
                        INT],
        # outer, inner, hidden, ds, ds extra, ds product (+ bf16), prev, cell (+ bf16), d_gi,
        # d_gh, gi copy, gh copy, direct, mask (each + strides), threads
        "gru_backward": [I64, I64, I64, P, S, P, S, P, INT, S, P, S, P, INT, S, P, S, P, S, P, S,
                         P, S, P, S, P, S, INT],
        # logits (+ bf16), rows, vocabulary, width, top values, top ids, lse, threads
        "row_top": [P, INT, I64, I64, I64, P, P, P, INT],
        # x (+ bf16), out, elements, seed, threshold, scale, threads
        "dropout": [P, INT, P, I64, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_float, INT],
        # acc (fp32), x (+ bf16), elements, threads
        "accumulate": [P, P, INT, I64, INT],
    }  # fmt: skip
    for name, argtypes in kernels.items():
        f = getattr(lib, f"attnscope_{name}")
        f.restype = None
        f.argtypes = argtypes


def _decide() -> bool:
    with _deciding:  # two threads asking at once compile once
        if ENABLED is not None:
            return bool(ENABLED and _lib is not None)
        return _decide_now()


def _decide_now() -> bool:
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
    except (OSError, AttributeError) as exc:  # a library that loads but lacks a kernel
        _lib, _why_not, ENABLED = None, f"the compiled kernels cannot be used: {exc}", False
        return False
    except _Disagree as exc:
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
    z: Tensor, targets: Tensor, keep: Tensor, smoothing: float, grads: bool, in_place: bool = False
) -> tuple[Tensor, Tensor, Tensor | None] | None:
    """``core.model.loss._chunk`` in one pass: logits z (c, V), fp32 or bf16, contiguous, on
    the CPU; targets (c,) int64; keep (c,) fp32 (0 or 1) → the summed loss and NLL of the rows
    times keep and (``grads``) d loss / d z in z's dtype, written over z where ``in_place`` (each
    row is read whole before its gradient is written; a caller done with the logits saves a
    tensor of their size, whose fresh pages cost more than the pass: ~1,000 page faults for a
    512-row chunk). None where the kernels are not in use or do not take these tensors; the
    caller then runs its PyTorch code."""
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
    g = (z if in_place else torch.empty_like(z)) if grads else None
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


def row_top(z: Tensor, width: int) -> tuple[Tensor, Tensor, Tensor] | None:
    """A search step's choice in one pass over logits z (R, V), fp32 or bf16: the ``width``
    largest logits of each row, largest first (R, width) fp32, their ids (R, width) int64, and
    each row's log-sum-exp (R,) fp32, so that a token's log-probability is its logit − lse. None
    where the kernels are not in use or do not take z; the caller then runs its PyTorch code."""
    if not (
        z.device.type == "cpu"
        and z.dtype in _FLOATS
        and z.dim() == 2
        and z.is_contiguous()
        and 0 < width <= z.size(1)
        and _ready()
    ):
        return None
    rows, vocab = z.shape
    values = torch.empty(rows, width, dtype=torch.float32)
    ids = torch.empty(rows, width, dtype=torch.int64)
    lse = torch.empty(rows, dtype=torch.float32)
    _lib.attnscope_row_top(
        z.data_ptr(), _is_bf16(z), rows, vocab, width, values.data_ptr(), ids.data_ptr(),
        lse.data_ptr(), torch.get_num_threads(),
    )  # fmt: skip
    return values, ids, lse


def dropout(x: Tensor, seed: int, threshold: int, scale: float) -> Tensor | None:
    """Dropout's mask and product in one pass: each element of x (fp32 or bf16, contiguous, on
    the CPU) kept, times ``scale``, where its 16 random bits (a function of ``seed`` and its
    index only) are at least ``threshold``, else 0. The same call on the gradient with the same
    seed is the backward pass. None where the kernels are not in use or do not take x."""
    if not (x.device.type == "cpu" and x.dtype in _FLOATS and x.is_contiguous() and _ready()):
        return None
    out = torch.empty_like(x)
    _lib.attnscope_dropout(
        x.data_ptr(), _is_bf16(x), out.data_ptr(), x.numel(), seed, threshold, scale,
        torch.get_num_threads(),
    )  # fmt: skip
    return out


def accumulate(acc: Tensor, x: Tensor) -> bool:
    """acc += x, acc fp32 and x fp32 or bf16 of the same shape, both contiguous on the CPU, in
    one pass. False, with nothing done, where the kernels are not in use or do not take them."""

    def arguments() -> tuple:
        if acc.shape != x.shape:
            raise _Refused
        return (_dense(acc, _F32), *_typed_dense(x), x.numel(), torch.get_num_threads())

    return _run("accumulate", arguments)


_FLOATS = (torch.float32, torch.bfloat16)
_F32 = (torch.float32,)
_BF16 = (torch.bfloat16,)


class _Refused(Exception):
    """A tensor the kernels do not take (layout, dtype, device): the caller runs PyTorch."""


def _dense(t: Tensor, dtypes: tuple[torch.dtype, ...] = _FLOATS) -> int:
    """t's address, where it is a contiguous CPU tensor of one of ``dtypes``."""
    if t.device.type != "cpu" or not t.is_contiguous() or t.dtype not in dtypes:
        raise _Refused
    return t.data_ptr()


def _row_stride(t: Tensor | None, rows: int, dtypes: tuple[torch.dtype, ...] = _FLOATS):
    """(address, row stride) of t as ``rows`` rows with unit steps along each, (None, 0) for
    None."""
    if t is None:
        return None, 0
    if (
        t.device.type != "cpu"
        or t.dim() != 2
        or t.size(0) != rows
        or t.dtype not in dtypes
        or (t.stride(1) != 1 and t.size(1) > 1)
    ):
        raise _Refused
    return t.data_ptr(), t.stride(0)


def _batch_rows(t: Tensor | None, lead: tuple[int, ...], dtypes: tuple[torch.dtype, ...]):
    """(address, strides) of t as a batch of rows (B, X) or (D, B, X) with the leading shape
    ``lead`` and unit steps along its rows ((None, zero strides) for None)."""
    if t is None:
        return None, _Strides(0, 0)
    if (
        t.device.type != "cpu"
        or t.dtype not in dtypes
        or tuple(t.shape[: len(lead)]) != lead
        or t.dim() != len(lead) + 1
        or (t.stride(-1) != 1 and t.size(-1) > 1)
    ):
        raise _Refused
    if len(lead) == 1:
        return t.data_ptr(), _Strides(0, t.stride(0))
    return t.data_ptr(), _Strides(t.stride(0), t.stride(1))


def _is_bf16(t: Tensor | None) -> int:
    return int(t is not None and t.dtype == torch.bfloat16)


# fp32-or-bf16 tensors go to the kernels as (address, is bf16, their layout), checked once
def _typed_dense(t: Tensor) -> tuple[int, int]:
    return _dense(t), _is_bf16(t)


def _typed_rows(t: Tensor, rows: int) -> tuple[int | None, int, int]:
    address, stride = _row_stride(t, rows)
    return address, _is_bf16(t), stride


def _typed_batch_rows(t: Tensor | None, lead: tuple[int, ...]):
    address, strides = _batch_rows(t, lead, _FLOATS)
    return address, _is_bf16(t), strides


def _ready() -> bool:
    return available() and _lib is not None


def _run(kernel: str, arguments: Callable[[], tuple]) -> bool:
    """Calls ``kernel`` with what ``arguments`` builds: False, with nothing run, where the
    kernels are not in use or a tensor is one they do not take."""
    if not _ready():
        return False
    try:
        args = arguments()
    except _Refused:
        return False
    getattr(_lib, f"attnscope_{kernel}")(*args)
    return True


def attention_forward(
    keys2: Tensor,
    q2: Tensor,
    v2: Tensor,
    mask: Tensor,
    energies: Tensor | None,
    alpha: Tensor,
    values: Tensor,
    context: Tensor,
    ctx_copy: Tensor | None = None,
) -> bool:
    """One step of the Bahdanau recurrence's attention (``core.model.recurrence``) in one pass:
    keys2 (B, S, A) fp32, q2 (B, A) rows fp32 or bf16, v2 (A,) fp32, mask (B, S) bool (True:
    real) → writes energies (B, S, A) = σ(keys2 + q2) in their dtype, alpha (B, S) rows (the
    softmax of energies · v2 over the real positions), context (B, K) rows = Σ alpha · values
    (B, S, K) in values' dtype, and the context again into ``ctx_copy`` (B, K) bf16 when given.
    ``energies`` None (a search's step: nothing is kept for a backward pass) scores the fp32
    energies, unrounded. False (nothing written) where the kernels are not in use or do not
    take these tensors."""

    def arguments() -> tuple:
        batch, src, size = keys2.shape
        dim = values.size(-1)
        args = (
            batch, src, size, dim, _dense(keys2, _F32), *_typed_rows(q2, batch),
            _dense(v2, _F32), _dense(mask, (torch.bool,)),
            *((None, 0) if energies is None else _typed_dense(energies)),
            *_row_stride(alpha, batch, _F32), *_typed_dense(values),
            *_row_stride(context, batch, (values.dtype,)),
            None if ctx_copy is None else _dense(ctx_copy, _BF16),
            torch.get_num_threads(),
        )  # fmt: skip
        if ctx_copy is not None and tuple(ctx_copy.shape) != (batch, dim):
            raise _Refused
        return args

    return _run("attention_forward", arguments)


def attention_backward(
    values: Tensor,
    dc: Tensor,
    alpha: Tensor,
    energies: Tensor,
    v4: Tensor,
    d_energy_sum: Tensor,
    gs: Tensor,
    d_v: Tensor,
    dc_extra: Tensor | None = None,
    dc_out: Tensor | None = None,
    gs_copy: Tensor | None = None,
) -> bool:
    """That step's backward pass. The context's gradient is dc (B, K) rows, fp32 or bf16, plus
    ``dc_extra`` (fp32 rows) when given; ``dc_out`` (fp32 rows) receives the sum. Adds each
    position's d energies (e − e²) · d score into d_energy_sum (B, S, A), writes v4 ⊙ Σ_s
    d energies into gs (B, A) rows (and in bf16 into ``gs_copy`` rows when given) and adds
    2 Σ d score · e into d_v (A,). False (nothing written) where the kernels are not in use or
    do not take these tensors."""

    def arguments() -> tuple:
        batch, src, size = energies.shape
        args = (
            batch, src, size, values.size(-1), *_typed_dense(values), *_typed_rows(dc, batch),
            *_row_stride(dc_extra, batch, _F32), *_row_stride(dc_out, batch, _F32),
            *_row_stride(alpha, batch, _F32), *_typed_dense(energies),
            _dense(v4, _F32), _dense(d_energy_sum, _F32), *_row_stride(gs, batch, _F32),
            *_row_stride(gs_copy, batch, _BF16), _dense(d_v, _F32), torch.get_num_threads(),
        )  # fmt: skip
        return args

    return _run("attention_backward", arguments)


def _mask_rows(mask: Tensor | None, lead: tuple[int, ...]):
    if mask is None:
        return None, _Strides(0, 0)
    if mask.device.type != "cpu" or mask.dtype != torch.bool or tuple(mask.shape) != lead:
        raise _Refused
    strides = (0, mask.stride(0)) if len(lead) == 1 else (mask.stride(0), mask.stride(1))
    return mask.data_ptr(), _Strides(*strides)


def _outer_inner(lead: tuple[int, ...]) -> tuple[int, int]:
    if len(lead) == 1:
        return 1, lead[0]
    if len(lead) == 2:
        return lead[0], lead[1]
    raise _Refused


def gru_forward(
    gi: Tensor,
    gh: Tensor,
    state: Tensor,
    cell: Tensor | None,
    out: Tensor,
    mask: Tensor | None = None,
    state_copy: Tensor | None = None,
) -> bool:
    """The GRU cell's gates for one step (``core.model.recurrence._gates``) in one pass, over
    rows (B, ·) or (D, B, ·): gi, gh (3H) fp32 or bf16, state (H) fp32 → writes r, z, n and the
    hidden product of n to cell (4H, fp32 or bf16) and the new state to out (H, fp32), or the
    old state where ``mask`` (B) / (D, B) is False, and that state in bf16 to ``state_copy``
    when given. ``cell`` None: a search's step, nothing kept for a backward pass. False
    (nothing written) where the kernels are not in use or do not take these tensors."""
    lead = tuple(state.shape[:-1])

    def arguments() -> tuple:
        outer, inner = _outer_inner(lead)
        args = (
            outer, inner, state.size(-1),
            *_typed_batch_rows(gi, lead), *_typed_batch_rows(gh, lead),
            *_batch_rows(state, lead, _F32), *_typed_batch_rows(cell, lead),
            *_batch_rows(out, lead, _F32), *_batch_rows(state_copy, lead, _BF16),
            *_mask_rows(mask, lead), torch.get_num_threads(),
        )  # fmt: skip
        return args

    return _run("gru_forward", arguments)


def gru_backward(
    ds: Tensor,
    prev: Tensor,
    cell: Tensor,
    d_gi: Tensor,
    d_gh: Tensor,
    direct: Tensor,
    mask: Tensor | None = None,
    ds_extra: Tensor | None = None,
    ds_product: Tensor | None = None,
    gi_copy: Tensor | None = None,
    gh_copy: Tensor | None = None,
) -> bool:
    """Its backward pass (``core.model.recurrence._gates_backward``): the new state's gradient
    is ds (H, fp32) plus ``ds_extra`` (fp32) plus ``ds_product`` (fp32 or bf16) where given;
    from it, the previous state and the kept cell → writes the gradients of gi and gh (3H,
    fp32; in bf16 again to ``gi_copy`` / ``gh_copy`` when given) and ds · z (direct, H); ds
    counts as 0 where ``mask`` is False. False (nothing written) where the kernels are not in
    use or do not take these tensors."""
    lead = tuple(ds.shape[:-1])

    def arguments() -> tuple:
        outer, inner = _outer_inner(lead)
        args = (
            outer, inner, ds.size(-1), *_batch_rows(ds, lead, _F32),
            *_batch_rows(ds_extra, lead, _F32), *_typed_batch_rows(ds_product, lead),
            *_batch_rows(prev, lead, _F32), *_typed_batch_rows(cell, lead),
            *_batch_rows(d_gi, lead, _F32), *_batch_rows(d_gh, lead, _F32),
            *_batch_rows(gi_copy, lead, _BF16), *_batch_rows(gh_copy, lead, _BF16),
            *_batch_rows(direct, lead, _F32), *_mask_rows(mask, lead), torch.get_num_threads(),
        )  # fmt: skip
        return args

    return _run("gru_backward", arguments)


class _Disagree(Exception):
    """The compiled kernels computed something else than PyTorch."""


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise _Disagree(what)


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
        if got is None:
            raise _Disagree("the kernel did not run")
        loss, nll, g = got
        _expect(torch.allclose(loss, want_loss, rtol=1e-4, atol=1e-4), f"loss {loss} ≠ {want_loss}")
        want_nll = (keep * nll_rows).sum()
        _expect(torch.allclose(nll, want_nll, rtol=1e-4, atol=1e-4), f"nll {nll} ≠ {want_nll}")
        off = float((g.float() - want_g).abs().max()) if g is not None else float("inf")
        _expect(off <= tol * 2, f"{dtype} gradient differs by {off:.3g}")
