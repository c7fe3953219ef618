"""Benchmark the desktop app: seconds from launch to a visible window, and GUI stalls while
training.

Start-up: a fresh process per run (``--runs``) executes the app's real entry point,
``gui.app.main()`` (what ``python -m gui.app`` and the ``attnscope`` launcher run), with
``QT_QPA_PLATFORM=offscreen`` (unless --platform says otherwise) and ``ATTNSCOPE_HOME`` in a fresh
temporary folder, so no user settings or last model are read. The app has no "window shown" hook,
so the child replaces ``gui.main_window.MainWindow`` with a subclass whose first ``paintEvent``
prints a marker line once painting has finished; the parent times spawn -> marker on its own clock
(interpreter start-up and every import included). ``--model DIR`` makes the app open a model at
start, as it does with the last model used (loading runs on the worker thread, concurrently).

Stall: one more process builds the window with ``gui.app.create_window()``, shows it, and runs a
10 ms ``QTimer`` (precise) that records the gap between consecutive ticks: the longest gap is the
longest time the event loop could not react. After the window is painted and the worker thread has
answered the device query (torch imported), it starts training through the app's own mechanism
(``Session.start_training`` -> ``TrainProcess``, a child process streaming JSON events that the
Train
panel draws: progress bar, loss plot, samples, probe heatmap) on a slice of the corpus with
validation every ``--valid-every`` steps, keeps recording for ``--stall-seconds``, then stops the
run (the child saves a checkpoint) and waits for it. For the longest gap it also reports how much
CPU time the GUI thread itself used during it: near the gap's length means the GUI thread was busy
(our code), near zero means it waited (the GIL, or a machine too loaded to schedule it). The most
GUI-thread CPU time spent inside any one gap is reported too: the app's own longest burst of work,
which a busy machine cannot inflate much.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/app.py --runs 5 --stall-seconds 20

While it trains, the resident memory of the app is sampled every second: the GUI process and
the trainer process below it, and their sum at each sample (peaks in ``peak_rss``).

Prints a table and one JSON line (also written to --json-out).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T_START = time.monotonic()  # the child's clock starts here (its first line)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

MARKER = "ATTNSCOPE_BENCH_VISIBLE"
STALL_MARKER = "ATTNSCOPE_BENCH_STALL"


# ---------------------------------------------------------------------------------------- children
def child_startup(model: str | None) -> int:
    """Run gui.app.main() with a probe on the main window's first paint; print the marker; quit."""
    marks = {"child_start": 0.0}
    from PySide6.QtCore import QTimer

    marks["pyside_imported"] = time.monotonic() - T_START

    import gui.main_window as mw

    marks["gui_imported"] = time.monotonic() - T_START

    base = mw.MainWindow

    class ProbeWindow(base):  # type: ignore[misc, valid-type]
        _painted = False

        def __init__(self, *a, **kw) -> None:
            marks["window_init_start"] = time.monotonic() - T_START
            super().__init__(*a, **kw)
            marks["window_built"] = time.monotonic() - T_START

        def showEvent(self, ev) -> None:
            marks.setdefault("show_event", time.monotonic() - T_START)
            super().showEvent(ev)

        def paintEvent(self, ev) -> None:
            super().paintEvent(ev)
            if not ProbeWindow._painted:
                ProbeWindow._painted = True
                marks["first_paint"] = time.monotonic() - T_START
                QTimer.singleShot(0, self._report)

        def _report(self) -> None:
            marks["painted"] = time.monotonic() - T_START
            handle = self.windowHandle()
            marks["exposed"] = bool(handle is not None and handle.isExposed())
            print(MARKER + " " + json.dumps(marks), flush=True)
            from PySide6.QtWidgets import QApplication

            QApplication.instance().quit()

    mw.MainWindow = ProbeWindow
    import gui.app

    argv = [sys.argv[0]] + ([model] if model else [])
    gui.app.main(argv)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: not part of start-up


