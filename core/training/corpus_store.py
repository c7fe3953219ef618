"""A run's training corpus, tokenized: from the corpus cache when this corpus and these tokenizer
settings were read before, otherwise read once, streaming into a new cache entry.

Falls back to memory (today's way, fine for corpora that fit) only when the cache folder cannot
be created or written at all; a write that fails midway (a full disk) is a clear error instead,
since the corpus is then likely too large for memory too.

With several ranks (torchrun) the corpus is tokenized once: rank 0 opens or builds the entry
while the others wait, then each other rank opens it (on rank 0's machine: the very entry; on
another machine: its own, built from the same bytes and tokenizers under the same key). Every
rank then maps the files: no rank holds the corpus in memory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.cancel import CancelToken
from core.data.corpus import CorpusReport, CorpusSpec, fingerprint, load_pairs
from core.data.corpus_cache import CorpusCache, cache_key, cache_root
from core.data.pair_store import PairCollector, TokenStore
from core.errors import CoreError
from core.paths import AppPaths
from core.training.distributed import World

log = logging.getLogger(__name__)


@dataclass
class ReadCorpus:
    store: TokenStore
    report: CorpusReport
    fingerprint: str
    cache: dict  # how the cache was used, for the run's report: {"reused": bool, "path": str}


def read_corpus(
    spec: CorpusSpec,
    tokenizers: tuple,
    tokenizer_settings: dict,
    max_len: int | None,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelToken | None = None,
    cache_dir: Path | None = None,
    identity: tuple[str, ...] = (),
    world: World | None = None,
    **load_options: Any,
) -> ReadCorpus:
    """The tokenized corpus (see the module doc); ``tokenizers`` = (source, target) objects with
    ``tokenize(text) -> list[str]`` (a subword tokenizer's ``cache_identity()`` puts its model's
    hash into the key). ``identity``: more strings for the cache key, for whatever else decides
    the tokens; ``load_options`` go to ``load_pairs``. With a ``world`` of several ranks, every
    rank calls this (see the module doc); ranks whose corpus files differ from rank 0's are
    refused before anything is tokenized."""
    world = world or World()
    try:
        total = sum(os.path.getsize(f) for f in spec.files())
    except OSError:
        total = 0  # fingerprint() says, in words, what is wrong with the file
    if progress is not None and total:
        progress(0, total)  # hashing a large corpus takes a while: show that reading began
    fp = fingerprint(spec)
    world.require_same(
        fp,
        f"{spec.describe()}: the training files differ between the processes of this run "
        "(rank 0 read other bytes than some other rank); every machine needs the same corpus",
    )
    src_tok, tgt_tok = tokenizers

    def fill(collector: PairCollector) -> CorpusReport:
        _, report = load_pairs(
            spec,
            src_tok.tokenize,
            tgt_tok.tokenize,
            max_len,
            progress=progress,
            cancel=cancel,
            sink=collector,
            **load_options,
        )
        return report

    cache = CorpusCache(cache_root(cache_dir or AppPaths.default().cache))
    key = cache_key(fp, tokenizer_settings, max_len, [src_tok, tgt_tok, *identity])

    def mine() -> ReadCorpus:
        return _open_or_build(cache, key, fill, spec, fp, total, progress)

    if not world.active:
        return mine()
    first: list[ReadCorpus] = []
    world.from_main(lambda: first.append(mine()))  # its errors end every rank
    return first[0] if world.is_main else mine()


def _open_or_build(
    cache: CorpusCache,
    key: str,
    fill: Callable[[PairCollector], CorpusReport],
    spec: CorpusSpec,
    fp: str,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> ReadCorpus:
    opened = cache.open(key)
    if opened is not None:
        store, report = opened
        if progress is not None:
            progress(total, total)
        log.info("corpus read from the cache: %s", cache.root / key[:32])
        report = replace(report, files=spec.files())  # the same bytes may now live elsewhere
        return ReadCorpus(store, report, fp, {"reused": True, "path": str(cache.root)})
    if not _writable(cache.root):
        log.warning("cache folder %s is not writable: the corpus is held in memory", cache.root)
        collector = PairCollector()
        report = fill(collector)
        return ReadCorpus(collector.finish(), report, fp, {"reused": False, "path": None})
    try:
        store, report = cache.build(key, fill, spec.describe())
    except OSError as exc:
        raise CoreError(
            f"cannot write the tokenized corpus into the cache folder {cache.root}: "
            f"{exc.strerror or exc}. Free some space there (attnscope-cli cache --clear), "
            "or set ATTNSCOPE_HOME to a folder on a roomier disk"
        ) from exc
    return ReadCorpus(store, report, fp, {"reused": False, "path": str(cache.root)})


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)
