"""core.data.corpus: every reading rule with an input that breaks the naive reader."""

from __future__ import annotations

import gzip
import json
import os
import tracemalloc
from pathlib import Path

import pytest

import core.data.corpus.files as corpus_files
import core.data.corpus.pairs as corpus_pairs
from core.cancel import CancelToken
from core.data.corpus import (
    CorpusReport,
    CorpusSpec,
    RawPair,
    count_lines,
    fingerprint,
    iter_raw_pairs,
    load_pairs,
    split_dev,
)
from core.data.tokenizer import Tokenizer
from core.errors import Cancelled, CorpusError

split = str.split


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def pair_spec(
    tmp_path: Path, src: bytes, tgt: bytes, names: tuple[str, str] = ("train.de", "train.en")
) -> CorpusSpec:
    return CorpusSpec(write(tmp_path, names[0], src), write(tmp_path, names[1], tgt))


def raw(spec: CorpusSpec) -> list[RawPair]:
    return list(iter_raw_pairs(spec))


def lines(n: int, prefix: str) -> bytes:
    return "".join(f"{prefix} {i}\n" for i in range(1, n + 1)).encode()


# ---------------------------------------------------------------- line splitting


def test_unicode_line_separators_stay_inside_one_line(tmp_path):
    # str.splitlines() would make 7 lines of these 4 (JoeyNMT's bug)
    src = "a\u2028b\nc\u0085d\ne\x0cf\ng\x1c\x1d\x1eh\n".encode()
    tgt = b"1\n2\n3\n4\n"
    spec = pair_spec(tmp_path, src, tgt)
    pairs = raw(spec)
    assert [p.tgt for p in pairs] == ["1", "2", "3", "4"]
    assert pairs[0].src == "a\u2028b"
    assert pairs[1].src == "c\u0085d"
    assert pairs[2].src == "e\x0cf"
    assert pairs[3].src == "g\x1c\x1d\x1eh"
    assert count_lines(spec.src_path) == 4


@pytest.mark.parametrize(
    "data, n",
    [
        (b"a\nb", 2),  # last line without newline counts
        (b"a\nb\n", 2),  # trailing newline adds no line
        (b"a\nb\n\n", 3),  # ...but a blank line before it does
        (b"\n", 1),
        (b"\xef\xbb\xbf\n", 1),
        (b"a\r\nb\r\n", 2),
    ],
)
def test_line_count_rules(tmp_path, data, n):
    path = write(tmp_path, "x.txt", data)
    assert count_lines(path) == n
    assert len(raw(CorpusSpec(path, write(tmp_path, "y.txt", data)))) == n


def test_count_lines_bom_alone_is_no_line(tmp_path):
    assert count_lines(write(tmp_path, "bom.txt", b"\xef\xbb\xbf")) == 0
    assert count_lines(write(tmp_path, "empty.txt", b"")) == 0
    assert count_lines(write(tmp_path, "bomx.txt", b"\xef\xbb\xbfx")) == 1


def test_count_lines_refuses_a_folder(tmp_path):
    with pytest.raises(CorpusError, match="is a folder"):
        count_lines(tmp_path)


def test_bom_is_stripped_so_first_token_is_the_word(tmp_path):
    spec = pair_spec(tmp_path, b"\xef\xbb\xbfHallo Welt\n", b"\xef\xbb\xbfHello world\n")
    tok = Tokenizer("de")
    pairs, _ = load_pairs(spec, tok.tokenize, Tokenizer("en").tokenize, None)
    assert pairs[0] == (["Hallo", "Welt"], ["Hello", "world"])


def test_bom_only_at_file_start_is_stripped(tmp_path):
    spec = pair_spec(tmp_path, b"\xef\xbb\xbfa\nb\n", b"x\ny\n")
    assert [p.src for p in raw(spec)] == ["a", "b"]


def test_crlf_leaves_no_carriage_return_in_tokens(tmp_path):
    spec = pair_spec(tmp_path, b"Guten Morgen\r\nDanke\r\n", b"Good morning\r\nThanks\r\n")
    pairs = raw(spec)
    assert [(p.src, p.tgt) for p in pairs] == [
        ("Guten Morgen", "Good morning"),
        ("Danke", "Thanks"),
    ]
    toks, _ = load_pairs(spec, Tokenizer("de").tokenize, Tokenizer("en").tokenize, None)
    assert all("\r" not in t for s, g in toks for t in s + g)


