"""A subword run end to end: the sentencepiece models are trained from the corpus, saved in the
folder and in checkpoints, reading progress covers them, the model learns, resume continues with
the same models, and a translation pasted back scores as the very tokens it was made of."""

from __future__ import annotations

import random

import numpy as np
import pytest

from core.config import ModelConfig, TokenizerConfig
from core.decoding.translator import Translator
from core.events import ReadingEvent
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import (
    SRC_SUBWORDS,
    TGT_SUBWORDS,
    read_meta,
    read_subword_models,
    read_vocabs,
)
from core.training.run import train
from tests.toy import reverse_pair, toy_spec, train_config

TOK = TokenizerConfig("en", "en")  # the defaults: subwords, unigram, separate vocabularies
MODEL = ModelConfig(emb_size=16, hidden_size=32, dropout=0.1)

_RUN: dict = {}


@pytest.fixture(scope="module")
def subword_run(tmp_path_factory) -> dict:
    if not _RUN:
        base = tmp_path_factory.mktemp("subword-run")
        spec = toy_spec(base / "data", 1500)
        events: list = []
        cfg = train_config(batch_size=32, learning_rate=5e-3, max_steps=700, valid_every=350)
        done = train(spec, base / "model", MODEL, TOK, cfg, on_event=events.append)
        _RUN.update(dir=base / "model", done=done, events=events, spec=spec, cfg=cfg)
    return _RUN


def test_the_folder_holds_the_subword_models_and_their_pieces(subword_run):
    folder = subword_run["dir"]
    meta = read_meta(folder)
    assert meta.format_version == 2 and meta.tokenizer.tokenization == "subwords"
    assert meta.train.vocab_size is not None  # the automatic size is recorded
    assert (folder / SRC_SUBWORDS).is_file() and (folder / TGT_SUBWORDS).is_file()
    src_proto, tgt_proto = read_subword_models(folder)
    assert src_proto != tgt_proto  # separate vocabularies by default
    src_vocab, tgt_vocab = read_vocabs(folder)
    assert sum(p.startswith("<0x") for p in tgt_vocab.itos) == 256  # byte fallback pieces
    ckpt = CheckpointStore(folder / "checkpoints").load_last()[0]
    assert ckpt["subword_models"] == {"src": src_proto, "tgt": tgt_proto}


def test_reading_progress_covers_sampling_training_and_tokenizing(subword_run):
    reading = [e for e in subword_run["events"] if isinstance(e, ReadingEvent)]
    done = [e.bytes_read for e in reading]
    total = reading[0].total_bytes
    assert done == sorted(done) and done[0] == 0 and done[-1] == total
    assert any(0 < d < total for d in done)  # the subword model's share shows before the end


def test_a_tiny_subword_model_learns_the_toy_task(subword_run):
    tr = Translator.load(subword_run["dir"], "cpu")
    rng = random.Random(99)
    items = [reverse_pair(rng) for _ in range(40)]
    hyps = tr.translate_batch([s for s, _ in items])
    exact = sum(h.text == t for h, (_, t) in zip(hyps, items))
    assert exact >= 20, [(h.text, t) for h, (_, t) in zip(hyps, items)][:5]
    assert all("<unk>" not in h.text for h in hyps)
    unseen = tr.translate("w1 ž 東 w2")[0]  # unseen characters: bytes in, no <unk> out
    assert "<unk>" not in unseen.text and "<unk>" not in unseen.source_tokens


def test_pasted_back_output_scores_as_its_own_tokens_and_probabilities(subword_run):
    folder = subword_run["dir"]
    tr = Translator.load(folder, "cpu")
    rng = random.Random(7)
    for beam in (1, 3):
        for _ in range(5):
            source, _ = reverse_pair(rng)
            hyp = tr.translate(source, beam=beam)[0]
            for scorer in (tr, Translator.load(folder, "cpu")):  # this session's, a new one
                if beam > 1 and scorer is not tr:
                    continue  # a new translator knows only its greedy choices
                scored = scorer.score(source, hyp.text)
                assert scored.target_tokens == hyp.target_tokens
                np.testing.assert_allclose(scored.token_probs, hyp.token_probs, atol=1e-5)


def test_any_pasted_text_is_scored_in_pieces_that_spell_it(subword_run):
    """A text the translator never produced (here spelt in odd pieces, then pasted as text)
    gets the pieces the model prefers among those that spell it, never <unk>."""
    tr = Translator.load(subword_run["dir"], "cpu")
    src, src_len = tr._tensors([tr.src_tok.tokenize("w1 w2 w3")])
    odd = ["\u2581", "W", "3", "\u2581W", "2", "\u2581W", "1", "\u2581", "<0xC5>", "<0xBE>"]
    assert all(p in tr.tgt_vocab.stoi for p in odd)
    text = tr.tgt_tok.detokenize(odd)
    assert text == "W3 W2 W1 ž"
    own = tr.reference_tokens("w1 w2 w3", text, src, src_len)
    assert tr.tgt_tok.detokenize(own) == text
    assert 0 not in tr.tgt_vocab.encode(own)  # no <unk>
    scored = tr.score("w1 w2 w3", text)
    assert scored.target_tokens[:-1] == own and scored.text == text


def test_resume_continues_with_the_same_subword_models(tmp_path):
    spec = toy_spec(tmp_path / "data", 300)
    cfg = train_config(batch_size=16, max_steps=3, valid_every=3)
    train(spec, tmp_path / "m", MODEL, TOK, cfg)
    before = read_subword_models(tmp_path / "m")
    meta = read_meta(tmp_path / "m")
    done = train(spec, tmp_path / "m", MODEL, TOK, meta.train.replace(max_steps=6), resume=True)
    assert done.step == 6 and done.status == "finished"
    assert read_subword_models(tmp_path / "m") == before
