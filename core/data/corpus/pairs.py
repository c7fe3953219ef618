"""From files to pairs: aligned raw pairs, tokenized pairs with drop reasons, and the dev split."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TypeVar

import numpy as np

from core.cancel import CancelToken
from core.data.corpus.files import (
    LineReader,
    Skip,
    count_lines,
    has_cr_line_ends,
    misaligned_error,
)
from core.data.corpus.messages import count_of, file_names, short_file_names
from core.data.corpus.report import (
    EMPTY_PAIR,
    EMPTY_SOURCE,
    EMPTY_TARGET,
    TOO_FEW_COLUMNS,
    TOO_LONG,
    TWO_VARIANTS,
    CorpusReport,
)
from core.data.corpus.spec import CorpusSpec, RawPair
from core.data.corpus.tmx import TmxReader
from core.errors import CorpusError
from core.throttle import PROGRESS_INTERVAL_S, Throttle

T = TypeVar("T")
BatchTokenize = Callable[[list[str]], list[list[str]]]
_BATCH = 2000  # pairs per call of a batch tokenizer
_CHECK_EVERY = 1000  # lines between cancel checks / progress clock reads
_PROGRESS_INTERVAL = PROGRESS_INTERVAL_S  # at most this often progress() is called
_clock = time.monotonic  # module-level so tests can fake the passage of time


def iter_raw_pairs(spec: CorpusSpec, report: CorpusReport | None = None) -> Iterator[RawPair]:
    """Streams the aligned, decoded, stripped pairs, empty sides included (``load_pairs`` drops
    them).

    File problems (missing, folder, empty, UTF-16) raise here, before the first pair; decoding
    problems and a line-count mismatch raise while iterating. TSV lines without a tab are skipped;
    pass ``report`` to have them (and every line read) counted.
    """
    reader = _PairReader(spec)

    def gen() -> Iterator[RawPair]:
        for item in reader:
            if report is not None:
                report.pairs_read += 1
            if isinstance(item, Skip):
                if report is not None:
                    report.drop(item.reason, item.line)
                continue
            yield item
        if report is not None:
            reader.add_notes(report)

    return gen()


def sample_raw_pairs(
    spec: CorpusSpec,
    limit: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[str], list[str], int]:
    """Up to ``limit`` pairs drawn evenly from the whole corpus (reservoir sampling, so a corpus
    sorted by topic or length is still represented), as (sources, targets, pairs read); empty
    and malformed lines are skipped. What a subword model is trained on before the corpus is
    tokenized; ``progress(bytes_read, total_bytes)`` and ``cancel`` as in ``load_pairs``."""
    reader = _PairReader(spec)
    reader.check_line_counts()
    rng = random.Random(seed)
    sample: list[tuple[str, str]] = []
    throttle = Throttle(_PROGRESS_INTERVAL, clock=_clock, started=True)
    if progress is not None:
        progress(0, reader.total_bytes)
    n = 0
    for k, item in enumerate(reader, 1):
        if k % _CHECK_EVERY == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None and throttle.ready():
                progress(min(reader.bytes_read, reader.total_bytes), reader.total_bytes)
        if isinstance(item, Skip) or not (item.src or item.tgt):
            continue
        n += 1
        if len(sample) < limit:
            sample.append((item.src, item.tgt))
        else:
            j = rng.randrange(n)
            if j < limit:
                sample[j] = (item.src, item.tgt)
    if progress is not None:
        progress(reader.total_bytes, reader.total_bytes)
    return [s for s, _ in sample], [t for _, t in sample], n


def load_pairs(
    spec: CorpusSpec,
    src_tok: Callable[[str], list[str]],
    tgt_tok: Callable[[str], list[str]],
    max_len: int | None,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelToken | None = None,
    sink: Callable[[list[str], list[str]], None] | None = None,
    batch: tuple[BatchTokenize, BatchTokenize] | None = None,
) -> tuple[list[tuple[list[str], list[str]]], CorpusReport]:
    """Reads and tokenizes the corpus, dropping unusable pairs *as pairs* and counting why.

    A side that is empty after stripping, or that the tokenizer turns into no tokens, makes an empty
    pair/source/target; a side with more than ``max_len`` tokens makes the pair "too long".
    ``progress(bytes_read, total_bytes)`` is called at the start, at most every ~0.1 s, and at the
    end;
    ``cancel`` is checked every ~1000 lines (raises ``Cancelled``).
    With ``sink``, each kept pair goes to ``sink(src, tgt)`` instead of the returned list, so a
    caller can store a large corpus compactly (the list is then empty).
    With ``batch`` (source and target functions that tokenize a list of texts at once, such as
    ``SubwordTokenizer.tokenize_many``), pairs are tokenized in blocks of ``_BATCH`` instead of
    one by one with ``src_tok``/``tgt_tok``: one call per block is much faster for sentencepiece.
    """
    if max_len is not None and max_len < 1:
        raise ValueError(f"max_len must be at least 1 or None, not {max_len}")
    reader = _PairReader(spec)
    reader.check_line_counts()
    files = spec.files()
    report = CorpusReport(files=files, max_len=max_len)
    pairs: list[tuple[list[str], list[str]]] = []
    total = reader.total_bytes

    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(0, total)
    throttle = Throttle(_PROGRESS_INTERVAL, clock=_clock, started=True)

    def keep(line: int, src, tgt) -> None:
        reason = _drop_reason(src, tgt, max_len)
        if reason is not None:
            report.drop(reason, line)
            return
        report.pairs_kept += 1
        if sink is not None:
            sink(src, tgt)
        else:
            pairs.append((src, tgt))

    pending: list[RawPair] = []
    for n, item in enumerate(reader, 1):
        if n % _CHECK_EVERY == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None and throttle.ready():
                progress(min(reader.bytes_read, total), total)
        report.pairs_read += 1
        if isinstance(item, Skip):
            report.drop(item.reason, item.line)
        elif batch is None:
            keep(
                item.line,
                _tokenize(src_tok, item.src, max_len),
                _tokenize(tgt_tok, item.tgt, max_len),
            )
        else:
            pending.append(item)
            if len(pending) >= _BATCH:
                _tokenize_block(pending, batch, max_len, keep)
                pending = []
    if pending:
        _tokenize_block(pending, batch, max_len, keep)  # type: ignore[arg-type]

    reader.add_notes(report)
    if progress is not None:
        progress(total, total)
    if not report.pairs_kept:
        raise CorpusError(files[0], None, _nothing_left(report))
    return pairs, report


#: stands for a side that is surely longer than max_len tokens, without tokenizing it
_OVER = ("<over max_len>",)
_CONTROL = dict.fromkeys(range(32))


def _tokenize(tok: Callable[[str], list[str]], text: str, max_len: int | None):
    """The side's tokens, or ``_OVER`` when it has more than ``max_len`` words anyway.

    Why: word tokenizers split a whitespace-separated word further but never join two, so more
    than ``max_len`` words (not counting control characters, which Moses deletes) means more than
    ``max_len`` tokens. A 1 MB line is then dropped in milliseconds; sacremoses takes ~10 s on it.
    """
    if not text:
        return []
    return _OVER if _surely_over(text, max_len) else tok(text)


def _surely_over(text: str, max_len: int | None) -> bool:
    return (
        max_len is not None
        and len(text) > 2 * max_len
        and len(text.translate(_CONTROL).split(None, max_len)) > max_len
    )


def _tokenize_block(
    items: list[RawPair],
    batch: tuple[BatchTokenize, BatchTokenize],
    max_len: int | None,
    keep: Callable[[int, object, object], None],
) -> None:
    """Tokenize a block of pairs with one call per side; a side surely over ``max_len`` (see
    ``_tokenize``) or empty is not sent to the tokenizer."""
    sides = []
    for fn, texts in zip(batch, ([i.src for i in items], [i.tgt for i in items])):
        out: list = [_OVER if _surely_over(t, max_len) else [] for t in texts]
        todo = [k for k, t in enumerate(texts) if t and out[k] is not _OVER]
        for k, tokens in zip(todo, fn([texts[k] for k in todo]) if todo else []):
            out[k] = tokens
        sides.append(out)
    for item, src, tgt in zip(items, *sides):
        keep(item.line, src, tgt)


def _drop_reason(src, tgt, max_len: int | None) -> str | None:
    if not src and not tgt:
        return EMPTY_PAIR
    if not src:
        return EMPTY_SOURCE
    if not tgt:
        return EMPTY_TARGET
    if max_len is not None and (
        src is _OVER or tgt is _OVER or len(src) > max_len or len(tgt) > max_len
    ):
        return TOO_LONG
    return None


def _nothing_left(report: CorpusReport) -> str:
    text = (
        f"no usable sentence pairs left: all {count_of(report.pairs_read, 'pair')} read from "
        f"{file_names(report.files)} were dropped: " + "; ".join(report._drop_items())
    )
    cr_only = [
        name
        for path, name in zip(report.files, short_file_names(report.files))
        if has_cr_line_ends(path)
    ]
    if cr_only:
        text += (
            f". {' and '.join(cr_only)} end{'s' if len(cr_only) == 1 else ''} lines with a "
            f"carriage return only (old Mac format), so each reads as one long line: save "
            f"{'it' if len(cr_only) == 1 else 'them'} with LF or CRLF line ends"
        )
    elif TOO_LONG in report.dropped:
        text += ". Raise the maximum sentence length"
        if report.max_len is not None:
            text += f" (now {count_of(report.max_len, 'token')})"
    elif TOO_FEW_COLUMNS in report.dropped:
        text += ". A TSV file needs source<TAB>target on every line"
    return text


def split_dev(
    pairs: list[T],
    fraction: float,
    max_n: int,
    seed: int,
    keys: Sequence[Hashable] | np.ndarray | None = None,
) -> tuple[list[T], list[T]]:
    """Deterministic held-out split: (train, dev), each in the original order.

    dev size = min(max_n, max(1, round(fraction * n))) for n >= 2, never the whole corpus; with
    fewer than two pairs everything is training data. The same (pairs, fraction, max_n, seed) always
    gives the same split, so a resumed run evaluates on the same sentences.

    With ``keys`` (equal keys = the same pair), all copies of a pair go to the same side: a dev
    sentence also seen in training inflates dev BLEU and delays early stopping. Pairs are taken in
    the same shuffled order as without keys (so a corpus without duplicates splits exactly as
    before); a pair whose copies would overfill the dev set goes to training with all its copies.
    When every pair has too many copies, the smallest group is held out, however large.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    if max_n < 0:
        raise ValueError(f"max_n must be >= 0, not {max_n}")
    n = len(pairs)
    if n < 2:
        return list(pairs), []
    n_dev = min(max_n, max(1, round(fraction * n)), n - 1)
    order = list(range(n))
    random.Random(seed).shuffle(order)
    if keys is None:
        dev_idx = set(order[:n_dev])
    else:
        if len(keys) != n:
            raise ValueError(f"{len(keys)} keys for {n} pairs")
        dev_idx = grouped_dev(order, group_ids(keys), n_dev)
    train = [p for i, p in enumerate(pairs) if i not in dev_idx]
    dev = [pairs[i] for i in sorted(dev_idx)]
    return train, dev