def test_reader_strips_exactly_one_trailing_cr(tmp_path):
    # sides are whitespace-stripped later anyway; the line reader itself keeps this promise
    reader = corpus_files.LineReader(write(tmp_path, "x.txt", b"a\r\nb\r\r\nc\r"))
    assert list(reader.lines()) == [b"a", b"b\r", b"c"]


def test_a_cr_inside_a_line_is_not_a_line_break(tmp_path):
    spec = pair_spec(tmp_path, b"a\rb\r\n", b"x\r\n")
    assert raw(spec)[0].src == "a\rb"


# ---------------------------------------------------------------- encodings and binary files


def test_invalid_utf8_names_file_line_and_byte(tmp_path):
    spec = pair_spec(tmp_path, b"ok\ncaf\xe9 au lait\n", b"ok\ncoffee\n")
    with pytest.raises(CorpusError) as err:
        raw(spec)
    e = err.value
    assert e.path == spec.src_path and e.line == 2 and e.byte == 4
    msg = str(e)
    assert f"{spec.src_path}:2:4:" in msg
    assert "not valid UTF-8" in msg and "0xE9" in msg and "column 4" in msg


def test_invalid_utf8_in_target_names_the_target(tmp_path):
    spec = pair_spec(tmp_path, b"a\nb\nc\n", b"a\nb\n\xff\n")
    with pytest.raises(CorpusError) as err:
        raw(spec)
    assert err.value.path == spec.tgt_path and err.value.line == 3 and err.value.byte == 1
    assert "0xFF" in str(err.value)


def test_invalid_utf8_column_counts_the_bom(tmp_path):
    spec = pair_spec(tmp_path, b"\xef\xbb\xbfab\xc3\n", b"x\n")
    with pytest.raises(CorpusError) as err:
        raw(spec)
    assert (err.value.line, err.value.byte) == (1, 6)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_recognised(tmp_path, encoding):
    spec = pair_spec(tmp_path, "Hallo Welt\nGuten Tag\n".encode(encoding), b"a\nb\n")
    with pytest.raises(CorpusError) as err:
        raw(spec)
    assert err.value.path == spec.src_path and err.value.line == 1
    assert "looks like UTF-16" in str(err.value) and "UTF-8" in str(err.value)


def test_nul_byte_is_reported_not_split(tmp_path):
    spec = pair_spec(tmp_path, b"a\nb\x00c\nd\n", b"1\n2\n3\n")
    with pytest.raises(CorpusError) as err:
        raw(spec)
    e = err.value
    assert e.path == spec.src_path and e.line == 2 and e.byte == 2
    assert f"{spec.src_path}:2:2:" in str(e) and "NUL byte" in str(e)


def test_compressed_file_is_recognised(tmp_path):
    spec = pair_spec(tmp_path, gzip.compress(b"a\nb\n"), b"a\nb\n")
    with pytest.raises(CorpusError, match="gzip"):
        raw(spec)


# ---------------------------------------------------------------- file problems


def test_missing_file(tmp_path):
    spec = CorpusSpec(str(tmp_path / "nope.de"), write(tmp_path, "b.en", b"x\n"))
    with pytest.raises(CorpusError) as err:
        iter_raw_pairs(spec)  # refused at once, before any pair
    assert err.value.path == spec.src_path and "file not found" in str(err.value)
    assert "nope.de" in str(err.value)


