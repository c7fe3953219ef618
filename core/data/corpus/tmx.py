"""Reading a TMX 1.4 translation memory (the format CAT tools export) as aligned pairs.

Why SAX and not ``iterparse``: a dropped unit must be reported with its line number, and only
expat's callbacks know the line an element starts on. The parser is fed 64 KiB at a time and keeps
one unit's text, so memory stays flat however large the file is.

Why ``defusedxml``: a TMX file comes from anywhere. Entity declarations are refused (no "billion
laughs"), external entities are never fetched, and the external DTD subset that TMX files name
(``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``) is not read at all (no file or network access).

Which ``<tuv>``: a requested code matches a ``<tuv>`` whose ``xml:lang`` (or TMX 1.1 ``lang``)
is the same code or one of its variants, case-insensitively, ``_`` read as ``-``: ``en`` matches
``en``, ``EN-us`` and ``en_GB``; ``en-US`` matches only ``en-US``. When two ``<tuv>`` of one unit
match, the exact code wins over a variant, and otherwise the first one in the unit; such units are
counted in the report (a note, not a drop). Inline markup is stripped to text: the text of ``hi``
is kept; the native codes in ``bpt``, ``ept``, ``ph``, ``it`` and ``ut`` are dropped, and with
them any ``sub`` inside (a sub-flow such as a footnote is not part of the sentence). Runs of
whitespace (line breaks inside a segment) become one space.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.parsers.expat import XML_PARAM_ENTITY_PARSING_NEVER
from xml.sax import SAXParseException
from xml.sax.handler import ErrorHandler

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.expatreader import DefusedExpatParser

from core.data.corpus.files import Skip, _stat_file, open_binary
from core.data.corpus.report import MAX_EXAMPLES, MISSING_BOTH, MISSING_SOURCE, MISSING_TARGET
from core.data.corpus.spec import RawPair
from core.errors import CorpusError

_CHUNK = 1 << 16  # bytes fed to the parser at a time; module-level so tests can shrink it
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})  # native codes: their content is dropped
_MAX_LANGS_SHOWN = 12
_MAX_LANGS_KEPT = 1000  # distinct codes whose match is remembered (a real file has a few)
_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"\xfd7zXZ\x00", "xz"))


def normalize_lang(code: str) -> str:
    """``EN_us`` → ``en-us``: how codes are compared."""
    return code.strip().lower().replace("_", "-")


def lang_match(wanted: str, code: str) -> int:
    """2: the same code; 1: ``code`` is a variant of ``wanted`` (en-US of en); 0: no match."""
    wanted, code = normalize_lang(wanted), normalize_lang(code)
    if code == wanted:
        return 2
    return 1 if code.startswith(wanted + "-") else 0


def looks_like_tmx(path: str) -> bool:
    """Whether a chosen file is a TMX file: a ``.tmx`` name, or (not for ``.tsv`` and ``.txt``)
    an XML start with ``<tmx`` near it, UTF-8 or UTF-16, so a memory saved as ``.xml`` is
    recognised too. Never raises."""
    name = path.lower()
    if name.endswith(".tmx"):
        return True
    if name.endswith((".tsv", ".txt")):
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(2048)
    except OSError:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode()
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") and b"<tmx" in head


def check_tmx_langs(path: str, src_lang: str | None, tgt_lang: str | None) -> None:
    """Both codes given and told apart: ``en`` and ``en-GB`` would pick the same ``<tuv>``."""
    if not src_lang or not tgt_lang:
        raise CorpusError(
            path,
            None,
            "a TMX file holds many languages: give the source and the target language "
            "(codes such as en and de) to choose the two to read",
        )
    if lang_match(src_lang, tgt_lang) or lang_match(tgt_lang, src_lang):
        raise CorpusError(
            path,
            None,
            f"the source language {src_lang!r} and the target language {tgt_lang!r} would pick "
            f"the same <tuv> of each unit; give two different languages (or two regions, "
            f"such as en-US and en-GB)",
        )


@dataclass
class _Unit:
    """The ``<tuv>`` texts of the unit being read, kept only for the two wanted languages."""

    line: int
    src: str | None = None
    tgt: str | None = None
    src_score: int = 0
    tgt_score: int = 0
    ambiguous: bool = False


class _Handler:
    """Turns expat's events into finished units (``RawPair`` or ``Skip``), one unit's text at a
    time. Its methods are expat's own handlers (no SAX objects per event: twice as fast)."""

    def __init__(self, reader: TmxReader) -> None:
        self.reader = reader
        self.out: list[RawPair | Skip] = []
        self.depth = 0
        self.unit: _Unit | None = None
        self.scores: tuple[int, int] | None = None  # the current tuv's match (source, target)
        self.in_seg = False
        self.code_depth = 0  # > 0 inside bpt/ept/ph/it/ut (their text is dropped)
        self.text: list[str] = []
        self.units = 0
        self.langs: dict[str, tuple[int, int]] = {}  # every code seen, with its match

    def line(self) -> int:
        return self.reader.line_now()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1 and name != "tmx":
            raise CorpusError(
                self.reader.path,
                self.line(),
                f"is not a TMX file: it starts with <{name}>, not <tmx>",
            )
        if name == "tu":
            self.unit = _Unit(self.line())
        elif name == "tuv" and self.unit is not None:
            lang = attrs.get("xml:lang") or attrs.get("lang")
            if not lang:
                raise CorpusError(self.reader.path, self.line(), "a <tuv> has no xml:lang")
            self.scores = self.langs.get(lang) or self._new_lang(lang)
        elif name == "seg" and self.scores is not None:
            self.in_seg, self.text = True, []
        elif self.in_seg and name in _CODES:
            self.code_depth += 1

    def _new_lang(self, lang: str) -> tuple[int, int]:
        scores = (lang_match(self.reader.src_lang, lang), lang_match(self.reader.tgt_lang, lang))
        if len(self.langs) < _MAX_LANGS_KEPT:
            self.langs[lang] = scores
        return scores

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == "tu" and self.unit is not None:
            self._unit_done(self.unit)
            self.unit = None
        elif name == "tuv":
            self.scores = None
        elif name == "seg" and self.in_seg:
            self.in_seg = False
            self._seg_done(" ".join("".join(self.text).split()))
        elif self.in_seg and name in _CODES:
            self.code_depth -= 1

    def characters(self, content: str) -> None:
        if self.in_seg and not self.code_depth:
            self.text.append(content)

    def skipped(self, name: str, is_parameter_entity: bool) -> None:
        raise CorpusError(
            self.reader.path,
            self.line(),
            f"uses the entity &{name}; which only an external DTD could define; Attnscope "
            "does not read DTDs: write the character itself (UTF-8) instead",
        )

    def _seg_done(self, text: str) -> None:
        unit, scores = self.unit, self.scores
        if unit is None or scores is None:
            return
        src, tgt = scores
        if src:
            unit.ambiguous |= unit.src_score > 0
            if src > unit.src_score:
                unit.src, unit.src_score = text, src
        if tgt:
            unit.ambiguous |= unit.tgt_score > 0
            if tgt > unit.tgt_score:
                unit.tgt, unit.tgt_score = text, tgt

    def _unit_done(self, unit: _Unit) -> None:
        self.units += 1
        if unit.ambiguous:
            self.reader.ambiguous += 1
            if len(self.reader.ambiguous_lines) < MAX_EXAMPLES:
                self.reader.ambiguous_lines.append(unit.line)
        if unit.src is None or unit.tgt is None:
            reason = (
                MISSING_BOTH
                if unit.src is None and unit.tgt is None
                else MISSING_SOURCE
                if unit.src is None
                else MISSING_TARGET
            )
            self.out.append(Skip(unit.line, reason))
            return
        self.reader.matched += 1
        self.out.append(RawPair(unit.line, unit.src, unit.tgt))