def child_stall(opts: dict) -> int:
    """Build the window, start training through the Session, record the 10 ms timer's gaps."""
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    import gui.app
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from gui.jobs import TrainJob

    window = gui.app.create_window(None)
    app = QApplication.instance()
    window.show()
    clock = QElapsedTimer()
    clock.start()

    ticks: list[tuple[float, float]] = []  # (wall s, GUI-thread CPU s) at each tick
    events: list[tuple[float, str]] = []  # (wall s, event type) as the panel gets them
    phase = {
        "train_start": None,
        "first_progress": None,
        "stop_sent": None,
        "ended": None,
        "devices_ready": None,
        "done_status": None,
    }

    def now() -> float:
        return clock.nsecsElapsed() / 1e9

    def tick() -> None:
        ticks.append((now(), time.thread_time()))

    from common import descendants, rss_mb

    rss = {"gui_mb": 0.0, "trainer_mb": 0.0, "total_mb": 0.0, "samples": 0}
    timeline: list[tuple[float, float, float]] = []  # (wall s, GUI MB, trainer MB) every 10 s

    def sample_rss() -> None:
        """The app's resident memory: this (GUI) process and the trainer process below it."""
        gui = rss_mb(os.getpid()) or 0.0
        below = sum(rss_mb(pid) or 0.0 for pid in descendants(os.getpid()))
        rss["gui_mb"] = max(rss["gui_mb"], gui)
        rss["trainer_mb"] = max(rss["trainer_mb"], below)
        rss["total_mb"] = max(rss["total_mb"], gui + below)
        rss["samples"] += 1
        if rss["samples"] % 10 == 1:
            timeline.append((round(now(), 1), round(gui, 1), round(below, 1)))

    rss_timer = QTimer()
    rss_timer.setInterval(1000)
    rss_timer.timeout.connect(sample_rss)
    rss_timer.start()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()

    session = window.session

    def on_event(ev) -> None:
        kind = getattr(ev, "type", type(ev).__name__)
        events.append((now(), kind))
        if kind == "progress" and phase["first_progress"] is None:
            phase["first_progress"] = now()

    def on_finished(done) -> None:
        phase["done_status"] = getattr(done, "status", None)

    def on_state(state: str) -> None:
        if phase["train_start"] is not None and state != "training" and phase["ended"] is None:
            phase["ended"] = now()
            QTimer.singleShot(200, app.quit)

    session.trainEvent.connect(on_event)
    session.trainFinished.connect(on_finished)
    session.stateChanged.connect(on_state)
    session.devicesReady.connect(lambda d: phase.__setitem__("devices_ready", now()))
    failures: list[str] = []
    session.failed.connect(lambda f: failures.append(f"{f.operation}: {f.message}"))

    p = preset(opts["preset"])
    cfg = p.train.replace(
        time_budget_s=opts["stall_seconds"] + 60,
        epochs=0,
        valid_every=opts["valid_every"],
        device="cpu",
    )
    job = TrainJob(
        spec=CorpusSpec(opts["train_src"], opts["train_tgt"]),
        dev_spec=CorpusSpec(opts["dev_src"], opts["dev_tgt"]),
        out_dir=opts["out_dir"],
        model_cfg=p.model,
        tok_cfg=TokenizerConfig(opts["src"], opts["tgt"]),
        train_cfg=cfg,
        name="bench-stall",
    )

    def start_training() -> None:
        if phase["train_start"] is not None:
            return
        phase["train_start"] = now()
        window.train_panel.right_tabs.setCurrentIndex(1)  # as TrainPanel.start_training does
        session.start_training(job)
        QTimer.singleShot(int(opts["stall_seconds"] * 1000), stop_training)

    def stop_training() -> None:
        phase["stop_sent"] = now()
        session.stop()
        QTimer.singleShot(int(opts["stop_timeout"] * 1000), app.quit)  # give up waiting

    # start when the worker has imported torch (devicesReady), as a user would click "Train" on a
    # settled window; at the latest after 15 s
    session.devicesReady.connect(lambda d: QTimer.singleShot(500, start_training))
    QTimer.singleShot(15000, start_training)
    app.exec()
    timer.stop()

    def gaps_between(t0: float | None, t1: float | None) -> dict:
        if t0 is None:
            return {"n": 0}
        t1 = t1 if t1 is not None else float("inf")
        g = [
            (b[0] - a[0], b[1] - a[1], a[0])
            for a, b in zip(ticks, ticks[1:])
            if t0 <= a[0] and b[0] <= t1
        ]
        if not g:
            return {"n": 0}
        worst = max(g)
        ms = sorted(x[0] * 1000 for x in g)
        near = sorted({k for t, k in events if worst[2] - 0.05 <= t <= worst[2] + worst[0] + 0.05})
        return {
            "n": len(g),
            "max_gap_ms": round(worst[0] * 1000, 1),
            "max_gui_cpu_in_a_gap_ms": round(max(x[1] for x in g) * 1000, 1),
            "max_gap_gui_cpu_ms": round(worst[1] * 1000, 1),
            "max_gap_at_s": round(worst[2], 2),
            "events_near_max": near,
            "p99_gap_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 1),
            "mean_gap_ms": round(statistics.fmean(ms), 2),
            "gaps_over_50ms": sum(1 for x in ms if x > 50),
            "gaps_over_100ms": sum(1 for x in ms if x > 100),
        }

    t_train, t_first, t_stop = phase["train_start"], phase["first_progress"], phase["stop_sent"]
    counts: dict[str, int] = {}
    for _, k in events:
        counts[k] = counts.get(k, 0) + 1
    out = {
        "phases": {k: (round(v, 2) if isinstance(v, float) else v) for k, v in phase.items()},
        "event_counts": counts,
        "failures": failures,
        "idle_before_training": gaps_between(0.0, t_train),
        "training_start_to_first_progress": gaps_between(t_train, t_first),
        "training": gaps_between(t_first, t_stop),
        "stopping": gaps_between(t_stop, phase["ended"]),
        "whole_training_window": gaps_between(t_train, t_stop),
        "peak_rss": {k: round(v, 1) for k, v in rss.items()},  # sampled every second
        "rss_timeline": timeline,  # where the memory went: GUI and trainer, every 10 s
    }
    print(STALL_MARKER + " " + json.dumps(out), flush=True)
    session.shutdown(5000)
    os._exit(0)


