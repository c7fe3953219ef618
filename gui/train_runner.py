"""Training in a child process (``python -m core.training.child_process``), seen from the GUI.

In a thread, torch and the trainer's Python glue held the interpreter lock for 50–250 ms at a time
on a 2-core machine (measured), over the 100 ms responsiveness budget. QProcess is asynchronous,
so no extra thread is needed: the job goes to the child as one JSON line on stdin, events come
back as JSON lines on stdout, and pause/resume/cancel are lines on stdin that set the child's
CancelToken (the same cooperative protocol, one process further).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal, Slot

from core.throttle import Throttle
from gui.jobs import Failure, TrainJob

log = logging.getLogger(__name__)

TRAIN_FAILED = "Training failed"  # the title of the dialog that shows a training failure


class TrainProcess(QObject):
    """Runs one training job in a child process and turns its JSON lines back into core events."""

    event = Signal(object)
    finished = Signal(object)  # DoneEvent
    failed = Signal(object)  # Failure
    ended = Signal()  # the process is gone (after finished/failed)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proc: QProcess | None = None
        self._buffer = b""
        self._outcome_seen = False
        self._progress = Throttle()  # progress events reach the GUI ≤ 10 times a second
        self._paused = False

    @staticmethod
    def command() -> tuple[str, list[str]]:
        if getattr(sys, "frozen", False):  # a bundled app: the executable runs the child
            return sys.executable, ["--train-worker"]
        return sys.executable, ["-m", "core.training.child_process"]

    def start(self, job: TrainJob) -> None:
        from core.training.job import job_to_json

        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        package_root = str(Path(__file__).resolve().parent.parent)
        env.insert(
            "PYTHONPATH",
            os.pathsep.join(p for p in (package_root, env.value("PYTHONPATH", "")) if p),
        )
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        proc.setProcessEnvironment(env)
        proc.readyReadStandardOutput.connect(self._read_stdout)
        proc.readyReadStandardError.connect(self._read_stderr)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc, self._buffer, self._outcome_seen, self._paused = proc, b"", False, False
        program, args = self.command()
        log.info("starting the trainer: %s %s", program, " ".join(args))
        proc.start(program, args)
        proc.write((job_to_json(job) + "\n").encode("utf-8"))

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning

    @property
    def paused(self) -> bool:
        return self._paused and self.running

    @property
    def outcome_seen(self) -> bool:
        """The child reported how the run ended (done or error); it may still be exiting."""
        return self._outcome_seen

    def _send(self, command: str) -> None:
        if self.running:
            self._proc.write((command + "\n").encode("utf-8"))

    def pause(self) -> None:
        self._paused = True
        self._send("pause")

    def resume(self) -> None:
        self._paused = False
        self._send("resume")

    def cancel(self) -> None:
        self._paused = False
        self._send("cancel")

    @Slot()
    def _read_stdout(self) -> None:
        self._buffer += bytes(self._proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            if raw.strip():
                self._handle_line(raw)

    def _handle_line(self, raw: bytes) -> None:
        from core.events import event_from_json

        try:
            data = json.loads(raw.decode("utf-8"))
            kind = data.get("type")
            if kind == "error":
                self._outcome_seen = True
                message = str(data.get("message", "training failed"))
                self.failed.emit(
                    Failure("train", TRAIN_FAILED, message, str(data.get("details", "")))
                )
                return
            ev = event_from_json(data)
        except Exception as exc:  # noqa: BLE001 — a garbled line must not kill the app
            log.warning("could not read a line from the trainer: %r (%s)", raw[:200], exc)
            return
        if kind == "done":
            self._outcome_seen = True
            self.finished.emit(ev)
        elif kind == "progress":
            if self._progress.ready(final=ev.fraction >= 1.0):
                self.event.emit(ev)
        else:
            self.event.emit(ev)

    @Slot()
    def _read_stderr(self) -> None:
        text = bytes(self._proc.readAllStandardError()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                log.info("trainer: %s", line)

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        if self._buffer.strip():
            self._handle_line(self._buffer)
            self._buffer = b""
        if not self._outcome_seen:
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exit code {code}"
            self.failed.emit(
                Failure(
                    "train",
                    TRAIN_FAILED,
                    f"the training process ended unexpectedly ({how}); "
                    "the last saved checkpoint is kept",
                    "",
                )
            )
        self._proc = None
        self.ended.emit()

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._outcome_seen = True
            self.failed.emit(
                Failure("train", TRAIN_FAILED, "could not start the training process", str(error))
            )
            self._proc = None
            self.ended.emit()

    def wait_for_exit(self, timeout_ms: int) -> bool:
        """Used only at shutdown, after cancel: give the child time to save, then kill it."""
        proc = self._proc
        if proc is None:
            return True
        if proc.waitForFinished(timeout_ms):
            return True
        log.error("the trainer did not stop within %s ms; killing it", timeout_ms)
        proc.kill()
        return proc.waitForFinished(2000)
