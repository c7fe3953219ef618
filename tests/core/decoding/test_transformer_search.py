"""Searching with a Transformer: cached keys and values give the full recomputation's tokens and
probabilities, every hypothesis carries its own per-layer, per-head cross-attention, and the
what-if override replaces exactly the chosen layer and head."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.config import ModelConfig
from core.data.vocab import BOS_ID, EOS_ID, PAD_ID
from core.decoding.search import beam_search, forced, greedy
from core.errors import CoreError
from core.model.build import build_model

CFG = ModelConfig(
    arch="transformer",
    emb_size=32,
    hidden_size=32,
    heads=4,
    ff_size=64,
    enc_layers=2,
    dec_layers=2,
    dropout=0.0,
)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(3)
    return build_model(CFG, 24, 20).eval()


def _src() -> tuple[torch.Tensor, torch.Tensor]:
    src = torch.tensor([[5, 6, 7, 8, EOS_ID], [9, 10, EOS_ID, PAD_ID, PAD_ID]])
    return src, torch.tensor([5, 3])


def _full_recompute(model, src, src_len, ids: list[int]) -> torch.Tensor:
    """log p of every next token with the whole prefix run again: (T, V)."""
    tgt_in = torch.tensor([[BOS_ID, *ids[:-1]]])
    with torch.no_grad():
        logits, _ = model(src, src_len, tgt_in)
    return torch.log_softmax(logits[0].float(), -1)


def test_cached_greedy_equals_full_recomputation(model) -> None:
    src, src_len = _src()
    hyps = greedy(model, src, src_len)
    for i, h in enumerate(hyps):
        s = int(src_len[i])
        logp = _full_recompute(model, src[i : i + 1, :s], src_len[i : i + 1], h.ids)
        # the same tokens: each is the argmax of the recomputed distribution
        assert logp.argmax(-1).tolist() == h.ids
        np.testing.assert_allclose(h.probs, logp.max(-1).values.exp().numpy(), atol=1e-5)


def test_cached_beam_equals_full_recomputation_and_forced_decoding(model) -> None:
    src, src_len = _src()
    results = beam_search(model, src, src_len, beam=4, nbest=3)
    for i, hyps in enumerate(results):
        s = int(src_len[i])
        assert 1 <= len(hyps) <= 3
        for h in hyps:
            logp = _full_recompute(model, src[i : i + 1, :s], src_len[i : i + 1], h.ids)
            gold = logp.gather(-1, torch.tensor(h.ids)[:, None])[:, 0].exp().numpy()
            np.testing.assert_allclose(h.probs, gold, atol=1e-5)
            f = forced(model, src[i : i + 1, :s], src_len[i : i + 1], [h.ids])[0]
            np.testing.assert_allclose(f.probs, h.probs, atol=1e-5)
            # the hypothesis's own attention, every layer and head, as forced decoding computes
            assert h.heads.shape == (2, 4, len(h.ids), s)
            np.testing.assert_allclose(f.heads, h.heads, atol=1e-5)
            np.testing.assert_allclose(h.attention, h.heads[-1].mean(0), atol=1e-6)


def test_forced_probabilities_equal_the_training_paths_log_probabilities(model) -> None:
    src, src_len = _src()
    tgts = [[5, 6, 7, EOS_ID], [8, EOS_ID]]
    hyps = forced(model, src, src_len, tgts)
    tgt_in = torch.tensor([[BOS_ID, 5, 6, 7], [BOS_ID, 8, PAD_ID, PAD_ID]])
    with torch.no_grad():
        train_logp = torch.log_softmax(model.train_logits(src, tgt_in), -1)
    for i, t in enumerate(tgts):
        gold = train_logp[i, torch.arange(len(t)), torch.tensor(t)]
        np.testing.assert_allclose(np.log(hyps[i].probs), gold.numpy(), atol=1e-5)
        assert hyps[i].score == pytest.approx(float(gold.sum()), abs=1e-4)


def test_hypothesis_attention_rows_sum_to_one_over_real_source_only(model) -> None:
    src, src_len = _src()
    for h, n in zip(greedy(model, src, src_len), (5, 3)):
        assert h.heads.shape[-1] == n and h.attention.shape[1] == n
        np.testing.assert_allclose(h.heads.sum(-1), 1.0, atol=1e-5)
        np.testing.assert_allclose(h.attention.sum(-1), 1.0, atol=1e-5)


def test_self_attention_on_request_masks_the_future(model) -> None:
    src, src_len = _src()
    h = forced(model, src[:1], src_len[:1], [[5, 6, 7, EOS_ID]], self_attention=True)[0]
    assert h.encoder_self.shape == (2, 4, 5, 5)
    assert h.decoder_self.shape == (2, 4, 4, 4)
    assert np.all(np.triu(np.ones((4, 4), bool), 1)[None, None] <= (h.decoder_self == 0))
    np.testing.assert_allclose(h.decoder_self.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("head", [None, 2])
def test_what_if_override_replaces_the_chosen_layer_and_head_only(model, head) -> None:
    src, src_len = torch.tensor([[5, 6, 7, 8, EOS_ID]]), torch.tensor([5])
    plain = greedy(model, src, src_len)[0]
    onehot = np.zeros(5, np.float32)
    onehot[1] = 1.0
    prefix = plain.ids[:1]
    h = greedy(
        model, src, src_len, prefix=prefix, override=onehot, override_layer=0, override_head=head
    )[0]
    step = len(prefix)
    chosen = h.heads[0, :, step] if head is None else h.heads[0, head, step][None]
    np.testing.assert_array_equal(chosen, np.broadcast_to(onehot, chosen.shape))
    if head is not None:  # the other heads of that layer attend as they computed
        others = [x for x in range(4) if x != head]
        assert not np.allclose(h.heads[0, others, step], onehot)
    assert not np.allclose(h.heads[1, :, step], onehot)  # the next layer is not replaced
    np.testing.assert_allclose(h.heads[:, :, :step], plain.heads[:, :, :step], atol=1e-6)


def test_override_refuses_a_layer_or_head_that_does_not_exist(model) -> None:
    src, src_len = torch.tensor([[5, 6, EOS_ID]]), torch.tensor([3])
    w = np.array([1, 0, 0], np.float32)
    with pytest.raises(CoreError, match="layer 2"):
        greedy(model, src, src_len, override=w, override_layer=2)
    with pytest.raises(CoreError, match="head 4"):
        greedy(model, src, src_len, override=w, override_head=4)
