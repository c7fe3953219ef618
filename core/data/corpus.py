"""Reads a parallel corpus (two line-aligned files, or one TSV file) and says exactly what it dropped.

Why so strict: the usual NMT toolkits lose alignment silently. ``str.splitlines`` splits on U+2028,
U+0085 and form feed; dropping empty lines per side shifts every later pair; ``zip`` truncates to the
shorter file; a UTF-8 BOM sticks to the first word. Here files are read in binary and split on
``b"\\n"`` only, streamed in chunks, decoded strictly, and every refusal names file, line and byte.
Each rule has a test with a failing input in ``tests/core/data/test_corpus.py``.
"""

from __future__ import annotations

import hashlib
import os
import random
import stat
import time
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator, TypeVar, Union

from core.cancel import CancelToken
from core.errors import CorpusError

PathLike = Union[str, "os.PathLike[str]"]
T = TypeVar("T")

# Drop reasons (the keys of CorpusReport.dropped).
EMPTY_SOURCE = "empty source"
EMPTY_TARGET = "empty target"
EMPTY_PAIR = "empty pair"
TOO_LONG = "too long"
TOO_FEW_COLUMNS = "too few columns"
DROP_REASONS = (EMPTY_PAIR, EMPTY_SOURCE, EMPTY_TARGET, TOO_LONG, TOO_FEW_COLUMNS)

MAX_EXAMPLES = 5            # line numbers remembered per drop reason
MAX_LINE_BYTES = 16 << 20   # a longer "line" means a binary file or CR-only line ends; refuse it

_CHUNK = 1 << 20            # read size; module-level so tests can shrink it to hit chunk boundaries
_SNIFF = 4096               # bytes looked at to recognise UTF-16 and compressed files
_CHECK_EVERY = 1000         # lines between cancel checks / progress clock reads
_PROGRESS_INTERVAL = 0.1    # seconds; at most this often progress() is called
_clock = time.monotonic     # module-level so tests can fake the passage of time

_UTF8_BOM = b"\xef\xbb\xbf"
_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"\xfd7zXZ\x00", "xz"),
               (b"\x28\xb5\x2f\xfd", "zstd"))


# --------------------------------------------------------------------------------------------------
# Where the corpus comes from

@dataclass(frozen=True)
class CorpusSpec:
    """Where a parallel corpus comes from: two line-aligned files, or one TSV file."""

    src_path: str | None = None
    tgt_path: str | None = None
    tsv_path: str | None = None

    def validate(self) -> None:
        """Exactly one form must be given; empty strings (blank GUI fields) count as not given."""
        src, tgt, tsv = self.src_path, self.tgt_path, self.tsv_path
        if tsv and (src or tgt):
            raise CorpusError(None, None, "give either a source file and a target file, or one TSV "
                                          "file, not both")
        if tsv:
            return
        if not src and not tgt:
            raise CorpusError(None, None, "no corpus chosen: pick a source file and a target file, "
                                          "or one TSV file (source<TAB>target per line)")
        if not tgt:
            raise CorpusError(src, None, "a source file needs a matching target file")
        if not src:
            raise CorpusError(tgt, None, "a target file needs a matching source file")
        if os.path.abspath(os.fspath(src)) == os.path.abspath(os.fspath(tgt)):
            raise CorpusError(src, None, "the source and the target are the same file; "
                                         "pick one file per language")

    def files(self) -> list[str]:
        """The file paths to read, in order (source, target) or (tsv,); validates first."""
        self.validate()
        if self.tsv_path:
            return [os.fspath(self.tsv_path)]
        return [os.fspath(self.src_path), os.fspath(self.tgt_path)]  # type: ignore[arg-type]

    def describe(self) -> str:
        """Short name for messages and the UI, e.g. ``train.de + train.en``; never raises."""
        if self.tsv_path and not (self.src_path or self.tgt_path):
            return _names([os.fspath(self.tsv_path)])
        given = [os.fspath(p) for p in (self.src_path, self.tgt_path, self.tsv_path) if p]
        return _names(given) if given else "no corpus"


@dataclass(frozen=True)
class RawPair:
    """One aligned line pair, decoded and stripped, before tokenization."""

    line: int      # 1-based line number in the file(s)
    src: str
    tgt: str


# --------------------------------------------------------------------------------------------------
# What was read and dropped

