"""Greedy, beam and forced decoding agree with each other and with the model's own probabilities."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch

import core.decoding.search
from core.config import ModelConfig
from core.data.batching import pad
from core.data.vocab import BOS_ID, EOS_ID
from core.decoding.search import Hypothesis, beam_search, forced, greedy, max_output_length
from core.model.build import build_model
from core.storage.model_folder import read_model
from tests.core.model.test_seq2seq import SRC_V, TGT_V, random_sentences, tiny_model
from tests.core.training.test_run import trained_toy_model

LENGTHS = (2, 6, 4, 9)


@pytest.fixture(scope="module")
def toy_model(tmp_path_factory):
    model, src_vocab, tgt_vocab, _ = read_model(trained_toy_model(tmp_path_factory)["dir"])
    return model, src_vocab, tgt_vocab


def _toy_batch(src_vocab, sentences):
    ids = [src_vocab.encode(s.split()) for s in sentences]
    return pad(ids), torch.tensor([len(i) for i in ids]), ids


TOY_SENTENCES = ["w1 w2 w3", "w4 w5 w6 w7 w8 w9 w10", "w0 w11 w0 w11", "w3 w3 w3 w5 w5"]


def _models(toy_model):
    """(name, model, src, src_len, sentences) cases: two random models and the trained one."""
    cases = []
    for seed, kind, bi in ((0, "bahdanau", True), (1, "dot", False)):
        m = tiny_model(seed=seed, attention=kind, bidirectional=bi)
        sents = random_sentences(LENGTHS, seed=seed)
        cases.append(
            (f"random-{kind}", m, pad(sents), torch.tensor([len(s) for s in sents]), sents)
        )
    m, sv, _ = toy_model
    src, src_len, ids = _toy_batch(sv, TOY_SENTENCES)
    cases.append(("trained", m, src, src_len, ids))
    return cases


def _check_shapes(h: Hypothesis, src_len: int) -> None:
    assert h.probs.shape == (len(h.ids),)
    assert h.attention.shape == (len(h.ids), src_len)
    np.testing.assert_allclose(h.attention.sum(1), 1.0, atol=1e-5)
    assert ((h.probs > 0) & (h.probs <= 1)).all()


def test_greedy_equals_beam_search_with_beam_one(toy_model):
    for name, m, src, src_len, _ in _models(toy_model):
        g = greedy(m, src, src_len)
        b = beam_search(m, src, src_len, beam=1)
        for i, (hg, hb) in enumerate(zip(g, b)):
            assert len(hb) == 1
            assert hg.ids == hb[0].ids, (name, i)
            np.testing.assert_allclose(hb[0].probs, hg.probs, atol=1e-5)
            np.testing.assert_allclose(hb[0].attention, hg.attention, atol=1e-5)
            # greedy's score is the plain sum; beam's is divided by the length (alpha = 1)
            assert hb[0].score * len(hb[0].ids) == pytest.approx(hg.score, abs=1e-4)


def test_trained_model_outputs_end_with_eos(toy_model):
    m, sv, tv = toy_model
    src, src_len, _ = _toy_batch(sv, TOY_SENTENCES)
    reversed_ok = 0
    for s, h in zip(TOY_SENTENCES, greedy(m, src, src_len)):
        assert h.ids[-1] == EOS_ID and EOS_ID not in h.ids[:-1]
        reversed_ok += tv.decode(h.ids) == [w.upper() for w in reversed(s.split())]
    # the model learnt the task (how well is measured on 100 held-out pairs in test_run); one
    # slip on the repeated-word sentence is within what fp32 rounding changes in a toy run
    assert reversed_ok >= 3


def test_greedy_probs_are_the_max_of_the_softmax(toy_model):
    """Re-run the model teacher-forced on greedy's output: each chosen token is the argmax and its
    probability is exp(max log-softmax)."""
    for name, m, src, src_len, _ in _models(toy_model):
        hyps = greedy(m, src, src_len)
        for i, h in enumerate(hyps):
            one = src[i : i + 1, : int(src_len[i])]
            tgt_in = torch.tensor([[BOS_ID] + h.ids[:-1]])
            with torch.no_grad():
                logits, attn = m(one, src_len[i : i + 1], tgt_in)
            logp = torch.log_softmax(logits[0].float(), -1)
            best, arg = logp.max(-1)
            assert arg.tolist() == h.ids, (name, i)
            np.testing.assert_allclose(h.probs, best.exp().numpy(), atol=1e-5)
            np.testing.assert_allclose(h.attention, attn[0].numpy(), atol=1e-5)
            assert h.score == pytest.approx(float(best.sum()), abs=1e-4)
            _check_shapes(h, int(src_len[i]))


def test_without_eos_decoding_stops_at_each_sentences_length_limit():
    m = tiny_model(seed=0)
    old = m.decoder.output  # make </s> impossible with a bias of -1e4
    m.decoder.output = torch.nn.Linear(old.in_features, old.out_features, bias=True)
    with torch.no_grad():
        m.decoder.output.weight.copy_(old.weight)
        m.decoder.output.bias.zero_()
        m.decoder.output.bias[EOS_ID] = -1e4
    sents = random_sentences((1, 5))
    src, src_len = pad(sents), torch.tensor([len(s) for s in sents])
    limits = max_output_length(src_len).tolist()
    assert limits == [13, 19]
    for h, limit in zip(greedy(m, src, src_len), limits):
        assert EOS_ID not in h.ids and len(h.ids) == limit
    for hyps, limit in zip(beam_search(m, src, src_len, beam=3, nbest=3), limits):
        assert len(hyps) == 3
        for h in hyps:
            assert EOS_ID not in h.ids and len(h.ids) == limit


def test_beam_hypotheses_are_sorted_and_counted(toy_model):
    for name, m, src, src_len, _ in _models(toy_model):
        for beam, nbest, expected in ((4, 3, 3), (4, 4, 4), (3, 1, 1), (2, 5, 2)):
            results = beam_search(m, src, src_len, beam=beam, nbest=nbest)
            assert len(results) == src.size(0)
            for i, hyps in enumerate(results):
                assert len(hyps) == expected, (name, beam, nbest, i)
                scores = [h.score for h in hyps]
                assert scores == sorted(scores, reverse=True), (name, i, scores)
                assert len({tuple(h.ids) for h in hyps}) == len(hyps), "duplicate hypotheses"
                for h in hyps:
                    _check_shapes(h, int(src_len[i]))
                    assert EOS_ID not in h.ids[:-1]


@pytest.mark.parametrize("alpha", [1.0, 0.6])
def test_forced_decoding_reproduces_every_beam_hypothesis(toy_model, alpha):
    for name, m, src, src_len, _ in _models(toy_model):
        results = beam_search(m, src, src_len, beam=4, nbest=4, alpha=alpha)
        for i, hyps in enumerate(results):
            n = int(src_len[i])
            f = forced(
                m,
                src[i : i + 1, :n].repeat(len(hyps), 1),
                src_len[i : i + 1].repeat(len(hyps)),
                [h.ids for h in hyps],
            )
            for h, fh in zip(hyps, f):
                assert fh.ids == h.ids
                np.testing.assert_allclose(fh.probs, h.probs, atol=1e-5, err_msg=name)
                np.testing.assert_allclose(fh.attention, h.attention, atol=1e-5, err_msg=name)
                assert h.score * len(h.ids) ** alpha == pytest.approx(fh.score, abs=1e-4), (name, i)
                assert fh.score == pytest.approx(float(np.log(fh.probs).sum()), abs=1e-4)


def test_forced_handles_a_batch_of_different_lengths(toy_model):
    m, sv, tv = toy_model
    src, src_len, _ = _toy_batch(sv, TOY_SENTENCES)
    targets = [tv.encode(s.upper().split()[::-1]) for s in TOY_SENTENCES]
    targets[1] = targets[1][:2] + [EOS_ID]  # a short, wrong translation
    batch = forced(m, src, src_len, targets)
    for i, t in enumerate(targets):
        one = forced(m, src[i : i + 1, : int(src_len[i])], src_len[i : i + 1], [t])[0]
        assert batch[i].ids == t
        _check_shapes(batch[i], int(src_len[i]))
        np.testing.assert_allclose(batch[i].probs, one.probs, atol=1e-5)
        np.testing.assert_allclose(batch[i].attention, one.attention, atol=1e-5)
    # the right translations are likely, the truncated one is not
    assert batch[0].score > -1.0 and batch[1].score < batch[0].score


def test_batched_greedy_equals_one_by_one(toy_model):
    for name, m, src, src_len, _ in _models(toy_model):
        batched = greedy(m, src, src_len)
        for i in range(src.size(0)):
            n = int(src_len[i])
            alone = greedy(m, src[i : i + 1, :n], src_len[i : i + 1])[0]
            assert alone.ids == batched[i].ids, (name, i)
            np.testing.assert_allclose(batched[i].probs, alone.probs, atol=1e-5)
            np.testing.assert_allclose(batched[i].attention, alone.attention, atol=1e-5)
            assert batched[i].score == pytest.approx(alone.score, abs=1e-4)


def test_batched_beam_equals_one_by_one(toy_model):
    for name, m, src, src_len, _ in _models(toy_model):
        batched = beam_search(m, src, src_len, beam=3, nbest=3)
        for i in range(src.size(0)):
            n = int(src_len[i])
            alone = beam_search(m, src[i : i + 1, :n], src_len[i : i + 1], beam=3, nbest=3)[0]
            assert [h.ids for h in alone] == [h.ids for h in batched[i]], (name, i)
            for a, b in zip(alone, batched[i]):
                np.testing.assert_allclose(b.attention, a.attention, atol=1e-5)
                assert b.score == pytest.approx(a.score, abs=1e-4)


def test_search_batch_sizes_are_few_and_never_below_the_open_sentences():
    sizes = {core.decoding.search.search_batch_size(n) for n in range(1, 65)}
    step = core.decoding.search.SEARCH_BATCH_STEP
    assert sizes == {1, 2, 4, 8, 16, 32, 48, 64} if step == 16 else len(sizes) <= 12
    for n in range(1, 200):
        size = core.decoding.search.search_batch_size(n)
        assert n <= size < max(2 * n, n + step)


def test_staying_keeps_every_open_sentence_in_order_then_finished_ones():
    live = torch.tensor([False, True, False, True, True, False])
    stay = core.decoding.search._staying(live, 4)
    assert stay.tolist() == [0, 1, 3, 4]
    assert core.decoding.search._staying(live, 3).tolist() == [1, 3, 4]


def _shrinking_search(m, search, monkeypatch, per_sentence: int = 1):
    """Twenty sentences finishing at different steps (each at its own length limit), searched
    together with batches shrinking in steps of 4 → (sentences, source, lengths, results, the
    batch sizes the model's steps saw, largest first); checks that they were allowed sizes."""
    monkeypatch.setattr(core.decoding.search, "SEARCH_BATCH_STEP", 4)
    sents = random_sentences([1 + (i * 7) % 13 for i in range(20)], seed=3)
    src, src_len = pad(sents), torch.tensor([len(s) for s in sents])
    rows = []
    step = m.step

    def counting_step(prev, *args, **kwargs):
        rows.append(prev.size(0) // per_sentence)
        return step(prev, *args, **kwargs)

    monkeypatch.setattr(m, "step", counting_step)
    results = search(m, src, src_len)
    monkeypatch.setattr(m, "step", step)
    sizes = sorted(set(rows), reverse=True)
    assert sizes[0] == 20 and len(sizes) > 3
    assert all(n in (1, 2, 4) or n % 4 == 0 for n in sizes)
    return sents, src, src_len, results


def test_a_shrinking_beam_batch_keeps_every_sentences_result(monkeypatch):
    """The batch shrinks through the allowed sizes, keeping finished sentences as padding where
    the next size is larger than the open ones, and every sentence's hypotheses are as when
    searched alone."""
    m = tiny_model(seed=3)
    search = partial(beam_search, beam=2, nbest=2)
    sents, src, src_len, batched = _shrinking_search(m, search, monkeypatch, per_sentence=2)
    for i, sent in enumerate(sents):
        alone = search(m, src[i : i + 1, : len(sent)], src_len[i : i + 1])
        assert [h.ids for h in alone[0]] == [h.ids for h in batched[i]], i
        for a, b in zip(alone[0], batched[i]):
            np.testing.assert_allclose(b.attention, a.attention, atol=1e-5)
            assert b.score == pytest.approx(a.score, abs=1e-4)


@pytest.mark.parametrize("arch", ["gru", "transformer"])
def test_a_shrinking_greedy_batch_keeps_every_sentences_result(arch, monkeypatch):
    """Greedy's batch shrinks through the allowed sizes and every sentence's ids,
    probabilities, attention (and a Transformer's heads) are as when it is searched alone."""
    if arch == "gru":
        m = tiny_model(seed=3)
    else:
        torch.manual_seed(3)
        cfg = ModelConfig(arch="transformer", emb_size=16, hidden_size=16, heads=2, ff_size=32,
                          enc_layers=1, dec_layers=2, dropout=0.0)  # fmt: skip
        m = build_model(cfg, SRC_V, TGT_V).eval()
    sents, src, src_len, batched = _shrinking_search(m, greedy, monkeypatch)
    for i, sent in enumerate(sents):
        alone = greedy(m, src[i : i + 1, : len(sent)], src_len[i : i + 1])[0]
        got = batched[i]
        assert got.ids == alone.ids, i
        np.testing.assert_allclose(got.probs, alone.probs, atol=1e-5)
        np.testing.assert_allclose(got.attention, alone.attention, atol=1e-5)
        assert got.score == pytest.approx(alone.score, abs=1e-4)
        if arch == "transformer":
            np.testing.assert_allclose(got.heads, alone.heads, atol=1e-5)


def test_batched_greedy_respects_each_sentences_own_length_limit(toy_model, monkeypatch):
    m, sv, _ = toy_model
    # limit = source length - 2: "w1 w2 w3 </s>" may produce 2 tokens, the long one 6
    monkeypatch.setattr(core.decoding.search, "max_output_length", lambda src_len: src_len - 2)
    src, src_len, _ = _toy_batch(sv, ["w1 w2 w3", "w4 w5 w6 w7 w8 w9 w10"])
    alone = greedy(m, src[:1, :4], src_len[:1])[0]
    assert len(alone.ids) == 2
    batched = greedy(m, src, src_len)
    assert len(batched[0].ids) <= 2
    assert batched[0].ids == alone.ids


def test_beam_search_with_a_vocabulary_smaller_than_two_beams():
    m = tiny_model(seed=2, tgt_vocab=5)  # 4 specials + 1 word: 2*beam > |V|
    sents = random_sentences((3, 1))
    src, src_len = pad(sents), torch.tensor([len(s) for s in sents])
    for hyps, n in zip(beam_search(m, src, src_len, beam=4, nbest=4), src_len.tolist()):
        assert 1 <= len(hyps) <= 4
        for h in hyps:
            _check_shapes(h, n)
            assert np.isfinite(h.score)


def test_max_output_length():
    assert max_output_length(torch.tensor([1, 10, 40])).tolist() == [11, 25, 70]
