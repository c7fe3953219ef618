"""The checkpoint manifest: the one reader of ``checkpoints/manifest.json`` and its file names.

Why this module exists: the trainer (``core.storage.checkpoints.CheckpointStore``), the list of
weights a model folder offers (``core.decoding.weight_sources``) and the app's "can this run be
resumed?" all read the same folder; one reader means one format-version check and one idea of what a
checkpoint file is. Plain JSON and file names only (no torch), so the app may call it on its GUI
thread.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from core.errors import CheckpointError

log = logging.getLogger(__name__)

__all__ = [
    "MANIFEST_FORMAT_VERSION",
    "MANIFEST_NAME",
    "checkpoint_file_name",
    "checkpoint_files",
    "read_manifest",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT_VERSION = 1
_CKPT_RE = re.compile(r"^ckpt-(\d+)\.pt$")
_SHA_RE = re.compile(r"[0-9a-f]{64}")


def checkpoint_file_name(step: int) -> str:
    """``ckpt-{step:08d}.pt``: numbered so that names sort by step."""
    return f"ckpt-{step:08d}.pt"


def checkpoint_files(folder: str | Path) -> list[tuple[int, Path]]:
    """``(step, path)`` of every checkpoint file in ``folder``, by step; [] when there is none."""
    folder = Path(folder)
    found: list[tuple[int, Path]] = []
    try:
        for path in folder.glob("ckpt-*.pt"):
            match = _CKPT_RE.match(path.name)
            if match and path.is_file():
                found.append((int(match.group(1)), path))
    except OSError:
        return []
    return sorted(found)


def _valid_entry(entry: Any) -> bool:
    """A manifest entry names a plain ckpt file in this folder (never a path elsewhere)."""
    if not isinstance(entry, dict):
        return False
    name, step, sha = entry.get("file"), entry.get("step"), entry.get("sha256")
    if not isinstance(name, str) or not _CKPT_RE.match(name):
        return False
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        return False
    if sha is not None and (not isinstance(sha, str) or not _SHA_RE.fullmatch(sha)):
        return False
    metrics = entry.get("metrics")
    return metrics is None or isinstance(metrics, dict)


def _entry(entry: dict) -> dict:
    return {
        "file": entry["file"],
        "step": entry["step"],
        "sha256": entry.get("sha256"),
        "metrics": entry.get("metrics"),
    }


def read_manifest(folder: str | Path) -> tuple[dict, str | None]:
    """The manifest of ``folder``, or one rebuilt from the files on disk plus a sentence why.

    The result always has ``format_version``, ``last``, ``best`` and ``checkpoints`` (oldest
    first, ``{"file", "step", "sha256", "metrics"}`` each). A manifest from a newer Attnscope
    raises CheckpointError: guessing at a format we do not know could lose a run.
    """
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _reconstruct(folder, "is missing")
    except (OSError, UnicodeDecodeError) as exc:
        return _reconstruct(folder, f"could not be read ({exc})")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return _reconstruct(folder, f"is damaged ({exc})")
    if not isinstance(data, dict):
        return _reconstruct(folder, "is damaged (not a JSON object)")
    version = data.get("format_version")
    if (
        isinstance(version, int)
        and not isinstance(version, bool)
        and version > MANIFEST_FORMAT_VERSION
    ):
        raise CheckpointError(
            f"{path} has format version {version}, newer than this version of "
            f"Attnscope understands ({MANIFEST_FORMAT_VERSION}); update Attnscope to use it"
        )
    checkpoints = data.get("checkpoints")
    last, best = data.get("last"), data.get("best")
    if (
        version != MANIFEST_FORMAT_VERSION
        or not isinstance(checkpoints, list)
        or not all(_valid_entry(e) for e in checkpoints)
        or not (last is None or _valid_entry(last))
        or not (best is None or _valid_entry(best))
    ):
        return _reconstruct(folder, "is damaged (unexpected content)")
    return {
        "format_version": MANIFEST_FORMAT_VERSION,
        "last": None if last is None else _entry(last),
        "best": None if best is None else _entry(best),
        "checkpoints": [_entry(e) for e in checkpoints],
    }, None


def _reconstruct(folder: Path, why: str) -> tuple[dict, str | None]:
    """A manifest listing the checkpoint files on disk (no checksums, no best)."""
    found = [
        {"file": path.name, "step": step, "sha256": None, "metrics": None}
        for step, path in checkpoint_files(folder)
    ]
    note = f"{MANIFEST_NAME} {why}"
    if found:
        note += f"; rebuilt the list from the {len(found)} checkpoint file(s) found"
        log.warning(
            "%s in %s; rebuilt the checkpoint list from %d file(s) on disk",
            MANIFEST_NAME + " " + why,
            folder,
            len(found),
        )
    elif why != "is missing":
        log.warning(
            "%s in %s and no checkpoint files were found", MANIFEST_NAME + " " + why, folder
        )
    manifest = {
        "format_version": MANIFEST_FORMAT_VERSION,
        "last": found[-1] if found else None,
        "best": None,
        "checkpoints": found,
    }
    return manifest, note if found else None
