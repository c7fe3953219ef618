"""Faults while checkpoints are written and read: disk full, Windows file locks, damaged files,
stray temporaries, and an exception in the middle of training.

The store itself is unit-tested in tests/core/storage/test_checkpoints.py (atomic writes, ENOSPC at
fsync and replace, retry window, sha256 fallback, manifest rebuild); here the same faults hit a real
training run, through ``core.training.run.train`` and the CLI, and the run folder must stay usable.
"""

from __future__ import annotations

import builtins
import dataclasses
import errno
import json
import logging
import os
import shutil
from pathlib import Path

import pytest

import core.storage.atomic_io as aio
import core.training.loop
import core.training.run
import core.training.validation
from core.decoding.translator import Translator
from core.errors import CheckpointError
from core.events import ProgressEvent
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import WEIGHTS, read_meta
from core.training.run import train
from tests.reliability.helpers import (
    DEAD_PID,
    TINY_MODEL,
    TOK,
    cli_train_args,
    flip_bytes,
    run_cli,
    short,
    temporaries,
    toy_spec,
    train_config,
    truncate,
)
from tests.toy import write_reverse_corpus

CAT_DISK = "Checkpoint write faults"
CAT_DAMAGE = "Damaged checkpoints"
CAT_CRASH = "Exceptions while training"


# ---- fault injection -----------------------------------------------------------------------------