class _Parser(DefusedExpatParser):
    """defusedxml's SAX parser (entity declarations and external entities refused) that never
    reads the external DTD subset and calls ``_Handler`` straight from expat."""

    def __init__(self, handler: _Handler) -> None:
        super().__init__()
        self.handler = handler
        self.setErrorHandler(_Errors())

    def reset(self) -> None:
        super().reset()  # defusedxml installs its refusals here
        expat = self._parser
        # UNLESS_STANDALONE (the SAX default) would ask for the DTD named by <!DOCTYPE>, which
        # defusedxml refuses, so every TMX file with the usual doctype would fail.
        expat.SetParamEntityParsing(XML_PARAM_ENTITY_PARSING_NEVER)
        expat.buffer_text = True  # one call per text run, not one per line or entity
        expat.StartElementHandler = self.handler.start
        expat.EndElementHandler = self.handler.end
        expat.CharacterDataHandler = self.handler.characters
        expat.SkippedEntityHandler = self.handler.skipped


class _Errors(ErrorHandler):
    def fatalError(self, exception: SAXParseException) -> None:
        raise exception


class TmxReader:
    """Streams a TMX file's units as ``RawPair`` (both languages found) or ``Skip`` (one or both
    missing), with ``line`` the line of the unit's ``<tu>``; counts bytes for progress."""

    def __init__(self, path: str, src_lang: str | None, tgt_lang: str | None) -> None:
        check_tmx_langs(path, src_lang, tgt_lang)
        self.path, self.src_lang, self.tgt_lang = path, str(src_lang), str(tgt_lang)
        self.size = _stat_file(path)
        if self.size == 0:
            raise CorpusError(path, None, "is empty")
        with open_binary(path) as f:
            head = f.read(8)
        for magic, kind in _COMPRESSED:
            if head.startswith(magic):
                raise CorpusError(
                    path, None, f"looks like a {kind}-compressed file, not a TMX file; unpack it"
                )
        self.bytes_read = 0
        self.matched = 0  # units with both languages
        self.ambiguous = 0  # units where two tuvs matched one language
        self.ambiguous_lines: list[int] = []  # the first few of them
        self._parser: _Parser | None = None

    def line_now(self) -> int:
        """The line the parser is at (inside a callback: the line of the current event)."""
        return self._parser.getLineNumber() if self._parser is not None else 1

    def __iter__(self) -> Iterator[RawPair | Skip]:
        handler = _Handler(self)
        parser = self._parser = _Parser(handler)
        with open_binary(self.path) as f:
            yield from self._feed(f, parser, handler, final=False)
            yield from self._feed(f, parser, handler, final=True)
        if handler.units == 0:
            raise CorpusError(self.path, None, "is a TMX file without any unit (<tu>)")
        if self.matched == 0:
            raise CorpusError(self.path, None, self._no_match(set(handler.langs)))

    def _feed(self, f: IO[bytes], parser: _Parser, handler: _Handler, final: bool):
        """Feeds the whole file (or, with ``final``, the end of input), yielding finished units
        after each chunk; every parse problem becomes a CorpusError naming the line."""
        while True:
            chunk = b"" if final else _read(f, self.path)
            if not chunk and not final:
                return
            try:
                if final:
                    parser.close()
                else:
                    parser.feed(chunk)
            except SAXParseException as exc:
                raise CorpusError(
                    self.path, exc.getLineNumber(), f"is not well-formed XML: {exc.getMessage()}"
                ) from None
            except DefusedXmlException as exc:
                raise CorpusError(self.path, self.line_now(), _hostile(exc)) from None
            self.bytes_read += len(chunk)
            yield from handler.out
            handler.out.clear()
            if final:
                return

    def _no_match(self, langs: set[str]) -> str:
        shown = sorted(langs)[:_MAX_LANGS_SHOWN]
        more = ", ..." if len(langs) > _MAX_LANGS_SHOWN else ""
        found = f"its languages are {', '.join(shown)}{more}" if shown else "it has no <tuv>"
        return (
            f"no unit has both {self.src_lang} and {self.tgt_lang}; {found}. Set the source "
            f"and target languages to two of these"
        )


def _read(f: IO[bytes], path: str) -> bytes:
    try:
        return f.read(_CHUNK)
    except OSError as e:
        raise CorpusError(path, None, f"reading failed ({e.strerror or e})") from None


def _hostile(exc: DefusedXmlException) -> str:
    if isinstance(exc, EntitiesForbidden):
        return (
            f"declares the entity {exc.name!r}; entity declarations are refused (they can "
            "expand to gigabytes or read other files), and TMX files do not need them"
        )
    return "refers to an external entity, which is never fetched (no file or network access)"
