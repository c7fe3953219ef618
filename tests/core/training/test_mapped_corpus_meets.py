"""Where the corpus cache (memory-mapped corpora) meets main's features: subword models in the
cache key, the duplicate-aware dev split from mapped pairs, and torchrun ranks that map one cache
entry and take disjoint, complete shares of every global batch."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import core.training.corpus_store
from core.config import ModelConfig, TokenizerConfig
from core.data.corpus import CorpusSpec, load_pairs, split_dev
from core.data.corpus_cache import cache_root
from core.data.mapped_pairs import MappedPairs
from core.data.pair_store import PairCollector
from core.data.rows import split_rows
from core.data.subword import WORD_START, subword_tokenizers, train_tokenizers
from core.data.tokenizer import tokenizers_for
from core.data.vocab import Vocab
from core.evaluation.dev_set import read_dev_set
from core.events import ReportEvent
from core.paths import AppPaths
from core.storage.model_folder import read_subword_models, read_vocabs
from core.training.corpus_store import read_corpus
from core.training.distributed import World
from core.training.run import train
from core.training.tokenizer_setup import subword_vocab
from tests.core.training import ddp_harness as h
from tests.toy import reverse_pair, toy_spec, train_config, write_reverse_corpus

REPO = Path(__file__).resolve().parents[3]
WORDS = TokenizerConfig("en", "en", tokenization="words")
SUBWORDS = TokenizerConfig("en", "en")  # the default: subwords
BPE = TokenizerConfig("en", "en", subword_type="bpe")
TINY = ModelConfig(emb_size=8, hidden_size=8, bidirectional=False)


def _subword_tokenizers(spec: CorpusSpec, cfg: TokenizerConfig = SUBWORDS):
    src = Path(spec.src_path).read_text(encoding="utf-8").splitlines()
    tgt = Path(spec.tgt_path).read_text(encoding="utf-8").splitlines()
    return train_tokenizers(src, tgt, cfg, 400)


def _duplicated_corpus(folder: Path, seed: int = 5) -> tuple[CorpusSpec, list[tuple[str, str]]]:
    rng = random.Random(seed)
    distinct = [reverse_pair(rng) for _ in range(80)]
    pairs = distinct + [distinct[i % 25] for i in range(120)]  # 25 pairs, 4 to 6 copies each
    rng.shuffle(pairs)
    folder.mkdir(parents=True, exist_ok=True)
    src, tgt = folder / "d.src", folder / "d.tgt"
    src.write_text("".join(s + "\n" for s, _ in pairs), encoding="utf-8")
    tgt.write_text("".join(t + "\n" for _, t in pairs), encoding="utf-8")
    return CorpusSpec(str(src), str(tgt)), pairs


# ---- subwords ----------------------------------------------------------------------------------
def test_a_cached_corpus_is_never_reused_with_another_subword_model_or_with_words(tmp_path):
    spec = toy_spec(tmp_path / "data", 300)
    cache = tmp_path / "cache"
    # another model under the same tokenizer settings (as a retrained model would be)
    small, large = _subword_tokenizers(spec), _subword_tokenizers(spec, BPE)
    assert small[0].model_proto != large[0].model_proto

    def read(toks, cfg=SUBWORDS):
        return read_corpus(spec, toks, cfg.to_dict(), 50, cache_dir=cache)

    first, again = read(small), read(_subword_tokenizers(spec))
    other, words = read(large), read(tokenizers_for(WORDS), WORDS)
    assert [r.cache["reused"] for r in (first, again, other, words)] == [False, True, False, False]
    assert len(list(cache_root(cache).iterdir())) == 3  # one entry per model, one for words
    # each store holds the tokens its own tokenizer cuts, read back from the maps
    line = Path(spec.src_path).read_text(encoding="utf-8").splitlines()[7]
    for read_back, toks in ((again, small), (other, large), (words, tokenizers_for(WORDS))):
        assert read_back.store.src.paths is not None  # mapped, not held in memory
        assert read_back.store.pair_tokens(7)[0] == toks[0].tokenize(line)
    assert any(t.startswith(WORD_START) for t in again.store.pair_tokens(7)[0])
    assert words.store.pair_tokens(7)[0] == line.split()


def test_a_subword_run_trains_from_the_mapped_corpus_and_reuses_it(tmp_path):
    spec = toy_spec(tmp_path / "data", 200)
    cfg = train_config(max_steps=2, valid_every=2, num_samples=0)
    events: list[list] = [[], []]
    for i in range(2):
        train(spec, tmp_path / f"m{i}", TINY, SUBWORDS, cfg, on_event=events[i].append)
    reports = [next(e.report for e in ev if isinstance(e, ReportEvent)) for ev in events]
    assert [r["cache"]["reused"] for r in reports] == [False, True]
    protos = [read_subword_models(tmp_path / f"m{i}") for i in range(2)]
    assert protos[0] == protos[1]  # the same model (trained from the same sample and seed)
    src_tok, tgt_tok = subword_tokenizers(SUBWORDS, protos[1])
    src_vocab, _ = read_vocabs(tmp_path / "m1")
    assert src_vocab.itos == subword_vocab(src_tok).itos  # every piece of the model
    # the entry the runs trained from holds this model's pieces (its key is the model's)
    read = read_corpus(spec, (src_tok, tgt_tok), SUBWORDS.to_dict(), cfg.max_len)
    assert read.cache["reused"] and read.store.src.paths is not None
    line = Path(spec.src_path).read_text(encoding="utf-8").splitlines()[0]
    assert read.store.pair_tokens(0)[0] == src_tok.tokenize(line)
    assert any(t.startswith(WORD_START) for t in read.store.pair_tokens(0)[0])


def test_tmx_and_tsv_corpora_go_through_the_same_cache(tmp_path):
    rng = random.Random(2)
    pairs = [reverse_pair(rng) for _ in range(60)]
    (tmp_path / "c.tsv").write_text("".join(f"{s}\t{t}\n" for s, t in pairs), encoding="utf-8")
    units = "".join(
        f'<tu><tuv xml:lang="en-US"><seg>{s}</seg></tuv>'
        f'<tuv xml:lang="de"><seg>{t}</seg></tuv></tu>\n'
        for s, t in pairs
    )
    units += '<tu><tuv xml:lang="en"><seg>no German</seg></tuv></tu>\n'
    (tmp_path / "c.tmx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en"/>'
        f"<body>\n{units}</body></tmx>\n",
        encoding="utf-8",
    )
    tsv = CorpusSpec(tsv_path=str(tmp_path / "c.tsv"))
    tmx = CorpusSpec(tmx_path=str(tmp_path / "c.tmx"), tmx_src_lang="en", tmx_tgt_lang="de")
    toks, cache = tokenizers_for(WORDS), tmp_path / "cache"
    reads = [read_corpus(spec, toks, WORDS.to_dict(), 50, cache_dir=cache) for spec in (tsv, tmx)]
    again = read_corpus(tmx, toks, WORDS.to_dict(), 50, cache_dir=cache)
    assert [r.cache["reused"] for r in (*reads, again)] == [False, False, True]
    assert all(r.store.src.paths is not None for r in (*reads, again))  # mapped, all three
    for store in (reads[1].store, again.store):
        assert len(store) == len(reads[0].store) == 60
        assert [store.pair_tokens(i) for i in range(60)] == [
            reads[0].store.pair_tokens(i) for i in range(60)
        ]
        assert np.array_equal(store.keys(), reads[0].store.keys())
    assert sum(again.report.dropped.values()) == sum(reads[1].report.dropped.values()) == 1


# ---- the duplicate-aware dev split ------------------------------------------------------------
def test_mapped_pairs_keys_and_split_equal_the_in_memory_path(tmp_path):
    spec, pairs = _duplicated_corpus(tmp_path / "data")
    toks = tokenizers_for(WORDS)
    memory = PairCollector()
    load_pairs(spec, toks[0].tokenize, toks[1].tokenize, 50, sink=memory)
    mapped = read_corpus(spec, toks, WORDS.to_dict(), 50, cache_dir=tmp_path / "cache").store
    assert mapped.src.paths is not None
    keys = memory.keys()
    assert np.array_equal(mapped.keys(), keys)  # the very same numbers
    for seed in range(4):
        want_train, want_dev = split_dev(list(range(len(pairs))), 0.1, 30, seed, keys)
        train_rows, dev_rows = split_rows(len(pairs), 0.1, 30, seed, mapped.keys())
        assert train_rows.tolist() == want_train and dev_rows.tolist() == want_dev
        dev_pairs = {pairs[i] for i in dev_rows}
        assert not dev_pairs & {pairs[i] for i in train_rows}  # no pair on both sides
    plain = split_rows(len(pairs), 0.1, 30, 0)
    assert plain[1].tolist() != split_rows(len(pairs), 0.1, 30, 0, keys)[1].tolist()


def test_pair_keys_are_the_same_in_another_process(tmp_path):
    """A cache entry's keys are written by one process and used by others: they must not depend
    on the process's string-hash seed."""
    spec, _ = _duplicated_corpus(tmp_path / "data")
    script = (
        "import sys; from core.data.corpus import CorpusSpec, load_pairs;"
        "from core.data.pair_store import PairCollector;"
        "c = PairCollector(); load_pairs(CorpusSpec(sys.argv[1], sys.argv[2]), str.split,"
        " str.split, 50, sink=c); print(c.keys().tolist())"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script, spec.src_path, spec.tgt_path],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and len(json.loads(outputs[0])) == 200


