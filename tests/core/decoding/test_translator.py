"""The Translator as front ends use it, on the trained toy model."""

from __future__ import annotations

import numpy as np
import pytest

from core.cancel import CancelToken
from core.data.vocab import UNK_ID
from core.decoding.search import forced
from core.decoding.translator import MAX_SOURCE_TOKENS, Translator
from core.errors import Cancelled, CoreError
from core.events import Translation
from tests.core.training.test_run import held_out_items, trained_toy_model


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return trained_toy_model(tmp_path_factory)


@pytest.fixture(scope="module")
def tr(toy):
    return Translator.load(toy["dir"], device="cpu")


def _check(t: Translation) -> None:
    assert isinstance(t, Translation)
    assert t.source_tokens[-1] == "</s>"
    assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))
    assert t.token_probs.shape == (len(t.target_tokens),)
    assert t.attention.dtype == np.float32 and t.token_probs.dtype == np.float32
    if t.target_tokens:
        np.testing.assert_allclose(t.attention.sum(1), 1.0, atol=1e-5)
    assert "</s>" not in t.text


def test_translate(tr):
    [t] = tr.translate("w1 w2 w3")
    _check(t)
    assert t.source_tokens == ["w1", "w2", "w3", "</s>"]
    assert t.target_tokens == ["W3", "W2", "W1", "</s>"]
    assert t.text == "W3 W2 W1"
    assert t.score == pytest.approx(float(np.log(t.token_probs).sum()), abs=1e-4)
    assert t.to_dict()["weights"] == t.attention.tolist()


def test_translate_strips_surrounding_whitespace(tr):
    assert tr.translate("  w4 w5\t\n")[0].text == tr.translate("w4 w5")[0].text == "W5 W4"


def test_nbest_is_sorted_best_first(tr):
    for text in ("w1 w2 w3", "w7 w7 w0 w9 w2 w5"):
        hyps = tr.translate(text, beam=5, nbest=4)
        assert len(hyps) == 4
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert len({h.text for h in hyps}) == 4
        for h in hyps:
            _check(h)
        assert hyps[0].text == tr.translate(text)[0].text  # the toy model is sure of itself


def test_beam_size_is_checked(tr):
    with pytest.raises(CoreError, match="beam"):
        tr.translate("w1", beam=0)
    with pytest.raises(CoreError, match="beam"):
        tr.translate("w1", beam=1000)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gives_an_empty_translation(tr, text):
    [t] = tr.translate(text)
    _check(t)
    assert t.text == "" and t.target_tokens == [] and t.source_tokens == ["</s>"]
    assert t.to_dict()["weights"] == []


def test_too_long_input_is_a_clear_error(tr):
    text = " ".join(["w1"] * 500)
    with pytest.raises(CoreError, match=rf"500 tokens.*at most {MAX_SOURCE_TOKENS}"):
        tr.translate(text)
    with pytest.raises(CoreError, match="500 tokens"):
        tr.translate_batch(["w1", text])
    tr.translate(" ".join(["w1"] * MAX_SOURCE_TOKENS))  # the limit itself is fine


@pytest.mark.parametrize(
    "text", ["w1 😀 w2", "w3 Привет мир w4", "日本語 w5", "🙂", "w1 \u200b w2 \u0301"]
)
def test_unknown_words_and_scripts_go_through_unk(tr, text):
    [t] = tr.translate(text)
    _check(t)
    tokens = t.source_tokens[:-1]
    assert tokens == tr.src_tok.tokenize(text.strip())  # the user's own words are shown
    assert UNK_ID in tr.src_vocab.encode(tokens)


def test_score_shows_the_users_tokens(tr):
    t = tr.score("w1 w2 😀", "W2 W1 Zebra")
    _check(t)
    assert t.source_tokens == ["w1", "w2", "😀", "</s>"]
    assert t.target_tokens == ["W2", "W1", "Zebra", "</s>"]  # not <unk>
    assert t.text == "W2 W1 Zebra"
    assert t.attention.shape == (4, 4)
    assert t.token_probs[2] < 0.5  # "Zebra" is <unk> to the model


def test_score_of_the_models_own_output_matches_its_translation(tr):
    for text in ("w1 w2 w3", "w10 w0 w5 w5 w8 w1"):
        [t] = tr.translate(text)
        s = tr.score(text, t.text)
        assert s.target_tokens == t.target_tokens
        np.testing.assert_allclose(s.token_probs, t.token_probs, atol=1e-5)
        np.testing.assert_allclose(s.attention, t.attention, atol=1e-5)
        assert s.score == pytest.approx(t.score, abs=1e-4)