def test_missing_target_names_the_target(tmp_path):
    spec = CorpusSpec(write(tmp_path, "a.de", b"x\n"), str(tmp_path / "missing.en"))
    with pytest.raises(CorpusError, match="missing.en: file not found"):
        load_pairs(spec, split, split, None)


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "dir.tsv").mkdir()
    with pytest.raises(CorpusError, match="is a folder, not a file"):
        iter_raw_pairs(CorpusSpec(tsv_path=str(tmp_path / "dir.tsv")))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX, non-root")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "locked.tsv", b"a\tb\n")
    os.chmod(path, 0)
    try:
        with pytest.raises(CorpusError, match="permission denied"):
            list(iter_raw_pairs(CorpusSpec(tsv_path=path)))
    finally:
        os.chmod(path, 0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    # the real chmod test is skipped as root; simulate the refusal the OS would give
    path = write(tmp_path, "locked.tsv", b"a\tb\n")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(corpus_files, "open", deny, raising=False)
    with pytest.raises(CorpusError, match="locked.tsv: cannot be read: permission denied"):
        list(iter_raw_pairs(CorpusSpec(tsv_path=path)))


def test_read_error_midway_names_the_line(tmp_path, monkeypatch):
    path = write(tmp_path, "p.tsv", b"a\tb\nc\td\n")
    real_open = open

    class Flaky:
        def __init__(self, f):
            self.f, self.reads = f, 0

        def read(self, n=-1):
            self.reads += 1
            if self.reads > 2:
                raise OSError(5, "Input/output error")
            return self.f.read(n)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(corpus_files, "_CHUNK", 4)
    monkeypatch.setattr(corpus_files, "open", lambda p, m: Flaky(real_open(p, m)), raising=False)
    with pytest.raises(CorpusError, match=r"p.tsv:2: reading failed \(Input/output error\)"):
        list(iter_raw_pairs(CorpusSpec(tsv_path=path)))


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, data):
    spec = pair_spec(tmp_path, b"a\n", data)
    with pytest.raises(CorpusError) as err:
        list(iter_raw_pairs(spec))
    assert err.value.path == spec.tgt_path and "is empty" in str(err.value)


def test_empty_tsv(tmp_path):
    with pytest.raises(CorpusError, match="is empty"):
        load_pairs(CorpusSpec(tsv_path=write(tmp_path, "p.tsv", b"")), split, split, None)


def test_different_line_counts_name_both_files_and_counts(tmp_path):
    spec = pair_spec(tmp_path, lines(1000, "de"), lines(998, "en"))
    with pytest.raises(CorpusError) as err:
        load_pairs(spec, split, split, None)
    msg = str(err.value)
    assert "train.de has 1,000 lines but train.en has 998" in msg
    assert "line-aligned" in msg


def test_mismatch_fails_before_any_tokenizing(tmp_path):
    def never(text: str) -> list[str]:
        raise AssertionError("tokenized a misaligned corpus")

    spec = pair_spec(tmp_path, lines(5, "de"), lines(4, "en"))
    with pytest.raises(CorpusError, match="train.de has 5 lines but train.en has 4"):
        load_pairs(spec, never, never, None)


def test_line_count_mismatch_when_source_is_shorter(tmp_path):
    spec = pair_spec(tmp_path, b"a\n", b"x\ny\nz\n")
    with pytest.raises(CorpusError, match="train.de has 1 line but train.en has 3"):
        raw(spec)


def test_mismatch_counts_the_longer_file_without_decoding_it(tmp_path):
    # the tail of the longer file is only counted, so its bad bytes do not hide the real problem
    spec = pair_spec(tmp_path, b"a\nb\n\xff\xfe\x00junk\nmore\n", b"x\ny\n")
    with pytest.raises(CorpusError, match="train.de has 4 lines but train.en has 2"):
        raw(spec)


def test_mismatch_with_same_basenames_shows_folders(tmp_path):
    spec = pair_spec(tmp_path, b"a\nb\n", b"x\n", names=("de/train.txt", "en/train.txt"))
    with pytest.raises(CorpusError) as err:
        raw(spec)
    want = (
        f"{os.path.join('de', 'train.txt')} has 2 lines but {os.path.join('en', 'train.txt')} has 1"
    )
    assert want in str(err.value)


def test_overlong_line_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_files, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(corpus_files, "_CHUNK", 16)
    spec = pair_spec(tmp_path, b"ok\n" + b"x" * 500 + b"\n", b"a\nb\n")
    with pytest.raises(CorpusError) as err:
        raw(spec)
    assert err.value.line == 2 and "longer than" in str(err.value)


# ---------------------------------------------------------------- TSV


def test_tsv_extra_columns_and_whitespace(tmp_path):
    spec = CorpusSpec(
        tsv_path=write(tmp_path, "p.tsv", b"  Hallo \t Hello  \tCC-BY\tscore 0.9\nJa\tYes\n")
    )
    assert raw(spec) == [RawPair(1, "Hallo", "Hello"), RawPair(2, "Ja", "Yes")]


