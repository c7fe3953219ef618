"""Rows of a matrix in another order, with a backward pass that is the inverse order.

A bidirectional GRU layer keeps its two directions side by side at each position and runs
them as one batched recurrence with the reverse direction's positions flipped
(``core.model.seq2seq.Encoder``). Built from selects, flips, a stack and a concatenation, that
relayout costs autograd a zero-filled full-size gradient per select and a sum of them; as one
permutation of rows it is one gather each way: ``index_select`` forward, and backward the
same with the inverse permutation (no zeros, no scattered sums).
"""

from __future__ import annotations

import torch
from torch import Tensor


def rows_in_order(x: Tensor, order: Tensor, inverse: Tensor) -> Tensor:
    """``x[order]`` for x (N, C) and a permutation ``order`` of its N rows whose inverse is
    ``inverse`` (``inverse[order] = arange(N)``); differentiable in x."""
    return _RowsInOrder.apply(x, order, inverse)


class _RowsInOrder(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, order: Tensor, inverse: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(inverse)
        return x.index_select(0, order)

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        (inverse,) = ctx.saved_tensors
        return grad.contiguous().index_select(0, inverse), None, None
