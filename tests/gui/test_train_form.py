"""The settings form: one table maps presets to widgets and widgets to configs, both ways."""

from __future__ import annotations

import dataclasses

import pytest

from core.config import PRESETS
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
