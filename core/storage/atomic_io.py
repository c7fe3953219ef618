"""Files replaced whole: atomic writes, checksums, and the temporaries a crash leaves behind.

Why this module exists: writing straight onto the final name leaves a half-written file when the
process dies, the disk fills or Windows holds the file for a moment. Everything here writes to a
hidden temporary file in the destination folder and renames it into place;
``clean_stray_temporaries`` removes the temporaries of writers that died. No torch here (the app's
GUI thread writes small JSON and text files with it), and no Qt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from core.errors import CheckpointError

log = logging.getLogger(__name__)

__all__ = [
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "clean_stray_temporaries",
    "sha256_file",
]

#: Windows error codes that mean "someone (indexer, virus scanner, a reader) holds the file right
#: now": ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
_TRANSIENT_WINERRORS = frozenset({5, 32, 33})
#: How long os.replace keeps retrying a transient failure before giving up (seconds).
_REPLACE_RETRY_S = 2.0
_REPLACE_FIRST_DELAY_S = 0.01
_REPLACE_MAX_DELAY_S = 0.25

_TEMP_GLOB = ".*.tmp-*"
_TEMP_PID_RE = re.compile(r"\.tmp-(\d+)-[0-9a-f]+$")


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------


def _temp_name(path: Path) -> Path:
    """Hidden, unique, same folder: the rename is then atomic and a crash leaves a findable
    stray."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def _is_transient_replace_error(exc: OSError) -> bool:
    """Windows refuses a rename while another process has the file open; that passes in a moment."""
    return (
        isinstance(exc, PermissionError) or getattr(exc, "winerror", None) in _TRANSIENT_WINERRORS
    )


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
    """Whether a process with this id runs now; unsure counts as alive (keeping a stray is
    harmless)."""
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
