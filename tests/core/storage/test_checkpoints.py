"""Checkpoints must survive crashes, full disks, Windows file locks, damage and hostile files."""

from __future__ import annotations

import ast
import errno
import json
import logging
import math
import os
import pathlib
import random
import re
from collections import OrderedDict
from pathlib import Path

import pytest
import torch

from core.errors import CheckpointError, CoreError
from core.storage import atomic_io as aio
from core.storage.atomic_io import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    clean_stray_temporaries,
    sha256_file,
)
from core.storage.checkpoints import CheckpointStore
from core.storage.torch_io import atomic_torch_save, ensure_plain_state, safe_torch_load

REPO = Path(__file__).resolve().parents[3]
DEAD_PID = 999_999_999  # above any pid_max, so no process can have it


def _temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp-*"))


def _state(value: float) -> dict:
    return {"w": torch.full((3, 2), value), "step": int(value), "name": "ckpt"}


def _enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


class Evil:
    """Unpickling this creates the marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


# ---------------------------------------------------------------------------------- atomic writes


def test_atomic_writes_leave_no_temporaries(tmp_path):
    atomic_write_bytes(tmp_path / "a.bin", b"\x00\x01")
    atomic_write_text(tmp_path / "b.txt", "héllo\r\n")
    atomic_write_json(tmp_path / "c.json", {"z": 1, "a": "ü"})
    atomic_torch_save({"t": torch.arange(3)}, tmp_path / "d.pt")
    atomic_write_bytes(tmp_path / "a.bin", b"again")  # overwrite

    assert (tmp_path / "a.bin").read_bytes() == b"again"
    assert (tmp_path / "b.txt").read_bytes() == "héllo\r\n".encode()
    text = (tmp_path / "c.json").read_text(encoding="utf-8")
    assert text == '{\n  "z": 1,\n  "a": "ü"\n}\n'  # key order kept, non-ASCII kept
    assert torch.equal(safe_torch_load(tmp_path / "d.pt")["t"], torch.arange(3))
    assert _temps(tmp_path) == []


@pytest.mark.parametrize("target", ["fsync", "replace"])
def test_failed_write_keeps_previous_file(tmp_path, monkeypatch, target):
    path = tmp_path / "model.pt"
    atomic_torch_save(_state(1.0), path)
    before = path.read_bytes()

    monkeypatch.setattr(aio.os, target, _enospc)
    with pytest.raises(CheckpointError) as info:
        atomic_torch_save(_state(2.0), path)
    monkeypatch.undo()

    message = str(info.value)
    assert str(path) in message
    assert "No space left on device" in message
    assert "previous file is unchanged" in message
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.__cause__.errno == errno.ENOSPC
    assert path.read_bytes() == before
    assert _temps(tmp_path) == []


def test_failed_write_of_new_file_says_nothing_was_written(tmp_path, monkeypatch):
    monkeypatch.setattr(aio.os, "fsync", _enospc)
    with pytest.raises(CheckpointError, match="No file was written"):
        atomic_write_bytes(tmp_path / "new.bin", b"x")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_into_missing_folder_is_a_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="could not write"):
        atomic_write_bytes(tmp_path / "nope" / "x.bin", b"x")


def test_replace_is_retried_after_transient_permission_errors(tmp_path, monkeypatch):
    path = tmp_path / "manifest.json"
    atomic_write_text(path, "old")
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) <= 2:
            raise PermissionError(errno.EACCES, "Access is denied")
        real_replace(src, dst)

    monkeypatch.setattr(aio.os, "replace", flaky)
    atomic_write_text(path, "new")
    monkeypatch.undo()

    assert len(calls) == 3
    assert path.read_text() == "new"
    assert _temps(tmp_path) == []


def test_replace_gives_up_after_the_retry_window(tmp_path, monkeypatch):
    path = tmp_path / "x.txt"
    atomic_write_text(path, "old")

    def locked(src, dst):
        err = PermissionError(errno.EACCES, "The process cannot access the file")
        err.winerror = 32
        raise err

    monkeypatch.setattr(aio, "_REPLACE_RETRY_S", 0.05)
    monkeypatch.setattr(aio.os, "replace", locked)
    with pytest.raises(CheckpointError, match="previous file is unchanged"):
        atomic_write_text(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert _temps(tmp_path) == []


def test_non_transient_replace_error_is_not_retried(tmp_path, monkeypatch):
    calls = []

    def broken(src, dst):
        calls.append(dst)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(aio.os, "replace", broken)
    with pytest.raises(CheckpointError, match="Input/output error"):
        atomic_write_bytes(tmp_path / "x.bin", b"x")
    assert len(calls) == 1


# ----------------------------------------------------------------------------------- safe loading


def test_safe_load_refuses_code_and_does_not_run_it(tmp_path, monkeypatch):
    marker = tmp_path / "MARKER"
    path = tmp_path / "evil.pt"
    torch.save({"w": torch.zeros(2), "payload": Evil(marker)}, path)

    with pytest.raises(CheckpointError) as info:
        safe_torch_load(path)
    message = str(info.value)
    assert message.startswith(f"refused to load {path}")
    assert "could run code" in message and "Only open model files you trust" in message
    assert not marker.exists()

    # The payload is real: an unsafe load would have run it. (Tests are outside the source scan.)
    torch.load(path, weights_only=False)
    assert marker.exists()


def test_safe_load_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        safe_torch_load(tmp_path / "absent.pt")


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.99])
def test_safe_load_truncated_file_is_damaged(tmp_path, keep):
    path = tmp_path / "m.pt"
    atomic_torch_save(_state(3.0), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(CheckpointError, match="damaged or truncated"):
        safe_torch_load(path)


def test_safe_load_garbage_is_damaged(tmp_path):
    path = tmp_path / "m.pt"
    path.write_bytes(b"this is not a checkpoint at all" * 10)
    with pytest.raises(CheckpointError, match="damaged or truncated"):
        safe_torch_load(path)


def test_checkpoint_error_is_a_core_error():
    assert issubclass(CheckpointError, CoreError)


def test_realistic_training_state_round_trips(tmp_path):
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    sched.step()
    py_state = random.getstate()
    state = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "scaler": torch.amp.GradScaler("cpu", enabled=False).state_dict(),
        "rng": {
            "torch": torch.get_rng_state(),
            "python": [py_state[0], list(py_state[1]), py_state[2]],
            "python_tuple": (py_state[0], tuple(py_state[1]), py_state[2]),
            "numpy": ["MT19937", list(range(624)), 0, 0, 0.0],
        },
        "nested": [(1, (2, 3)), [4, [5]], {"k": (6,)}],
        "floats": [math.inf, -0.0, 1e-300],
        "misc": {
            "none": None,
            "flag": True,
            "text": "日本語",
            "bytes": b"\x00",
            "od": OrderedDict(a=1),
            "dtype": torch.bfloat16,
            "set": {1, 2},
        },
        "step": 123,
    }
    path = tmp_path / "state.pt"
    atomic_torch_save(state, path)
    back = safe_torch_load(path)

    assert back["rng"]["python_tuple"] == state["rng"]["python_tuple"]
    assert isinstance(back["rng"]["python_tuple"][1], tuple)
    assert back["rng"]["python"] == state["rng"]["python"]
    assert random.setstate(back["rng"]["python_tuple"]) is None
    assert back["nested"] == state["nested"]
    assert back["misc"] == state["misc"]
    assert torch.equal(back["rng"]["torch"], state["rng"]["torch"])
    for key, value in state["model"].items():
        assert torch.equal(back["model"][key], value)
    opt.load_state_dict(back["optimizer"])
    sched.load_state_dict(back["scheduler"])


def test_unloadable_state_is_refused_before_writing(tmp_path):
    import numpy as np

    path = tmp_path / "state.pt"
    atomic_torch_save({"ok": 1}, path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=r"state\['rng'\]\['numpy'\] is a numpy.ndarray"):
        atomic_torch_save({"rng": {"numpy": np.zeros(3)}}, path)
    with pytest.raises(CheckpointError, match="float64"):
        ensure_plain_state({"m": [np.float64(1.0)]})
    assert path.read_bytes() == before
    assert _temps(tmp_path) == []


def test_shared_containers_are_fine():
    shared = [1, 2]
    ensure_plain_state({"a": shared, "b": shared})


def test_sha256_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    with pytest.raises(CheckpointError, match="not found"):
        sha256_file(tmp_path / "missing")


# --------------------------------------------------------------------------------- stray cleanup


def test_clean_stray_temporaries_spares_live_writers(tmp_path):
    dead = tmp_path / f".ckpt-00000100.pt.tmp-{DEAD_PID}-abcd1234"
    odd = tmp_path / ".manifest.json.tmp-zzz"
    mine = tmp_path / f".ckpt-00000200.pt.tmp-{os.getpid()}-0badf00d"
    keep = tmp_path / "ckpt-00000100.pt"
    for p in (dead, odd, mine, keep):
        p.write_bytes(b"x")
    removed = clean_stray_temporaries(tmp_path)
    assert sorted(removed) == sorted([dead, odd])
    assert mine.exists() and keep.exists()
    assert clean_stray_temporaries(tmp_path / "missing") == []


def test_store_cleans_strays_at_start(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    stray = run / f".ckpt-00000300.pt.tmp-{DEAD_PID}-deadbeef"
    stray.write_bytes(b"half a checkpoint")
    CheckpointStore(run)
    assert not stray.exists()


# ------------------------------------------------------------------------------- checkpoint store


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("ckpt-*.pt"))


def test_store_keeps_last_n_plus_best(tmp_path):
    store = CheckpointStore(tmp_path / "run", keep_last=2)
    assert not store.has_checkpoint()
    store.save(_state(100), 100, metrics={"bleu": 10.0}, is_best=True)
    for step in (200, 300, 400):
        store.save(_state(step), step, metrics={"bleu": 1.0})

    assert _files(store.folder) == ["ckpt-00000100.pt", "ckpt-00000300.pt", "ckpt-00000400.pt"]
    manifest = json.loads(store.manifest_path.read_text(encoding="utf-8"))
    assert manifest["format_version"] == 1
    assert manifest["last"]["file"] == "ckpt-00000400.pt" and manifest["last"]["step"] == 400
    assert manifest["best"]["file"] == "ckpt-00000100.pt"
    assert manifest["best"]["metrics"] == {"bleu": 10.0}
    assert [e["step"] for e in manifest["checkpoints"]] == [100, 300, 400]
    for entry in manifest["checkpoints"]:
        assert entry["sha256"] == sha256_file(store.folder / entry["file"])

    store.save(_state(500), 500, metrics={"bleu": torch.tensor(20.0)}, is_best=True)
    assert _files(store.folder) == ["ckpt-00000400.pt", "ckpt-00000500.pt"]
    assert store.manifest()["best"]["metrics"] == {"bleu": 20.0}
    assert store.has_checkpoint()
    state, note = store.load_best()
    assert state["step"] == 500 and note is None
    assert _temps(store.folder) == []


def test_old_files_survive_when_manifest_write_fails(tmp_path, monkeypatch):
    store = CheckpointStore(tmp_path, keep_last=1)
    store.save(_state(1), 1)
    manifest_before = store.manifest_path.read_bytes()

    monkeypatch.setattr(aio.os, "replace", _enospc)
    with pytest.raises(CheckpointError):
        store.save(_state(2), 2)
    monkeypatch.undo()

    assert store.manifest_path.read_bytes() == manifest_before
    assert "ckpt-00000001.pt" in _files(tmp_path)
    state, note = store.load_last()
    assert state["step"] == 1 and note is None


def test_load_last_falls_back_on_sha_mismatch(tmp_path):
    store = CheckpointStore(tmp_path, keep_last=3)
    store.save(_state(200), 200)
    newest = store.save(_state(400), 400)
    data = bytearray(newest.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    newest.write_bytes(bytes(data))

    state, note = store.load_last()
    assert state["step"] == 200
    assert note == (
        "checkpoint ckpt-00000400.pt is damaged (sha256 mismatch); "
        "resumed from ckpt-00000200.pt instead"
    )


def test_load_last_falls_back_on_truncation_without_manifest(tmp_path, caplog):
    store = CheckpointStore(tmp_path, keep_last=3)
    store.save(_state(1), 1)
    newest = store.save(_state(2), 2)
    newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])
    store.manifest_path.unlink()

    with caplog.at_level(logging.WARNING, logger="core.storage.checkpoints"):
        state, note = store.load_last()
    assert state["step"] == 1
    assert "manifest.json is missing" in note
    assert "ckpt-00000002.pt is damaged" in note and "resumed from ckpt-00000001.pt" in note
    assert any("rebuilt" in r.getMessage() for r in caplog.records)


def test_missing_manifest_is_reconstructed_from_files(tmp_path):
    store = CheckpointStore(tmp_path)
    for step in (30, 10, 20):  # written out of order on purpose
        atomic_torch_save(_state(step), store.file_for(step))
    (tmp_path / "ckpt-notanumber.pt").write_bytes(b"ignored")

    assert [e["step"] for e in store.entries()] == [10, 20, 30]
    assert all(e["sha256"] is None for e in store.entries())
    assert store.has_checkpoint()
    state, note = store.load_last()
    assert state["step"] == 30 and "rebuilt" in note

    store.save(_state(40), 40)  # a save writes a fresh manifest and prunes to keep_last=2
    assert [e["step"] for e in store.entries()] == [30, 40]
    assert _files(tmp_path) == ["ckpt-00000030.pt", "ckpt-00000040.pt", "ckpt-notanumber.pt"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps(
            {
                "format_version": 1,
                "last": None,
                "best": None,
                "checkpoints": [{"file": "../../outside.pt", "step": 1, "sha256": None}],
            }
        ),
    ],
)
def test_damaged_manifest_is_reconstructed_and_never_points_outside(tmp_path, content):
    outside = tmp_path / "outside.pt"
    outside.write_bytes(b"precious")
    store = CheckpointStore(tmp_path / "a" / "b", keep_last=1)
    store.save(_state(1), 1)
    store.manifest_path.write_text(content, encoding="utf-8")

    assert [e["file"] for e in store.entries()] == ["ckpt-00000001.pt"]
    store.save(_state(2), 2)
    assert outside.read_bytes() == b"precious"
    assert _files(store.folder) == ["ckpt-00000002.pt"]


def test_newer_manifest_format_is_refused(tmp_path):
    store = CheckpointStore(tmp_path)
    store.manifest_path.write_text(json.dumps({"format_version": 99}), encoding="utf-8")
    with pytest.raises(CheckpointError, match="newer"):
        store.entries()


def test_no_usable_checkpoint(tmp_path):
    store = CheckpointStore(tmp_path, keep_last=2)
    with pytest.raises(CheckpointError, match="no usable checkpoint"):
        store.load_last()
    for step in (1, 2):
        store.save(_state(step), step).write_bytes(b"junk")
    with pytest.raises(CheckpointError) as info:
        store.load_last()
    message = str(info.value)
    assert message.startswith(f"no usable checkpoint in {tmp_path}")
    assert "ckpt-00000001.pt" in message and "ckpt-00000002.pt" in message


def test_load_best_falls_back_and_handles_no_best(tmp_path):
    store = CheckpointStore(tmp_path, keep_last=2)
    store.save(_state(1), 1)
    store.save(_state(2), 2)
    state, note = store.load_best()
    assert state["step"] == 2 and "no best checkpoint" in note

    best = store.save(_state(3), 3, is_best=True)
    store.save(_state(4), 4)
    best.unlink()
    state, note = store.load_best()
    assert state["step"] == 4
    assert "ckpt-00000003.pt is missing" in note and "loaded ckpt-00000004.pt instead" in note


def test_saving_an_earlier_step_drops_the_abandoned_continuation(tmp_path):
    store = CheckpointStore(tmp_path, keep_last=3)
    for step in (100, 200, 300):
        store.save(_state(step), step)
    store.save(_state(150), 150)  # resumed from 100 and went on
    assert [e["step"] for e in store.entries()] == [100, 150]
    assert store.manifest()["last"]["step"] == 150
    assert _files(tmp_path) == ["ckpt-00000100.pt", "ckpt-00000150.pt"]
    assert store.load_last()[0]["step"] == 150


def test_store_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        CheckpointStore(tmp_path, keep_last=0)
    with pytest.raises(ValueError):
        CheckpointStore(tmp_path).save({}, -1)


# ------------------------------------------------------------------------------------ source scan

_TORCH_LOAD_TEXT = re.compile(r"\btorch\s*\.\s*load\s*\(")


def _unsafe_torch_loads(source: str, filename: str = "<src>") -> list[str]:
    """Every torch.load call (by AST, so aliases and multi-line calls count) and every textual
    ``torch.load(`` whose call text lacks a literal ``weights_only=True``."""
    problems: list[str] = []
    tree = ast.parse(source, filename)
    torch_names = {"torch"}
    load_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "torch":
                    torch_names.add(alias.asname or "torch")
        elif isinstance(node, ast.ImportFrom) and node.module in ("torch", "torch.serialization"):
            for alias in node.names:
                if alias.name == "load":
                    load_names.add(alias.asname or "load")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_load = (isinstance(func, ast.Name) and func.id in load_names) or (
            isinstance(func, ast.Attribute)
            and func.attr == "load"
            and (
                (isinstance(func.value, ast.Name) and func.value.id in torch_names)
                or (isinstance(func.value, ast.Attribute) and func.value.attr == "serialization")
            )
        )
        if not is_load:
            continue
        safe = any(
            k.arg == "weights_only" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in node.keywords
        )
        if not safe:
            problems.append(f"{filename}:{node.lineno}: {ast.get_source_segment(source, node)}")
    # Text pass over the call text, as the engineering rules ask (catches what the AST misses).
    for match in _TORCH_LOAD_TEXT.finditer(source):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(source)):
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            if depth == 0:
                break
        call = source[match.start() : end + 1]
        if not re.search(r"weights_only\s*=\s*True\b", call):
            line = source.count("\n", 0, match.start()) + 1
            problems.append(f"{filename}:{line}: {call}")
    return problems


def test_scanner_flags_bare_torch_load():
    bad = [
        "import torch\nx = torch.load(p)\n",
        "import torch\nx = torch.load(p, weights_only=False)\n",
        "import torch as T\nx = T.load(p, map_location='cpu')\n",
        "from torch import load\nx = load(p)\n",
        "import torch\nx = torch.serialization.load(p)\n",
        "import torch\nx = torch.load(\n    p,\n    map_location='cpu',\n)\n",
    ]
    for source in bad:
        assert _unsafe_torch_loads(source), source
    good = "import torch\nx = torch.load(\n    p, map_location='cpu',\n    weights_only=True)\n"
    assert _unsafe_torch_loads(good) == []


def test_every_torch_load_in_the_app_uses_weights_only():
    files = [
        p
        for folder in ("core", "gui")
        if (REPO / folder).is_dir()
        for p in sorted((REPO / folder).rglob("*.py"))
    ]
    assert REPO / "core" / "storage" / "torch_io.py" in files  # where the one torch.load is
    problems = []
    for path in files:
        problems += _unsafe_torch_loads(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPO))
        )
    assert problems == [], "torch.load without weights_only=True:\n" + "\n".join(problems)