@dataclass
class CorpusReport:
    """Counts of what was read, kept and dropped (with example line numbers), for the UI and the CLI."""

    files: list[str]
    pairs_read: int = 0
    pairs_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    max_len: int | None = None

    @property
    def pairs_dropped(self) -> int:
        return sum(self.dropped.values())

    def drop(self, reason: str, line: int) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        lines = self.examples.setdefault(reason, [])
        if len(lines) < MAX_EXAMPLES:
            lines.append(line)

    def to_dict(self) -> dict:
        return {
            "files": list(self.files),
            "pairs_read": self.pairs_read,
            "pairs_kept": self.pairs_kept,
            "pairs_dropped": self.pairs_dropped,
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "max_len": self.max_len,
        }

    def summary(self) -> str:
        """Multi-line text: a headline, then one line per drop reason with example line numbers."""
        head = f"Read {_count(self.pairs_read, 'pair')} from {_names(self.files)}"
        if not self.dropped:
            return f"{head}; kept all {self.pairs_kept:,}."
        lines = [f"{head}; kept {self.pairs_kept:,}; dropped {self.pairs_dropped:,}:"]
        lines += [f"  {item}" for item in self._drop_items()]
        return "\n".join(lines)

    def _drop_items(self) -> list[str]:
        order = {r: i for i, r in enumerate(DROP_REASONS)}
        reasons = sorted(self.dropped, key=lambda r: (-self.dropped[r], order.get(r, len(order)), r))
        items = []
        for reason in reasons:
            n = self.dropped[reason]
            shown = self.examples.get(reason, [])
            where = ", ".join(str(x) for x in shown) + (", ..." if n > len(shown) else "")
            label = reason
            if reason == TOO_LONG and self.max_len is not None:
                label = f"too long, over {_count(self.max_len, 'token')}"
            items.append(f"{n:,} {label} ({'line' if len(shown) == 1 and n == 1 else 'lines'} "
                         f"{where})")
        return items


# --------------------------------------------------------------------------------------------------
# Reading

def iter_raw_pairs(spec: CorpusSpec, report: CorpusReport | None = None) -> Iterator[RawPair]:
    """Streams the aligned, decoded, stripped pairs, empty sides included (``load_pairs`` drops them).

    File problems (missing, folder, empty, UTF-16) raise here, before the first pair; decoding
    problems and a line-count mismatch raise while iterating. TSV lines without a tab are skipped;
    pass ``report`` to have them (and every line read) counted.
    """
    reader = _PairReader(spec)

    def gen() -> Iterator[RawPair]:
        for item in reader:
            if report is not None:
                report.pairs_read += 1
            if isinstance(item, _Skip):
                if report is not None:
                    report.drop(item.reason, item.line)
                continue
            yield item

    return gen()


