"""Exact duplicate pairs never straddle train and the automatic dev split, and are counted."""

from __future__ import annotations

import random

import numpy as np
import pytest

from core.config import ModelConfig, TokenizerConfig
from core.data.corpus import CorpusSpec, count_duplicates, split_dev
from core.data.corpus.pairs import group_ids
from core.data.pair_store import PairCollector
from core.errors import CorpusError
from core.evaluation.dev_set import read_dev_set
from core.events import ReportEvent
from core.training.run import train
from tests.toy import reverse_pair, train_config


def sides(items, keys, train, dev):
    where = {}
    for side, part in (("train", train), ("dev", dev)):
        for i in part:
            where.setdefault(keys[i], set()).add(side)
    return where


def test_without_duplicates_the_split_is_the_same_as_before():
    data = list(range(1000))
    assert split_dev(data, 0.05, 40, 7, keys=[f"k{i}" for i in data]) == split_dev(
        data, 0.05, 40, 7
    )


@pytest.mark.parametrize("as_array", [False, True])
def test_all_copies_of_a_pair_go_to_one_side(as_array):
    rng = random.Random(3)
    keys = [rng.randrange(300) for _ in range(1000)]  # ~1/3 of the rows repeat an earlier one
    data = list(range(1000))
    given = np.array(keys, dtype=np.int64) if as_array else keys
    train, dev = split_dev(data, 0.05, 50, seed=1, keys=given)
    assert all(len(s) == 1 for s in sides(data, keys, train, dev).values())
    assert sorted(train + dev) == data and set(train).isdisjoint(dev)
    assert 40 <= len(dev) <= 50
    assert split_dev(data, 0.05, 50, seed=1, keys=given) == (train, dev)
    # the plain split would have cut groups in two: the test needs duplicates that matter
    plain_train, plain_dev = split_dev(data, 0.05, 50, seed=1)
    assert any(len(s) == 2 for s in sides(data, keys, plain_train, plain_dev).values())


def test_a_pair_with_more_copies_than_the_dev_set_stays_in_training():
    keys = ["hello"] * 30 + [f"k{i}" for i in range(70)]
    train, dev = split_dev(list(range(100)), 0.05, 1000, seed=0, keys=keys)
    assert len(dev) == 5 and all(keys[i] != "hello" for i in dev)


def test_when_every_pair_has_many_copies_the_smallest_group_is_held_out():
    keys = ["a"] * 40 + ["b"] * 20 + ["c"] * 40
    train, dev = split_dev(list(range(100)), 0.05, 1000, seed=0, keys=keys)
    assert sorted(dev) == list(range(40, 60)) and len(train) == 80


def test_a_corpus_of_one_pair_repeated_cannot_be_split():
    with pytest.raises(CorpusError, match="every pair of the corpus is the same pair"):
        split_dev(list(range(10)), 0.2, 100, seed=0, keys=[7] * 10)


def test_mismatched_keys_are_a_bug():
    with pytest.raises(ValueError):
        split_dev([1, 2, 3], 0.5, 10, 0, keys=[1, 2])


def test_count_duplicates():
    assert count_duplicates([1, 2, 1, 1, 3]) == 2
    assert count_duplicates(np.array([5, 5, 6], dtype=np.int64)) == 1
    assert count_duplicates([]) == 0


def test_the_collector_keys_equal_pairs_equally():
    c = PairCollector()
    for src, tgt in [("a b", "x"), ("a", "b x"), ("a b", "x"), ("a b", "y"), ("a b", "x")]:
        c(src.split(), tgt.split())
    k = c.keys().tolist()
    assert k[0] == k[2] == k[4] and len({k[0], k[1], k[3]}) == 3
    assert count_duplicates(c.keys()) == 2


def test_a_training_run_keeps_duplicates_out_of_its_dev_set_and_reports_them(tmp_path):
    rng = random.Random(5)
    distinct = [reverse_pair(rng) for _ in range(60)]
    pairs = distinct + [distinct[i % 20] for i in range(90)]  # 20 pairs, each 4 or 5 times
    rng.shuffle(pairs)
    src, tgt = tmp_path / "c.src", tmp_path / "c.tgt"
    src.write_text("".join(s + "\n" for s, _ in pairs), encoding="utf-8")
    tgt.write_text("".join(t + "\n" for _, t in pairs), encoding="utf-8")
    events = []
    out = tmp_path / "model"
    train(
        CorpusSpec(src_path=str(src), tgt_path=str(tgt)),
        out,
        ModelConfig(emb_size=8, hidden_size=8, bidirectional=False),
        TokenizerConfig("en", "en"),
        train_config(max_steps=1, dev_fraction=0.2, dev_max=30, num_samples=0),
        on_event=events.append,
    )
    report = next(e.report for e in events if isinstance(e, ReportEvent))
    repeats = len(pairs) - len(set(pairs))
    assert repeats >= 90 and report["duplicates"] == repeats
    assert f"{repeats} pairs repeat an earlier pair exactly" in report["summary"]
    dev = set(read_dev_set(out / "dev.tsv"))
    held_out = report["dev"]["held_out"]
    assert 20 <= held_out <= 30 and len(dev) < held_out  # dev holds copies too
    counts = {p: pairs.count(p) for p in set(pairs)}
    n_dev_rows = sum(counts[p] for p in dev)
    assert n_dev_rows == held_out  # every copy of each dev pair is in dev, none in training


@pytest.mark.parametrize("n", [0, 1, 2, 1000])
def test_group_ids_of_an_array_are_numpys_unique_inverse(n):
    """Large corpora group their keys by one sort instead of ``np.unique``; the same numbers."""
    keys = np.random.default_rng(n).integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)
    keys[n // 2 :] = keys[: n - n // 2]  # half the rows repeat the other half
    want = np.unique(keys, return_inverse=True)[1].reshape(-1)
    assert group_ids(keys).tolist() == want.tolist()
    assert count_duplicates(keys) == n - len(np.unique(keys))
