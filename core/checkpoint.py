"""Crash-safe checkpoint files: atomic writes, safe loads, and a run folder that never loses work.

Why this module exists: ``torch.save`` straight onto the final name leaves a half-written file when
the process dies, the disk fills or Windows holds the file for a moment, and ``torch.load`` without
``weights_only=True`` runs whatever code a downloaded file carries. Everything here writes to a
temporary file in the destination folder and renames it into place, and loads with
``weights_only=True`` only. A manifest with a SHA-256 per file lets a resume detect a damaged
checkpoint and fall back to the previous good one, saying so.

No Qt here: the trainer, the CLI and the app all use it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import pickle
import re
import secrets
import time
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch

from core.errors import CheckpointError

log = logging.getLogger(__name__)

__all__ = [
    "CheckpointStore",
    "atomic_torch_save",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "clean_stray_temporaries",
    "ensure_plain_state",
    "safe_torch_load",
    "sha256_file",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT_VERSION = 1

#: Windows error codes that mean "someone (indexer, virus scanner, a reader) holds the file right
#: now": ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
_TRANSIENT_WINERRORS = frozenset({5, 32, 33})
#: How long os.replace keeps retrying a transient failure before giving up (seconds).
_REPLACE_RETRY_S = 2.0
_REPLACE_FIRST_DELAY_S = 0.01
_REPLACE_MAX_DELAY_S = 0.25

_TEMP_GLOB = ".*.tmp-*"
_TEMP_PID_RE = re.compile(r"\.tmp-(\d+)-[0-9a-f]+$")
_CKPT_RE = re.compile(r"^ckpt-(\d+)\.pt$")
_UNSAFE_GLOBAL_RE = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")
_CODE_OBJECT_RE = re.compile(r"GLOBAL|allowlist|safe_globals|unsupported class", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------

def _temp_name(path: Path) -> Path:
    """Hidden, unique, same folder: the rename is then atomic and a crash leaves a findable stray."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def _is_transient_replace_error(exc: OSError) -> bool:
    """Windows refuses a rename while another process has the file open; that passes in a moment."""
    return isinstance(exc, PermissionError) or getattr(exc, "winerror", None) in _TRANSIENT_WINERRORS


