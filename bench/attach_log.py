"""What following a run from its folder costs: writing the event log, a late attacher's first read
of a full log (two rotated files), the GUI thread's share of it, and how long a stop request
takes to end a run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/attach_log.py

Prints one line per figure, with the load average.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.common import loadavg  # noqa: E402
from core.events import (  # noqa: E402
    ProgressEvent,
    ReportEvent,
    Translation,
    ValidationEvent,
    event_from_json,
    to_json_dict,
)
from core.training.event_log import EventLog  # noqa: E402
from core.training.event_tail import EventTail  # noqa: E402


def _probe() -> Translation:
    att = np.random.default_rng(0).dirichlet(np.ones(20), size=18).astype(np.float32)
    return Translation(
        [f"s{i}" for i in range(20)], [f"t{i}" for i in range(18)], att[:, 0], att, -3.0, "t"
    )


def fill_log(folder: Path) -> tuple[int, float]:
    """A long run's log: progress ten times a second, a validation (samples, probe) every 500
    steps, until the log has rotated and both files are full. Returns (events, µs per write)."""
    log = EventLog(folder)
    log.write(to_json_dict(ReportEvent({"summary": "Read 1,000,000 pairs; kept 990,000."})))
    samples = [{"source": "a " * 20, "reference": "b " * 20, "hypothesis": "c " * 20}] * 3
    probe, n, spent = _probe(), 1, 0.0
    step = 0
    while not ((folder / "events.1.jsonl").is_file() and log._size > 0.95 * log.max_bytes):
        step += 1
        ev = ProgressEvent(step, 0, 3.0, 3.0, 1e-3, 5000.0, step / 10, 3600.0, 0.1)
        data = to_json_dict(ev)
        t0 = time.perf_counter()
        log.write(data)
        spent += time.perf_counter() - t0
        n += 1
        if step % 500 == 0:
            log.write(to_json_dict(ValidationEvent(step, 0, 2.0, 20.0, 40.0, True, samples, probe)))
            n += 1
    log.close()
    return n, 1e6 * spent / n


def gui_apply_ms(folder: Path, events: list) -> float:
    """The GUI thread's longest hold applying a first read to the real Train panel (offscreen),
    slice by slice as the follower sends it."""
    from PySide6.QtWidgets import QApplication

    from gui.panels.train_panel import TrainPanel
    from gui.run_follower import CHUNK, RunFollower
    from gui.session import Session
    from gui.settings import AppSettings
    from tests.gui.stubs import RecordingErrors

    app = QApplication.instance() or QApplication([])
    session = Session()
    panel = TrainPanel(session, RecordingErrors(), AppSettings())
    panel.attached.folder = folder
    panel.attached._follower = RunFollower(folder)  # as attached, not polling
    panel.attached.sender = lambda: panel.attached._follower
    slowest = 0.0
    for start in range(0, len(events), CHUNK):  # the slices RunFollower sends
        t0 = time.perf_counter()
        panel.attached._on_events(events[start : start + CHUNK])
        panel.loss_plot.refresh()
        app.processEvents()
        slowest = max(slowest, time.perf_counter() - t0)
    panel.attached._follower = None
    session.shutdown()
    panel.deleteLater()
    return 1000 * slowest


def stop_latency_s(folder: Path) -> float:
    """From writing STOP to train() returning (checkpoint saved), tiny model, 1 thread."""
    from core.config import TokenizerConfig, preset
    from core.training.run import train
    from core.training.stop_request import request_stop
    from tests.toy import toy_spec, train_config

    out, asked = folder / "model", []

    def on_event(e) -> None:
        if e.type == "progress" and e.step >= 20 and not asked:
            asked.append(time.perf_counter())
            threading.Thread(target=request_stop, args=(out,)).start()

    train(
        toy_spec(folder / "data", 400),
        out,
        preset("tiny").model,
        TokenizerConfig("en", "en"),
        train_config(max_steps=10**7, epochs=0, valid_every=10**7),
        on_event=on_event,
    )
    return time.perf_counter() - asked[0]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n, write_us = fill_log(folder)
        sizes = [(folder / f).stat().st_size / 1e6 for f in ("events.1.jsonl", "events.jsonl")]
        print(f"load {loadavg()}")
        print(
            f"write: {n:,} events, {write_us:.1f} µs per event; files {sizes[0]:.2f} + "
            f"{sizes[1]:.2f} MB"
        )
        t0 = time.perf_counter()
        raw = EventTail(folder).poll()
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        events = [event_from_json(d) for d in raw]
        convert_s = time.perf_counter() - t0
        print(
            f"first read (follower thread): {len(raw):,} events, read+parse {read_s:.2f} s, "
            f"to events {convert_s:.2f} s"
        )
        ms = gui_apply_ms(folder, events)
        print(f"GUI thread applying them to the Train panel: longest slice {ms:.0f} ms")
        print(f"load {loadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        lat = [stop_latency_s(Path(tmp) / str(i)) for i in range(3)]
        print(f"STOP written → run ended with a checkpoint: {', '.join(f'{s:.2f}' for s in lat)} s")
        print(f"load {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