# ---------------------------------------------------------------------------------------- parent
def child_env(home: Path, platform: str | None) -> dict:
    env = dict(os.environ)
    env["ATTNSCOPE_HOME"] = str(home)
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_child(
    args_list: list[str], env: dict, marker: str, timeout: float
) -> tuple[float | None, dict | None, str]:
    """Spawn; return (seconds to the marker line, its JSON, stderr tail)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args_list],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
    )
    seconds, data = None, None
    deadline = t0 + timeout
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(marker):
                seconds = time.monotonic() - t0
                data = json.loads(line[len(marker) :].strip())
                break
            if time.monotonic() > deadline:
                break
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    return seconds, data, err[-2000:]


def prepare_stall_corpus(args, work: Path) -> dict:
    from common import read_lines

    paths = {}
    for split, n, key in (
        (args.train, args.train_pairs, "train"),
        (args.dev, args.dev_pairs, "dev"),
    ):
        for lang, side in ((args.src, "src"), (args.tgt, "tgt")):
            lines = read_lines(args.corpus, split, lang)[:n]
            p = work / f"{key}.{lang}"
            p.write_text("\n".join(lines) + "\n", encoding="utf-8")
            paths[f"{key}_{side}"] = str(p)
    return paths


def main() -> int:
    from common import DEFAULT_CORPUS, emit_json, loadavg, machine, print_table

    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--runs", type=int, default=5, help="start-up runs (fresh processes; default 5)"
    )
    ap.add_argument(
        "--model", help="open this model folder at start (as the app reopens the last one)"
    )
    ap.add_argument(
        "--platform",
        default=None,
        help="QT_QPA_PLATFORM for the children (default: the environment's, else offscreen)",
    )
    ap.add_argument("--no-startup", action="store_true")
    ap.add_argument("--no-stall", action="store_true")
    ap.add_argument(
        "--stall-seconds", type=float, default=20.0, help="seconds of training to watch"
    )
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", default="de")
    ap.add_argument("--tgt", default="en")
    ap.add_argument("--train", default="train")
    ap.add_argument("--dev", default="val")
    ap.add_argument(
        "--train-pairs", type=int, default=3000, help="first N training pairs (default 3000)"
    )
    ap.add_argument("--dev-pairs", type=int, default=100, help="first N dev pairs (default 100)")
    ap.add_argument("--preset", default="base")
    ap.add_argument(
        "--valid-every",
        type=int,
        default=20,
        help="validate this often so validations (samples, probe heatmap) fall in the window",
    )
    ap.add_argument(
        "--stop-timeout", type=float, default=30.0, help="seconds to wait for the trainer to stop"
    )
    ap.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a start-up run is abandoned"
    )
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--child-startup", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child-stall", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child_startup:
        return child_startup(args.model)
    if args.child_stall:
        return child_stall(json.loads(args.child_stall))

    result: dict = {
        "bench": "app",
        "machine": machine(),
        "platform": args.platform or os.environ.get("QT_QPA_PLATFORM") or "offscreen",
    }
    if not args.no_startup:
        runs = []
        for i in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="attnscope-app-bench-") as home:
                extra = ["--model", args.model] if args.model else []
                secs, marks, err = run_child(
                    ["--child-startup", *extra],
                    child_env(Path(home), args.platform),
                    MARKER,
                    args.timeout,
                )
            runs.append(
                {
                    "seconds": None if secs is None else round(secs, 3),
                    "marks": marks,
                    "loadavg": loadavg(),
                    **({"stderr_tail": err} if secs is None else {}),
                }
            )
            print(
                f"  start-up run {i + 1}: {'-' if secs is None else f'{secs:.3f} s'}",
                file=sys.stderr,
            )
        ok = [r["seconds"] for r in runs if r["seconds"] is not None]
        result["startup"] = {
            "runs": runs,
            "first_s": runs[0]["seconds"] if runs else None,
            "median_s": round(statistics.median(ok), 3) if ok else None,
            "min_s": min(ok) if ok else None,
            "max_s": max(ok) if ok else None,
            "with_model": bool(args.model),
        }
        rows = []
        for i, r in enumerate(runs):
            m = r["marks"] or {}
            rows.append(
                [
                    f"run {i + 1}",
                    r["seconds"],
                    m.get("pyside_imported"),
                    m.get("gui_imported"),
                    m.get("window_built"),
                    m.get("first_paint"),
                    str(r["loadavg"]),
                ]
            )
        print_table(
            "start-up: spawn -> main window painted (s); child-side marks since its first line",
            ["", "total", "PySide6", "gui imported", "window built", "painted", "loadavg"],
            rows,
        )
        startup = result["startup"]
        print(f"  median {startup['median_s']} s, first (coldest) {startup['first_s']} s")

    if not args.no_stall:
        with tempfile.TemporaryDirectory(prefix="attnscope-stall-bench-") as home:
            work = Path(home) / "corpus"
            work.mkdir()
            opts = {
                **prepare_stall_corpus(args, work),
                "src": args.src,
                "tgt": args.tgt,
                "preset": args.preset,
                "valid_every": args.valid_every,
                "stall_seconds": args.stall_seconds,
                "stop_timeout": args.stop_timeout,
                "out_dir": str(Path(home) / "models" / "bench-stall"),
            }
            load0 = loadavg()
            secs, data, err = run_child(
                ["--child-stall", json.dumps(opts)],
                child_env(Path(home), args.platform),
                STALL_MARKER,
                args.stall_seconds + args.stop_timeout + 90,
            )
        if data is None:
            result["stall"] = {"error": "no result from the stall run", "stderr_tail": err}
            print("\nstall run failed:\n" + err, file=sys.stderr)
        else:
            data["loadavg_before"], data["loadavg_after"] = load0, loadavg()
            data["settings"] = {
                "preset": args.preset,
                "train_pairs": args.train_pairs,
                "dev_pairs": args.dev_pairs,
                "valid_every": args.valid_every,
                "stall_seconds": args.stall_seconds,
            }
            result["stall"] = data
            rows = []
            for key, label in (
                ("idle_before_training", "window idle, worker importing torch"),
                ("training_start_to_first_progress", "trainer starting (reading corpus)"),
                ("training", "training (progress + validations)"),
                ("stopping", "stopping (checkpoint)"),
            ):
                d = data.get(key, {})
                if d.get("n"):
                    rows.append(
                        [
                            label,
                            d["n"],
                            d["max_gap_ms"],
                            d["max_gap_gui_cpu_ms"],
                            d["max_gui_cpu_in_a_gap_ms"],
                            d["p99_gap_ms"],
                            d["gaps_over_50ms"],
                            ",".join(d.get("events_near_max", [])) or "-",
                        ]
                    )
            print_table(
                f"GUI event loop, 10 ms timer: gaps between ticks  (load {load0} -> "
                f"{data['loadavg_after']})",
                [
                    "phase",
                    "ticks",
                    "max gap ms",
                    "GUI CPU in it ms",
                    "max GUI CPU in a gap ms",
                    "p99 ms",
                    ">50 ms",
                    "events near max",
                ],
                rows,
            )
            print(f"  events: {data['event_counts']}  phases (s): {data['phases']}")
            peak = data.get("peak_rss", {})
            print(
                f"  peak resident memory (sampled every second): GUI {peak.get('gui_mb')} MB, "
                f"trainer {peak.get('trainer_mb')} MB, together {peak.get('total_mb')} MB"
            )
            line = ", ".join(f"{t:g} s: {g:g} + {b:g}" for t, g, b in data.get("rss_timeline", []))
            print(f"  resident memory, GUI + trainer (MB): {line}")
            if data.get("failures"):
                print(f"  failures: {data['failures']}")
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
