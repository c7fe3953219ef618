"""The Train tab's *Command line* page: the ``attnscope-cli train`` command for the settings on
the form, plain or under ``torchrun``, with a Copy button, for users who take the run to a server.
One option a line, continued with backslashes (POSIX shells; paths quoted with ``shlex.quote``).

The command comes from ``core.cli.command_line`` and the very job the Start button would run
(``TrainForm.build_job``), so it says what the app would train. It is rebuilt while the page is
shown, shortly after any field of the form changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.cli.command_line import TrainCommand, train_command
from gui.widgets.naming import named as _named

HINT = (
    "Paths are as this computer sees them: change them to the server's. For several machines, "
    "add --nnodes M --rdzv-backend c10d --rdzv-endpoint HOST:PORT after --nproc-per-node, and "
    "run the same command on each. Then File → Attach to a training… follows the run from its "
    "model folder (mounted here)."
)


def default_processes() -> int:
    """One process per GPU of this machine, else two CPU processes."""
    import sys

    torch = sys.modules.get("torch")  # the app does not import torch for this
    if torch is not None and torch.cuda.is_available():
        return max(1, torch.cuda.device_count())
    return 2


class CommandLineView(QWidget):
    """Shows the command for ``build_job()`` (a TrainJob, or an exception saying what is
    missing)."""

    def __init__(self, build_job: Callable, form: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_job = build_job
        self.plain_radio = _named(QRadioButton("attnscope-cli (one process)"), "plainCommandRadio")
        self.torchrun_radio = _named(QRadioButton("torchrun, processes:"), "torchrunCommandRadio")
        self.plain_radio.setChecked(True)
        self.processes_spin = _named(QSpinBox(), "processesSpin")
        self.processes_spin.setRange(1, 1024)
        self.processes_spin.setValue(default_processes())
        self.processes_spin.setToolTip("--nproc-per-node: one per GPU, or CPU processes")
        self.copy_button = _named(QPushButton("Copy"), "copyCommandButton")
        self.command_edit = _named(QPlainTextEdit(), "commandLineEdit")
        self.command_edit.setReadOnly(True)
        self.command_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # one option a line
        self.note_label = _named(QLabel(), "commandNoteLabel")
        self.note_label.setWordWrap(True)
        hint = QLabel(HINT)
        hint.setWordWrap(True)

        row = QHBoxLayout()
        for w in (self.plain_radio, self.torchrun_radio, self.processes_spin):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.copy_button)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("The same training from a terminal, with the settings on the left:"))
        lay.addLayout(row)
        lay.addWidget(self.command_edit, 1)
        lay.addWidget(self.note_label)
        lay.addWidget(hint)

        self._refresh_soon = QTimer(self, singleShot=True, interval=200)
        self._refresh_soon.timeout.connect(self.refresh)
        for signal in (
            self.plain_radio.toggled,
            self.processes_spin.valueChanged,
        ):
            signal.connect(self._changed)
        self.copy_button.clicked.connect(self.copy)
        self.watch(form)

    def watch(self, form: QWidget) -> None:
        """Rebuild after any edit of ``form``'s fields (those added later by calling again)."""
        for w in form.findChildren(QLineEdit):
            w.textChanged.connect(self._changed)
        for w in form.findChildren(QAbstractSpinBox):
            if hasattr(w, "valueChanged"):
                w.valueChanged.connect(self._changed)
        for w in form.findChildren(QComboBox):
            w.currentIndexChanged.connect(self._changed)
        for w in form.findChildren(QCheckBox):
            w.toggled.connect(self._changed)
        for w in form.findChildren(QPlainTextEdit):
            w.textChanged.connect(self._changed)

    @Slot()
    def _changed(self, *_args) -> None:
        if self.isVisible():
            self._refresh_soon.start()

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self.refresh()

    def command(self) -> TrainCommand:
        job = self._build_job()
        return train_command(
            job.spec,
            job.out_dir,
            job.model_cfg,
            job.tok_cfg,
            job.train_cfg,
            dev_spec=job.dev_spec,
            name=job.name,
        )

    @Slot()
    def refresh(self) -> None:
        self.processes_spin.setEnabled(self.torchrun_radio.isChecked())
        try:
            cmd = self.command()
        except Exception as exc:  # noqa: BLE001 — the form is not complete yet: say what is missing
            self.command_edit.setPlainText("")
            self.note_label.setText(f"No command yet: {exc}")
            self.copy_button.setEnabled(False)
            return
        if self.torchrun_radio.isChecked():
            text = cmd.torchrun(self.processes_spin.value(), wrap=True)
        else:
            text = cmd.plain(wrap=True)
        if text != self.command_edit.toPlainText():
            self.command_edit.setPlainText(text)
        self.copy_button.setEnabled(True)
        self.note_label.setText(
            "Not on the command line (no option for them): " + ", ".join(cmd.not_carried)
            if cmd.not_carried
            else ""
        )

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.command_edit.toPlainText())
        self.note_label.setText("Copied to the clipboard.")
