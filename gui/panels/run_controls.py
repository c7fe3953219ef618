"""The Train tab's run bar, always on screen: Start / Pause / Stop & save, the progress line, the
status, and when a run has ended what to do next (resume it, translate with it, see it in Models).

It sits outside every scroll area and tab of the Train panel, so no window size, open section or
tab hides the main action.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
)

from gui.widgets.naming import named as _named

FINISH_WORDS = {
    "finished": "finished",
    "early_stopped": "stopped early (no more progress)",
    "time_budget": "used its time budget",
    "cancelled": "stopped; checkpoint saved",
}


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RunControls(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _named(self, "runControls")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.start_button = _named(QPushButton("Start training"), "startTrainingButton")
        self.start_button.setToolTip(
            "Train a model on the corpus with these settings (Ctrl+Shift+T)"
        )
        self.start_button.setDefault(True)
        self.pause_button = _named(QPushButton("Pause"), "pauseTrainingButton")
        self.stop_button = _named(QPushButton("Stop && save"), "stopTrainingButton")
        self.stop_button.setToolTip(
            "Stop and keep the best model so far; it can be resumed (Ctrl+Shift+T)"
        )
        self.progress_bar = _named(QProgressBar(), "trainingProgressBar")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("not started")
        self.progress_bar.setTextVisible(True)
        self.status_label = _named(
            QLabel("Choose a corpus, preview it, then start training."), "trainingStatusLabel"
        )
        # Ignored width: a changing text must not re-layout the whole window ten times a second.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.resume_button = _named(QPushButton("Resume training"), "resumeTrainingButton")
        self.resume_button.setToolTip(
            "Continue the stopped run from its last checkpoint, with its own settings and corpus. "
            "A run that used its time budget gets the Time budget above again."
        )
        self.translate_button = _named(
            QPushButton("Translate with this model"), "translateTrainedButton"
        )
        self.translate_button.setToolTip(
            "The model just trained is open: go to Translate & inspect"
        )
        self.library_button = _named(QPushButton("Open in Models"), "showTrainedInLibraryButton")
        self.library_button.setToolTip(
            "Show the model just trained in the Models tab (rename, export…)"
        )
        for b in (self.resume_button, self.translate_button, self.library_button):
            b.setVisible(False)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(2)
        for col, b in enumerate((self.start_button, self.pause_button, self.stop_button)):
            grid.addWidget(b, 0, col)
        grid.addWidget(self.progress_bar, 0, 3)
        after = QHBoxLayout()
        after.setContentsMargins(0, 0, 0, 0)
        after.addWidget(self.status_label, 1)
        for b in (self.resume_button, self.translate_button, self.library_button):
            after.addWidget(b)
        grid.addLayout(after, 1, 0, 1, 4)
        grid.setColumnStretch(3, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def controls(self) -> list:
        """What must stay on screen whatever the window's size (tests check each)."""
        return [
            self.start_button,
            self.pause_button,
            self.stop_button,
            self.progress_bar,
            self.status_label,
        ]

    def starting(self, message: str, resume: bool) -> None:
        for b in (self.resume_button, self.translate_button, self.library_button):
            b.setVisible(False)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("resuming…" if resume else "starting…")
        self.status_label.setText(message)

    def show_progress(self, ev, paused: bool) -> None:
        self.progress_bar.setValue(int(round(1000 * max(0.0, min(1.0, ev.fraction)))))
        self.progress_bar.setFormat(
            f"{100 * ev.fraction:.0f}% · {fmt_duration(ev.elapsed_s)} elapsed · "
            f"ETA {fmt_duration(ev.eta_s)} · {ev.tokens_per_second:,.0f} tok/s"
            + (" · paused" if paused else "")
        )
        self.status_label.setText(
            f"epoch {ev.epoch} · step {ev.step} · loss "
            f"{ev.smoothed_loss:.3f} · lr {ev.learning_rate:.2g}"
        )

    def show_reading(self, ev) -> None:
        total = max(1, int(getattr(ev, "total_bytes", 0) or 0))
        share = min(1.0, int(getattr(ev, "bytes_read", 0)) / total)
        self.progress_bar.setFormat(f"reading the corpus… {100 * share:.0f}%")

    def show_finished(self, done, has_weights: bool, opened: bool) -> None:
        """The finish line, and the ways on from it."""
        bleu = f", best BLEU {done.best_bleu:.1f}" if done.best_bleu is not None else ""
        then = " It is now the open model." if has_weights and opened else ""
        self.status_label.setText(
            f"Training {FINISH_WORDS.get(done.status, done.status)} after {done.step} steps "
            f"({fmt_duration(done.elapsed_s)}){bleu}.{then}"
        )
        self.status_label.setToolTip(done.model_dir)
        if done.status != "cancelled":
            self.progress_bar.setValue(1000)
        self.progress_bar.setFormat(f"{self.progress_bar.value() / 10:.0f}% · {done.status}")
        self.translate_button.setVisible(has_weights)
        self.library_button.setVisible(has_weights)

    def update_state(self, training: bool, paused: bool, resumable: bool) -> None:
        self.start_button.setEnabled(not training)
        self.pause_button.setEnabled(training)
        self.stop_button.setEnabled(training)
        self.resume_button.setVisible(resumable)
        self.resume_button.setEnabled(not training and resumable)
        self.pause_button.setText("Resume" if training and paused else "Pause")
