"""The Train tab attached to a run that trains elsewhere (File → Attach to a training…).

The run's events come from its model folder (``gui.run_follower``) and go through the panel's own
event handler into the same monitor and run bar a local run uses, so the views are the same. The
tab is read-only meanwhile: the settings form and Start/Pause are disabled; Stop writes the stop
request the run honours at its next batch (``core.training.stop_request``). A banner above the
run bar says whose run it is and how it stands: running, ended, failed, or stalled ("no news
since …" when the log has not changed for ``stall_s``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy

from core.errors import CoreError
from core.storage.model_folder import MODEL_JSON
from core.training.event_log import EVENTS_FILE
from core.training.stop_request import request_stop
from gui.panels.run_controls import fmt_duration
from gui.panels.run_settings_view import RunSettingsView
from gui.run_follower import POLL_S, RESET, RunFollower
from gui.widgets.naming import named as _named

log = logging.getLogger(__name__)

STALL_S = 120.0  # no change to the log for this long: the run may have died


def check_training_folder(folder: Path) -> None:
    """Raises CoreError saying why ``folder`` cannot be followed."""
    if not folder.is_dir():
        raise CoreError(f"{folder} is not a folder")
    if (folder / EVENTS_FILE).is_file():
        return
    if (folder / MODEL_JSON).is_file():
        raise CoreError(
            f"{folder} is a model folder, but holds no training events ({EVENTS_FILE}): it was "
            "trained by an earlier version of Attnscope. Open it to see its results."
        )
    raise CoreError(
        f"{folder} is not a training: it holds no {EVENTS_FILE}. Choose the folder the run "
        "trains into (its --out folder); it appears once the run has read its corpus."
    )


def news_text(last: float | None, now: float) -> str:
    """'no news since 17:02 (3 min)': when the log last changed, and how long ago."""
    if last is None:
        return "no news yet"
    when = _dt.datetime.fromtimestamp(last)
    stamp = when.strftime("%H:%M:%S" if when.date() == _dt.date.today() else "%Y-%m-%d %H:%M")
    return f"no news since {stamp} ({fmt_duration(max(0.0, now - last))} ago)"


class AttachBar(QFrame):
    """The banner: which folder is followed, its state, and Detach."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _named(self, "attachBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.folder_label = _named(QLabel(), "attachFolderLabel")
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state_label = _named(QLabel(), "attachStateLabel")
        self.detach_button = _named(QPushButton("Detach"), "detachButton")
        self.detach_button.setToolTip("Stop following this run (it goes on training)")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(self.folder_label, 1)
        lay.addWidget(self.state_label)
        lay.addWidget(self.detach_button)
        self.setVisible(False)

    def show_folder(self, folder: Path) -> None:
        self.folder_label.setText(
            f"Following the run in <b>{folder.name}</b> (read-only: it trains in another "
            "process; Stop asks it to save and stop)"
        )
        self.folder_label.setToolTip(str(folder))

    def set_state(self, text: str, warn: bool = False) -> None:
        self.state_label.setText(text)
        self.state_label.setStyleSheet("color: #b3261e; font-weight: bold" if warn else "")


