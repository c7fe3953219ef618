"""The settings of a run the Train tab follows (File → Attach to a training…), shown in place of
the settings form: the form holds this app's next run, not the followed one, so showing it
disabled would show the wrong settings. Read from the run's ``model.json``, every field as it is
(so settings added later show without changes here)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPlainTextEdit

from core.storage.model_folder import MODEL_JSON, read_meta
from gui.widgets.naming import named as _named


def describe_run(folder: Path) -> str:
    """The run's name, status, corpus and every config field, one per line."""
    if not (folder / MODEL_JSON).is_file():
        return (
            f"Settings of the run in {folder}\n\n"
            f"Its {MODEL_JSON} is not written yet: it appears once the run has read its corpus "
            "and built its vocabularies."
        )
    try:
        meta = read_meta(folder)
    except Exception as exc:  # noqa: BLE001 — being rewritten, or damaged: say so, retry later
        return f"Settings of the run in {folder}\n\nCannot read {MODEL_JSON}: {exc}"
    lines = [
        f"Settings of “{meta.name}” (read-only; from {MODEL_JSON})",
        f"folder: {folder}",
        f"status: {meta.status} · started {meta.created}",
        f"corpus: {meta.corpus.get('description', '?')}: "
        f"{meta.corpus.get('train_pairs', '?')} training pairs, "
        f"{meta.corpus.get('dev_pairs', '?')} dev pairs",
    ]
    for title, cfg in (
        ("tokenizer", meta.tokenizer),
        ("model", meta.model),
        ("training", meta.train),
    ):
        lines += ["", title]
        lines += [f"  {key}: {value}" for key, value in cfg.to_dict().items() if value is not None]
    return "\n".join(lines)


class RunSettingsView(QPlainTextEdit):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _named(self, "attachedSettingsView")
        self.setReadOnly(True)
        self.setVisible(False)

    def show_folder(self, folder: Path) -> None:
        text = describe_run(folder)
        if text != self.toPlainText():
            self.setPlainText(text)