def _replace_with_retry(src: Path, dst: Path) -> None:
    """os.replace, retried with backoff for about 2 s on the errors an indexer causes on Windows."""
    deadline = time.monotonic() + _REPLACE_RETRY_S
    delay = _REPLACE_FIRST_DELAY_S
    attempt = 0
    while True:
        attempt += 1
        try:
            os.replace(src, dst)
            if attempt > 1:
                log.info("replaced %s after %d attempts", dst, attempt)
            return
        except OSError as exc:
            if not _is_transient_replace_error(exc) or time.monotonic() + delay > deadline:
                raise
            log.debug("os.replace(%s) failed (%s); retrying in %.2f s", dst, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, _REPLACE_MAX_DELAY_S)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no folder handles to fsync."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:  # pragma: no cover - depends on the file system
        log.debug("could not open folder %s to fsync it: %s", folder, exc)
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems (network, FUSE) refuse fsync on a folder
        log.debug("could not fsync folder %s: %s", folder, exc)
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # left for clean_stray_temporaries at the next start
        log.warning("could not remove temporary file %s: %s", path, exc)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: readers and crashes see the old or the new file.

    Raises CheckpointError (the original OSError chained) when anything fails; the file that was
    there before is then untouched and no temporary file is left behind.
    """
    path = Path(path)
    existed = path.exists()
    tmp = _temp_name(path)
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _replace_with_retry(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        reason = exc.strerror or str(exc) or type(exc).__name__
        tail = "The previous file is unchanged." if existed else "No file was written."
        raise CheckpointError(f"could not write {path}: {reason}. {tail}") from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(path.parent)


def atomic_write_text(path: str | Path, text: str) -> None:
    """UTF-8, written as given (no newline translation), atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> None:
    """Readable JSON (indented, non-ASCII kept, key order kept), atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


# --------------------------------------------------------------------------------------------
# torch save / load
# --------------------------------------------------------------------------------------------

_PLAIN_SCALARS = (bool, int, float, complex, str, bytes, bytearray, type(None),
                  torch.dtype, torch.device)
_PLAIN_CONTAINERS = (dict, OrderedDict, list, tuple, set, torch.Size)
_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)


def ensure_plain_state(obj: Any, where: str = "state") -> None:
    """Refuse, before anything is written, a value that ``weights_only=True`` could not load back.

    Why: a checkpoint that saves fine but is refused at resume loses the whole run. Types are
    checked exactly (a numpy array, numpy scalar, named tuple or custom class is refused), and the
    message names where the value sits, e.g. ``state['rng']['numpy'] is a numpy.ndarray``.
    """
    stack: list[tuple[Any, str]] = [(obj, where)]
    seen: set[int] = set()
    while stack:
        value, at = stack.pop()
        kind = type(value)
        if kind in _PLAIN_SCALARS or kind in _TENSOR_TYPES:
            continue
        if kind not in _PLAIN_CONTAINERS:
            name = f"{kind.__module__}.{kind.__qualname__}"
            raise CheckpointError(
                f"cannot save a checkpoint: {at} is a {name}; only tensors, numbers, strings, "
                "bools, None, lists, tuples, sets and dicts can be stored (convert it to plain data)")
        if id(value) in seen:  # shared (or cyclic) container: already checked
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, f"{at} key {key!r}"))
                stack.append((item, f"{at}[{key!r}]"))
        else:
            for index, item in enumerate(value):
                stack.append((item, f"{at}[{index}]"))


def _serialize(obj: Any) -> bytes:
    ensure_plain_state(obj)
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def atomic_torch_save(obj: Any, path: str | Path) -> None:
    """torch.save that never leaves a half-written file and only writes what loads safely back."""
    atomic_write_bytes(path, _serialize(obj))


_DAMAGE_ERRORS = (RuntimeError, EOFError, ValueError, zipfile.BadZipFile, pickle.UnpicklingError,
                  KeyError, IndexError, TypeError, AttributeError, UnicodeDecodeError)


def safe_torch_load(path: str | Path) -> Any:
    """Load on the CPU with ``weights_only=True``: a file carrying code is refused, never run.

    Every failure becomes a CheckpointError that says what is wrong in words: not found, refused
    as unsafe, or damaged/truncated (a cut-off zip reads as "failed finding central directory").
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise CheckpointError(f"{path} is not a file")
        raise CheckpointError(f"{path} not found")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise CheckpointError(f"{path} not found") from exc
    except OSError as exc:
        raise CheckpointError(f"could not read {path}: {exc.strerror or exc}") from exc
    except pickle.UnpicklingError as exc:
        text = str(exc)
        if _asks_for_code(text):
            found = _UNSAFE_GLOBAL_RE.search(text)
            detail = f" (it asks for {found.group(1)})" if found else ""
            raise CheckpointError(
                f"refused to load {path}: it contains Python objects other than tensors and plain "
                f"data, which could run code{detail}. Only open model files you trust, such as "
                "those Attnscope saved itself.") from exc
        raise CheckpointError(f"{path} is damaged or truncated ({_first_line(exc)})") from exc
    except _DAMAGE_ERRORS as exc:
        raise CheckpointError(f"{path} is damaged or truncated ({_first_line(exc)})") from exc


def _asks_for_code(text: str) -> bool:
    """Whether the weights-only unpickler stopped at a Python object (a global or a class), the
    sign of a file that could run code; other refusals ("Unsupported operand 205", "String is too
    long") are what random or cut-off bytes produce, so those count as damage."""
    if "Weights only load failed" not in text and "Unsupported global" not in text:
        return False
    detail = text.split("WeightsUnpickler error:", 1)[-1]
    return bool(_CODE_OBJECT_RE.search(detail))


