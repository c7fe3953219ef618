"""The on-disk corpus cache: the same batches as the in-memory store, reuse across runs (no second
read), a new key for a changed corpus or tokenizer setting, torn entries rebuilt, cleaning."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import core.data.corpus_cache
import core.data.mapped_pairs
import core.data.pair_store
import core.training.corpus_store
from core.config import TokenizerConfig
from core.data.batching import batch_order, bucket_order, collate
from core.data.corpus import CorpusSpec, fingerprint, load_pairs, split_dev
from core.data.corpus_cache import ENTRY_FILE, CorpusCache, cache_key, cache_root
from core.data.mapped_pairs import MappedPairs
from core.data.pair_store import PairCollector
from core.data.rows import split_rows
from core.data.tokenizer import tokenizers_for
from core.data.vocab import Vocab
from core.errors import Cancelled, CoreError
from core.events import ReadingEvent, ReportEvent
from core.training.corpus_store import read_corpus
from tests.toy import write_reverse_corpus

TOK = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")  # words: tokens checked


class CountingTokenizer:
    """Splits on spaces and counts its calls: a read of the corpus shows as calls."""

    def __init__(self) -> None:
        self.calls = 0

    def tokenize(self, text: str) -> list[str]:
        self.calls += 1
        return text.split()


def _corpus(tmp_path: Path, n: int = 300, seed: int = 0) -> CorpusSpec:
    (tmp_path / "data").mkdir(exist_ok=True)
    src, tgt = write_reverse_corpus(tmp_path / "data", n, seed=seed)
    with open(src, "a", encoding="utf-8") as f:  # a few long, odd and unknown-word lines
        f.write("w1 " * 40 + "\nxx yy\n")
    with open(tgt, "a", encoding="utf-8") as f:
        f.write("W1 " * 55 + "\nYY\n")
    return CorpusSpec(str(src), str(tgt))


def _read(tmp_path: Path, spec: CorpusSpec, max_len: int | None = 50, tok=TOK):
    toks = (CountingTokenizer(), CountingTokenizer())
    read = read_corpus(spec, toks, tok.to_dict(), max_len, cache_dir=tmp_path / "cache")
    return read, sum(t.calls for t in toks)


def test_cached_store_gives_the_same_batches_as_the_in_memory_store(tmp_path, monkeypatch):
    # small chunks and frequent map renewals, so both are exercised many times over
    monkeypatch.setattr(core.data.pair_store, "_FLUSH_TOKENS", 37)
    monkeypatch.setattr(core.data.pair_store, "REFRESH_EVERY", 5)
    spec = _corpus(tmp_path)
    tok = CountingTokenizer()
    memory = PairCollector()
    load_pairs(spec, tok.tokenize, tok.tokenize, 50, sink=memory)
    read, _ = _read(tmp_path, spec)
    disk = read.store
    assert disk.src.paths is not None  # really mapped from files
    assert len(disk) == len(memory) == 301  # the pair with a 55-word target is dropped

    train_rows, dev_rows = split_rows(len(disk), 0.1, 20, seed=4)
    counts = disk.vocab_counts_except(dev_rows)
    assert counts == memory.vocab_counts(train_rows)
    src_vocab = Vocab.from_counts(counts[0], 10, 1)  # small: some tokens map to <unk>
    tgt_vocab = Vocab.from_counts(counts[1], 10, 1)

    before = memory.encode(src_vocab, tgt_vocab, train_rows)
    before_order = bucket_order(
        list(zip(before.src_len.tolist(), before.tgt_len.tolist())), 16, seed=9
    )
    mapped = MappedPairs(disk, src_vocab, tgt_vocab, train_rows)
    order = batch_order(mapped.lengths(), 16, seed=9)
    assert len(order) == len(before_order) == -(-len(train_rows) // 16)
    for k in range(len(order)):
        assert order[k] == before_order[k]
        a, b = collate(before, before_order[k]), collate(mapped, order[k])
        for name in ("src", "src_len", "tgt_in", "tgt_out"):
            assert torch.equal(getattr(a, name), getattr(b, name)), (k, name)
        assert a.n_tokens == b.n_tokens
    assert [disk.pair_tokens(int(r)) for r in dev_rows] == [
        memory.pair_tokens(int(r)) for r in dev_rows
    ]


def test_a_second_read_comes_from_the_cache_without_reading_the_corpus(tmp_path):
    spec = _corpus(tmp_path)
    first, calls_first = _read(tmp_path, spec)
    second, calls_second = _read(tmp_path, spec)
    assert calls_first == 2 * 302 - 1  # the over-long target is dropped untokenized
    assert calls_second == 0
    assert (first.cache["reused"], second.cache["reused"]) == (False, True)
    assert second.report.to_dict() == first.report.to_dict()
    assert second.fingerprint == first.fingerprint == fingerprint(spec)
    for i in (0, 150, 300):
        assert second.store.pair_tokens(i) == first.store.pair_tokens(i)


def test_training_twice_on_one_corpus_reads_it_once(tmp_path, monkeypatch):
    from core.config import ModelConfig
    from core.training.run import train
    from tests.toy import train_config

    spec = _corpus(tmp_path, n=60)
    reads = []
    real = core.training.corpus_store.load_pairs
    monkeypatch.setattr(
        core.training.corpus_store,
        "load_pairs",
        lambda *a, **k: reads.append(a[0]) or real(*a, **k),
    )
    model, cfg = ModelConfig(emb_size=8, hidden_size=8), train_config(max_steps=1, valid_every=1)
    first, second = [], []
    train(spec, tmp_path / "m1", model, TOK, cfg, on_event=first.append)
    train(spec, tmp_path / "m2", model, TOK, cfg, on_event=second.append)
    assert len(reads) == 1
    (report1,), (report2,) = (
        [e.report for e in ev if isinstance(e, ReportEvent)] for ev in (first, second)
    )
    assert (report1["cache"]["reused"], report2["cache"]["reused"]) == (False, True)
    assert "corpus cache" in report2["summary"] and "corpus cache" not in report1["summary"]
    size = sum(Path(f).stat().st_size for f in spec.files())
    reading = [(e.bytes_read, e.total_bytes) for e in second if isinstance(e, ReadingEvent)]
    assert reading == [(0, size), (size, size)]  # the progress bar starts and fills at once
    a, b = (json.loads((tmp_path / m / "model.json").read_text()) for m in ("m1", "m2"))
    assert a["corpus"]["fingerprint"] == b["corpus"]["fingerprint"]
    assert a["corpus"]["train_pairs"] == b["corpus"]["train_pairs"] > 0
    for name in ("vocab.src.json", "vocab.tgt.json", "dev.tsv"):
        assert (tmp_path / "m1" / name).read_bytes() == (tmp_path / "m2" / name).read_bytes()


def test_a_changed_corpus_or_tokenizer_setting_gives_a_new_key(tmp_path):
    spec = _corpus(tmp_path)
    fp = fingerprint(spec)
    tok = tokenizers_for(TOK)
    base = cache_key(fp, TOK.to_dict(), 50, list(tok))
    assert cache_key(fp, TOK.to_dict(), 50, list(tok)) == base
    changed = {
        cache_key("0" * 64, TOK.to_dict(), 50, list(tok)),
        cache_key(fp, {**TOK.to_dict(), "lowercase": True}, 50, list(tok)),
        cache_key(fp, {**TOK.to_dict(), "tgt_lang": "de"}, 50, list(tok)),
        cache_key(fp, TOK.to_dict(), 80, list(tok)),
        cache_key(fp, TOK.to_dict(), 50, [CountingTokenizer(), CountingTokenizer()]),
    }

    class Trained(CountingTokenizer):  # a tokenizer trained on data names its model's hash
        def __init__(self, model_hash: str) -> None:
            super().__init__()
            self.model_hash = model_hash

        def cache_identity(self) -> str:
            return self.model_hash

    changed |= {cache_key(fp, TOK.to_dict(), 50, [Trained(h), Trained(h)]) for h in "ab"}
    changed.add(cache_key(fp, TOK.to_dict(), 50, [*tok, "sha256 of the subword models"]))
    assert base not in changed and len(changed) == 8

    # end to end: one changed byte in the corpus, or lowercasing, reads the corpus again
    _, calls = _read(tmp_path, spec)
    assert calls > 0 and _read(tmp_path, spec)[1] == 0
    _, calls = _read(tmp_path, spec, tok=TokenizerConfig("en", "en", True, "words"))
    assert calls > 0
    src = Path(spec.src_path)
    src.write_bytes(src.read_bytes().replace(b"w1", b"w2", 1))
    _, calls = _read(tmp_path, spec)
    assert calls > 0
    assert len(CorpusCache(cache_root(tmp_path / "cache")).entries()) == 3


@pytest.mark.parametrize(
    "damage",
    ["truncate ids", "remove offsets", "remove entry.json", "garble entry.json", "grow types"],
)
def test_a_torn_entry_is_rebuilt_not_trusted(tmp_path, damage):
    spec = _corpus(tmp_path)
    first, _ = _read(tmp_path, spec)
    want = [first.store.pair_tokens(i) for i in range(len(first.store))]
    (folder,) = [Path(e.path) for e in CorpusCache(cache_root(tmp_path / "cache")).entries()]
    del first
    if damage == "truncate ids":
        data = (folder / "tgt.ids").read_bytes()
        (folder / "tgt.ids").write_bytes(data[: len(data) // 2])
    elif damage == "remove offsets":
        (folder / "src.offsets").unlink()
    elif damage == "remove entry.json":
        (folder / ENTRY_FILE).unlink()
    elif damage == "garble entry.json":
        (folder / ENTRY_FILE).write_text('{"format": 1, "key": ', encoding="utf-8")
    else:
        with open(folder / "src.types.json", "a", encoding="utf-8") as f:
            f.write(" ")
    again, calls = _read(tmp_path, spec)
    assert calls > 0 and again.cache["reused"] is False
    assert [again.store.pair_tokens(i) for i in range(len(again.store))] == want
    assert _read(tmp_path, spec)[1] == 0  # and the rebuilt entry is good


def test_a_failed_or_cancelled_build_leaves_nothing_behind(tmp_path):
    spec = _corpus(tmp_path)
    root = cache_root(tmp_path / "cache")

    class Cancelling(CountingTokenizer):
        def tokenize(self, text: str) -> list[str]:
            if self.calls == 100:
                raise Cancelled()
            return super().tokenize(text)

    with pytest.raises(Cancelled):
        read_corpus(spec, (Cancelling(), Cancelling()), TOK.to_dict(), 50, cache_dir=root.parent)
    assert list(root.iterdir()) == []
    assert _read(tmp_path, spec)[1] > 0  # nothing half-built was taken


@pytest.mark.parametrize("refusals, published", [(2, True), (10**6, False)])
def test_a_held_build_folder_is_renamed_once_released(tmp_path, monkeypatch, refusals, published):
    """Windows refuses the rename while an indexer holds a file of the build: retried for a
    moment, then a clear error (and no half entry) if it never passes."""
    spec = _corpus(tmp_path)
    real_replace, tries = os.replace, []

    def held(src, dst):
        tries.append(dst)
        if len(tries) <= refusals:
            raise PermissionError(13, "being used by another process")
        real_replace(src, dst)

    monkeypatch.setattr(core.data.corpus_cache, "PUBLISH_RETRY_S", 0.2)
    monkeypatch.setattr(core.data.corpus_cache.os, "replace", held)
    if published:
        read, _ = _read(tmp_path, spec)
        assert len(tries) == 3 and read.store.src.paths is not None
    else:
        with pytest.raises(CoreError, match="being used by another process"):
            _read(tmp_path, spec)
        monkeypatch.undo()
        assert list(cache_root(tmp_path / "cache").iterdir()) == []


def test_an_unwritable_cache_folder_falls_back_to_memory(tmp_path):
    spec = _corpus(tmp_path)
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    read, calls = _read(tmp_path, spec)
    assert calls > 0 and read.store.src.paths is None and read.cache["path"] is None
    assert len(read.store) == 301


def test_prune_by_age_and_size_and_clear(tmp_path):
    root = cache_root(tmp_path / "cache")
    specs = []
    for i in range(3):
        sub = tmp_path / f"c{i}"
        sub.mkdir()
        specs.append(_corpus(sub, n=100 + 50 * i, seed=i))
        _read(tmp_path, specs[-1])
    cache = CorpusCache(root)
    entries = cache.entries()
    assert len(entries) == 3 and all(e.bytes > 0 and e.pairs > 100 for e in entries)
    oldest = entries[-1]
    old = time.time() - 40 * 86400
    os.utime(Path(oldest.path) / ENTRY_FILE, (old, old))
    stale_build = root / ".build-dead"
    stale_build.mkdir()
    os.utime(stale_build, (old, old))
    assert cache.prune() == [oldest.key]
    assert not stale_build.exists()
    newest, second = cache.entries()
    assert cache.prune(keep=second.key, max_bytes=second.bytes) == [newest.key]
    assert [e.key for e in cache.entries()] == [second.key]
    assert cache.clear() == (1, second.bytes)
    assert cache.entries() == [] and list(root.iterdir()) == []
    assert _read(tmp_path, specs[0])[1] > 0  # cleared means read again


def test_split_rows_is_split_dev_without_a_list_per_pair():
    for n in (0, 1, 2, 3, 10, 997, 20_000):
        for fraction, max_n, seed in ((0.05, 40, 7), (0.3, 5000, 1), (0.01, 5, 0)):
            train, dev = split_rows(n, fraction, max_n, seed)
            want = split_dev(list(range(n)), fraction, max_n, seed)
            assert (train.tolist(), dev.tolist()) == want


def _old_bucket_order(lengths, batch_size, seed):
    """The Python implementation ``batch_order`` replaced, kept as the reference."""
    rng = random.Random(seed)
    keyed = sorted(range(len(lengths)), key=lambda i: (lengths[i][0], lengths[i][1], rng.random()))
    batches = [keyed[i : i + batch_size] for i in range(0, len(keyed), batch_size)]
    rng.shuffle(batches)
    return batches


@pytest.mark.parametrize(
    "n,batch_size,seed,longest",
    [(0, 8, 1, 9), (7, 3, 2, 3), (2000, 64, 5, 9), (3000, 7, 11, 900), (500, 1, 2**40, 80)],
)
def test_batch_order_is_the_old_bucket_order(n, batch_size, seed, longest):
    rng = random.Random(n)
    lengths = [(rng.randint(1, longest), rng.randint(1, longest)) for _ in range(n)]
    want = _old_bucket_order(lengths, batch_size, seed)
    order = batch_order(np.array(lengths, dtype=np.int32), batch_size, seed)
    assert [order[k] for k in range(len(order))] == want
    assert list(order[1::2]) == want[1::2]  # a rank's share, say


def test_cli_cache_lists_and_clears(tmp_path, capsys):
    from core.cli.parser import main
    from core.paths import AppPaths

    assert main(["cache"]) == 0
    assert "no cached corpora" in capsys.readouterr().out
    spec = _corpus(tmp_path)
    read_corpus(spec, tokenizers_for(TOK), TOK.to_dict(), 50)  # into the app's cache folder
    assert main(["cache", "--list"]) == 0
    out = capsys.readouterr().out
    assert "train.src + train.tgt" in out and "301 pairs" in out
    assert main(["cache", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["pairs"] == 301 and Path(entry["path"]).parent == cache_root(
        AppPaths.default().cache
    )
    assert main(["cache", "--clear"]) == 0
    assert capsys.readouterr().out.startswith(
        f"removed 1 cached corpus entry, {entry['bytes'] / 1e6:,.1f} MB"
    )
    assert not Path(entry["path"]).exists()
    with pytest.raises(SystemExit):
        main(["cache", "--list", "--clear"])


@pytest.mark.parametrize(
    "n,batch_size,n_ranks", [(103, 8, 2), (100, 10, 3), (7, 3, 4), (64, 64, 2)]
)
def test_a_rank_shard_is_its_contiguous_share_of_each_batch(n, batch_size, n_ranks):
    rng = random.Random(n)
    lengths = [(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(n)]
    whole = bucket_order(lengths, batch_size, seed=3)
    order = batch_order(lengths, batch_size, seed=3)
    for rank in range(n_ranks):
        want = [
            b[rank * len(b) // n_ranks : (rank + 1) * len(b) // n_ranks]
            for b in whole
            if len(b) >= n_ranks
        ]
        assert list(order.shard(rank, n_ranks)) == want
    shares = [order.shard(r, n_ranks) for r in range(n_ranks)]
    kept = [b for b in whole if len(b) >= n_ranks]
    assert [sum((s[k] for s in shares), []) for k in range(len(kept))] == kept


@pytest.mark.skipif(os.name == "nt", reason="Windows keeps open files from being removed")
def test_clearing_the_cache_under_a_running_run_leaves_it_readable(tmp_path, monkeypatch):
    monkeypatch.setattr(core.data.pair_store, "REFRESH_EVERY", 3)  # re-maps while we read
    spec = _corpus(tmp_path)
    read, _ = _read(tmp_path, spec)
    vocab = Vocab.from_counts(read.store.src.counts_except([]), 50)
    pairs = MappedPairs(read.store, vocab, vocab, None)
    before = [pairs[i][0].tolist() for i in range(40)]
    assert CorpusCache(cache_root(tmp_path / "cache")).clear()[0] == 1
    assert [pairs[i][0].tolist() for i in range(40)] == before
