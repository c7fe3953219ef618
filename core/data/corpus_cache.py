"""Tokenized corpora kept on disk between runs, in the user cache folder.

A run reads and tokenizes its corpus once; the provisional ids (``core.data.pair_store``) are
streamed into a folder named by a key over the corpus's content hash and everything that changes
tokens: the tokenizer settings, ``max_len`` (it decides which pairs are dropped) and each
tokenizer's identity. The next run of the same corpus and settings maps those files instead of
reading the corpus again. Vocabulary size and the dev split are not in the key: they are applied
to the cached ids, cheaply, at every run.

Safety: an entry is built in a ``.build-*`` folder and renamed into place only when complete, so a
crash or a cancel leaves nothing that is reused; opening checks every file's size against the
entry's ``entry.json``, and a torn entry is removed and built again. ``prune`` bounds the cache by
age and size; ``attnscope-cli cache`` lists and clears it.

Hook for tokenizers trained on data (sentencepiece): a tokenizer object with a
``cache_identity() -> str`` method (say, the SHA-256 of its model file's bytes) has that string in
the key, so a retrained model never meets ids made by another.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from core.data.corpus import CorpusReport
from core.data.pair_store import PairCollector, TokenStore

FORMAT = 2  # 2: pairs.keys (per-pair keys for the duplicate-aware dev split)
ENTRY_FILE = "entry.json"  # written last: an entry without it was never finished
BUILD_PREFIX = ".build-"
MAX_AGE_DAYS = 30.0  # entries unused this long are removed
MAX_BYTES = 20 * 10**9  # beyond this the least recently used entries go
STALE_BUILD_S = 24 * 3600.0  # build folders this old belong to a run that died
# renaming the finished build into place: Windows refuses it while an indexer or a virus scanner
# holds one of its files, which passes in a moment (as core.storage.atomic_io retries its renames)
PUBLISH_RETRY_S = 2.0


def cache_root(cache_dir: Path) -> Path:
    """Where corpora are cached under the app's cache folder (``AppPaths.cache``)."""
    return Path(cache_dir) / "corpora"


def tokenizer_identity(tokenizer: object) -> str:
    """What, beyond ``TokenizerConfig``, decides this tokenizer's output (see module doc); a
    string is taken as it is."""
    if isinstance(tokenizer, str):
        return tokenizer
    hook = getattr(tokenizer, "cache_identity", None)
    if callable(hook):
        return str(hook())
    kind = f"{type(tokenizer).__module__}.{type(tokenizer).__qualname__}"
    try:
        return f"{kind} sacremoses {metadata.version('sacremoses')}"
    except metadata.PackageNotFoundError:
        return kind


