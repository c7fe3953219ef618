"""What the attention weights mean: distributions over the real source words, nothing leaking from
padding, the formulas as documented, and keys projected once per sentence."""

from __future__ import annotations

import pytest
import torch

from core.data.batching import pad
from core.data.vocab import BOS_ID
from core.decoding.search import beam_search, greedy
from core.model.seq2seq import Attention, Memory
from tests.core.model.test_seq2seq import random_batch, tiny_model

KINDS = [("bahdanau", True), ("general", True), ("dot", False)]


def _model(kind, bidirectional, seed=0):
    return tiny_model(seed=seed, attention=kind, bidirectional=bidirectional)


@pytest.mark.parametrize("kind,bidirectional", KINDS)
def test_rows_sum_to_one_and_padding_gets_exactly_zero(kind, bidirectional):
    m = _model(kind, bidirectional)
    src, src_len, tgt_in, *_ = random_batch(src_lengths=(2, 9, 5, 1), tgt_lengths=(3, 5, 1, 4))
    _, attn = m(src, src_len, tgt_in)
    assert torch.allclose(attn.sum(-1), torch.ones(attn.shape[:2]), atol=1e-6)
    for i, n in enumerate(src_len.tolist()):
        assert n < src.size(1) or i == 1
        assert (attn[i, :, n:] == 0.0).all(), "padded source positions must get exactly zero weight"
        assert (attn[i, :, :n] > 0.0).all()


@pytest.mark.parametrize("kind,bidirectional", KINDS)
def test_a_sentence_gives_the_same_output_alone_and_batched_with_longer_ones(kind, bidirectional):
    m = _model(kind, bidirectional, seed=3)
    src, src_len, tgt_in, _, srcs, tgts = random_batch(
        src_lengths=(3, 11, 6), tgt_lengths=(4, 9, 2)
    )
    logits, attn = m(src, src_len, tgt_in)
    for i, (s, t) in enumerate(zip(srcs, tgts)):
        one_src = torch.tensor([s])
        one_in = torch.tensor([[BOS_ID] + t[:-1]])
        l1, a1 = m(one_src, torch.tensor([len(s)]), one_in)
        n, k = len(s), len(t)
        assert torch.allclose(logits[i, :k], l1[0], atol=1e-5)
        assert torch.allclose(attn[i, :k, :n], a1[0], atol=1e-5)


@pytest.mark.parametrize("kind,bidirectional", KINDS)
def test_garbage_in_padded_positions_changes_nothing(kind, bidirectional):
    """The mask, not zero padding, is what hides the padding: huge values there must not leak."""
    m = _model(kind, bidirectional, seed=5)
    src, src_len, *_ = random_batch()
    memory, hidden = m.encode(src, src_len)
    query = hidden[-1]
    ctx, w = m.decoder.attention(query, memory)
    values, keys = memory.values.clone(), memory.keys.clone()
    values[~memory.mask] = 1e6
    keys[~memory.mask] = -1e3
    ctx2, w2 = m.decoder.attention(query, Memory(values, keys, memory.mask))
    assert torch.equal(w, w2)
    assert torch.allclose(ctx, ctx2, atol=1e-6)


def _memory(b=2, s=5, k=6, a=4, lengths=(5, 3), seed=0):
    g = torch.Generator().manual_seed(seed)
    values = torch.randn(b, s, k, generator=g)
    mask = torch.arange(s).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    return values, mask, g


def test_bahdanau_formula():
    torch.manual_seed(0)
    att = Attention("bahdanau", query_size=4, key_size=6)
    values, mask, g = _memory()
    memory = Memory(values, att.project_keys(values), mask)
    query = torch.randn(2, 4, generator=g)
    ctx, w = att(query, memory)
    W, U, v = att.query_layer.weight, att.key_layer.weight, att.energy.weight  # (4,4) (4,6) (1,4)
    for b in range(2):
        n = int(mask[b].sum())
        e = torch.stack(
            [(v @ torch.tanh(W @ query[b] + U @ values[b, j])).squeeze() for j in range(n)]
        )
        alpha = torch.softmax(e, 0)
        assert torch.allclose(w[b, :n], alpha, atol=1e-6)
        assert torch.allclose(ctx[b], alpha @ values[b, :n], atol=1e-6)


def test_general_and_dot_formulas():
    torch.manual_seed(0)
    values, mask, g = _memory(k=4)
    query = torch.randn(2, 4, generator=g)
    general = Attention("general", query_size=4, key_size=4)
    dot = Attention("dot", query_size=4, key_size=4)
    for att, keys in ((general, values @ general.key_layer.weight.T), (dot, values)):
        ctx, w = att(query, Memory(values, att.project_keys(values), mask))
        for b in range(2):
            n = int(mask[b].sum())
            alpha = torch.softmax(keys[b, :n] @ query[b], 0)
            assert torch.allclose(w[b, :n], alpha, atol=1e-6)
            assert torch.allclose(ctx[b], alpha @ values[b, :n], atol=1e-6)
            assert (w[b, n:] == 0).all()


def test_unknown_attention_kind_is_refused():
    with pytest.raises(ValueError):
        Attention("luong", 4, 4)


class _CallCounter:
    def __init__(self, module):
        self.calls = 0
        self.handle = module.register_forward_hook(self._hook)

    def _hook(self, *_):
        self.calls += 1


@pytest.mark.parametrize("kind", ["bahdanau", "general"])
def test_keys_are_projected_once_per_sentence_not_once_per_step(kind):
    m = _model(kind, True)
    src, src_len, tgt_in, *_ = random_batch(tgt_lengths=(6, 8, 7))
    steps = tgt_in.size(1)
    assert steps >= 6
    keys = _CallCounter(m.decoder.attention.key_layer)
    m(src, src_len, tgt_in)
    assert keys.calls == 1
    if kind == "bahdanau":
        queries = _CallCounter(m.decoder.attention.query_layer)
        m(src, src_len, tgt_in)
        assert queries.calls == steps  # the query does change every step
        queries.handle.remove()
    keys.calls = 0
    greedy(m, src, src_len)
    assert keys.calls == 1
    keys.calls = 0
    beam_search(m, src, src_len, beam=3)
    assert keys.calls == 1, "beam search must reuse the projected keys for every beam"
    keys.handle.remove()


def test_memory_index_repeats_rows():
    m = _model("bahdanau", True)
    srcs = [[5, 6, 3], [7, 3]]
    memory, _ = m.encode(pad(srcs), torch.tensor([3, 2]))
    rep = memory.index(torch.tensor([1, 1, 0]))
    assert torch.equal(rep.values[0], memory.values[1]) and torch.equal(
        rep.values[2], memory.values[0]
    )
    assert torch.equal(rep.keys[1], memory.keys[1])
    assert rep.mask.tolist() == [[True, True, False], [True, True, False], [True, True, True]]
