"""Reads a parallel corpus (two line-aligned files, or one TSV file) and says exactly what it
dropped.

Why so strict: the usual NMT toolkits lose alignment silently. ``str.splitlines`` splits on U+2028,
U+0085 and form feed; dropping empty lines per side shifts every later pair; ``zip`` truncates to
the shorter file; a UTF-8 BOM sticks to the first word. Here files are read in binary and split on
``b"\\n"`` only, streamed in chunks, decoded strictly, and every refusal names file, line and byte.
Each rule has a test with a failing input in ``tests/core/data/test_corpus.py``.

The rooms: ``spec`` (where the corpus comes from), ``files`` (bytes to lines, strictly),
``pairs`` (lines to aligned, tokenized pairs and the dev split), ``report`` (what was dropped and
why), ``messages`` (how messages name files and counts). Import from here, not from the rooms.
"""

from core.data.corpus.files import (
    MAX_LINE_BYTES,
    count_lines,
    fingerprint,
    open_binary,
    read_text_lines,
)
from core.data.corpus.pairs import iter_raw_pairs, load_pairs, sample_raw_pairs, split_dev
from core.data.corpus.report import (
    DROP_REASONS,
    EMPTY_PAIR,
    EMPTY_SOURCE,
    EMPTY_TARGET,
    MAX_EXAMPLES,
    TOO_FEW_COLUMNS,
    TOO_LONG,
    CorpusReport,
)
from core.data.corpus.spec import CorpusSpec, PathLike, RawPair

__all__ = [
    "DROP_REASONS",
    "EMPTY_PAIR",
    "EMPTY_SOURCE",
    "EMPTY_TARGET",
    "MAX_EXAMPLES",
    "MAX_LINE_BYTES",
    "TOO_FEW_COLUMNS",
    "TOO_LONG",
    "CorpusReport",
    "CorpusSpec",
    "PathLike",
    "RawPair",
    "count_lines",
    "fingerprint",
    "iter_raw_pairs",
    "load_pairs",
    "open_binary",
    "read_text_lines",
    "sample_raw_pairs",
    "split_dev",
]
