"""A training run's data before the vocabularies: the tokenized corpus (mapped from the corpus
cache), its report, and the dev set — held out of the corpus, copies of a pair kept together, or
read from dev files.

Kept apart from ``core.training.run`` (over its size already) and from ``corpus_store`` (which
reads and caches any corpus and knows nothing of dev sets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.cancel import CancelToken
from core.config import TokenizerConfig, TrainConfig
from core.data.corpus import CorpusSpec, load_pairs
from core.data.corpus.pairs import group_ids
from core.data.pair_store import TokenStore
from core.data.rows import split_rows
from core.errors import CoreError
from core.events import Event
from core.training.corpus_store import read_corpus
from core.training.distributed import World
from core.training.tokenizer_setup import RunTokenizers

Pair = tuple[list[str], list[str]]


@dataclass
class RunData:
    """What ``read_run_data`` gives the run. ``train_rows`` None: every row of ``store``."""

    store: TokenStore
    report: dict[str, Any]  # the corpus report event's content (device and precision come later)
    fingerprint: str
    train_rows: np.ndarray | None
    dev_rows: np.ndarray  # rows of ``store`` held out (empty with dev files)
    dev_pairs: list[Pair]


def read_run_data(
    spec: CorpusSpec,
    dev_spec: CorpusSpec | None,
    toks: RunTokenizers,
    tok_cfg: TokenizerConfig,
    cfg: TrainConfig,
    emit: Callable[[Event], None],
    cancel: CancelToken,
    world: World,
    threads: int,
) -> RunData:
    """Read (or map) the corpus and settle the dev set; every rank calls this and gets the same
    split (it depends on the seed and the pairs' keys only)."""
    read = read_corpus(
        spec,
        (toks.src, toks.tgt),
        tok_cfg.to_dict(),
        cfg.max_len,
        progress=toks.reading_progress(emit),
        cancel=cancel,
        world=world,
        batch=toks.batch_tokenizers(threads),
    )
    store, report = read.store, read.report
    n = len(store)
    train_rows: np.ndarray | None = None
    dev_rows = np.zeros(0, dtype=np.int64)
    if dev_spec is None:
        if n < 2:
            raise CoreError(
                f"{spec.describe()}: only {n} usable pair(s); "
                "at least 2 are needed to hold one out for validation"
            )
        groups = group_ids(store.keys())  # one small id per distinct pair: one sort, not two
        report.duplicates = n - (int(groups.max()) + 1)
        train_rows, dev_rows = split_rows(n, cfg.dev_fraction, cfg.dev_max, cfg.seed, groups=groups)
        del groups
        dev_pairs = [store.pair_tokens(int(i)) for i in dev_rows]
        dev_report: dict[str, Any] = {"held_out": len(dev_pairs)}
    else:
        dev_pairs, dev = load_pairs(
            dev_spec, toks.src.tokenize, toks.tgt.tokenize, None, cancel=cancel
        )
        dev_report = {**dev.to_dict(), "summary": dev.summary()}
    report_dict = report.to_dict()
    report_dict["summary"] = report.summary()
    if read.cache["reused"]:
        report_dict["summary"] += "\n(Tokenized earlier: taken from the corpus cache.)"
    report_dict["cache"] = read.cache
    report_dict["dev"] = dev_report
    return RunData(store, report_dict, read.fingerprint, train_rows, dev_rows, dev_pairs)