def test_a_run_from_the_cache_holds_out_the_same_dev_set_as_one_in_memory(tmp_path, monkeypatch):
    spec, pairs = _duplicated_corpus(tmp_path / "data")
    cfg = train_config(max_steps=1, dev_fraction=0.15, dev_max=40, num_samples=0)
    reports = []
    for name in ("built", "reused", "memory"):
        if name == "memory":  # the cache folder cannot be written: the old in-memory way
            monkeypatch.setattr(core.training.corpus_store, "_writable", lambda folder: False)
            monkeypatch.setenv("ATTNSCOPE_HOME", str(tmp_path / "other-home"))
        events: list = []
        train(spec, tmp_path / name, TINY, WORDS, cfg, on_event=events.append)
        reports.append(next(e.report for e in events if isinstance(e, ReportEvent)))
    assert [r["cache"]["reused"] for r in reports] == [False, True, False]
    assert reports[2]["cache"]["path"] is None
    assert not (cache_root(AppPaths.default().cache)).exists()
    dev_sets = [read_dev_set(tmp_path / name / "dev.tsv") for name in ("built", "reused", "memory")]
    assert dev_sets[0] == dev_sets[1] == dev_sets[2]
    repeats = len(pairs) - len(set(pairs))
    assert [r["duplicates"] for r in reports] == [repeats] * 3
    held = reports[0]["dev"]["held_out"]
    assert held == sum(pairs.count(p) for p in set(dev_sets[0]))  # every copy of a dev pair


