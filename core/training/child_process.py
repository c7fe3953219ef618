"""The training child process: runs ``core.training.run.train`` and streams its events as JSON
lines.

Why a process and not the worker thread: measured on a 2-core machine, training in a thread of
the GUI process stalled the event loop for 50–250 ms at a time (torch and the trainer's Python glue
hold the GIL), over the 100 ms budget. In a child process the GUI only parses a few small JSON
lines a second.

Protocol (all UTF-8 lines):
- stdin, first line: the job as JSON (``core.training.job.job_to_json``): ``spec``,
  ``dev_spec``, ``out_dir``, ``model``, ``tokenizer``, ``train``, ``name``, and ``resume``
  (true: continue the run saved in ``out_dir`` from its last checkpoint, with the configs and
  corpus spec its model.json holds; absent in older jobs means false). Then commands ``pause``,
  ``resume``, ``cancel``. End of input (the app went away) counts as ``cancel``, so the run
  still saves.
- stdout: one ``core.events.to_json_dict`` object per line (read back with
  ``core.events.event_from_json``); failures as
  ``{"type": "error", "message": ..., "details": ...}``. ``train()`` also appends every event to
  the model folder's ``events.jsonl`` and honours a ``STOP`` file there
  (``core.training.watch``), as it does for the CLI.
- stderr: log lines, which the app copies into its log file.

It lives in ``core`` (run as ``python -m core.training.child_process``) so the child never imports
Qt and runs without a display.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import traceback

log = logging.getLogger("attnscope.trainer")


class _Out:
    """Thread-safe JSON-lines writer to stdout."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, obj: dict) -> None:
        line = json.dumps(obj, ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


def _read_commands(stream, token) -> None:
    """Apply pause/resume/cancel lines from the app; end of input means cancel."""
    for line in stream:
        cmd = line.strip().lower()
        if cmd == "pause":
            token.pause()
        elif cmd == "resume":
            token.resume()
        elif cmd == "cancel":
            token.cancel()
    token.cancel()


def _lower_priority() -> None:
    """Background work yields the CPU to the window: on a 2-core machine the GUI otherwise waits
    behind the trainer for 100+ ms at a time (measured)."""
    try:
        if hasattr(os, "nice"):
            os.nice(10)
        elif sys.platform == "win32":
            import ctypes

            BELOW_NORMAL_PRIORITY_CLASS = 0x4000
            handle = ctypes.windll.kernel32.GetCurrentProcess()  # type: ignore[attr-defined]
            ctypes.windll.kernel32.SetPriorityClass(handle, BELOW_NORMAL_PRIORITY_CLASS)
    except Exception:  # a priority we cannot change is not an error (logged, not raised)
        log.debug("could not lower the trainer's priority", exc_info=True)


def main() -> int:
    _lower_priority()
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    sys.stdout.reconfigure(encoding="utf-8", line_buffering=True)  # type: ignore[attr-defined]
    sys.stdin.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    out = _Out(sys.stdout)
    try:
        from core.cancel import CancelToken
        from core.events import to_json_dict
        from core.training.job import job_from_json

        job = job_from_json(sys.stdin.readline())
        token = CancelToken()
        threading.Thread(
            target=_read_commands, args=(sys.stdin, token), daemon=True, name="attnscope-commands"
        ).start()
        from core.training.run import train

        done = train(
            job.spec,
            job.out_dir,
            job.model_cfg,
            job.tok_cfg,
            job.train_cfg,
            dev_spec=job.dev_spec,
            on_event=lambda e: out.write(to_json_dict(e)),
            cancel=token,
            resume=job.resume,
            name=job.name,
            leave_one_core=True,
        )
        out.write(to_json_dict(done))
        return 0
    except Exception as exc:  # noqa: BLE001 — reported to the app, which shows the dialog
        from core.errors import CoreError

        message = str(exc) if isinstance(exc, CoreError) else f"{type(exc).__name__}: {exc}"
        log.error("training failed: %s", message)
        out.write({"type": "error", "message": message, "details": traceback.format_exc()})
        return 1


if __name__ == "__main__":
    sys.exit(main())
