"""One reader for ``checkpoints/manifest.json``: the trainer, the list of weights a folder offers
and the app's "can this run be resumed?" agree, and none of them needs torch to ask."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import CheckpointError
from core.storage.manifest import (
    MANIFEST_NAME,
    checkpoint_file_name,
    checkpoint_files,
    read_manifest,
)

ROOT = Path(__file__).resolve().parents[3]


def _touch_checkpoints(folder: Path, *steps: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for step in steps:
        (folder / checkpoint_file_name(step)).write_bytes(b"x")


def test_a_missing_manifest_is_rebuilt_from_the_file_names(tmp_path):
    _touch_checkpoints(tmp_path, 20, 5)
    (tmp_path / "ckpt-notastep.pt").write_bytes(b"x")  # not a checkpoint name: ignored
    manifest, note = read_manifest(tmp_path)
    assert [e["step"] for e in manifest["checkpoints"]] == [5, 20]
    assert manifest["last"]["file"] == "ckpt-00000020.pt" and manifest["best"] is None
    assert note == "manifest.json is missing; rebuilt the list from the 2 checkpoint file(s) found"


def test_a_manifest_from_a_newer_attnscope_is_refused_by_every_reader(tmp_path):
    from core.decoding.weight_sources import _manifest_entries

    _touch_checkpoints(tmp_path, 5)
    (tmp_path / MANIFEST_NAME).write_text(
        json.dumps({"format_version": 2, "checkpoints": []}), encoding="utf-8"
    )
    with pytest.raises(CheckpointError, match="format version 2, newer than"):
        read_manifest(tmp_path)
    with pytest.raises(CheckpointError, match="format version 2, newer than"):
        _manifest_entries(tmp_path)


def test_an_entry_pointing_outside_the_folder_makes_the_manifest_count_as_damaged(tmp_path):
    _touch_checkpoints(tmp_path, 5)
    entry = {"file": "../../etc/passwd", "step": 5, "sha256": None, "metrics": None}
    (tmp_path / MANIFEST_NAME).write_text(
        json.dumps({"format_version": 1, "last": entry, "best": None, "checkpoints": [entry]}),
        encoding="utf-8",
    )
    manifest, note = read_manifest(tmp_path)
    assert [e["file"] for e in manifest["checkpoints"]] == ["ckpt-00000005.pt"]
    assert note.startswith("manifest.json is damaged (unexpected content)")


def test_checkpoint_files_lists_steps_in_order_and_tolerates_a_missing_folder(tmp_path):
    assert checkpoint_files(tmp_path / "absent") == []
    _touch_checkpoints(tmp_path, 100, 7)
    assert [(s, p.name) for s, p in checkpoint_files(tmp_path)] == [
        (7, "ckpt-00000007.pt"),
        (100, "ckpt-00000100.pt"),
    ]


def test_model_folder_io_does_not_import_torch():
    """The app lists models and asks about checkpoints on its GUI thread: no torch there."""
    code = (
        "import sys\n"
        "import core.storage.atomic_io, core.storage.manifest, core.storage.model_folder\n"
        "import core.decoding.weight_sources, core.storage.library\n"
        "print('TORCH', 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "TORCH False" in out.stdout
