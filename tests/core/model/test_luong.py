"""The Luong-style decoder (attention after the RNN, whole target through one GRU call) computes
exactly what its own step-by-step decoding computes, masks padding, and learns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.config import ModelConfig
from core.decoding.search import beam_search, forced, greedy
from core.decoding.translator import Translator
from core.errors import ConfigError
from core.model.seq2seq import LuongDecoder
from tests.core.model.test_seq2seq import random_batch, tiny_model
from tests.core.training.test_run import TOK, held_out_items
from tests.toy import toy_spec, train_config

CASES = [("bahdanau", True), ("general", True), ("dot", False)]


@pytest.mark.parametrize("kind,bi", CASES)
def test_teacher_forcing_equals_step_by_step_decoding(kind, bi):
    m = tiny_model(decoder="luong", attention=kind, bidirectional=bi, dec_layers=2)
    assert isinstance(m.decoder, LuongDecoder)
    src, src_len, tgt_in, _, _, _ = random_batch()
    with torch.no_grad():
        logits, attn = m(src, src_len, tgt_in)
        memory, hidden = m.encode(src, src_len)
        embs = m.decoder.embed(tgt_in)
        for t in range(tgt_in.size(1)):
            f, hidden, a = m.decoder.step(embs[:, t], hidden, memory)
            torch.testing.assert_close(a, attn[:, t], atol=1e-6, rtol=1e-5)
            torch.testing.assert_close(m.decoder.logits(f), logits[:, t], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(attn.sum(-1), torch.ones(attn.shape[:2]), atol=1e-6, rtol=0)
    for i, n in enumerate(src_len.tolist()):
        assert torch.all(attn[i, :, n:] == 0), "padding must get exactly zero weight"


def test_search_and_forced_decoding_agree_with_the_model():
    m = tiny_model(decoder="luong", seed=2)
    src, src_len, _, _, _, _ = random_batch(seed=3)
    hyps = greedy(m, src, src_len)
    again = forced(m, src, src_len, [h.ids for h in hyps])
    for h, f in zip(hyps, again):
        np.testing.assert_allclose(f.probs, h.probs, rtol=1e-4)
        np.testing.assert_allclose(f.attention, h.attention, atol=1e-5)
    best = [b[0] for b in beam_search(m, src, src_len, beam=1)]
    assert [b.ids for b in best] == [h.ids for h in hyps]


def test_unknown_decoder_is_a_config_error():
    with pytest.raises(ConfigError, match="decoder must be one of"):
        ModelConfig(decoder="transformer").validate()


def test_old_model_configs_without_the_field_are_bahdanau():
    cfg = ModelConfig.from_dict({"emb_size": 8, "hidden_size": 16})
    assert cfg.decoder == "bahdanau"


@pytest.mark.slow
def test_luong_model_learns_reversal_and_attends_anti_diagonally(tmp_path):
    from core.training.run import train

    spec = toy_spec(tmp_path / "data", 2000)
    cfg = train_config(
        batch_size=32, learning_rate=5e-3, max_steps=600, time_budget_s=60.0, valid_every=100
    )
    model_cfg = ModelConfig(emb_size=16, hidden_size=32, dropout=0.1, decoder="luong")
    train(spec, tmp_path / "m", model_cfg, TOK, cfg)
    tr = Translator.load(tmp_path / "m", device="cpu")
    train_sources = set(Path(spec.src_path).read_text(encoding="utf-8").splitlines())
    held = held_out_items(train_sources, 100)
    out = tr.translate_batch([s for s, _ in held])
    correct = [t.text == ref for t, (_, ref) in zip(out, held)]
    assert sum(correct) >= 85, f"exact match {sum(correct)}/100"
    rows = hits = 0
    for t, ok in zip(out, correct):
        n = len(t.source_tokens) - 1
        for i in range(n if ok else 0):
            rows += 1
            hits += int(np.argmax(t.attention[i]) == n - 1 - i)
    assert hits / rows >= 0.85, f"{hits}/{rows} rows peak on the anti-diagonal"
