"""The training loss both model families share (one place, so they are scored alike)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from core import native
from core.data.vocab import PAD_ID
from core.model.autocast import matmul_dtype
from core.model.products import linear, mm
from core.model.row_blocks import row_sizes

# The output projection is computed a chunk of rows at a time (core.model.row_blocks: 512 rows,
# the rest in 256, 128, 64): one chunk's logits, softmax and gradient (512 × vocabulary) are
# all the loss ever holds, instead of four whole-batch ones.
# The rows are padded up to a multiple of this, so a run meets a few matrix shapes, not one per
# batch: oneDNN compiles and caches a kernel for every new shape (see docs/benchmarks.md, "Lean").
ROW_MULTIPLE = 64
# The smallest normal fp32: a gold token's probability below it counts as it (a loss of 87.3)
_TINY = torch.finfo(torch.float32).tiny


def token_loss(logits: Tensor, tgt_out: Tensor, label_smoothing: float) -> tuple[Tensor, Tensor]:
    """Mean label-smoothed cross-entropy per target token (for the optimiser) and the summed plain
    NLL (for reports), from one log-softmax over all steps at once. logits (B, T, V).

    The reference form of ``projected_loss``, which training uses."""
    logp = torch.log_softmax(logits.float(), dim=-1)  # (B, T, V)
    mask = tgt_out != PAD_ID
    nll = -logp.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1)  # (B, T)
    if label_smoothing > 0:
        per_token = (1 - label_smoothing) * nll - label_smoothing * logp.mean(-1)
    else:
        per_token = nll
    n = mask.sum().clamp(min=1)
    loss = per_token.masked_select(mask).sum() / n
    return loss, nll.detach().masked_select(mask).sum()


def target_rows(h: Tensor, tgt_out: Tensor) -> tuple[Tensor, Tensor]:
    """The states of the real target positions, h (B, T, D) → (N', D) with N' the number of
    non-padding tokens rounded up to ``ROW_MULTIPLE``, and their targets (N',), PAD_ID on the
    added rows. Padding positions are never projected at all. The added rows repeat the first
    position's state (a PAD_ID target counts for nothing and sends back a zero gradient), so
    the rows are one ``index_select``, whose backward pass (an ``index_add``) took 0.6 ms
    where a boolean mask's (an ``index_put``) took 3.7 ms for 64 × 15 states of 1,024."""
    flat = (tgt_out != PAD_ID).reshape(-1)
    index = flat.nonzero().squeeze(1)
    real = index.size(0)
    extra = -real % ROW_MULTIPLE
    if extra:
        index = F.pad(index, (0, extra), value=0)
    rows = h.reshape(-1, h.size(-1)).index_select(0, index)
    targets = tgt_out.reshape(-1).index_select(0, index)
    if extra:
        targets[real:] = PAD_ID
    return rows, targets


def projected_loss(
    rows: Tensor, weight: Tensor, targets: Tensor, label_smoothing: float
) -> tuple[Tensor, Tensor]:
    """``token_loss`` of ``rows @ weight.T`` without the (tokens × vocabulary) tensors: the
    projection, log-softmax and their gradient are taken a chunk of rows at a time in the
    forward pass, which keeps only the gradients of ``rows`` and ``weight`` (OpenNMT-py's
    sharded loss and the fused linear cross-entropy of LLM trainers do the same). rows (N, D),
    weight (V, D) without bias, targets (N,) with PAD_ID rows ignored. One backward pass, so it
    works under DistributedDataParallel, autocast and a gradient scaler. Without autograd (a
    validation), no gradient is computed."""
    if torch.is_grad_enabled() and (rows.requires_grad or weight.requires_grad):
        return _ProjectedLoss.apply(rows, weight, targets, float(label_smoothing))
    loss, nll, _, _ = _chunked(rows, weight, targets, float(label_smoothing), grads=False)
    return loss, nll


def _chunk(z: Tensor, target: Tensor, keep: Tensor, smoothing: float) -> tuple[Tensor, ...]:
    """One chunk's logits z (c, V) fp32 → its summed loss, summed NLL and d loss / d z. Per row:
    loss = (1 − ε)·nll + ε·(logsumexp − mean z), whose gradient is softmax(z) − (1 − ε)·onehot
    (target) − ε/V; rows with keep 0 count for nothing. ``torch.softmax`` is one fused kernel that
    works a row at a time in cache (max, exponentials, sum); log-sum-exp is then taken from the
    gold token's probability, ``lse = z_gold − log p_gold``, so the exponentials are taken once
    and the logits read a few times instead of streamed through memory by six operations."""
    gold = z.gather(1, target.unsqueeze(1)).squeeze(1)
    mean = z.mean(-1) if smoothing else None
    p = torch.softmax(z, dim=-1)
    # a gold probability below _TINY (its logit 87 below the best) counts as _TINY, not as 0
    nll = -p.gather(1, target.unsqueeze(1)).squeeze(1).clamp_min(_TINY).log()
    lse = gold + nll
    per = nll if mean is None else (1 - smoothing) * nll + smoothing * (lse - mean)
    # softmax · keep − (ε/V) · keep, one pass
    shift = (keep * (-smoothing / z.size(1))).unsqueeze(1)
    g = torch.addcmul(shift, p, keep.unsqueeze(1), out=p)
    g.scatter_add_(1, target.unsqueeze(1), (keep * (smoothing - 1)).unsqueeze(1))
    return (per * keep).sum(), (nll * keep).sum(), g


@torch.no_grad()
def _chunked(
    rows: Tensor, weight: Tensor, targets: Tensor, smoothing: float, grads: bool
) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
    """Mean loss, summed NLL and (when ``grads``) the gradients of the mean loss with respect to
    rows and weight (fp32), one chunk of rows at a time."""
    dtype = matmul_dtype(rows.device.type, rows.dtype)
    x, w = rows.detach().to(dtype), weight.detach().to(dtype)
    keep = targets != PAD_ID
    keep_f = keep.float()
    n = keep.sum().clamp(min=1).float()
    safe = targets.masked_fill(~keep, 0)
    # every row's gradient is written once; the weight's is the first chunk's, then a sum
    grad_x = torch.empty(rows.shape, dtype=torch.float32, device=rows.device) if grads else None
    grad_w: Tensor | None = None
    loss = torch.zeros((), dtype=torch.float32, device=rows.device)
    nll = torch.zeros((), dtype=torch.float32, device=rows.device)
    start = 0
    for size in row_sizes(rows.size(0)):  # chunks of a few sizes: few shapes for oneDNN
        part = slice(start, start + size)
        start += size
        z = linear(x[part], w)  # (c, V)
        # one pass in C where the compiled kernels are in use, else the PyTorch code
        done = native.smoothed_xent(z, safe[part], keep_f[part], smoothing, grads, in_place=True)
        if done is None:
            done = _chunk(z.float(), safe[part], keep_f[part], smoothing)
        chunk_loss, chunk_nll, g = done
        loss += chunk_loss
        nll += chunk_nll
        if grad_x is not None and g is not None:
            g = g.to(dtype)
            grad_x[part] = mm(g, w)
            part_w = g.t() @ x[part]
            if grad_w is None:
                grad_w = part_w.float()
            elif not native.accumulate(grad_w, part_w):
                grad_w.add_(part_w)
    if grad_x is None:
        return loss / n, nll, None, None
    if grad_w is None:  # no rows at all
        grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=rows.device)
    return loss / n, nll, grad_x.div_(n), grad_w.div_(n)


class _ProjectedLoss(torch.autograd.Function):
    @staticmethod
    def forward(ctx, rows: Tensor, weight: Tensor, targets: Tensor, smoothing: float):  # type: ignore[override]
        loss, nll, grad_x, grad_w = _chunked(rows, weight, targets, smoothing, grads=True)
        ctx.save_for_backward(grad_x, grad_w)
        ctx.dtypes = (rows.dtype, weight.dtype)
        ctx.mark_non_differentiable(nll)
        return loss, nll

    @staticmethod
    def backward(ctx, grad_loss: Tensor, _grad_nll: Tensor):  # type: ignore[override]
        grad_x, grad_w = ctx.saved_tensors
        x_dtype, w_dtype = ctx.dtypes
        # the loss is the last operation (its gradient 1) unless scaled: then no product, which
        # would copy the (vocabulary × D) gradient (asked of the CPU only: on a GPU the answer
        # would wait for the device)
        if not (grad_loss.device.type == "cpu" and grad_loss.numel() == 1 and grad_loss == 1):
            grad_x, grad_w = grad_x * grad_loss, grad_w * grad_loss
        return grad_x.to(x_dtype), grad_w.to(w_dtype), None, None
