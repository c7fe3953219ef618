"""Products cut into a few row counts give what one product gives, forward and backward."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from core.model.row_blocks import BLOCK_ROWS, in_row_blocks, row_sizes


@pytest.mark.parametrize("rows", [1, 63, 64, 512, 513, 896, 1000, 1536, 2047])
def test_row_sizes_cover_the_rows_with_few_sizes(rows):
    sizes = row_sizes(rows)
    assert sum(sizes) == rows
    assert sizes == sorted(sizes, reverse=True)
    assert all(s in (512, 256, 128, 64) for s in sizes[:-1])
    if rows % 64 == 0:  # what training meets: rows rounded up to 64
        assert all(s in (512, 256, 128, 64) for s in sizes)


def test_a_linear_in_row_blocks_equals_one_product_forward_and_backward():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 400, 24, generator=g, requires_grad=True)  # 1,200 rows: 512, 512, 128, 48
    w = torch.randn(10, 24, generator=g, requires_grad=True)
    b = torch.randn(10, generator=g, requires_grad=True)
    got = in_row_blocks(lambda rows: F.linear(rows, w, b), x)
    want = F.linear(x, w, b)
    assert got.shape == want.shape == (3, 400, 10)
    torch.testing.assert_close(got, want)
    grad = torch.randn(got.shape, generator=g)
    got_grads = torch.autograd.grad(got, (x, w, b), grad)
    want_grads = torch.autograd.grad(want, (x, w, b), grad)
    for a, e in zip(got_grads, want_grads):
        torch.testing.assert_close(a, e, rtol=1e-5, atol=1e-4)


def test_few_rows_are_one_call_and_more_are_a_call_per_block():
    calls = []
    layer = torch.nn.Linear(8, 4)
    layer.register_forward_hook(lambda _m, inputs, _out: calls.append(inputs[0].size(0)))
    in_row_blocks(layer, torch.randn(BLOCK_ROWS, 8))
    assert calls == [BLOCK_ROWS]
    calls.clear()
    out = in_row_blocks(layer, torch.randn(2, 448, 8))
    assert calls == [512, 256, 128] and out.shape == (2, 448, 4)
