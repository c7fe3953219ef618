"""The settings form: one table maps presets to widgets and widgets to configs, both ways."""

from __future__ import annotations

import dataclasses
import re

import pytest
from PySide6.QtCore import Qt

from core.config import PRESETS
from core.errors import ConfigError
from gui.panels.train_form import TrainForm, guess_languages


@pytest.fixture
def form(qtbot):
    from gui.settings import AppSettings

    f = TrainForm(AppSettings())
    qtbot.addWidget(f)
    return f


@pytest.mark.parametrize("preset", list(PRESETS))
def test_a_preset_read_back_is_the_preset(form, preset):
    form.preset_combo.setCurrentIndex(form.preset_combo.findData(preset))
    p = PRESETS[preset]
    assert form.model_config() == p.model
    assert form.train_config() == p.train.replace(device="auto", probe=None)


def test_every_widget_reaches_its_config_field(form):
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("small"))
    form.emb_spin.setValue(96)
    form.layers_spin.setValue(2)
    form.attention_combo.setCurrentIndex(form.attention_combo.findData("general"))
    form.decoder_combo.setCurrentIndex(form.decoder_combo.findData("luong"))
    form.dropout_spin.setValue(0.35)
    form.budget_spin.setValue(2.5)
    form.epochs_spin.setValue(0)
    form.patience_spin.setValue(7)
    form.probe_edit.setPlainText("  The cat sleeps.  ")
    m, t = form.model_config(), form.train_config()
    assert (m.emb_size, m.enc_layers, m.dec_layers, m.attention, m.decoder, m.dropout) == (
        96,
        2,
        2,
        "general",
        "luong",
        0.35,
    )
    assert (t.time_budget_s, t.epochs, t.patience, t.probe) == (150.0, 0, 7, "The cat sleeps.")
    # what the form does not show keeps the preset's value
    assert t.max_len == PRESETS["small"].train.max_len
    assert (
        dataclasses.replace(
            m,
            emb_size=128,
            enc_layers=1,
            dec_layers=1,
            attention="bahdanau",
            decoder="bahdanau",
            dropout=0.2,
        )
        == PRESETS["small"].model
    )
    form.epochs_spin.setValue(5)
    form.budget_spin.setValue(0)
    assert form.train_config().time_budget_s is None  # "no limit"