def group_ids(keys: Sequence[Hashable] | np.ndarray) -> np.ndarray:
    """A small integer per distinct key."""
    if isinstance(keys, np.ndarray):
        return _sorted_group_ids(keys.reshape(-1))
    ids: dict[Hashable, int] = {}
    return np.fromiter((ids.setdefault(k, len(ids)) for k in keys), dtype=np.int64, count=len(keys))


def _sorted_group_ids(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys, return_inverse=True)[1]`` by one sort: on 8 M int64 keys numpy's unique
    took 29 s and ~460 MB more memory, this ~3 s and ~200 MB (ids int32 below 2**31 pairs)."""
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    new = np.ones(n, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    del ordered
    index_type = np.int32 if n < 2**31 else np.int64
    ids = np.cumsum(new, dtype=index_type)
    ids -= 1
    group = np.empty(n, dtype=index_type)
    group[order] = ids
    return group


def grouped_dev(order: Sequence[int], group: np.ndarray, n_dev: int) -> set[int]:
    """Rows of whole groups, taken in ``order`` while they fit into ``n_dev``."""
    sizes = np.bincount(group)
    if len(sizes) < 2:
        raise CorpusError(
            None,
            None,
            "every pair of the corpus is the same pair, so no dev set can be held out that "
            "training has not seen; give dev files or more data",
        )
    chosen: set[int] = set()
    room = n_dev
    for i in order:
        g = int(group[i])
        if sizes[g] <= room and g not in chosen:
            chosen.add(g)
            room -= int(sizes[g])
            if room == 0:
                break
    if not chosen:  # every group is larger than the dev set: hold out the smallest one
        smallest = int(sizes.min())
        chosen.add(next(int(group[i]) for i in order if sizes[group[i]] == smallest))
    rows = np.flatnonzero(np.isin(group, np.fromiter(chosen, dtype=np.int64)))
    return set(rows.tolist())


def count_duplicates(keys: Sequence[Hashable] | np.ndarray) -> int:
    """How many pairs repeat an earlier pair (equal keys = the same pair)."""
    if isinstance(keys, np.ndarray):
        ordered = np.sort(keys.reshape(-1))  # one sort: numpy's unique costs far more (above)
        return int(np.count_nonzero(ordered[1:] == ordered[:-1]))
    return len(keys) - len(set(keys))


class _PairReader:
    """Yields RawPair (or Skip) for a spec; checks every file up front, alignment at the end."""

    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.readers: list[LineReader | TmxReader]
        if spec.tmx_path:
            self.readers = [TmxReader(spec.files()[0], spec.tmx_src_lang, spec.tmx_tgt_lang)]
        else:
            self.readers = [LineReader(p) for p in spec.files()]
        self.total_bytes = sum(r.size for r in self.readers)

    @property
    def bytes_read(self) -> int:
        return sum(r.bytes_read for r in self.readers)

    def __iter__(self) -> Iterator[RawPair | Skip]:
        if self.spec.tmx_path:
            return iter(self.readers[0])  # type: ignore[arg-type]
        return self._tsv() if self.spec.tsv_path else self._two_files()

    def add_notes(self, report: CorpusReport) -> None:
        """What the TMX reader noticed in kept units (two tuvs for one language)."""
        reader = self.readers[0]
        if isinstance(reader, TmxReader):
            report.note(TWO_VARIANTS, reader.ambiguous, reader.ambiguous_lines)

    def _tsv(self) -> Iterator[RawPair | Skip]:
        r = self.readers[0]
        for raw in r.lines():
            text = r.decode(raw)
            parts = text.split("\t", 2)
            if len(parts) < 2:
                # a blank line is an empty pair, not a malformed one
                yield Skip(r.line, TOO_FEW_COLUMNS) if text.strip() else RawPair(r.line, "", "")
                continue
            yield RawPair(r.line, parts[0].strip(), parts[1].strip())
        if r.line == 0:
            raise CorpusError(r.path, None, "is empty")

    def _two_files(self) -> Iterator[RawPair | Skip]:
        a, b = self.readers
        it_a, it_b = a.lines(), b.lines()
        while True:
            raw_a = next(it_a, None)
            raw_b = next(it_b, None)
            if raw_a is None or raw_b is None:
                break
            yield RawPair(a.line, a.decode(raw_a).strip(), b.decode(raw_b).strip())
        # One file ended: count the rest of the other (without decoding) to report both counts.
        for _ in it_a if raw_a is not None else it_b:
            pass
        for r in (a, b):
            if r.line == 0:
                raise CorpusError(r.path, None, "is empty")
        if a.line != b.line:
            raise misaligned_error(a.path, a.line, b.path, b.line)

    def check_line_counts(self) -> None:
        """Fast pre-pass (no decoding) so a misaligned pair of files fails before tokenizing."""
        if len(self.readers) == 2:
            a, b = (r.path for r in self.readers)
            n_a, n_b = count_lines(a), count_lines(b)
            if n_a and n_b and n_a != n_b:
                raise misaligned_error(a, n_a, b, n_b)