class TrainAttach(QObject):
    """Attaches the Train panel ``panel`` to a folder, and detaches it."""

    attachedChanged = Signal(bool)
    validationShown = Signal(str)  # the folder, after each validation of the followed run

    def __init__(self, panel, stall_s: float = STALL_S, poll_s: float = POLL_S) -> None:
        super().__init__(panel)
        self._panel = panel
        self.stall_s, self.poll_s = stall_s, poll_s
        self.bar = AttachBar()
        self.bar.detach_button.clicked.connect(self.detach)
        self.settings_view = RunSettingsView()  # the panel shows it in place of its form
        self.folder: Path | None = None
        self._follower: RunFollower | None = None
        self._outcome = ""  # "", "ended" or "failed": how the last session of the run ended
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._update_state)
        self._validated = QTimer(self, singleShot=True, interval=500)  # a catch-up: once
        self._validated.timeout.connect(self._emit_validation)

    @property
    def active(self) -> bool:
        return self._follower is not None

    @property
    def ended(self) -> bool:
        """The followed run's last session has ended (done or failed)."""
        return self._outcome != ""

    def attach(self, folder: str | Path) -> None:
        """Follow ``folder``; raises CoreError when it is not a training."""
        folder = Path(folder)
        check_training_folder(folder)
        self.detach()
        self.folder, self._outcome = folder, ""
        self._panel.monitor.reset()
        self._panel.run_controls.starting(f"Attached to {folder}: reading its events…", False)
        self.bar.show_folder(folder)
        self.bar.set_state("reading…")
        self.bar.setVisible(True)
        self.settings_view.show_folder(folder)
        self._follower = RunFollower(folder, self.poll_s, parent=self)
        self._follower.events.connect(self._on_events)
        self._follower.start()
        self._clock.start()
        self.attachedChanged.emit(True)

    @Slot()
    def detach(self) -> None:
        if self._follower is None:
            return
        self._follower.stop()
        self._follower.deleteLater()
        self._follower = None
        self._clock.stop()
        self.bar.setVisible(False)
        goes_on = "" if self.ended else "; the run goes on there"
        self._panel.status_label.setText(f"Detached from {self.folder}{goes_on}.")
        self.attachedChanged.emit(False)

    def request_stop(self) -> None:
        """Write the stop request; the run saves a checkpoint and stops at its next batch."""
        if self.folder is None:
            return
        request_stop(self.folder)  # CoreError when the folder is read-only from here
        self._panel.status_label.setText(
            "Stop requested: the run saves a checkpoint and stops at its next batch…"
        )

    @Slot(object)
    def _on_events(self, batch: list) -> None:
        if self._follower is None or self.sender() is not self._follower:
            return  # a batch that was on its way when the user detached
        last_progress = max((i for i, e in enumerate(batch) if _kind(e) == "progress"), default=-1)
        last_valid = max((i for i, e in enumerate(batch) if _kind(e) == "validation"), default=-1)
        monitor = self._panel.monitor
        for i, ev in enumerate(batch):
            kind = _kind(ev)
            if ev == RESET:
                monitor.reset()
            elif kind == "progress" and i != last_progress:
                monitor.add_progress(ev)  # catching up: the curve only
            elif kind == "validation" and i != last_valid:
                monitor.loss_plot.add_validation(ev.step, ev.loss, ev.bleu, ev.chrf)
            elif kind == "done":
                self._show_done(ev)
            elif kind == "error":
                self._outcome = "failed"
                self._panel.status_label.setText(f"The run failed: {ev.message}")
            else:
                if kind not in ("notice", "checkpoint"):
                    self._outcome = ""  # a resumed session trains again
                self._panel.on_train_event(ev)
        if any(_kind(e) in ("checkpoint", "done", "report") for e in batch):
            self.settings_view.show_folder(self.folder)  # model.json was (re)written
        if last_valid >= 0 and not self._validated.isActive():
            self._validated.start()
        self._update_state()

    @Slot()
    def _emit_validation(self) -> None:
        if self._follower is not None:
            self.validationShown.emit(str(self.folder))

    def _show_done(self, done) -> None:
        self._outcome = "ended"
        done = dataclasses.replace(done, model_dir=str(self.folder))  # the path seen from here
        has_weights = (self.folder / "weights.pt").is_file()
        self._panel.show_attached_finished(done, has_weights)

    @Slot()
    def _update_state(self) -> None:
        """The banner's state line (every second: a stall is the absence of events)."""
        if self._follower is None:
            return
        last = self._follower.last_change
        if self._outcome == "ended":
            self.bar.set_state("the run has ended")
        elif self._outcome == "failed":
            self.bar.set_state("the run failed", warn=True)
        elif last is not None and time.time() - last >= self.stall_s:
            self.bar.set_state(news_text(last, time.time()) + ": stalled?", warn=True)
        else:
            self.bar.set_state("live" if last is not None else "waiting for events…")


def _kind(ev) -> str:
    return getattr(ev, "type", "")