def load_pairs(spec: CorpusSpec, src_tok: Callable[[str], list[str]],
               tgt_tok: Callable[[str], list[str]], max_len: int | None,
               progress: Callable[[int, int], None] | None = None,
               cancel: CancelToken | None = None,
               sink: Callable[[list[str], list[str]], None] | None = None,
               ) -> tuple[list[tuple[list[str], list[str]]], CorpusReport]:
    """Reads and tokenizes the corpus, dropping unusable pairs *as pairs* and counting why.

    A side that is empty after stripping, or that the tokenizer turns into no tokens, makes an empty
    pair/source/target; a side with more than ``max_len`` tokens makes the pair "too long".
    ``progress(bytes_read, total_bytes)`` is called at the start, at most every ~0.1 s, and at the end;
    ``cancel`` is checked every ~1000 lines (raises ``Cancelled``).
    With ``sink``, each kept pair goes to ``sink(src, tgt)`` instead of the returned list, so a
    caller can store a large corpus compactly (the list is then empty).
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
    last_emit = _clock()

    for n, item in enumerate(reader, 1):
        if n % _CHECK_EVERY == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                now = _clock()
                if now - last_emit >= _PROGRESS_INTERVAL:
                    progress(min(reader.bytes_read, total), total)
                    last_emit = now
        report.pairs_read += 1
        if isinstance(item, _Skip):
            report.drop(item.reason, item.line)
            continue
        src = _tokenize(src_tok, item.src, max_len)
        tgt = _tokenize(tgt_tok, item.tgt, max_len)
        reason = _drop_reason(src, tgt, max_len)
        if reason is not None:
            report.drop(reason, item.line)
            continue
        report.pairs_kept += 1
        if sink is not None:
            sink(src, tgt)
        else:
            pairs.append((src, tgt))

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
    if max_len is not None and len(text) > 2 * max_len \
            and len(text.translate(_CONTROL).split(None, max_len)) > max_len:
        return _OVER
    return tok(text)


def _drop_reason(src, tgt, max_len: int | None) -> str | None:
    if not src and not tgt:
        return EMPTY_PAIR
    if not src:
        return EMPTY_SOURCE
    if not tgt:
        return EMPTY_TARGET
    if max_len is not None and (src is _OVER or tgt is _OVER
                                or len(src) > max_len or len(tgt) > max_len):
        return TOO_LONG
    return None


def _nothing_left(report: CorpusReport) -> str:
    text = (f"no usable sentence pairs left: all {_count(report.pairs_read, 'pair')} read from "
            f"{_names(report.files)} were dropped: " + "; ".join(report._drop_items()))
    cr_only = [name for path, name in zip(report.files, _short_names(report.files))
               if _cr_line_ends(path)]
    if cr_only:
        text += (f". {' and '.join(cr_only)} end{'s' if len(cr_only) == 1 else ''} lines with a "
                 f"carriage return only (old Mac format), so each reads as one long line: save "
                 f"{'it' if len(cr_only) == 1 else 'them'} with LF or CRLF line ends")
    elif TOO_LONG in report.dropped:
        text += ". Raise the maximum sentence length"
        if report.max_len is not None:
            text += f" (now {_count(report.max_len, 'token')})"
    elif TOO_FEW_COLUMNS in report.dropped:
        text += ". A TSV file needs source<TAB>target on every line"
    return text


def _cr_line_ends(path: str) -> bool:
    """Whether the file's start has bare carriage returns and no line feed at all."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
    except OSError:
        return False
    return b"\n" not in head and head.count(b"\r") >= 2


def read_text_lines(path: str) -> Iterator[tuple[int, str]]:
    """Lines of a UTF-8 file, split on "\\n" only; a bad byte names file:line."""
    with open_binary(path) as f:
        for n, raw in enumerate(f, 1):
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            raw = raw.rstrip(b"\n")
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            try:
                yield n, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CorpusError(path, n, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                  byte=exc.start + 1) from None


# --------------------------------------------------------------------------------------------------
# Dev split, fingerprint, line count

def split_dev(pairs: list[T], fraction: float, max_n: int, seed: int) -> tuple[list[T], list[T]]:
    """Deterministic held-out split: (train, dev), each in the original order.

    dev size = min(max_n, max(1, round(fraction * n))) for n >= 2, never the whole corpus; with fewer
    than two pairs everything is training data. The same (pairs, fraction, max_n, seed) always gives
    the same split, so a resumed run evaluates on the same sentences.
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
    dev_idx = set(order[:n_dev])
    train = [p for i, p in enumerate(pairs) if i not in dev_idx]
    dev = [pairs[i] for i in sorted(dev_idx)]
    return train, dev


def fingerprint(spec: CorpusSpec) -> str:
    """SHA-256 (hex) over every file's bytes, basename and size: resume refuses a changed corpus."""
    outer = hashlib.sha256(b"attnscope-corpus-v1\0" + (b"tsv" if spec.tsv_path else b"pair") + b"\0")
    for path in spec.files():
        _stat_file(path)
        inner = hashlib.sha256()
        size = 0
        with open_binary(path) as f:
            while chunk := _read(f, path, None, _CHUNK):
                inner.update(chunk)
                size += len(chunk)
        outer.update(os.fsencode(os.path.basename(path)) + b"\0" + str(size).encode() + b"\0")
        outer.update(inner.digest())
    return outer.hexdigest()


def count_lines(path: PathLike) -> int:
    """Lines as the reader counts them: b"\\n"-separated, a final unterminated line counts, a BOM
    alone is no line. Streamed; no decoding."""
    path = os.fspath(path)
    _stat_file(path)
    n = 0
    last = b""
    with open_binary(path) as f:
        if _read(f, path, None, 3) != _UTF8_BOM:
            f.seek(0)
        while chunk := _read(f, path, None, _CHUNK):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    if last and last != b"\n":
        n += 1
    return n


# --------------------------------------------------------------------------------------------------
# Internals

@dataclass(frozen=True)
class _Skip:
    """A line dropped while parsing (a TSV line without a tab)."""

    line: int
    reason: str


