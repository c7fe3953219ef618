"""The Train tab's Command line page: the command for the form's settings parses back, with the
CLI's own parser, to the very job Start would run; Copy puts it on the clipboard."""

from __future__ import annotations

import shlex

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from core.cli import build_parser
from core.cli.train_commands import _train_configs, corpus_spec_from_args
from core.config import TokenizerConfig, preset


def parse_back(text: str, program_words: int):
    words = shlex.split(text.replace("\\\n", ""))  # the shell's line continuations
    args = build_parser().parse_args(words[program_words:])
    p = preset(args.preset)
    model, tok, train = _train_configs(args, (p.model, TokenizerConfig(), p.train))
    spec = corpus_spec_from_args(args.train_tsv, args.train_src, args.train_tgt, "train")
    return spec, args.out, args.name, model, tok, train


def test_the_command_line_is_the_run_start_would_make(window, qtbot, tmp_path):
    panel = window.train_panel
    view = panel.command_view
    panel.right_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: "No command yet" in view.note_label.text(), timeout=5000)
    assert "no corpus chosen" in view.note_label.text()
    assert not view.copy_button.isEnabled()

    folder = tmp_path / "my corpus"
    folder.mkdir()
    src, tgt = folder / "train.en", folder / "train.de"
    src.write_text("a b\n", encoding="utf-8")
    tgt.write_text("c d\n", encoding="utf-8")
    panel.set_files([str(src), str(tgt)])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("de")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("base"))
    panel.hidden_spin.setValue(384)
    panel.budget_spin.setValue(30)
    panel.probe_edit.setPlainText('It\'s a "test".\nSecond one')
    panel.name_edit.setText("en-de server run")
    qtbot.waitUntil(lambda: "--hidden-size 384" in view.command_edit.toPlainText(), timeout=5000)
    text = view.command_edit.toPlainText()
    assert text.startswith("attnscope-cli train ")
    assert shlex.quote(str(src)) in text  # the space in the folder's name is quoted
    assert " \\\n    --hidden-size 384" in text  # one option a line
    job = panel.build_job()
    spec, out, name, model, tok, train = parse_back(text, 1)
    assert (spec, out, name) == (job.spec, job.out_dir, job.name)
    assert (model, tok, train) == (job.model_cfg, job.tok_cfg, job.train_cfg)
    assert view.note_label.text() == ""

    view.torchrun_radio.setChecked(True)
    view.processes_spin.setValue(3)
    qtbot.waitUntil(lambda: view.command_edit.toPlainText().startswith("torchrun "), timeout=5000)
    text = view.command_edit.toPlainText()
    assert shlex.split(text.replace("\\\n", ""))[:5] == [
        "torchrun",
        "--nproc-per-node",
        "3",
        "-m",
        "core",
    ]
    assert parse_back(text, 5)[3:] == (job.model_cfg, job.tok_cfg, job.train_cfg)

    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == text