def test_tsv_line_without_tab_is_dropped_and_counted(tmp_path):
    data = b"a\tA\nno tab here\nb\tB\nnor here\n\nc\t\n"
    spec = CorpusSpec(tsv_path=write(tmp_path, "p.tsv", data))
    pairs, report = load_pairs(spec, split, split, None)
    assert pairs == [(["a"], ["A"]), (["b"], ["B"])]
    assert report.pairs_read == 6
    assert report.dropped == {"too few columns": 2, "empty pair": 1, "empty target": 1}
    assert report.examples["too few columns"] == [2, 4]
    assert report.examples["empty pair"] == [5]
    assert report.examples["empty target"] == [6]


def test_tsv_with_no_tab_anywhere_fails_with_hint(tmp_path):
    spec = CorpusSpec(tsv_path=write(tmp_path, "p.tsv", b"a b\nc d\n"))
    with pytest.raises(CorpusError) as err:
        load_pairs(spec, split, split, None)
    msg = str(err.value)
    assert "no usable sentence pairs left" in msg and "2 too few columns" in msg
    assert "source<TAB>target" in msg


def test_iter_raw_pairs_counts_tsv_skips_into_report(tmp_path):
    spec = CorpusSpec(tsv_path=write(tmp_path, "p.tsv", b"a\tb\nbad\n"))
    report = CorpusReport(files=spec.files())
    assert list(iter_raw_pairs(spec, report)) == [RawPair(1, "a", "b")]
    assert report.pairs_read == 2 and report.examples == {"too few columns": [2]}


# ---------------------------------------------------------------- dropping pairs


def test_empty_target_line_drops_the_pair_and_keeps_alignment(tmp_path):
    src = lines(6, "s")
    tgt = b"t 1\nt 2\n\nt 4\nt 5\nt 6\n"
    pairs, report = load_pairs(pair_spec(tmp_path, src, tgt), split, split, None)
    assert pairs == [(["s", str(i)], ["t", str(i)]) for i in (1, 2, 4, 5, 6)]
    assert report.dropped == {"empty target": 1} and report.examples == {"empty target": [3]}


def test_empty_source_and_empty_pair(tmp_path):
    src = b"a\n   \n\nd\n"
    tgt = b"A\nB\n \t\n\n"
    pairs, report = load_pairs(pair_spec(tmp_path, src, tgt), split, split, None)
    assert pairs == [(["a"], ["A"])]
    assert report.dropped == {"empty source": 1, "empty pair": 1, "empty target": 1}
    assert report.examples == {"empty source": [2], "empty pair": [3], "empty target": [4]}


def test_side_the_tokenizer_empties_is_dropped(tmp_path):
    # sacremoses drops control characters: "\x01" tokenizes to []
    spec = pair_spec(tmp_path, b"ok\n\x01\n", b"ok\nfine\n")
    pairs, report = load_pairs(spec, Tokenizer("en").tokenize, Tokenizer("en").tokenize, None)
    assert pairs == [(["ok"], ["ok"])] and report.dropped == {"empty source": 1}


def test_length_filter_uses_tokenized_length(tmp_path):
    chars = list  # one token per character
    spec = pair_spec(tmp_path, b"abc\nabcd\nab\n", b"xyz\nx\nwxyz\n")
    pairs, report = load_pairs(spec, chars, chars, 3)
    assert pairs == [(["a", "b", "c"], ["x", "y", "z"])]
    assert report.dropped == {"too long": 2} and report.examples == {"too long": [2, 3]}
    assert load_pairs(spec, split, split, 3)[1].pairs_kept == 3  # whitespace tokens: all short


def test_nothing_left_after_length_filter(tmp_path):
    spec = pair_spec(tmp_path, b"a b c\nd e f\n", b"x y z\nu v w\n")
    with pytest.raises(CorpusError) as err:
        load_pairs(spec, split, split, 2)
    msg = str(err.value)
    assert err.value.path == spec.src_path
    assert "no usable sentence pairs left" in msg and "all 2 pairs" in msg
    assert "2 too long, over 2 tokens (lines 1, 2)" in msg
    assert "Raise the maximum sentence length (now 2 tokens)" in msg


def test_nothing_left_all_empty(tmp_path):
    spec = pair_spec(tmp_path, b"\n\n", b"x\n\n")
    with pytest.raises(CorpusError) as err:
        load_pairs(spec, split, split, None)
    assert "1 empty source (line 1)" in str(err.value) and "1 empty pair (line 2)" in str(err.value)


