"""Length buckets and collation: every example once, small batches, reproducible order, right
shifts."""

from __future__ import annotations

import random

import pytest
import torch

from core.data.batching import Batch, bucket_order, collate, pad, sorted_batches
from core.data.vocab import BOS_ID, EOS_ID, PAD_ID


def _lengths(n=103, seed=0):
    rng = random.Random(seed)
    return [(rng.randint(2, 30), rng.randint(2, 30)) for _ in range(n)]


@pytest.mark.parametrize("n,batch_size", [(103, 8), (16, 16), (5, 16), (1, 1), (40, 1)])
def test_bucket_order_covers_every_index_once(n, batch_size):
    batches = bucket_order(_lengths(n), batch_size, seed=3)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(n))
    assert all(1 <= len(b) <= batch_size for b in batches)
    assert len(batches) == -(-n // batch_size)


def test_bucket_order_of_nothing():
    assert bucket_order([], 8, seed=0) == []


def test_bucket_order_is_deterministic_per_seed_and_differs_across_seeds():
    lengths = _lengths()
    assert bucket_order(lengths, 8, seed=5) == bucket_order(lengths, 8, seed=5)
    orders = {str(bucket_order(lengths, 8, seed=s)) for s in range(6)}
    assert len(orders) == 6


def test_bucket_order_groups_similar_lengths():
    lengths = _lengths(400)
    batches = bucket_order(lengths, 16, seed=1)
    spread = [max(lengths[i][0] for i in b) - min(lengths[i][0] for i in b) for b in batches]
    assert max(spread) <= 2, "a batch mixes very different source lengths"
    # the batches, not just the sentences, are shuffled: their order is not sorted by length
    firsts = [lengths[b[0]][0] for b in batches]
    assert firsts != sorted(firsts)


def test_sorted_batches_are_sorted_and_complete():
    lengths = [5, 1, 9, 3, 3, 7, 2]
    batches = sorted_batches(lengths, 3)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    assert all(len(b) <= 3 for b in batches)


def test_pad():
    out = pad([[5, 6, 7], [8]], prefix=[BOS_ID])
    assert out.tolist() == [[BOS_ID, 5, 6, 7], [BOS_ID, 8, PAD_ID, PAD_ID]]
    assert out.dtype == torch.long
    assert pad([[4], [4, 5]]).tolist() == [[4, PAD_ID], [4, 5]]
    assert pad([[4], [4, 5]], multiple=4).tolist() == [[4] + [PAD_ID] * 3, [4, 5] + [PAD_ID] * 2]
    assert pad([[4] * 8], multiple=8).shape == (1, 8)  # already a multiple: unchanged


def test_collate_rounds_only_the_source_width():
    examples = [([5, 6, EOS_ID], [7, 8, 9, EOS_ID]), ([5, EOS_ID], [7, EOS_ID])]
    b = collate(examples, [0, 1], src_multiple=8)
    assert b.src.shape == (2, 8) and b.src_len.tolist() == [3, 2]
    assert (b.src[:, 3:] == PAD_ID).all()
    assert b.tgt_out.shape == b.tgt_in.shape == (2, 4)  # target widths stay exact


def test_collate():
    examples = [
        ([5, 6, EOS_ID], [7, 8, 9, EOS_ID]),
        ([5, EOS_ID], [7, EOS_ID]),
        ([5, 6, 6, 6, EOS_ID], [9, 9, EOS_ID]),
    ]
    b = collate(examples, [2, 0, 1])
    assert isinstance(b, Batch) and b.indices == [2, 0, 1]
    assert b.src.tolist() == [
        [5, 6, 6, 6, EOS_ID],
        [5, 6, EOS_ID, PAD_ID, PAD_ID],
        [5, EOS_ID, PAD_ID, PAD_ID, PAD_ID],
    ]
    assert b.src_len.tolist() == [5, 3, 2]
    assert b.tgt_out.tolist() == [
        [9, 9, EOS_ID, PAD_ID],
        [7, 8, 9, EOS_ID],
        [7, EOS_ID, PAD_ID, PAD_ID],
    ]
    assert b.tgt_in.tolist() == [
        [BOS_ID, 9, 9, PAD_ID],
        [BOS_ID, 7, 8, 9],
        [BOS_ID, 7, PAD_ID, PAD_ID],
    ]
    assert b.tgt_in.shape == b.tgt_out.shape
    assert b.n_tokens == 4 + 2 + 3 == int((b.tgt_out != PAD_ID).sum())
    # tgt_in is tgt_out shifted right by one, starting with <s>
    for row_in, row_out in zip(b.tgt_in.tolist(), b.tgt_out.tolist()):
        n = sum(t != PAD_ID for t in row_out)
        assert row_in[0] == BOS_ID and row_in[1:n] == row_out[: n - 1]
        assert all(t == PAD_ID for t in row_in[n:])
    assert b.to(torch.device("cpu")) is b