def _first_line(exc: BaseException) -> str:
    """The error's gist, without torch's advice to retry with ``weights_only=False`` (which would
    run whatever code the file carries)."""
    text = str(exc)
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    first = first.split(" In PyTorch 2.6", 1)[0].strip()
    if len(first) > 100 and ". " in first:   # torch's long advice after the first sentence
        first = first.split(". ", 1)[0] + "."
    if len(first) < 8:      # e.g. a KeyError's bare "101": say what kind of error it was
        first = f"{type(exc).__name__} {first}".strip()
    return first


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256, read in 1 MiB chunks so a large model never sits in memory twice."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError as exc:
        raise CheckpointError(f"{path} not found") from exc
    except OSError as exc:
        raise CheckpointError(f"could not read {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Stray temporaries
# --------------------------------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    """Whether a process with this id runs now; unsure counts as alive (keeping a stray is harmless)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - Windows only; os.kill(pid, 0) would kill it there
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError):
        return False
    except OSError:
        return True
    return True


def _pid_alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    process_query_limited_information = 0x1000
    still_active = 259
    error_access_denied = 5
    try:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
        kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
        handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
        if not handle:
            return ctypes.get_last_error() == error_access_denied
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)
    except (OSError, AttributeError, OverflowError):
        return True