def test_bad_max_len_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        load_pairs(pair_spec(tmp_path, b"a\n", b"b\n"), split, split, 0)


# ---------------------------------------------------------------- report


def test_report_counts_examples_summary_and_json(tmp_path):
    src = b"\n" * 7 + b"a b c d\n" * 3 + b"ok\n" * 10
    tgt = b"x\n" * 20
    pairs, report = load_pairs(pair_spec(tmp_path, src, tgt), split, split, 3)
    assert len(pairs) == report.pairs_kept == 10
    assert report.pairs_read == 20
    assert report.pairs_read == report.pairs_kept + sum(report.dropped.values())
    assert report.dropped == {"empty source": 7, "too long": 3}
    assert report.examples == {"empty source": [1, 2, 3, 4, 5], "too long": [8, 9, 10]}
    text = report.summary()
    assert text.splitlines() == [
        "Read 20 pairs from train.de + train.en; kept 10; dropped 10:",
        "  7 empty source (lines 1, 2, 3, 4, 5, ...)",
        "  3 too long, over 3 tokens (lines 8, 9, 10)",
    ]
    data = json.loads(json.dumps(report.to_dict()))
    assert data["pairs_read"] == 20 and data["pairs_dropped"] == 10
    assert data["examples"]["empty source"] == [1, 2, 3, 4, 5]
    assert data["files"] == [str(tmp_path / "train.de"), str(tmp_path / "train.en")]


def test_summary_when_nothing_dropped_uses_thousands_separators():
    report = CorpusReport(files=["/x/a.tsv"], pairs_read=1234, pairs_kept=1234)
    assert report.summary() == "Read 1,234 pairs from a.tsv; kept all 1,234."


# ---------------------------------------------------------------- spec


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({}, "no corpus chosen"),
        ({"src_path": "", "tgt_path": "", "tsv_path": ""}, "no corpus chosen"),
        ({"src_path": "a.de"}, "needs a matching target"),
        ({"tgt_path": "a.en"}, "needs a matching source"),
        ({"src_path": "a.de", "tgt_path": "a.en", "tsv_path": "p.tsv"}, "not several"),
        ({"src_path": "a.de", "tsv_path": "p.tsv"}, "not several"),
        ({"src_path": "a.de", "tgt_path": "./a.de"}, "same file"),
    ],
)
def test_spec_validation(kwargs, needle):
    with pytest.raises(CorpusError, match=needle):
        CorpusSpec(**kwargs).validate()


def test_spec_files_and_describe():
    pair = CorpusSpec("/d/train.de", "/d/train.en")
    assert pair.files() == ["/d/train.de", "/d/train.en"]
    assert pair.describe() == "train.de + train.en"
    tsv = CorpusSpec(tsv_path="/d/pairs.tsv")
    assert tsv.files() == ["/d/pairs.tsv"] and tsv.describe() == "pairs.tsv"
    assert CorpusSpec().describe() == "no corpus"
    assert CorpusSpec(Path("/d/a.txt"), Path("/e/b.txt")).files() == ["/d/a.txt", "/e/b.txt"]


# ---------------------------------------------------------------- dev split


def test_split_dev_is_deterministic_disjoint_and_ordered():
    data = list(range(1000))
    train, dev = split_dev(data, 0.05, 40, seed=7)
    assert len(dev) == 40 and len(train) == 960
    assert set(train).isdisjoint(dev) and sorted(train + dev) == data
    assert train == sorted(train) and dev == sorted(dev)
    assert split_dev(data, 0.05, 40, seed=7) == (train, dev)
    assert split_dev(data, 0.05, 40, seed=8)[1] != dev


@pytest.mark.parametrize(
    "n, fraction, max_n, want",
    [
        (100, 0.1, 1000, 10),  # round(fraction * n)
        (100, 0.1, 5, 5),  # capped by max_n
        (10, 0.01, 100, 1),  # at least one
        (2, 0.9, 100, 1),  # never the whole corpus
        (1, 0.5, 100, 0),  # too small to split
        (0, 0.5, 100, 0),
        (50, 0.5, 0, 0),
    ],
)
def test_split_dev_sizes(n, fraction, max_n, want):
    train, dev = split_dev(list(range(n)), fraction, max_n, seed=0)
    assert len(dev) == want and len(train) == n - want


