"""A permutation of rows, and its gradient through the inverse permutation."""

from __future__ import annotations

import torch

from core.model.row_order import rows_in_order
from core.model.seq2seq import _direction_orders


def test_rows_in_order_is_indexing_with_the_inverse_as_its_backward_pass():
    g = torch.Generator().manual_seed(0)
    order = torch.randperm(7, generator=g)
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(7)
    x = torch.randn(7, 3, dtype=torch.float64, generator=g, requires_grad=True)
    assert torch.equal(rows_in_order(x, order, inverse), x[order])
    assert torch.autograd.gradcheck(lambda t: rows_in_order(t, order, inverse), (x,))


def test_direction_orders_flip_the_reverse_direction_within_the_longest_sentence():
    batch, steps, longest = 2, 5, 3
    to_layer, from_layer = _direction_orders(batch, steps, longest, torch.device("cpu"))
    # (B, S, D) rows numbered by what they hold: 100·b + 10·s + d
    rows = torch.tensor(
        [[[100 * b + 10 * s + d for d in range(2)] for s in range(steps)] for b in range(batch)]
    ).reshape(-1, 1)
    layer = rows[to_layer].view(2, batch, steps)
    assert layer[0, 1].tolist() == [100, 110, 120, 130, 140]  # forward: in order
    assert layer[1, 1].tolist() == [121, 111, 101, 131, 141]  # reverse: first 3 flipped
    assert torch.equal(rows[to_layer][from_layer], rows)  # each order undoes the other