def clean_stray_temporaries(folder: str | Path) -> list[Path]:
    """Remove the ``.NAME.tmp-PID-RANDOM`` files a crash left behind; return what was removed.

    A temporary whose writer process still runs (this process included: another thread may be
    saving right now) is kept, so opening a run folder never breaks a save in progress.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for tmp in sorted(folder.glob(_TEMP_GLOB)):
        if not tmp.is_file() or tmp.is_symlink():
            continue
        match = _TEMP_PID_RE.search(tmp.name)
        if match and _pid_alive(int(match.group(1))):
            log.debug("keeping %s: its writer (pid %s) is running", tmp, match.group(1))
            continue
        try:
            tmp.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not remove stray temporary file %s: %s", tmp, exc)
            continue
        log.info("removed stray temporary file %s", tmp)
        removed.append(tmp)
    return removed


# --------------------------------------------------------------------------------------------
# Run folder with numbered checkpoints and a manifest
# --------------------------------------------------------------------------------------------

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


def _valid_entry(entry: Any) -> bool:
    """A manifest entry names a plain ckpt file in this folder (never a path elsewhere)."""
    if not isinstance(entry, dict):
        return False
    name, step, sha = entry.get("file"), entry.get("step"), entry.get("sha256")
    if not isinstance(name, str) or not _CKPT_RE.match(name):
        return False
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        return False
    if sha is not None and (not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha)):
        return False
    metrics = entry.get("metrics")
    return metrics is None or isinstance(metrics, dict)


def _entry(entry: dict) -> dict:
    return {"file": entry["file"], "step": entry["step"], "sha256": entry.get("sha256"),
            "metrics": entry.get("metrics")}


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
                f"could not create checkpoint folder {self.folder}: {exc.strerror or exc}") from exc
        clean_stray_temporaries(self.folder)

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST_NAME

    def file_for(self, step: int) -> Path:
        return self.folder / f"ckpt-{step:08d}.pt"

    # -- reading the manifest ---------------------------------------------------------------

    def _read_manifest(self) -> tuple[dict, str | None]:
        """The manifest, or one rebuilt from the files on disk plus a sentence saying why."""
        try:
            raw = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._reconstruct("is missing")
        except (OSError, UnicodeDecodeError) as exc:
            return self._reconstruct(f"could not be read ({exc})")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            return self._reconstruct(f"is damaged ({exc})")
        if not isinstance(data, dict):
            return self._reconstruct("is damaged (not a JSON object)")
        version = data.get("format_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > MANIFEST_FORMAT_VERSION:
            raise CheckpointError(
                f"{self.manifest_path} has format version {version}, newer than this version of "
                f"Attnscope understands ({MANIFEST_FORMAT_VERSION}); update Attnscope to use it")
        checkpoints = data.get("checkpoints")
        last, best = data.get("last"), data.get("best")
        if (version != MANIFEST_FORMAT_VERSION or not isinstance(checkpoints, list)
                or not all(_valid_entry(e) for e in checkpoints)
                or not (last is None or _valid_entry(last))
                or not (best is None or _valid_entry(best))):
            return self._reconstruct("is damaged (unexpected content)")
        return {"format_version": MANIFEST_FORMAT_VERSION,
                "last": None if last is None else _entry(last),
                "best": None if best is None else _entry(best),
                "checkpoints": [_entry(e) for e in checkpoints]}, None

    def _reconstruct(self, why: str) -> tuple[dict, str]:
        found = []
        for path in self.folder.glob("ckpt-*.pt"):
            match = _CKPT_RE.match(path.name)
            if match and path.is_file():
                found.append({"file": path.name, "step": int(match.group(1)), "sha256": None,
                              "metrics": None})
        found.sort(key=lambda e: e["step"])
        note = f"{MANIFEST_NAME} {why}"
        if found:
            note += f"; rebuilt the list from the {len(found)} checkpoint file(s) found"
            log.warning("%s in %s; rebuilt the checkpoint list from %d file(s) on disk",
                        MANIFEST_NAME + " " + why, self.folder, len(found))
        elif why != "is missing":
            log.warning("%s in %s and no checkpoint files were found", MANIFEST_NAME + " " + why,
                        self.folder)
        manifest = {"format_version": MANIFEST_FORMAT_VERSION,
                    "last": found[-1] if found else None, "best": None, "checkpoints": found}
        return manifest, note if found else None

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

    def save(self, state: dict, step: int, *, metrics: dict | None = None,
             is_best: bool = False) -> Path:
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
        data = _serialize(state)
        atomic_write_bytes(path, data)
        new = {"file": path.name, "step": step, "sha256": hashlib.sha256(data).hexdigest(),
               "metrics": _jsonable(metrics) if metrics is not None else None}

        best = new if is_best else old["best"]
        if best is not None and best is not new and best["file"] == new["file"]:
            best = None  # the old best file was just overwritten by a different state
        earlier = [e for e in old["checkpoints"] if e["step"] < step]
        dropped_future = [e for e in old["checkpoints"] if e["step"] > step]
        if dropped_future:
            log.warning("saving step %d after resuming from an earlier checkpoint; dropping later "
                        "checkpoint(s) %s", step, ", ".join(e["file"] for e in dropped_future))
        kept = (earlier + [new])[-self.keep_last:]
        if best is not None and all(e["file"] != best["file"] for e in kept):
            if (self.folder / best["file"]).is_file():
                kept.append(best)
            else:
                log.warning("best checkpoint %s is missing; forgetting it", best["file"])
                best = None
        kept.sort(key=lambda e: e["step"])
        manifest = {"format_version": MANIFEST_FORMAT_VERSION, "last": new, "best": best,
                    "checkpoints": kept}
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
        start = manifest["last"] or (manifest["checkpoints"][-1] if manifest["checkpoints"] else None)
        if start is None:
            raise CheckpointError(f"no usable checkpoint in {self.folder}: it holds no checkpoints")
        older = [e for e in manifest["checkpoints"]
                 if e["step"] < start["step"] and e["file"] != start["file"]]
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
                    f"no usable checkpoint in {self.folder}: it holds no checkpoints")
            start = manifest["last"] or others[0]
            note = "no best checkpoint is recorded; used the last one"
            manifest_note = f"{manifest_note}; {note}" if manifest_note else note
        else:
            start = best
        candidates = [start] + [e for e in others if e["file"] != start["file"]]
        return self._load_first_usable(candidates, "loaded", manifest_note)

    def _load_first_usable(self, candidates: list[dict], verb: str,
                           extra_note: str | None) -> tuple[dict, str | None]:
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