def test_split_dev_rejects_bad_fraction():
    with pytest.raises(ValueError):
        split_dev([1, 2, 3], 1.5, 10, 0)


# ---------------------------------------------------------------- fingerprint


def test_fingerprint_changes_with_one_byte(tmp_path):
    spec = pair_spec(tmp_path, b"Hallo\nWelt\n", b"Hello\nworld\n")
    before = fingerprint(spec)
    assert before == fingerprint(spec) and len(before) == 64
    Path(spec.tgt_path).write_bytes(b"Hello\nWorld\n")
    assert fingerprint(spec) != before


def test_fingerprint_ignores_folder_but_not_name_or_form(tmp_path):
    a = pair_spec(tmp_path / "one", b"x\n", b"y\n")
    b = pair_spec(tmp_path / "two", b"x\n", b"y\n")
    assert fingerprint(a) == fingerprint(b)
    c = pair_spec(tmp_path / "three", b"x\n", b"y\n", names=("train.fr", "train.en"))
    assert fingerprint(c) != fingerprint(a)
    swapped = CorpusSpec(a.tgt_path, a.src_path)
    assert fingerprint(swapped) != fingerprint(a)


def test_fingerprint_of_missing_file(tmp_path):
    with pytest.raises(CorpusError, match="file not found"):
        fingerprint(CorpusSpec(tsv_path=str(tmp_path / "gone.tsv")))


# ---------------------------------------------------------------- streaming, progress, cancel


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_chunk_boundaries_do_not_change_the_result(tmp_path, monkeypatch, chunk):
    src = "\ufeffa b\r\n\nc\u2028d\r\ne\n\nf".encode()  # starts with a UTF-8 BOM
    tgt = b"1\r\n2\n3\n\n5\n6"
    spec = pair_spec(tmp_path, src, tgt)
    want = raw(spec)
    want_n = count_lines(spec.src_path)
    monkeypatch.setattr(corpus_files, "_CHUNK", chunk)
    assert raw(spec) == want
    assert count_lines(spec.src_path) == want_n == 6


def test_reading_streams_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_files, "_CHUNK", 64 * 1024)
    line = b"w " * (128 * 1024) + b"\n"  # 256 KiB per line
    path = write(tmp_path, "big.de", line * 40)  # 10 MiB
    spec = CorpusSpec(path, write(tmp_path, "big.en", b"x\n" * 40))
    tracemalloc.start()
    try:
        n = sum(1 for _ in iter_raw_pairs(spec))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 40
    assert peak < 3 * 1024 * 1024, peak


def test_progress_is_throttled_monotonic_and_ends_at_total(tmp_path, monkeypatch):
    spec = pair_spec(tmp_path, lines(50, "s"), lines(50, "t"))
    total = os.path.getsize(spec.src_path) + os.path.getsize(spec.tgt_path)
    calls: list[tuple[int, int]] = []

    monkeypatch.setattr(corpus_pairs, "_CHECK_EVERY", 1)
    load_pairs(spec, split, split, None, progress=lambda a, b: calls.append((a, b)))
    assert calls == [(0, total), (total, total)]  # the clock did not move 0.1 s: no middle calls

    ticks = iter(range(10_000))
    monkeypatch.setattr(corpus_pairs, "_clock", lambda: next(ticks) * 1.0)
    calls.clear()
    load_pairs(spec, split, split, None, progress=lambda a, b: calls.append((a, b)))
    assert len(calls) == 52
    done = [a for a, _ in calls]
    assert done == sorted(done) and done[0] == 0 and calls[-1] == (total, total)
    assert all(b == total for _, b in calls)


def test_cancel_before_start(tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        load_pairs(pair_spec(tmp_path, b"a\n", b"b\n"), split, split, None, cancel=token)


def test_cancel_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_pairs, "_CHECK_EVERY", 10)
    spec = pair_spec(tmp_path, lines(100, "s"), lines(100, "t"))
    token = CancelToken()
    seen: list[str] = []

    def tok(text: str) -> list[str]:
        seen.append(text)
        if len(seen) == 25:
            token.cancel()
        return text.split()

    with pytest.raises(Cancelled):
        load_pairs(spec, tok, split, None, cancel=token)
    assert len(seen) < 35
