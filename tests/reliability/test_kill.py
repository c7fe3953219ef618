"""kill -9 (and Ctrl-C) of a real CLI training run: the run folder still loads and resumes.

Every scenario starts ``python -m core train ... --json-progress`` as its own process, validating
(and so checkpointing) every 3 steps, and reads its event stream. The processes run side by side
(one thread each watches its stream), so the suite pays the interpreter start-up about once:

* two SIGKILL trials, each a seeded random 0-80 ms after the 2nd "checkpoint" event (the kill
  lands in training, in a validation or in a save);
* a third SIGKILL trial while a checkpoint file is half written (the child's writer pauses
  halfway and says so on stdout), so a torn temporary is left for certain;
* one SIGINT (Ctrl-C) with two unsaved steps done since the last checkpoint.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import core.training.loop
import core.training.run
from core.decoding.translator import Translator
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import read_meta
from tests.reliability.helpers import (
    PYTHON,
    REPO,
    cli_train_args,
    run_cli,
    short,
    subprocess_env,
    temporaries,
)
from tests.toy import write_reverse_corpus

CAT = "kill -9 and Ctrl-C"
SEED = 20261125
_RNG = random.Random(SEED)
DELAYS_S = [round(_RNG.uniform(0.0, 0.08), 4) for _ in range(2)]
HARD_LIMIT_S = 90  # a scenario that never reaches its moment is killed and fails

# Runs the CLI in the child with two test hooks: progress on every step, and (for the mid-write
# scenario) a checkpoint writer that writes half of its 3rd checkpoint, says so, and waits.
CHILD = r"""
import json, os, sys, time
import core.training.run, core.training.loop
import core.storage.checkpoints as ck, core.storage.atomic_io as aio
core.training.loop.PROGRESS_INTERVAL_S = 0
if os.environ.get("TEST_PAUSE_MID_WRITE"):
    real, seen = ck.atomic_write_bytes, [0]
    def paused(path, data):
        if os.path.basename(str(path)).startswith("ckpt-"):
            seen[0] += 1
            if seen[0] == 3:
                tmp = aio._temp_name(aio.Path(path))
                with open(tmp, "xb") as fh:
                    fh.write(data[: len(data) // 2])
                    fh.flush()
                    os.fsync(fh.fileno())
                print(json.dumps({"type": "test-mid-write", "tmp": tmp.name}), flush=True)
                time.sleep(120)
        return real(path, data)
    ck.atomic_write_bytes = paused
from core.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Scenario:
    name: str
    signal: int
    delay_s: float = 0.0
    mid_write: bool = False
    out: Path = Path()
    events: list = field(default_factory=list)
    killed_at_step: int | None = None  # the last step reported before the signal landed
    checkpoint_seen: int | None = None  # the checkpoint event that armed the signal
    returncode: int | None = None
    stderr: str = ""
    error: str | None = None


def _watch(sc: Scenario, proc: subprocess.Popen) -> None:
    checkpoints = 0
    armed_step = None
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        sc.events.append(event)
        kind = event.get("type")
        steps = [e["step"] for e in sc.events if e.get("type") == "progress"]
        if sc.mid_write:
            if kind == "test-mid-write":
                sc.killed_at_step = steps[-1] if steps else None
                proc.send_signal(sc.signal)
                break
            continue
        if kind == "checkpoint":
            checkpoints += 1
            if checkpoints == 2:
                sc.checkpoint_seen = event["step"]
                if sc.signal == signal.SIGKILL:
                    time.sleep(sc.delay_s)
                    sc.killed_at_step = steps[-1] if steps else None
                    proc.send_signal(sc.signal)
                    break
                armed_step = event["step"] + 2  # Ctrl-C with two unsaved steps done
        if armed_step is not None and kind == "progress" and event["step"] >= armed_step:
            sc.killed_at_step = event["step"]
            proc.send_signal(sc.signal)
            armed_step = None
    for line in proc.stdout:  # drain whatever else arrives (Ctrl-C: the final events)
        with contextlib.suppress(ValueError):
            sc.events.append(json.loads(line))
    if sc.signal == signal.SIGKILL:  # the child ran on until the signal landed
        steps = [e["step"] for e in sc.events if e.get("type") == "progress"]
        sc.killed_at_step = max(steps) if steps else None


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> dict[str, Scenario]:
    base = tmp_path_factory.mktemp("kill")
    src, tgt = write_reverse_corpus(base, 160, seed=31)
    plan = [
        Scenario(
            f"SIGKILL {int(d * 1000)} ms after the 2nd checkpoint event", signal.SIGKILL, delay_s=d
        )
        for d in DELAYS_S
    ]
    plan.append(
        Scenario(
            "SIGKILL while the 3rd checkpoint file is half written", signal.SIGKILL, mid_write=True
        )
    )
    plan.append(Scenario("SIGINT (Ctrl-C) two steps after the 2nd checkpoint", signal.SIGINT))
    procs, threads = [], []
    for i, sc in enumerate(plan):
        sc.out = base / f"run{i}"
        env = subprocess_env(base / f"home{i}")
        if sc.mid_write:
            env["TEST_PAUSE_MID_WRITE"] = "1"
        args = cli_train_args(
            src,
            tgt,
            sc.out,
            "--max-steps",
            "100000",
            "--valid-every",
            "3",
            "--time-budget",
            "120",
            "--seed",
            str(31 + i),
            "--json-progress",
        )
        proc = subprocess.Popen(
            [PYTHON, "-c", CHILD, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        thread = threading.Thread(target=_watch, args=(sc, proc), daemon=True)
        thread.start()
        procs.append(proc)
        threads.append(thread)
    deadline = time.monotonic() + HARD_LIMIT_S
    for sc, proc, thread in zip(plan, procs, threads):
        thread.join(max(0.1, deadline - time.monotonic()))
        if thread.is_alive():
            sc.error = "never reached its moment; killed by the test"
            proc.kill()
            thread.join(5)
        try:
            sc.returncode = proc.wait(timeout=max(5.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            sc.returncode = proc.wait()
            sc.error = (sc.error or "") + " did not end after the signal"
        sc.stderr = proc.stderr.read() if proc.stderr else ""
        if proc.stdout is not None and not thread.is_alive():  # the pipes are ours to close
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    return {sc.name: sc for sc in plan}


def _progress_steps(out: str) -> list[int]:
    return [json.loads(x)["step"] for x in out.splitlines() if '"progress"' in x]


KILLS = [f"SIGKILL {int(d * 1000)} ms after the 2nd checkpoint event" for d in DELAYS_S] + [
    "SIGKILL while the 3rd checkpoint file is half written"
]


@pytest.mark.parametrize("name", KILLS)
def test_kill_9_leaves_a_folder_that_loads_and_resumes(scenarios, capsys, monkeypatch, fault, name):
    sc = scenarios[name]
    rec = fault(
        CAT,
        f"`python -m core train --valid-every 3` killed with {name}",
        "the model folder loads (Translator.load) and translates; the newest intact "
        "checkpoint loads; `train --resume` continues from the step after it and "
        "finishes; no stray temporaries in checkpoints/ after the resume",
    )
    assert sc.error is None, f"{sc.error}; stderr: {sc.stderr[-2000:]}"
    assert sc.returncode == -signal.SIGKILL
    out = sc.out
    ckpt = out / "checkpoints"
    strays_before = temporaries(ckpt) + temporaries(out)
    text = Translator.load(out, device="cpu").translate("w1 w2 w3")[0].text
    state, note = CheckpointStore(ckpt).load_last()
    last = state["state"]["step"]
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    r = run_cli(
        capsys, "train", "--resume", str(out), "--max-steps", str(last + 3), "--json-progress"
    )
    steps = _progress_steps(r.out)
    strays_after = temporaries(ckpt)
    rec.observed(
        f"killed at step {sc.killed_at_step} (exit {sc.returncode}); strays left by the "
        f"kill {strays_before}; translation {text!r}; newest intact checkpoint step "
        f"{last} (note: {note}); resume → exit {r.code}, steps "
        f"{steps[0] if steps else None}..{steps[-1] if steps else None}; strays in "
        f"checkpoints/ after it {strays_after}; model-folder strays after it "
        f"{temporaries(out)}"
    )
    assert r.code == 0, r.err
    assert steps and steps[0] == last + 1 and steps[-1] == last + 3
    assert strays_after == []
    if sc.mid_write:
        assert any(s.startswith(".ckpt-") for s in strays_before)


def test_ctrl_c_saves_the_steps_done_since_the_last_checkpoint(scenarios, fault):
    sc = scenarios["SIGINT (Ctrl-C) two steps after the 2nd checkpoint"]
    rec = fault(
        CAT,
        "Ctrl-C (SIGINT) to `python -m core train` two steps after a checkpoint",
        "training stops at the next step boundary and saves a checkpoint of that step: "
        "exit 130, a 'done' event with status 'cancelled', model.json says 'cancelled'; "
        "no work lost",
    )
    assert sc.error is None, f"{sc.error}; stderr: {sc.stderr[-2000:]}"
    store = CheckpointStore(sc.out / "checkpoints")
    newest = store.entries()[-1]["step"]
    done = [e for e in sc.events if e.get("type") == "done"]
    status = read_meta(sc.out).status
    rec.observed(
        f"signal at step {sc.killed_at_step} (2nd checkpoint at {sc.checkpoint_seen}); "
        f'exit {sc.returncode}; stderr "{short(sc.stderr.strip()[-200:])}"; newest '
        f"checkpoint step {newest}; done event: {done[-1] if done else None}; model.json "
        f"status '{status}'"
    )
    assert sc.returncode == 130
    assert newest >= sc.killed_at_step
    assert done and done[-1]["status"] == "cancelled"
    assert status == "cancelled"
