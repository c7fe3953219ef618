"""Additive (Bahdanau) attention scores for many query steps at once, without keeping their
energies for the backward pass.

``scores[b, t, s] = vᵀ tanh(q[b, t] + keys[b, s])``. Written with autograd's own operations, the
backward pass keeps ``tanh(q + keys)``: batch × query steps × source width × attention size, all at
once when the Luong decoder scores every target step in one call (the largest thing its training
step held). Here the backward pass computes it again from ``q`` and ``keys``, which autograd keeps
anyway, a chunk of query steps at a time. The Bahdanau decoder, one step per call, keeps the plain
expression: there the recomputation cost more time (13 % a step) than its memory was worth. The
forward pass is the same arithmetic as the plain expression, so what the inspector shows is what
training computed.
"""

from __future__ import annotations

import torch
from torch import Tensor

#: elements of one chunk's (B, steps, S, A) energies: 4 Mi, 16 MB in fp32
CHUNK_ELEMENTS = 1 << 22


def additive_scores(q: Tensor, keys: Tensor, v: Tensor) -> Tensor:
    """q: (B, T, A) projected queries, keys: (B, S, A) projected encoder states, v: (A,) → scores
    (B, T, S).

    Computed in the dtype of ``q`` (bf16 under autocast, as the plain expression would be);
    the backward pass works in fp32 and returns each gradient in its input's dtype."""
    return _AdditiveScores.apply(q, keys, v)


def kept_additive_scores(q: Tensor, keys: Tensor, v: Tensor) -> Tensor:
    """The same scores as plain autograd operations, which keep every energy for the backward
    pass: the reference the tests and ``bench/lean.py`` compare with."""
    return torch.tanh(q.unsqueeze(2) + keys.unsqueeze(1)) @ v.to(q.dtype)


def _steps_per_chunk(keys: Tensor) -> int:
    batch, source, size = keys.shape
    return max(1, CHUNK_ELEMENTS // max(1, batch * source * size))


class _AdditiveScores(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q: Tensor, keys: Tensor, v: Tensor) -> Tensor:  # type: ignore[override]
        dtype = torch.promote_types(q.dtype, keys.dtype)
        q_, keys_, v_ = q.to(dtype), keys.to(dtype), v.to(dtype)
        steps = q.size(1)
        out = q_.new_empty(q.size(0), steps, keys.size(1))
        chunk = _steps_per_chunk(keys)
        for t in range(0, steps, chunk):
            energies = torch.tanh(q_[:, t : t + chunk].unsqueeze(2) + keys_.unsqueeze(1))
            out[:, t : t + chunk] = torch.matmul(energies, v_)
        ctx.save_for_backward(q, keys, v)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:  # type: ignore[override]
        q, keys, v = ctx.saved_tensors
        need_q, need_keys, need_v = ctx.needs_input_grad
        f32 = torch.float32
        qf, keys_f, vf, gf = q.to(f32), keys.to(f32), v.to(f32), grad.to(f32)
        size = keys.size(-1)
        grad_q = torch.empty_like(qf) if need_q else None
        grad_keys = torch.zeros_like(keys_f) if need_keys else None
        grad_v = torch.zeros_like(vf) if need_v else None
        chunk = _steps_per_chunk(keys)
        for t in range(0, q.size(1), chunk):
            energies = torch.tanh(qf[:, t : t + chunk].unsqueeze(2) + keys_f.unsqueeze(1))
            g = gf[:, t : t + chunk]  # (B, c, S)
            if grad_v is not None:
                grad_v += g.reshape(1, -1).matmul(energies.reshape(-1, size)).squeeze(0)
            # d score / d (q + keys) = v · (1 − tanh²), in place on the energies
            d = energies.mul_(energies).neg_().add_(1).mul_(g.unsqueeze(-1)).mul_(vf)
            if grad_q is not None:
                grad_q[:, t : t + chunk] = d.sum(2)
            if grad_keys is not None:
                grad_keys += d.sum(1)
        return (
            None if grad_q is None else grad_q.to(q.dtype),
            None if grad_keys is None else grad_keys.to(keys.dtype),
            None if grad_v is None else grad_v.to(v.dtype),
        )
