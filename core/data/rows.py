"""The held-out dev split as index arrays, for corpora of millions of pairs."""

from __future__ import annotations

import random
from array import array

import numpy as np

from core.data.corpus.pairs import group_ids, grouped_dev


def split_rows(
    n: int,
    fraction: float,
    max_n: int,
    seed: int,
    keys: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, dev rows) of a corpus of ``n`` pairs, both sorted arrays (int32 below 2**31
    pairs: the train rows stay in memory for the whole run).

    Exactly ``core.data.corpus.split_dev(list(range(n)), ..., keys)`` (a test holds them together,
    so a run started before this function existed resumes with the same dev set), without a
    Python list of ``n`` ints: the shuffle runs over a compact array (about 0.7 µs a pair). With
    ``keys`` (one per pair, equal for equal pairs) every copy of a pair goes to the same side;
    ``groups`` = ``group_ids(keys)``, for a caller that has them already.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    if max_n < 0:
        raise ValueError(f"max_n must be >= 0, not {max_n}")
    if n < 2:
        return np.arange(n, dtype=np.int64), np.zeros(0, dtype=np.int64)
    n_dev = min(max_n, max(1, round(fraction * n)), n - 1)
    order = array("q", range(n))
    random.Random(seed).shuffle(order)
    if groups is None and keys is not None:
        groups = group_ids(np.asarray(keys))
    if groups is None:
        dev = np.sort(np.frombuffer(order, dtype=np.int64)[:n_dev])
    else:
        if len(groups) != n:
            raise ValueError(f"{len(groups)} keys for {n} pairs")
        dev = np.array(sorted(grouped_dev(order, groups, n_dev)), dtype=np.int64)
    del order
    keep = np.ones(n, dtype=bool)
    keep[dev] = False
    index_type = np.int32 if n < 2**31 else np.int64
    return np.flatnonzero(keep).astype(index_type), dev