class _LineReader:
    """Streams one file's lines as bytes (BOM and one trailing CR removed), counting lines and bytes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.size = _stat_file(path)
        if self.size == 0:
            raise CorpusError(path, None, "is empty")
        with open_binary(path) as f:  # refuse UTF-16 and compressed files before any work starts
            _sniff(path, _read(f, path, 1, _SNIFF))
        self.line = 0        # lines yielded so far = the number of the last one
        self.bytes_read = 0
        self._bom = False

    def lines(self) -> Iterator[bytes]:
        with open_binary(self.path) as f:
            self._bom = _read(f, self.path, 1, 3) == _UTF8_BOM
            if not self._bom:
                f.seek(0)
            self.bytes_read = 3 if self._bom else 0
            pending: list[bytes] = []
            pending_len = 0
            while chunk := _read(f, self.path, self.line + 1, _CHUNK):
                parts = chunk.split(b"\n")
                rest = parts.pop()
                for part in parts:
                    if pending:
                        pending.append(part)
                        part = b"".join(pending)
                        pending, pending_len = [], 0
                    yield self._line_done(part, len(part) + 1)
                if rest:
                    pending.append(rest)
                    pending_len += len(rest)
                    if pending_len > MAX_LINE_BYTES:
                        self._too_long()
            if pending:
                part = b"".join(pending)
                yield self._line_done(part, len(part))

    def _line_done(self, raw: bytes, consumed: int) -> bytes:
        if len(raw) > MAX_LINE_BYTES:
            self._too_long()
        self.line += 1
        self.bytes_read += consumed
        return raw[:-1] if raw.endswith(b"\r") else raw

    def _too_long(self) -> None:
        raise CorpusError(self.path, self.line + 1,
                          f"line is longer than {MAX_LINE_BYTES >> 20} MiB; is this a text file "
                          f"with one sentence per line?")

    def decode(self, raw: bytes) -> str:
        """Decodes the line just yielded; errors point at its 1-based byte column in the file."""
        offset = 3 if (self._bom and self.line == 1) else 0
        nul = raw.find(b"\0")
        if nul >= 0:
            raise CorpusError(self.path, self.line, "contains a NUL byte; is this a binary file?",
                              byte=nul + 1 + offset)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            column = e.start + 1 + offset
            before = raw[max(0, e.start - 20):e.start].decode("utf-8", "replace")
            before = "".join(c if c.isprintable() else "?" for c in before).lstrip("\ufffd")
            after = f', after "{before}"' if before else ""
            raise CorpusError(
                self.path, self.line,
                f"not valid UTF-8 (byte 0x{raw[e.start]:02X} at column {column}{after}); the file "
                f"may be in another encoding such as Latin-1 or Windows-1252: save it as UTF-8",
                byte=column) from None


class _PairReader:
    """Yields RawPair (or _Skip) for a spec; checks every file up front, alignment at the end."""

    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.readers = [_LineReader(p) for p in spec.files()]
        self.total_bytes = sum(r.size for r in self.readers)

    @property
    def bytes_read(self) -> int:
        return sum(r.bytes_read for r in self.readers)

    def __iter__(self) -> Iterator[RawPair | _Skip]:
        return self._tsv() if self.spec.tsv_path else self._two_files()

    def _tsv(self) -> Iterator[RawPair | _Skip]:
        r = self.readers[0]
        for raw in r.lines():
            text = r.decode(raw)
            parts = text.split("\t", 2)
            if len(parts) < 2:
                # a blank line is an empty pair, not a malformed one
                yield _Skip(r.line, TOO_FEW_COLUMNS) if text.strip() else RawPair(r.line, "", "")
                continue
            yield RawPair(r.line, parts[0].strip(), parts[1].strip())
        if r.line == 0:
            raise CorpusError(r.path, None, "is empty")

    def _two_files(self) -> Iterator[RawPair | _Skip]:
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
            raise _misaligned(a.path, a.line, b.path, b.line)

    def check_line_counts(self) -> None:
        """Fast pre-pass (no decoding) so a misaligned pair of files fails before tokenizing."""
        if len(self.readers) == 2:
            a, b = (r.path for r in self.readers)
            n_a, n_b = count_lines(a), count_lines(b)
            if n_a and n_b and n_a != n_b:
                raise _misaligned(a, n_a, b, n_b)


def _misaligned(path_a: str, n_a: int, path_b: str, n_b: int) -> CorpusError:
    name_a, name_b = _short_names([path_a, path_b])
    hints = "".join(_not_text_hint(p, n) for p, n in ((path_a, name_a), (path_b, name_b)))
    return CorpusError(
        path_a if n_a < n_b else path_b, None,
        f"{name_a} has {_count(n_a, 'line')} but {name_b} has {n_b:,}; the two files must be "
        f"line-aligned (one sentence per line, the same number of lines). Was a line added or "
        f"deleted in one of them?{hints}")


def _not_text_hint(path: str, name: str) -> str:
    """A sentence when the file's start holds a NUL byte or invalid UTF-8, else "".

    Why: the line counts are compared before anything is decoded, so a binary file (a program,
    an image, a model) picked by mistake would otherwise be reported only as "misaligned".
    """
    try:
        with open_binary(path) as f:
            head = _read(f, path, None, _SNIFF)
    except CorpusError:
        return ""
    start = 3 if head.startswith(_UTF8_BOM) else 0
    body = head[start:]
    pos, what = body.find(b"\0"), ("does not look like text: line {} column {} holds a NUL "
                                    "byte; is it a binary file?")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        cut_off = e.end == len(body) and len(head) == _SNIFF   # a character split by the sniff
        if not cut_off and (pos < 0 or e.start < pos):
            pos, what = e.start, (f"is not UTF-8 text: line {{}} column {{}} holds byte "
                                  f"0x{body[e.start]:02X}; is it a binary file, or text in another "
                                  f"encoding such as Latin-1?")
    if pos < 0:
        return ""
    line = body.count(b"\n", 0, pos) + 1
    column = pos - (body.rfind(b"\n", 0, pos) + 1) + 1 + (start if line == 1 else 0)
    return f" Also, {name} " + what.format(line, column)


def _stat_file(path: str) -> int:
    """The file's size, or a CorpusError saying why it cannot be used."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise CorpusError(path, None, "file not found") from None
    except PermissionError:
        raise CorpusError(path, None, "cannot be opened: permission denied") from None
    except (OSError, ValueError) as e:
        raise CorpusError(path, None, f"cannot be opened ({_why(e)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise CorpusError(path, None, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise CorpusError(path, None, "is not a regular file")
    return st.st_size


def open_binary(path: str) -> IO[bytes]:
    """Open a user's file for reading; a failure becomes a CorpusError that names the file."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise CorpusError(path, None, "file not found") from None
    except IsADirectoryError:
        raise CorpusError(path, None, "is a folder, not a file") from None
    except PermissionError:
        raise CorpusError(path, None, "cannot be read: permission denied") from None
    except OSError as e:
        raise CorpusError(path, None, f"cannot be read ({_why(e)})") from None


def _read(f: IO[bytes], path: str, line: int | None, size: int) -> bytes:
    try:
        return f.read(size)
    except OSError as e:
        raise CorpusError(path, line, f"reading failed ({_why(e)})") from None


def _why(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__


def _sniff(path: str, head: bytes) -> None:
    """Refuses UTF-16 and compressed files up front, with a message that says what they are."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise CorpusError(path, 1, "looks like UTF-32 text; save it as UTF-8 (in most editors: "
                                   "Save As, Encoding: UTF-8)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(head):
        raise CorpusError(path, 1, "looks like UTF-16 text; save it as UTF-8 (in most editors: "
                                   "Save As, Encoding: UTF-8)")
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise CorpusError(path, None, f"looks like a {kind}-compressed file, not plain text; "
                                          f"unpack it first")


def _looks_like_utf16(head: bytes) -> bool:
    """BOM-less UTF-16: many NULs, nearly all at even offsets or nearly all at odd ones."""
    half = len(head) // 2
    if half < 2:
        return False
    even = head[0:2 * half:2].count(0)
    odd = head[1:2 * half:2].count(0)
    many, few = max(even, odd), min(even, odd)
    return many >= max(2, half // 5) and few * 8 <= many


def _short_names(paths: list[str]) -> list[str]:
    """Basenames; with the parent folder when two basenames would be the same (de/x.txt, en/x.txt)."""
    base = [os.path.basename(p) or p for p in paths]
    if len(set(base)) < len(base):
        base = [os.path.join(os.path.basename(os.path.dirname(p)), os.path.basename(p))
                for p in paths]
    return base


def _names(paths: list[str]) -> str:
    return " + ".join(_short_names(paths))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
