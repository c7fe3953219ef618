"""Numbered resumable checkpoints in a run folder that never loses work.

Why this module exists: a resume must find the newest checkpoint that is intact and fall back to
the previous good one, saying so. Each checkpoint is written atomically (``core.storage.torch_io``),
and the manifest (``core.storage.manifest``) records a SHA-256 per file so damage is detected, not
loaded.

No Qt here: the trainer, the CLI and the app all use it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from core.errors import CheckpointError
from core.storage.atomic_io import (
    atomic_write_bytes,
    atomic_write_json,
    clean_stray_temporaries,
    sha256_file,
)
from core.storage.manifest import (
    MANIFEST_FORMAT_VERSION,
    MANIFEST_NAME,
    checkpoint_file_name,
    read_manifest,
)
from core.storage.torch_io import safe_torch_load, serialize_state

log = logging.getLogger(__name__)

__all__ = ["CheckpointStore"]


def _jsonable(value: Any) -> Any:
    """Metrics may hold tensors or numpy scalars; the manifest needs plain JSON values."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return _jsonable(item())
        except (TypeError, ValueError, RuntimeError):
            pass
    return str(value)


class CheckpointStore:
    """Numbered resumable checkpoints in a run folder, with a manifest naming last and best.

    Files are ``ckpt-{step:08d}.pt``; ``manifest.json`` lists them oldest to newest with a SHA-256
    each and names ``last`` and ``best`` (no symlinks: Windows needs admin rights for them). One
    writer per folder; any number of readers.
    """

    def __init__(self, folder: str | Path, keep_last: int = 2) -> None:
        if keep_last < 1:
            raise ValueError(f"keep_last must be at least 1, got {keep_last}")
        self.folder = Path(folder)
        self.keep_last = keep_last
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CheckpointError(
                f"could not create checkpoint folder {self.folder}: {exc.strerror or exc}"
            ) from exc
        clean_stray_temporaries(self.folder)

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST_NAME

    def file_for(self, step: int) -> Path:
        return self.folder / checkpoint_file_name(step)

    # -- reading the manifest ---------------------------------------------------------------

    def _read_manifest(self) -> tuple[dict, str | None]:
        """The manifest, or one rebuilt from the files on disk plus a sentence saying why."""
        return read_manifest(self.folder)

    def entries(self) -> list[dict]:
        """Checkpoints oldest to newest: ``{"file", "step", "sha256", "metrics"}`` each."""
        manifest, _ = self._read_manifest()
        return [dict(e) for e in manifest["checkpoints"]]

    def manifest(self) -> dict:
        """The whole manifest as it stands (rebuilt from disk when missing or damaged)."""
        return self._read_manifest()[0]

    def has_checkpoint(self) -> bool:
        return any((self.folder / e["file"]).is_file() for e in self.entries())

    # -- saving -----------------------------------------------------------------------------

    def save(
        self, state: dict, step: int, *, metrics: dict | None = None, is_best: bool = False
    ) -> Path:
        """Write checkpoint ``step`` atomically, then the manifest, then delete what fell out.

        Why this order: a crash at any point leaves a manifest whose files all exist. Kept are the
        newest ``keep_last`` checkpoints plus the best one. Saving a step at or below an existing
        one (training resumed from an earlier checkpoint) drops the later ones from the list: they
        belong to the abandoned continuation (unless one of them is the best).
        """
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise ValueError(f"step must be a non-negative int, got {step!r}")
        old, _ = self._read_manifest()
        path = self.file_for(step)
        data = serialize_state(state)
        atomic_write_bytes(path, data)
        new = {
            "file": path.name,
            "step": step,
            "sha256": hashlib.sha256(data).hexdigest(),
            "metrics": _jsonable(metrics) if metrics is not None else None,
        }

        best = new if is_best else old["best"]
        if best is not None and best is not new and best["file"] == new["file"]:
            best = None  # the old best file was just overwritten by a different state
        earlier = [e for e in old["checkpoints"] if e["step"] < step]
        dropped_future = [e for e in old["checkpoints"] if e["step"] > step]
        if dropped_future:
            log.warning(
                "saving step %d after resuming from an earlier checkpoint; dropping later "
                "checkpoint(s) %s",
                step,
                ", ".join(e["file"] for e in dropped_future),
            )
        kept = (earlier + [new])[-self.keep_last :]
        if best is not None and all(e["file"] != best["file"] for e in kept):
            if (self.folder / best["file"]).is_file():
                kept.append(best)
            else:
                log.warning("best checkpoint %s is missing; forgetting it", best["file"])
                best = None
        kept.sort(key=lambda e: e["step"])
        manifest = {
            "format_version": MANIFEST_FORMAT_VERSION,
            "last": new,
            "best": best,
            "checkpoints": kept,
        }
        atomic_write_json(self.manifest_path, manifest)

        still = {e["file"] for e in kept}
        for entry in old["checkpoints"]:
            if entry["file"] not in still:
                self._delete(entry["file"])
        return path

    def _delete(self, name: str) -> None:
        try:
            (self.folder / name).unlink()
            log.debug("deleted old checkpoint %s", name)
        except FileNotFoundError:
            pass
        except OSError as exc:  # e.g. held open on Windows; harmless, it is no longer referenced
            log.warning("could not delete old checkpoint %s: %s", self.folder / name, exc)

    # -- loading ----------------------------------------------------------------------------

    def load_last(self) -> tuple[dict, str | None]:
        """Newest usable checkpoint and a note when an older one had to stand in (or None)."""
        manifest, manifest_note = self._read_manifest()
        start = manifest["last"] or (
            manifest["checkpoints"][-1] if manifest["checkpoints"] else None
        )
        if start is None:
            raise CheckpointError(f"no usable checkpoint in {self.folder}: it holds no checkpoints")
        older = [
            e
            for e in manifest["checkpoints"]
            if e["step"] < start["step"] and e["file"] != start["file"]
        ]
        candidates = [start] + sorted(older, key=lambda e: e["step"], reverse=True)
        return self._load_first_usable(candidates, "resumed from", manifest_note)

    def load_best(self) -> tuple[dict, str | None]:
        """Best checkpoint (falling back to the others, newest first) and a note, or None."""
        manifest, manifest_note = self._read_manifest()
        others = sorted(manifest["checkpoints"], key=lambda e: e["step"], reverse=True)
        best = manifest["best"]
        if best is None:
            if not others and manifest["last"] is None:
                raise CheckpointError(
                    f"no usable checkpoint in {self.folder}: it holds no checkpoints"
                )
            start = manifest["last"] or others[0]
            note = "no best checkpoint is recorded; used the last one"
            manifest_note = f"{manifest_note}; {note}" if manifest_note else note
        else:
            start = best
        candidates = [start] + [e for e in others if e["file"] != start["file"]]
        return self._load_first_usable(candidates, "loaded", manifest_note)

    def _load_first_usable(
        self, candidates: list[dict], verb: str, extra_note: str | None
    ) -> tuple[dict, str | None]:
        problems: list[str] = []
        for entry in candidates:
            name = entry["file"]
            state, problem = self._try_load(entry)
            if problem is None:
                notes = [extra_note] if extra_note else []
                if problems:
                    notes.append("; ".join(problems) + f"; {verb} {name} instead")
                    log.warning("%s", notes[-1])
                return state, ("; ".join(notes) if notes else None)
            problems.append(problem)
        raise CheckpointError(f"no usable checkpoint in {self.folder}: " + "; ".join(problems))

    def _try_load(self, entry: dict) -> tuple[Any, str | None]:
        """(state, None) or (None, "checkpoint X is damaged (why)")."""
        name = entry["file"]
        path = self.folder / name
        if not path.is_file():
            return None, f"checkpoint {name} is missing"
        expected = entry.get("sha256")
        try:
            if expected is not None and sha256_file(path) != expected:
                return None, f"checkpoint {name} is damaged (sha256 mismatch)"
            state = safe_torch_load(path)
        except CheckpointError as exc:
            text = str(exc)
            if text.startswith("refused to load"):
                return None, f"checkpoint {name} was refused (it contains code-running objects)"
            if "damaged or truncated" in text:
                return None, f"checkpoint {name} is damaged (truncated or corrupt)"
            return None, f"checkpoint {name} is unusable ({text})"
        if not isinstance(state, dict):
            return None, f"checkpoint {name} is damaged (it does not hold a state dict)"
        return state, None
