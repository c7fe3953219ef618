"""core.data.corpus under hypothesis: any bytes give pairs or a CorpusError, and lines are
b"\\n"-lines."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.data.corpus.files as corpus_files
from core.data.corpus import CorpusSpec, count_lines, iter_raw_pairs, load_pairs
from core.errors import CorpusError

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Pieces that hit the reader's edge cases far more often than uniform random bytes do.
PIECES = [
    b"a",
    b"b c",
    b"\n",
    b"\r",
    b"\r\n",
    b"\t",
    b" ",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe9",
    b"\xc3",
    b"\xc3\xa9",
    "\u2028".encode(),
    "\u0085".encode(),
    b"\x0c",
    b"\x1c",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x1f\x8b",
]
tricky_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join),
)
# Valid text without NUL; "\n" is the only line break the reader knows.
line_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\x00"), max_size=20
)


@contextmanager
def files(*contents: bytes) -> Iterator[list[str]]:
    folder = Path(tempfile.mkdtemp(prefix="corpus-fuzz-"))
    try:
        paths = []
        for i, data in enumerate(contents):
            path = folder / f"f{i}.txt"
            path.write_bytes(data)
            paths.append(str(path))
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def expected_lines(data: bytes) -> int:
    """The reference count, written independently of the reader: split on b"\\n" only."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


@FUZZ
@given(
    src=tricky_bytes,
    tgt=tricky_bytes,
    max_len=st.sampled_from([None, 1, 3]),
    chunk=st.sampled_from([1, 3, 1 << 20]),
)
def test_any_bytes_give_pairs_or_a_corpus_error(src, tgt, max_len, chunk):
    with files(src, tgt) as (s, t), mock.patch.object(corpus_files, "_CHUNK", chunk):
        try:
            pairs, report = load_pairs(CorpusSpec(s, t), str.split, str.split, max_len)
        except CorpusError as e:
            assert str(e)  # a message for the user, never a bare exception
            return
        assert pairs and report.pairs_kept == len(pairs)
        assert report.pairs_read == report.pairs_kept + sum(report.dropped.values())
        assert report.pairs_read == expected_lines(src) == expected_lines(tgt)
        for s_toks, t_toks in pairs:
            assert s_toks and t_toks
            assert max_len is None or (len(s_toks) <= max_len and len(t_toks) <= max_len)


@FUZZ
@given(data=tricky_bytes)
def test_any_tsv_bytes_give_pairs_or_a_corpus_error(data):
    with files(data) as (p,):
        try:
            pairs, report = load_pairs(CorpusSpec(tsv_path=p), str.split, str.split, None)
        except CorpusError as e:
            assert str(e)
            return
        assert report.pairs_read == expected_lines(data)
        assert all(s and t for s, t in pairs)


@FUZZ
@given(
    src_lines=st.lists(line_text, min_size=1, max_size=30),
    final_newline=st.booleans(),
    bom=st.booleans(),
    crlf=st.booleans(),
    chunk=st.sampled_from([1, 2, 7, 1 << 20]),
)
def test_pairs_read_equals_newline_lines_and_stay_aligned(
    src_lines, final_newline, bom, crlf, chunk
):
    end = "\r\n" if crlf else "\n"
    text = end.join(src_lines) + (end if final_newline else "")
    if text.startswith("\ufeff"):  # a leading U+FEFF would be read as the BOM
        text = " " + text
    src = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    n = expected_lines(src)
    # target line i says "T<i>": a pair read at line i must carry it, whatever the source held
    tgt = "".join(f"T{i}\n" for i in range(1, n + 1)).encode()
    with files(src, tgt) as (s, t), mock.patch.object(corpus_files, "_CHUNK", chunk):
        if n == 0:
            with pytest.raises(CorpusError, match="is empty"):
                list(iter_raw_pairs(CorpusSpec(s, t)))
            return
        assert count_lines(s) == n
        raw = list(iter_raw_pairs(CorpusSpec(s, t)))
        assert len(raw) == n
        assert [p.line for p in raw] == list(range(1, n + 1))
        assert all(p.tgt == f"T{p.line}" for p in raw)
        # each source line comes back as written (minus surrounding whitespace)
        written = text.split("\n")
        for p in raw:
            assert p.src == written[p.line - 1].removesuffix("\r").strip()
        try:
            pairs, report = load_pairs(CorpusSpec(s, t), str.split, str.split, None)
        except CorpusError as e:
            assert "no usable sentence pairs left" in str(e)
        else:
            assert report.pairs_read == n