def test_score_with_an_empty_target_scores_eos(tr):
    t = tr.score("w1 w2", "")
    _check(t)
    assert t.target_tokens == ["</s>"] and t.text == ""
    with pytest.raises(CoreError, match="source"):
        tr.score("", "W1")


def test_translate_batch_keeps_order_and_equals_one_by_one(toy, tr):
    texts = [s for s, _ in held_out_items(toy["train_sources"], 40, seed=7)]
    texts[5:5] = ["", "w1", "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11"]
    done: list[tuple[int, int]] = []
    batch = tr.translate_batch(texts, batch_size=8, progress=lambda d, n: done.append((d, n)))
    assert len(batch) == len(texts)
    for text, b in zip(texts, batch):
        [one] = tr.translate(text)
        _check(b)
        assert b.source_tokens == one.source_tokens
        assert b.target_tokens == one.target_tokens and b.text == one.text
        np.testing.assert_allclose(b.token_probs, one.token_probs, atol=1e-5)
        np.testing.assert_allclose(b.attention, one.attention, atol=1e-5)
    assert done[-1] == (len(texts), len(texts))
    assert [d for d, _ in done] == sorted(d for d, _ in done)


def test_translate_batch_with_beam_keeps_order(tr):
    texts = ["w1 w2 w3", "w5 w6 w0", "w9 w8 w7 w6 w5 w4"]
    out = tr.translate_batch(texts, beam=4, batch_size=2)
    assert [t.text for t in out] == [tr.translate(x, beam=4)[0].text for x in texts]
    assert [t.text for t in out] == ["W3 W2 W1", "W0 W6 W5", "W4 W5 W6 W7 W8 W9"]


def test_translate_batch_can_be_cancelled(tr):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        tr.translate_batch(["w1", "w2"], cancel=token)


def test_translation_probs_are_the_forced_probs(tr):
    """token_probs[i] is the model's probability of target_tokens[i] (checked by forced
    decoding)."""
    [t] = tr.translate("w2 w4 w6 w8")
    src, src_len = tr._tensors([t.source_tokens[:-1]])
    f = forced(tr.model, src, src_len, [tr.tgt_vocab.encode(t.target_tokens[:-1])])[0]
    np.testing.assert_allclose(f.probs, t.token_probs, atol=1e-5)


def test_bf16_weights_translate_the_same_with_true_attention(toy, tr):
    """The faster bfloat16 copy must still give rows summing to 1, zero weight nowhere it
    should not, and (on this well-learned task) the same outputs as fp32."""
    folder = tr.path
    fast = Translator.load(folder, "cpu", precision="bf16")
    sentences = ["w1 w2 w3", "w4 w5 w6 w7", "w0 w9 w8 w7 w6"]
    for s in sentences:
        a, b = tr.translate(s)[0], fast.translate(s)[0]
        _check(b)
        assert b.text == a.text
        assert np.abs(a.attention - b.attention).max() < 0.05
    assert [t.text for t in fast.translate_batch(sentences, beam=3)] == [
        t.text for t in tr.translate_batch(sentences, beam=3)
    ]
    with pytest.raises(CoreError, match="precision"):
        Translator.load(folder, "cpu", precision="fp8")


def test_what_if_with_weights_forces_that_distribution_at_the_step(tr):
    """Words mode spreads a what-if over a word's pieces: the step's row is the given weights."""
    base = tr.translate("w1 w2 w3")[0]
    weights = [0.0, 0.25, 0.75, 0.0]
    changed = tr.what_if("w1 w2 w3", base.target_tokens, 1, 2, source_weights=weights)
    np.testing.assert_allclose(changed.attention[1], weights, atol=1e-6)
    assert changed.target_tokens[:1] == base.target_tokens[:1]
    one_hot = tr.what_if("w1 w2 w3", base.target_tokens, 1, 2)
    np.testing.assert_allclose(one_hot.attention[1], [0, 0, 1, 0], atol=1e-6)
    with pytest.raises(CoreError, match="summing to 1"):
        tr.what_if("w1 w2 w3", base.target_tokens, 1, 2, source_weights=[0.5, 0.0, 0.0, 0.0])