def cache_key(
    fingerprint: str, tokenizer_settings: dict[str, Any], max_len: int | None, tokenizers: list
) -> str:
    """Hex key of a tokenized corpus; any change to what makes its ids gives another key."""
    ident = {
        "format": FORMAT,
        "corpus": fingerprint,
        "tokenizer": tokenizer_settings,
        "max_len": max_len,
        "tokenizers": [tokenizer_identity(t) for t in tokenizers],
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One cached corpus, as ``attnscope-cli cache --list`` shows it."""

    key: str
    path: str
    bytes: int
    pairs: int
    description: str
    last_used: float  # seconds since the epoch


class CorpusCache:
    """The cached corpora under ``root`` (see the module doc)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _folder(self, key: str) -> Path:
        return self.root / key[:32]

    def open(self, key: str) -> tuple[TokenStore, CorpusReport] | None:
        """The cached store and report for ``key``, or None (nothing there, or a torn entry,
        which is removed)."""
        folder = self._folder(key)
        if not folder.is_dir():
            return None
        try:
            info = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
            if info.get("format") != FORMAT or info.get("key") != key:
                raise ValueError("another format or key")
            for name, size in info["files"].items():
                if (folder / name).stat().st_size != size:
                    raise ValueError(f"{name} has the wrong size")
            store = TokenStore.open(folder, info["pairs"])
            if any(side.rows != info["pairs"] for side in (store.src, store.tgt)):
                raise ValueError("row counts differ")
            report = _report(info["report"])
        except (OSError, ValueError, KeyError, TypeError):
            shutil.rmtree(folder, ignore_errors=True)
            return None
        os.utime(folder / ENTRY_FILE)  # last use, for pruning
        return store, report

    def build(
        self,
        key: str,
        fill: Callable[[PairCollector], CorpusReport],
        description: str = "",
    ) -> tuple[TokenStore, CorpusReport]:
        """Stream a corpus into a new entry: ``fill(collector)`` reads it (``load_pairs`` with
        ``sink=collector``) and returns its report. Published only once complete."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{BUILD_PREFIX}{key[:16]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        collector = PairCollector(tmp)
        try:
            report = fill(collector)
            collector.write()
            files = {p.name: p.stat().st_size for p in tmp.iterdir()}
            info = {
                "format": FORMAT,
                "key": key,
                "pairs": len(collector),
                "files": files,
                "report": report.to_dict(),
                "description": description,
                "created": time.time(),
            }
            _write_synced(tmp / ENTRY_FILE, json.dumps(info, ensure_ascii=False, indent=1))
            folder = self._folder(key)
            shutil.rmtree(folder, ignore_errors=True)  # a torn entry that open() did not see
            try:
                _publish(tmp, folder)
            except OSError:  # another run published the same key meanwhile: use either
                if not (folder / ENTRY_FILE).is_file():
                    raise
        finally:
            collector.close()
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        self.prune(keep=key)
        opened = self.open(key)
        if opened is None:
            raise OSError(f"the cache entry {self._folder(key)} could not be read back")
        return opened

    def entries(self) -> list[Entry]:
        """Finished entries, most recently used first."""
        out = []
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            try:
                info = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
                used = (folder / ENTRY_FILE).stat().st_mtime
            except (OSError, ValueError):
                continue
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            out.append(
                Entry(
                    str(info.get("key", folder.name)),
                    str(folder),
                    size,
                    int(info.get("pairs", 0)),
                    str(info.get("description", "")),
                    used,
                )
            )
        return sorted(out, key=lambda e: -e.last_used)

    def clear(self) -> tuple[int, int]:
        """Remove every entry and leftover build folder; returns (entries removed, bytes freed).
        A run using an entry keeps reading it (on Windows its files stay until it ends)."""
        removed = freed = 0
        for entry in self.entries():
            freed += entry.bytes
            removed += 1
            shutil.rmtree(entry.path, ignore_errors=True)
        for folder in self.root.glob(BUILD_PREFIX + "*") if self.root.is_dir() else ():
            shutil.rmtree(folder, ignore_errors=True)
        return removed, freed

    def prune(
        self,
        keep: str | None = None,
        max_bytes: int = MAX_BYTES,
        max_age_days: float = MAX_AGE_DAYS,
    ) -> list[str]:
        """Remove entries unused for ``max_age_days``, then the least recently used ones while
        the cache holds more than ``max_bytes``, and dead build folders; never ``keep``."""
        now, removed, total = time.time(), [], 0
        for entry in self.entries():
            if entry.key == keep:
                total += entry.bytes
            elif now - entry.last_used > max_age_days * 86400 or total + entry.bytes > max_bytes:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.key)
            else:
                total += entry.bytes
        for folder in self.root.glob(BUILD_PREFIX + "*"):
            try:
                if now - folder.stat().st_mtime > STALE_BUILD_S:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass
        return removed


def _report(data: dict[str, Any]) -> CorpusReport:
    """A CorpusReport from its ``to_dict()`` (fields it does not know are left out)."""
    names = {f.name for f in fields(CorpusReport)}
    return CorpusReport(**{k: v for k, v in data.items() if k in names})


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _publish(tmp: Path, folder: Path) -> None:
    """``os.replace(tmp, folder)``, retried with backoff for ``PUBLISH_RETRY_S`` on a
    ``PermissionError`` (Windows' sharing violation)."""
    deadline, delay = time.monotonic() + PUBLISH_RETRY_S, 0.01
    while True:
        try:
            os.replace(tmp, folder)
            return
        except PermissionError:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