class _HalfThenFull:
    """A file whose first write stores half the bytes and then fails as a full disk does."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def write(self, data: bytes) -> int:
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()


class DiskFull:
    """Stands in for ``open`` inside core.storage.atomic_io: temp files whose name starts with
    ``prefix`` hit ENOSPC halfway, after ``after`` such writes went through."""

    def __init__(self, prefix: str, after: int = 0) -> None:
        self.prefix, self.after = prefix, after
        self.seen = 0
        self.failed: list[str] = []

    def __call__(self, file, mode="r", *args, **kwargs):
        fh = builtins.open(file, mode, *args, **kwargs)  # noqa: SIM115 - handed to the caller
        name = os.path.basename(os.fspath(file))
        if ("w" in mode or "x" in mode) and name.startswith(self.prefix):
            self.seen += 1
            if self.seen > self.after:
                self.failed.append(name)
                return _HalfThenFull(fh)
        return fh


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _ckpt_files(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "checkpoints").glob("ckpt-*.pt"))


def _usable(folder: Path) -> str:
    """Loads the folder as the app would and translates; returns the output text."""
    return Translator.load(folder, device="cpu").translate("w1 w2 w3")[0].text


# ---- disk full
# -------------------------------------------------------------------------------------


def test_disk_full_while_writing_a_checkpoint_stops_cleanly(tmp_path, monkeypatch, capsys, fault):
    rec = fault(
        CAT_DISK,
        "disk full (ENOSPC after half the bytes) while the CLI writes its 3rd checkpoint (step 15)",
        "exit 2 with one message naming the file and the disk-full reason, no traceback; "
        "training stops at that step; the previous checkpoints are intact and load; no "
        "partial file at the final name; `--resume` continues",
    )
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    src, tgt = write_reverse_corpus(tmp_path, 120, seed=1)
    out = tmp_path / "run"
    disk = DiskFull(".ckpt-", after=2)
    monkeypatch.setattr(aio, "open", disk, raising=False)
    r = run_cli(
        capsys,
        *cli_train_args(
            src,
            tgt,
            out,
            "--max-steps",
            "40",
            "--valid-every",
            "5",
            "--seed",
            "3",
            "--json-progress",
        ),
    )
    monkeypatch.delattr(aio, "open")
    events = _events(r.out)
    steps = [e["step"] for e in events if e["type"] == "progress"]
    error = next((e["message"] for e in events if e["type"] == "error"), None)
    store = CheckpointStore(out / "checkpoints")
    state, note = store.load_last()
    status = read_meta(out).status
    text = _usable(out)
    rec.observed(
        f'injected into {disk.failed}; exit {r.code}; stderr: "{short(r.message)}"; '
        f"JSON error event: {error is not None}; last step trained {max(steps)}; "
        f"checkpoints on disk {_ckpt_files(out)}; load_last → step {state['state']['step']} "
        f"(note: {note}); temporaries left {temporaries(out / 'checkpoints')}; "
        f"model.json status '{status}'; translation after the fault: {text!r}"
    )
    assert disk.failed == [disk.failed[0]] and disk.failed[0].startswith(".ckpt-00000015.pt")
    assert r.code == 2 and "Traceback" not in r.err
    assert "No space left on device" in r.err and "ckpt-00000015.pt" in r.err
    assert error is not None and "No space left on device" in error
    assert max(steps) == 15
    assert _ckpt_files(out) == ["ckpt-00000005.pt", "ckpt-00000010.pt"]
    assert state["state"]["step"] == 10 and note is None
    assert temporaries(out / "checkpoints") == [] and temporaries(out) == []
    assert status == "failed"

    r2 = run_cli(capsys, "train", "--resume", str(out), "--max-steps", "20", "--json-progress")
    steps2 = [e["step"] for e in _events(r2.out) if e["type"] == "progress"]
    rec.observed(f"resume → exit {r2.code}, steps {steps2[0]}..{steps2[-1]}")
    assert r2.code == 0 and steps2[0] == 11 and steps2[-1] == 20


def test_disk_full_while_writing_the_best_weights_keeps_the_old_ones(tmp_path, monkeypatch, fault):
    rec = fault(
        CAT_DISK,
        "disk full while weights.pt (the best weights) is rewritten at a validation",
        "CheckpointError naming weights.pt and the disk-full reason; the old weights.pt is "
        "byte-for-byte unchanged and the model still translates",
    )
    spec = toy_spec(tmp_path / "data", 200, seed=1)
    out = tmp_path / "run"
    real_score, bleu = core.training.validation.score, iter(range(1, 1000))
    # every validation "improves", so weights.pt is rewritten at each one, whatever the model learns
    monkeypatch.setattr(
        core.training.validation,
        "score",
        lambda h, r: dataclasses.replace(real_score(h, r), bleu=float(next(bleu))),
    )
    disk = DiskFull(".weights.pt", after=1)
    monkeypatch.setattr(aio, "open", disk, raising=False)
    snapshots: dict[int, bytes] = {}

    def on_event(e):
        if e.type == "checkpoint" and (out / WEIGHTS).exists():
            snapshots[e.step] = (out / WEIGHTS).read_bytes()

    with pytest.raises(CheckpointError) as info:
        train(
            spec,
            out,
            TINY_MODEL,
            TOK,
            train_config(max_steps=20, valid_every=5, seed=3),
            on_event=on_event,
        )
    monkeypatch.undo()
    unchanged = (out / WEIGHTS).read_bytes() == snapshots[max(snapshots)]
    rec.observed(
        f'injected into {disk.failed}; raised CheckpointError: "{short(info.value)}"; '
        f"weights.pt unchanged since the last good validation: {unchanged}; "
        f"temporaries left {temporaries(out)}; translation: {_usable(out)!r}"
    )
    assert len(disk.failed) == 1
    assert "weights.pt" in str(info.value) and "No space left on device" in str(info.value)
    assert "previous file is unchanged" in str(info.value)
    assert unchanged and temporaries(out) == []


def test_disk_full_while_writing_the_manifest_keeps_the_previous_one(tmp_path, monkeypatch, fault):
    rec = fault(
        CAT_DISK,
        "disk full while manifest.json is rewritten (after the new checkpoint file was written)",
        "CheckpointError; manifest.json unchanged and still names the previous checkpoint; "
        "resume continues from it",
    )
    spec = toy_spec(tmp_path / "data", 200, seed=1)
    out = tmp_path / "run"
    cfg = train_config(max_steps=40, valid_every=5, seed=3)
    disk = DiskFull(".manifest.json", after=2)
    monkeypatch.setattr(aio, "open", disk, raising=False)
    with pytest.raises(CheckpointError) as info:
        train(spec, out, TINY_MODEL, TOK, cfg)
    monkeypatch.delattr(aio, "open")
    store = CheckpointStore(out / "checkpoints")
    manifest = store.manifest()
    files_before = _ckpt_files(out)
    steps: list[int] = []
    done = train(
        spec,
        out,
        TINY_MODEL,
        TOK,
        cfg.replace(max_steps=20),
        resume=True,
        on_event=lambda e: steps.append(e.step) if isinstance(e, ProgressEvent) else None,
    )
    rec.observed(
        f'raised CheckpointError: "{short(info.value)}"; manifest last = '
        f"{manifest['last']['file']}; files {files_before} before resume; resumed at "
        f"step {steps[0]} and finished at {done.step} ({done.status})"
    )
    assert "manifest.json" in str(info.value) and "No space left on device" in str(info.value)
    assert manifest["last"]["step"] == 10
    assert steps[0] == 11 and done.step == 20 and done.status == "finished"


@pytest.mark.parametrize("kind", ["transient", "permanent"])
def test_windows_sharing_violation_on_replace(tmp_path, monkeypatch, fault, kind):
    rec = fault(
        CAT_DISK,
        f"Windows sharing violation (WinError 32) on os.replace, {kind} "
        "(an indexer or virus scanner holds the file)",
        "transient: retried with backoff and training finishes; permanent: after the ~2 s "
        "retry window a CheckpointError, the previous checkpoint intact",
    )
    spec = toy_spec(tmp_path / "data", 120, seed=2)
    out = tmp_path / "run"
    real_replace = os.replace
    attempts: dict[str, int] = {}
    refused: list[str] = []

    def locked(src, dst):
        name = os.path.basename(dst)
        attempts[name] = attempts.get(name, 0) + 1
        blocked = attempts[name] <= 2 if kind == "transient" else name == "ckpt-00000010.pt"
        if blocked:
            refused.append(name)
            err = PermissionError(
                errno.EACCES,
                "The process cannot access the file because it is being used by another process",
            )
            err.winerror = 32
            raise err
        real_replace(src, dst)

    monkeypatch.setattr(aio, "_REPLACE_RETRY_S", 0.3)
    monkeypatch.setattr(aio.os, "replace", locked)
    cfg = train_config(max_steps=10, valid_every=5, seed=3)
    if kind == "transient":
        done = train(spec, out, TINY_MODEL, TOK, cfg)
        monkeypatch.undo()
        rec.observed(
            f"{len(refused)} refusals (the first two replaces of each of "
            f"{len(set(refused))} file names) all retried; run {done.status} at step "
            f"{done.step}; checkpoints {_ckpt_files(out)}"
        )
        assert done.status == "finished" and done.step == 10
        assert _ckpt_files(out) == ["ckpt-00000005.pt", "ckpt-00000010.pt"]
    else:
        with pytest.raises(CheckpointError) as info:
            train(spec, out, TINY_MODEL, TOK, cfg)
        monkeypatch.undo()
        state, _ = CheckpointStore(out / "checkpoints").load_last()
        rec.observed(
            f"{attempts['ckpt-00000010.pt']} attempts on ckpt-00000010.pt, then "
            f'CheckpointError: "{short(info.value)}"; load_last → step '
            f"{state['state']['step']}; temporaries {temporaries(out / 'checkpoints')}"
        )
        assert attempts["ckpt-00000010.pt"] > 2
        assert "ckpt-00000010.pt" in str(info.value)
        assert state["state"]["step"] == 5
        assert temporaries(out / "checkpoints") == []


# ---- damaged checkpoints -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_checkpoints(tmp_path_factory) -> tuple[Path, Path]:
    """A finished run with checkpoints at steps 5 and 10 (its own corpus); copy before damaging."""
    base = tmp_path_factory.mktemp("two-ckpts")
    spec = toy_spec(base / "data", 160, seed=4)
    train(spec, base / "run", TINY_MODEL, TOK, train_config(max_steps=10, valid_every=5, seed=4))
    assert _ckpt_files(base / "run") == ["ckpt-00000005.pt", "ckpt-00000010.pt"]
    return base / "run", Path(spec.src_path).parent


def _copy_run(two_checkpoints, tmp_path: Path) -> Path:
    run, _ = two_checkpoints
    # the run folder records the corpus by absolute path: keep the data where it is
    dst = tmp_path / "run"
    shutil.copytree(run, dst)
    return dst


def _resume_spec(run: Path):
    from core.data.corpus import CorpusSpec

    return CorpusSpec(**read_meta(run).corpus["spec"])


DAMAGE = {
    "truncated to half": lambda p: truncate(p, 0.5),
    "8 bytes flipped in the middle": lambda p: flip_bytes(p, 0.5),
    "emptied (0 bytes)": lambda p: p.write_bytes(b""),
    "deleted": lambda p: p.unlink(),
    "replaced by a folder": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_newest_checkpoint_falls_back_and_says_which(
    two_checkpoints, tmp_path, caplog, fault, damage
):
    rec = fault(
        CAT_DAMAGE,
        f"newest checkpoint (ckpt-00000010.pt) {damage}, then resume",
        "resume falls back to ckpt-00000005.pt, says which file was bad and which was "
        "used, and continues from step 6",
    )
    run = _copy_run(two_checkpoints, tmp_path)
    DAMAGE[damage](run / "checkpoints" / "ckpt-00000010.pt")
    steps: list[int] = []
    with caplog.at_level(logging.WARNING):
        done = train(
            _resume_spec(run),
            run,
            TINY_MODEL,
            TOK,
            train_config(max_steps=8, valid_every=5, seed=4),
            resume=True,
            on_event=lambda e: steps.append(e.step) if isinstance(e, ProgressEvent) else 0,
        )
    notes = [r.getMessage() for r in caplog.records if r.name == "core.training.run"]
    rec.observed(
        f'warning: "{short(" / ".join(notes))}"; resumed at step {steps[0]}, '
        f"finished at {done.step}"
    )
    assert any(
        "ckpt-00000010.pt" in n and "resumed from ckpt-00000005.pt instead" in n for n in notes
    )
    assert steps[0] == 6 and done.step == 8


def test_every_checkpoint_damaged_refuses_with_a_list(two_checkpoints, tmp_path, capsys, fault):
    rec = fault(
        CAT_DAMAGE,
        "every checkpoint damaged (one truncated, one bit-flipped), `train --resume`",
        "exit 2, a message listing each checkpoint and what is wrong with it; no traceback",
    )
    run = _copy_run(two_checkpoints, tmp_path)
    truncate(run / "checkpoints" / "ckpt-00000010.pt", 0.3)
    flip_bytes(run / "checkpoints" / "ckpt-00000005.pt", 0.6)
    r = run_cli(capsys, "train", "--resume", str(run), "--max-steps", "12")
    rec.observed(f'exit {r.code}; stderr: "{short(r.message, 400)}"')
    assert r.code == 2 and "Traceback" not in r.err
    assert "no usable checkpoint" in r.err
    assert "ckpt-00000010.pt is damaged" in r.err and "ckpt-00000005.pt is damaged" in r.err


def test_damaged_manifest_is_rebuilt_from_the_files(two_checkpoints, tmp_path, caplog, fault):
    rec = fault(
        CAT_DAMAGE,
        "manifest.json cut off mid-file (torn write by another tool), then resume",
        "the manifest is rebuilt from the checkpoint files, the note says so, and resume "
        "continues from the newest checkpoint (step 10)",
    )
    run = _copy_run(two_checkpoints, tmp_path)
    truncate(run / "checkpoints" / "manifest.json", 0.4)
    steps: list[int] = []
    with caplog.at_level(logging.WARNING):
        train(
            _resume_spec(run),
            run,
            TINY_MODEL,
            TOK,
            train_config(max_steps=12, valid_every=5, seed=4),
            resume=True,
            on_event=lambda e: steps.append(e.step) if isinstance(e, ProgressEvent) else 0,
        )
    notes = [r.getMessage() for r in caplog.records if r.name == "core.training.run"]
    rec.observed(f'warning: "{short(" / ".join(notes))}"; resumed at step {steps[0]}')
    assert any("manifest.json is damaged" in n and "rebuilt" in n for n in notes)
    assert steps[0] == 11


def test_fallback_note_reaches_the_event_stream(two_checkpoints, tmp_path, capsys, fault):
    rec = fault(
        CAT_DAMAGE,
        "newest checkpoint truncated, `train --resume --json-progress` (how "
        "the app and scripts see a run)",
        'the "resumed from ckpt-00000005.pt instead" note arrives as a JSON event, not '
        "only as a log line",
    )
    run = _copy_run(two_checkpoints, tmp_path)
    truncate(run / "checkpoints" / "ckpt-00000010.pt", 0.5)
    r = run_cli(capsys, "train", "--resume", str(run), "--max-steps", "7", "--json-progress")
    events = _events(r.out)
    mentioned = [e for e in events if "ckpt-00000005.pt instead" in json.dumps(e)]
    rec.observed(
        f"exit {r.code}; event types {sorted({e['type'] for e in events})}; events "
        f"naming the fallback: {len(mentioned)}"
    )
    assert r.code == 0
    assert mentioned


# ---- stray temporaries ---------------------------------------------------------------------------


def _plant_strays(folder: Path) -> list[Path]:
    strays = (
        [folder / f".{name}.tmp-{DEAD_PID}-deadbeef" for name in ("ckpt-00000015.pt",)]
        if folder.name == "checkpoints"
        else [
            folder / f".{name}.tmp-{DEAD_PID}-deadbeef"
            for name in (WEIGHTS, "model.json", "vocab.src.json")
        ]
    )
    for stray in strays:
        stray.write_bytes(b"half a file from a writer that was killed")
    return strays


def test_stray_checkpoint_temporaries_are_cleaned_at_resume(two_checkpoints, tmp_path, fault):
    rec = fault(
        CAT_DAMAGE,
        "stray temporary checkpoint (.ckpt-00000015.pt.tmp-<dead pid>-…) left "
        "in checkpoints/ by a killed writer, then resume",
        "removed when the run starts; a live writer's temporary would be kept",
    )
    run = _copy_run(two_checkpoints, tmp_path)
    strays = _plant_strays(run / "checkpoints")
    train(
        _resume_spec(run),
        run,
        TINY_MODEL,
        TOK,
        train_config(max_steps=11, valid_every=5, seed=4),
        resume=True,
    )
    left = [p.name for p in strays if p.exists()]
    rec.observed(f"planted {len(strays)}, left after resume: {left}")
    assert left == []


def test_stray_model_folder_temporaries_are_cleaned_at_resume(two_checkpoints, tmp_path, fault):
    rec = fault(
        CAT_DAMAGE,
        "stray temporaries of weights.pt / model.json / vocab.src.json in the "
        "model folder (killed writer), then resume",
        'removed when the run starts ("stray temporaries cleaned at start")',
    )
    run = _copy_run(two_checkpoints, tmp_path)
    strays = _plant_strays(run)
    train(
        _resume_spec(run),
        run,
        TINY_MODEL,
        TOK,
        train_config(max_steps=11, valid_every=5, seed=4),
        resume=True,
    )
    left = [p.name for p in strays if p.exists()]
    rec.observed(f"planted {len(strays)}, left after resume: {left}")
    assert left == []


# ---- an exception inside the training loop -------------------------------------------------------


@pytest.mark.parametrize("where", ["train_step", "on_event"])
def test_exception_inside_the_loop_leaves_the_last_checkpoint_usable(
    tmp_path, monkeypatch, fault, where
):
    what = {
        "train_step": "a RuntimeError raised inside a training step (step 13)",
        "on_event": "the event callback (the app's progress handler) raising at step 13",
    }[where]
    rec = fault(
        CAT_CRASH,
        what,
        "the exception propagates (no silent continue); model.json says 'failed'; the last "
        "checkpoint (step 10) loads, the model translates, and resume continues from it",
    )
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    spec = toy_spec(tmp_path / "data", 200, seed=6)
    out = tmp_path / "run"
    cfg = train_config(max_steps=30, valid_every=5, seed=6)
    on_event = None
    if where == "train_step":
        real_step = core.training.run.TrainingRun.train_step

        def flaky_step(self, batch):
            if self.state.step == 12:
                raise RuntimeError("injected failure inside the training step")
            return real_step(self, batch)

        monkeypatch.setattr(core.training.run.TrainingRun, "train_step", flaky_step)
    else:

        def on_event(e):
            if isinstance(e, ProgressEvent) and e.step == 13:
                raise RuntimeError("injected failure in the progress handler")

    with pytest.raises(RuntimeError, match="injected") as info:
        train(spec, out, TINY_MODEL, TOK, cfg, on_event=on_event)
    monkeypatch.undo()
    status = read_meta(out).status
    state, note = CheckpointStore(out / "checkpoints").load_last()
    text = _usable(out)
    steps: list[int] = []
    done = train(
        spec,
        out,
        TINY_MODEL,
        TOK,
        cfg.replace(max_steps=15),
        resume=True,
        on_event=lambda e: steps.append(e.step) if isinstance(e, ProgressEvent) else 0,
    )
    rec.observed(
        f"raised {type(info.value).__name__}: {info.value}; model.json status '{status}'; "
        f"load_last → step {state['state']['step']} (note {note}); translation {text!r}; "
        f"resume → steps {steps[0]}..{done.step} ({done.status})"
    )
    assert status == "failed"
    assert state["state"]["step"] == 10 and note is None
    assert steps[0] == 11 and done.step == 15 and done.status == "finished"