# ---- two ranks ---------------------------------------------------------------------------------
class _CountingWords:
    """Whitespace tokens; counts its calls, so a rank that tokenized the corpus shows it."""

    def __init__(self) -> None:
        self.calls = 0

    def tokenize(self, text: str) -> list[str]:
        self.calls += 1
        return text.split()


def _rank_shares(world: World, spec: CorpusSpec, cache: str, results: str) -> None:
    toks = (_CountingWords(), _CountingWords())
    read = read_corpus(spec, toks, WORDS.to_dict(), 50, cache_dir=Path(cache), world=world)
    store = read.store
    train_rows, _ = split_rows(len(store), 0.05, 10, 1, store.keys())
    vocab = Vocab.from_counts(store.src.counts_except([]), 100, 1)
    pairs = MappedPairs(store, vocab, vocab, train_rows)
    shares = [[int(train_rows[i]) for i in b] for b in world.batches(pairs.lengths(), 8, seed=3)]
    result = {
        "tokenized": sum(t.calls for t in toks),
        "mapped": store.src.paths is not None,
        "entry": str(store.src.paths[0].parent) if store.src.paths else None,
        "reused": read.cache["reused"],
        "train_rows": train_rows.tolist(),
        "shares": shares,
    }
    Path(results, f"rank{world.rank}.json").write_text(json.dumps(result))


def test_two_ranks_map_one_cache_entry_and_take_disjoint_complete_shares(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    src, tgt = write_reverse_corpus(folder, 322)  # 10 held out: global batches of 16, the last 8
    spec = CorpusSpec(str(src), str(tgt))
    h.run_ranks(_rank_shares, 2, spec, str(tmp_path / "cache"), str(tmp_path))
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert [r["tokenized"] > 0 for r in ranks] == [True, False]  # rank 0 alone read the corpus
    assert all(r["mapped"] for r in ranks) and ranks[0]["entry"] == ranks[1]["entry"]
    assert [r["reused"] for r in ranks] == [False, True]
    assert ranks[0]["train_rows"] == ranks[1]["train_rows"]  # the same split on both ranks
    a, b = ranks[0]["shares"], ranks[1]["shares"]
    n_train = len(ranks[0]["train_rows"])
    assert n_train % 16 >= 2  # the last global batch has a pair for each rank: nothing skipped
    assert len(a) == len(b) == -(-n_train // 16)
    mine = [i for batch in a for i in batch]
    theirs = [i for batch in b for i in batch]
    assert not set(mine) & set(theirs)  # disjoint
    assert sorted(mine + theirs) == ranks[0]["train_rows"]  # complete: every pair once
    assert all(abs(len(x) - len(y)) <= 1 for x, y in zip(a, b))


@pytest.mark.parametrize("ranks", [2, 3])
def test_world_batches_from_mapped_lengths_match_the_list_version(ranks):
    rng = np.random.default_rng(4)
    lengths = rng.integers(1, 30, size=(501, 2)).astype(np.int32)
    whole = [b for b in World().batches(lengths, 12 * ranks, seed=2) if len(b) >= ranks]
    shares = [World(ranks, r).batches(lengths, 12, seed=2) for r in range(ranks)]
    assert all(len(s) == len(whole) for s in shares)
    for k, batch in enumerate(whole):
        assert sum((s[k] for s in shares), []) == batch
