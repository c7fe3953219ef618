"""Reading corpus files byte by byte: split on b"\\n" only, streamed in chunks, decoded strictly,
with every refusal naming file, line and byte; also the fingerprint and line count."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from core.data.corpus.messages import count_of, short_file_names
from core.data.corpus.spec import CorpusSpec, PathLike
from core.errors import CorpusError

MAX_LINE_BYTES = 16 << 20  # a longer "line" means a binary file or CR-only line ends; refuse it

_CHUNK = 1 << 20  # read size; module-level so tests can shrink it to hit chunk boundaries
_SNIFF = 4096  # bytes looked at to recognise UTF-16 and compressed files

_UTF8_BOM = b"\xef\xbb\xbf"
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


def has_cr_line_ends(path: str) -> bool:
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
                raise CorpusError(
                    path, n, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", byte=exc.start + 1
                ) from None


def fingerprint(spec: CorpusSpec) -> str:
    """SHA-256 (hex) over every file's bytes, basename and size: resume refuses a changed corpus."""
    outer = hashlib.sha256(
        b"attnscope-corpus-v1\0" + (b"tsv" if spec.tsv_path else b"pair") + b"\0"
    )
    if spec.tmx_path:  # which two languages are read is part of the corpus
        outer.update(f"tmx\0{spec.tmx_src_lang}\0{spec.tmx_tgt_lang}\0".encode())
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


@dataclass(frozen=True)
class Skip:
    """A line dropped while parsing (a TSV line without a tab)."""

    line: int
    reason: str


class LineReader:
    """Streams one file's lines as bytes (BOM and one trailing CR removed), counting lines and
    bytes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.size = _stat_file(path)
        if self.size == 0:
            raise CorpusError(path, None, "is empty")
        with open_binary(path) as f:  # refuse UTF-16 and compressed files before any work starts
            _sniff(path, _read(f, path, 1, _SNIFF))
        self.line = 0  # lines yielded so far = the number of the last one
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
        raise CorpusError(
            self.path,
            self.line + 1,
            f"line is longer than {MAX_LINE_BYTES >> 20} MiB; is this a text file "
            f"with one sentence per line?",
        )

    def decode(self, raw: bytes) -> str:
        """Decodes the line just yielded; errors point at its 1-based byte column in the file."""
        offset = 3 if (self._bom and self.line == 1) else 0
        nul = raw.find(b"\0")
        if nul >= 0:
            raise CorpusError(
                self.path,
                self.line,
                "contains a NUL byte; is this a binary file?",
                byte=nul + 1 + offset,
            )
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            column = e.start + 1 + offset
            before = raw[max(0, e.start - 20) : e.start].decode("utf-8", "replace")
            before = "".join(c if c.isprintable() else "?" for c in before).lstrip("\ufffd")
            after = f', after "{before}"' if before else ""
            raise CorpusError(
                self.path,
                self.line,
                f"not valid UTF-8 (byte 0x{raw[e.start]:02X} at column {column}{after}); the file "
                f"may be in another encoding such as Latin-1 or Windows-1252: save it as UTF-8",
                byte=column,
            ) from None


def misaligned_error(path_a: str, n_a: int, path_b: str, n_b: int) -> CorpusError:
    name_a, name_b = short_file_names([path_a, path_b])
    hints = "".join(_not_text_hint(p, n) for p, n in ((path_a, name_a), (path_b, name_b)))
    return CorpusError(
        path_a if n_a < n_b else path_b,
        None,
        f"{name_a} has {count_of(n_a, 'line')} but {name_b} has {n_b:,}; the two files must be "
        f"line-aligned (one sentence per line, the same number of lines). Was a line added or "
        f"deleted in one of them?{hints}",
    )


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
    pos, what = (
        body.find(b"\0"),
        ("does not look like text: line {} column {} holds a NUL byte; is it a binary file?"),
    )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        cut_off = e.end == len(body) and len(head) == _SNIFF  # a character split by the sniff
        if not cut_off and (pos < 0 or e.start < pos):
            pos, what = (
                e.start,
                (
                    f"is not UTF-8 text: line {{}} column {{}} holds byte "
                    f"0x{body[e.start]:02X}; is it a binary file, or text in another "
                    f"encoding such as Latin-1?"
                ),
            )
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
        raise CorpusError(
            path,
            1,
            "looks like UTF-32 text; save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(head):
        raise CorpusError(
            path,
            1,
            "looks like UTF-16 text; save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
        )
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise CorpusError(
                path, None, f"looks like a {kind}-compressed file, not plain text; unpack it first"
            )


def _looks_like_utf16(head: bytes) -> bool:
    """BOM-less UTF-16: many NULs, nearly all at even offsets or nearly all at odd ones."""
    half = len(head) // 2
    if half < 2:
        return False
    even = head[0 : 2 * half : 2].count(0)
    odd = head[1 : 2 * half : 2].count(0)
    many, few = max(even, odd), min(even, odd)
    return many >= max(2, half // 5) and few * 8 <= many
