"""The shipped demo model still translates its held-out sample sentences as well as recorded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from core.decoding.translator import Translator
from core.inspection.word_merge import to_words, uses_subwords
from core.storage.model_folder import read_meta

ROOT = Path(__file__).resolve().parents[2]
MARGIN = 3.0  # BLEU points: room for other CPUs' arithmetic, not for a worse model


def _demo_script():
    spec = importlib.util.spec_from_file_location(
        "train_demo_model", ROOT / "packaging" / "train_demo_model.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_heldout_bleu_stays_at_the_recorded_figure(tmp_path):
    mod = _demo_script()
    recorded = read_meta(mod.TARGET).metrics["heldout_bleu_b1"]
    _, sources, refs = mod.split(mod.CORPUS, tmp_path)
    assert len(sources) == 400
    measured = mod.evaluate(mod.TARGET, sources, refs, beams=(1,))["heldout_bleu_b1"]
    assert measured >= recorded - MARGIN, (measured, recorded)


def test_heldout_sentences_were_not_trained_on(tmp_path):
    mod = _demo_script()
    train_tsv, sources, _ = mod.split(mod.CORPUS, tmp_path)
    trained_sources = {
        line.split("\t")[0] for line in train_tsv.read_text(encoding="utf-8").splitlines()
    }
    assert not trained_sources & set(sources)


def test_demo_model_is_a_subword_model_whose_first_run_offers_words():
    tr = Translator.load(_demo_script().TARGET, "cpu")
    assert tr.meta.tokenizer.subwords and uses_subwords(tr.meta)
    t = tr.translate("The xylophonist drinks coffee.")[0]
    assert "<unk>" not in t.target_tokens  # byte fallback: an open vocabulary
    assert len(t.source_tokens) > len(to_words(t).source_tokens)  # a word in several pieces


def test_demo_model_shows_reordering_in_its_attention():
    """German V2 after a fronted adverb: 'schläft' (2nd) attends to 'sleeps' (4th), in words."""
    t = Translator.load(_demo_script().TARGET, "cpu").translate(
        "Today the dog sleeps in the garden."
    )[0]
    assert t.text == "Heute schläft der Hund im Garten."
    assert np.allclose(t.attention.sum(1), 1, atol=1e-5)
    words = to_words(t)
    row = words.target_tokens.index("schläft")
    assert words.source_tokens[int(np.argmax(words.attention[row]))] == "sleeps"
    assert np.allclose(words.attention.sum(1), 1, atol=1e-5)


def test_demo_model_is_small_enough_for_the_repository():
    folder = _demo_script().TARGET
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) <= 20_000_000
    assert not (folder / "checkpoints").exists()