def test_language_codes_come_from_the_file_names(form, tmp_path):
    assert guess_languages(["/x/en-fr.tsv"]) == ("en", "fr")
    assert guess_languages(["/x/tatoeba_de_es.tsv"]) == ("de", "es")
    assert guess_languages(["/x/corpus.en", "/x/corpus.fr"]) == ("en", "fr")
    for paths in (
        ["/x/pairs.tsv"],
        ["/x/my-big.tsv"],
        ["/x/a.txt", "/x/b.txt"],
        ["/x/c.en", "/x/c.en"],
    ):
        assert guess_languages(paths) is None, paths
    form.set_files([str(tmp_path / "en-fr.tsv")])
    assert (form.src_lang.text(), form.tgt_lang.text()) == ("en", "fr")
    form.set_files([str(tmp_path / "pairs.tsv")])  # no codes: left as they are
    assert (form.src_lang.text(), form.tgt_lang.text()) == ("en", "fr")


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4"><header srclang="en-US"/><body>
<tu><tuv xml:lang="en-US"><seg>The <bpt i="1">&lt;b&gt;</bpt>cat<ept i="1">&lt;/b&gt;</ept>
sleeps.</seg></tuv><tuv xml:lang="de-DE"><seg>Die Katze schläft.</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>No German here.</seg></tuv>
<tuv xml:lang="fr-FR"><seg>Pas d'allemand.</seg></tuv></tu>
<tu><tuv xml:lang="en-GB"><seg>A dog barks.</seg></tuv>
<tuv xml:lang="de"><seg>Ein Hund bellt.</seg></tuv></tu>
</body></tmx>
"""


def test_a_tmx_file_is_read_in_the_languages_of_the_language_fields(form, tmp_path):
    from core.data.corpus import CorpusSpec

    tmx = tmp_path / "memory.tmx"
    tmx.write_text(TMX, encoding="utf-8")
    form.set_files([str(tmx)])
    form.src_lang.setText("en")
    form.tgt_lang.setText("de")
    assert form.corpus_spec() == CorpusSpec(tmx_path=str(tmx), tmx_src_lang="en", tmx_tgt_lang="de")
    form.tgt_lang.setText("fr")
    assert form.corpus_spec().tmx_tgt_lang == "fr"
    # a memory saved as .xml is recognised by its content; a TSV file stays a TSV file
    xml = tmp_path / "export.xml"
    xml.write_text(TMX, encoding="utf-8")
    form.set_files([str(xml)])
    assert form.corpus_spec().tmx_path == str(xml)
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("a\tb\n", encoding="utf-8")
    form.set_files([str(tsv)])
    assert form.corpus_spec() == CorpusSpec(tsv_path=str(tsv))
    # a dev TMX goes into the dev source field, alone
    assert form.dev_spec() is None
    form.dev_src_field.edit.setText(str(tmx))
    assert form.dev_spec() == CorpusSpec(tmx_path=str(tmx), tmx_src_lang="en", tmx_tgt_lang="fr")


def test_the_preview_of_a_tmx_file_shows_its_pairs_and_dropped_units(window, qtbot, tmp_path):
    tmx = tmp_path / "memory.tmx"
    tmx.write_text(TMX, encoding="utf-8")
    panel = window.train_panel
    panel.set_files([str(tmx)])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("de")
    panel.tokenization_combo.setCurrentIndex(panel.tokenization_combo.findData("words"))
    with qtbot.waitSignal(window.session.previewReady, timeout=20000):
        qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    assert panel.preview_table.rowCount() == 2
    assert panel.preview_table.horizontalHeaderItem(1).text() == "source tokens"
    assert panel.preview_table.item(0, 1).text() == "The cat sleeps ."
    report = panel.report_view.toPlainText()
    assert "memory.tmx" in report and "1 target language missing (line 6)" in report


def test_the_subword_preview_shows_each_sentence_in_pieces(window, qtbot):
    from core.resources import sample_corpus

    panel = window.train_panel
    panel.use_sample_corpus(sample_corpus("en-de"), "en", "de")
    assert panel.tokenization_combo.currentData() == "subwords"
    panel.subword_type_combo.setCurrentIndex(panel.subword_type_combo.findData("bpe"))
    with qtbot.waitSignal(window.session.previewReady, timeout=120000) as got:
        qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    pairs = got.args[0].pairs
    assert panel.preview_table.horizontalHeaderItem(1).text() == "source pieces"
    raw = sample_corpus("en-de").read_text(encoding="utf-8").splitlines()
    for row, line in enumerate(raw[:5]):
        src, tgt = line.split("\t")[:2]
        cell = panel.preview_table.item(row, 1).text()
        assert cell == " ".join(pairs[row][0])
        # pieces, not words: more pieces than words, and they spell the sentence exactly
        assert len(cell.split()) >= len(src.split())
        assert "".join(cell.split()).replace("\u2581", " ").strip() == src
        assert "".join(pairs[row][1]).replace("\u2581", " ").strip() == tgt
    # some words are split: a piece that continues a word, such as "ing" in "▁snow ing"
    assert any(piece[0].isalpha() for p in pairs for piece in p[0])
    line = next(t for t in panel.report_view.toPlainText().splitlines() if "Subwords:" in t)
    assert line.startswith("Subwords: bpe, trained on this corpus: ") and "automatic size" in line
    got = re.search(r"([\d,]+) en and ([\d,]+) de pieces \(automatic size: at most ([\d,]+)", line)
    assert got, line
    src_pieces, tgt_pieces, ceiling = (int(g.replace(",", "")) for g in got.groups())
    assert 0 < src_pieces <= ceiling and 0 < tgt_pieces <= ceiling


def test_the_tokenization_fields_start_at_the_config_defaults(form):
    from core.config import TokenizerConfig

    defaults = TokenizerConfig()
    tok = form.tokenizer_config()
    assert (tok.tokenization, tok.subword_type, tok.joint_vocab, tok.pretokenize) == (
        defaults.tokenization,
        defaults.subword_type,
        defaults.joint_vocab,
        defaults.pretokenize,
    )
    assert tok.tokenization == "subwords"
    assert form.vocab_spin.text() == "Automatic" and form.train_config().vocab_size is None


def test_the_tokenization_fields_reach_the_configs(form):
    form.src_lang.setText("en")
    form.tgt_lang.setText("cs")
    form.subword_type_combo.setCurrentIndex(form.subword_type_combo.findData("bpe"))
    form.joint_vocab_combo.setCurrentIndex(form.joint_vocab_combo.findData(False))
    form.pretokenize_combo.setCurrentIndex(form.pretokenize_combo.findData("moses"))
    form.vocab_spin.setValue(8000)
    tok = form.tokenizer_config()
    assert (tok.src_lang, tok.tgt_lang, tok.tokenization) == ("en", "cs", "subwords")
    assert (tok.subword_type, tok.joint_vocab, tok.pretokenize) == ("bpe", False, "moses")
    assert form.train_config().vocab_size == 8000
    # a preset change resets the size (the preset's: automatic) but keeps the tokenization
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("base"))
    assert form.train_config().vocab_size is None
    assert form.tokenizer_config() == tok
    form.vocab_spin.setValue(3)
    with pytest.raises(ConfigError, match="vocab_size must be at least 8"):
        form.train_config()


def test_subword_options_are_disabled_for_words(form):
    subword_only = (form.subword_type_combo, form.joint_vocab_combo, form.pretokenize_combo)
    assert all(w.isEnabled() for w in subword_only)
    form.tokenization_combo.setCurrentIndex(form.tokenization_combo.findData("words"))
    assert not any(w.isEnabled() for w in subword_only)
    assert form.vocab_spin.isEnabled()  # words have a vocabulary size too
    assert form.tokenizer_config().tokenization == "words"
    form.tokenization_combo.setCurrentIndex(form.tokenization_combo.findData("subwords"))
    assert all(w.isEnabled() for w in subword_only)
