"""TMX translation memories: language choice, inline markup, missing languages, hostile XML."""

from __future__ import annotations

import http.server
import threading
import tracemalloc
from pathlib import Path

import pytest

import core.data.corpus.tmx as tmx_module
from core.data.corpus import (
    MISSING_BOTH,
    MISSING_SOURCE,
    MISSING_TARGET,
    TWO_VARIANTS,
    CorpusReport,
    CorpusSpec,
    fingerprint,
    iter_raw_pairs,
    load_pairs,
)
from core.data.corpus.tmx import lang_match
from core.errors import CorpusError

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<tmx version="1.4">\n'
    '<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" '
    'adminlang="en" srclang="en" datatype="plaintext"/>\n'
    "<body>\n"
)
TAIL = "</body>\n</tmx>\n"


def tu(*tuvs: tuple[str, str], attr: str = "xml:lang") -> str:
    """One unit on one line: (lang, seg inner XML) per tuv."""
    inner = "".join(f'<tuv {attr}="{lang}"><seg>{seg}</seg></tuv>' for lang, seg in tuvs)
    return f"<tu>{inner}</tu>\n"


def write_tmx(path: Path, *units: str, head: str = HEAD) -> str:
    path.write_text(head + "".join(units) + TAIL, encoding="utf-8")
    return str(path)


def spec(path: str, src: str = "en", tgt: str = "de") -> CorpusSpec:
    return CorpusSpec(tmx_path=path, tmx_src_lang=src, tmx_tgt_lang=tgt)


def read(path: str, src: str = "en", tgt: str = "de") -> tuple[list[tuple[int, str, str]], dict]:
    report = CorpusReport(files=[path])
    pairs = [(p.line, p.src, p.tgt) for p in iter_raw_pairs(spec(path, src, tgt), report)]
    return pairs, report.to_dict()


def test_units_become_pairs_with_the_line_of_their_tu(tmp_path):
    path = write_tmx(
        tmp_path / "a.tmx",
        tu(("en", "The cat sleeps."), ("de", "Die Katze schläft.")),
        tu(("de", "Guten Morgen."), ("en", "Good morning.")),  # order inside a unit is free
    )
    pairs, _ = read(path)
    assert pairs == [
        (5, "The cat sleeps.", "Die Katze schläft."),
        (6, "Good morning.", "Guten Morgen."),
    ]


@pytest.mark.parametrize(
    ("wanted", "code", "score"),
    [
        ("en", "en", 2),
        ("en", "EN", 2),
        ("en", "en-US", 1),
        ("EN", "en_gb", 1),
        ("en-US", "en-us", 2),
        ("en-US", "en", 0),
        ("en-US", "en-GB", 0),
        ("en", "eng", 0),
        ("de", "de-CH-1996", 1),
    ],
)
def test_language_codes_match_themselves_and_their_variants(wanted, code, score):
    assert lang_match(wanted, code) == score


def test_region_variants_are_read_for_a_plain_language_code(tmp_path):
    path = write_tmx(
        tmp_path / "r.tmx",
        tu(("EN-US", "Color"), ("de-DE", "Farbe")),
        tu(("en_GB", "Colour"), ("DE-at", "Farbe")),
    )
    pairs, report = read(path)
    assert [(s, t) for _, s, t in pairs] == [("Color", "Farbe"), ("Colour", "Farbe")]
    assert report["notes"] == {}


def test_two_regions_of_one_language_can_be_the_two_sides(tmp_path):
    path = write_tmx(tmp_path / "r.tmx", tu(("en-US", "color"), ("en-GB", "colour"), ("de", "F")))
    pairs, _ = read(path, "en-GB", "en-us")
    assert [(s, t) for _, s, t in pairs] == [("colour", "color")]


def test_a_conflict_takes_the_exact_code_then_the_first_and_is_counted(tmp_path):
    path = write_tmx(
        tmp_path / "c.tmx",
        tu(("en-US", "US first"), ("en", "plain en"), ("de", "x")),  # exact code wins
        tu(("en-US", "US"), ("en-GB", "GB"), ("de", "y")),  # equally close: the first wins
        tu(("en", "only one"), ("de", "z")),
    )
    pairs, report = read(path)
    assert [s for _, s, _ in pairs] == ["plain en", "US", "only one"]
    assert report["notes"] == {TWO_VARIANTS: 2}
    assert report["note_examples"] == {TWO_VARIANTS: [5, 6]}


def test_the_old_lang_attribute_is_read(tmp_path):
    path = write_tmx(tmp_path / "old.tmx", tu(("EN", "old"), ("DE", "alt"), attr="lang"))
    assert read(path)[0] == [(5, "old", "alt")]


def test_inline_markup_is_stripped_to_text(tmp_path):
    en = (
        'Press <bpt i="1" x="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> now'
        '<ph x="2">&lt;img alt="<sub>Logo text</sub>"/&gt;</ph>.'
        ' <it pos="begin">&lt;i&gt;</it>Then<ut>{\\b}</ut> <hi type="bold">close <hi>it</hi></hi>'
    )
    de = "Drücken Sie <bpt i='1'>{1}</bpt>Speichern<ept i='1'>{/1}</ept>\n   jetzt.\t Ende"
    path = write_tmx(tmp_path / "m.tmx", tu(("en", en), ("de", de)))
    pairs, _ = read(path)
    assert pairs == [(5, "Press Save now. Then close it", "Drücken Sie Speichern jetzt. Ende")]


def test_units_missing_a_language_are_dropped_with_their_line_numbers(tmp_path):
    path = write_tmx(
        tmp_path / "m.tmx",
        tu(("en", "one"), ("de", "eins")),
        tu(("en", "two")),
        tu(("fr", "trois")),
        tu(("de", "vier"), ("fr", "quatre")),
        tu(("en", "five"), ("de", "fünf")),
        "<tu>\n<tuv xml:lang='en'><seg>six</seg></tuv>\n</tu>\n",
    )
    pairs, report = load_pairs(spec(path), str.split, str.split, 50)
    assert pairs == [(["one"], ["eins"]), (["five"], ["fünf"])]
    assert report.pairs_read == 6 and report.pairs_kept == 2
    assert report.dropped == {MISSING_TARGET: 2, MISSING_BOTH: 1, MISSING_SOURCE: 1}
    assert report.examples == {MISSING_TARGET: [6, 10], MISSING_BOTH: [7], MISSING_SOURCE: [8]}
    summary = report.summary()
    assert "m.tmx" in summary and "2 target language missing (lines 6, 10)" in summary


def test_an_empty_segment_is_an_empty_side(tmp_path):
    path = write_tmx(
        tmp_path / "e.tmx", tu(("en", "a"), ("de", "b")), tu(("en", " <ph>x</ph> "), ("de", "c"))
    )
    _, report = load_pairs(spec(path), str.split, str.split, 50)
    assert report.examples == {"empty source": [6]}


def test_no_unit_with_both_languages_names_the_languages_found(tmp_path):
    path = write_tmx(tmp_path / "fr.tmx", tu(("fr-FR", "bonjour"), ("es", "hola")))
    with pytest.raises(
        CorpusError, match=r"no unit has both en and de; its languages are es, fr-FR"
    ):
        load_pairs(spec(path), str.split, str.split, 50)


@pytest.mark.parametrize(
    ("src", "tgt"), [("en", "en"), ("en", "EN-us"), ("en-GB", "en"), ("de", None), (None, "de")]
)
def test_languages_that_cannot_be_told_apart_are_refused_up_front(tmp_path, src, tgt):
    path = write_tmx(tmp_path / "a.tmx", tu(("en", "a"), ("de", "b")))
    with pytest.raises(CorpusError, match="a.tmx") as info:
        CorpusSpec(tmx_path=path, tmx_src_lang=src, tmx_tgt_lang=tgt).validate()
    assert "language" in info.value.reason


def test_a_tmx_file_and_other_files_together_are_refused(tmp_path):
    path = write_tmx(tmp_path / "a.tmx", tu(("en", "a"), ("de", "b")))
    with pytest.raises(CorpusError, match="not several"):
        CorpusSpec(tsv_path=path, tmx_path=path, tmx_src_lang="en", tmx_tgt_lang="de").validate()


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        (
            "<tu><tuv xml:lang='en'><seg>a</seg></tuv>\n<tuv xml:lang='de'><seg>b</sag>",
            6,
            "mismatched tag",
        ),
        ("<tu><tuv xml:lang='en'><seg>a & b</seg></tuv></tu>\n", 5, "not well-formed"),
        ("<tu><tuv xml:lang='en'><seg>&nbsp;</seg></tuv></tu>\n", 5, "undefined entity"),
        ("<tu><tuv><seg>a</seg></tuv></tu>\n", 5, "has no xml:lang"),
    ],
)
def test_bad_xml_names_file_line_and_problem(tmp_path, body, line, problem):
    path = tmp_path / "bad.tmx"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_pairs(spec(str(path)), str.split, str.split, 50)
    assert info.value.path == str(path) and info.value.line == line
    assert problem in info.value.reason


def test_a_file_that_ends_early_is_reported(tmp_path):
    path = tmp_path / "cut.tmx"
    path.write_text(HEAD + tu(("en", "a"), ("de", "b")), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"cut.tmx:6: is not well-formed XML: no element found"):
        load_pairs(spec(str(path)), str.split, str.split, 50)


def test_other_xml_and_non_xml_files_are_refused(tmp_path):
    html = tmp_path / "page.tmx"
    html.write_text("<html><body><tu/></body></html>", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"page.tmx:1: is not a TMX file: it starts with <html>"):
        load_pairs(spec(str(html)), str.split, str.split, 50)
    text = tmp_path / "plain.tmx"
    text.write_text("hello\tHallo\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"plain.tmx:1: is not well-formed XML"):
        load_pairs(spec(str(text)), str.split, str.split, 50)
    empty = tmp_path / "empty.tmx"
    empty.write_bytes(b"")
    with pytest.raises(CorpusError, match="is empty"):
        load_pairs(spec(str(empty)), str.split, str.split, 50)
    units = tmp_path / "none.tmx"
    units.write_text(HEAD + TAIL, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"without any unit"):
        load_pairs(spec(str(units)), str.split, str.split, 50)


def test_utf16_files_as_cat_tools_export_them_are_read(tmp_path):
    text = (HEAD + tu(("en", "naïve"), ("de", "naiv")) + TAIL).replace("UTF-8", "UTF-16")
    path = tmp_path / "u16.tmx"
    path.write_bytes(text.encode("utf-16"))
    assert read(str(path))[0] == [(5, "naïve", "naiv")]


# ---------------------------------------------------------------- hostile XML

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE tmx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<tmx version="1.4"><header/><body>
<tu><tuv xml:lang="en"><seg>&lol9;</seg></tuv><tuv xml:lang="de"><seg>x</seg></tuv></tu>
</body></tmx>
"""


def test_billion_laughs_is_refused_without_expanding_anything(tmp_path):
    path = tmp_path / "lol.tmx"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(CorpusError) as info:
            load_pairs(spec(str(path)), str.split, str.split, 50)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.line == 3 and "declares the entity 'lol'" in info.value.reason
    assert peak < 5 << 20  # the expansion would be 3 GB


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    for n, decl in enumerate(
        [
            f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">',
            f'<!ENTITY % pe SYSTEM "{secret.as_uri()}"> %pe;',
        ]
    ):
        path = tmp_path / f"xxe{n}.tmx"
        path.write_text(
            f'<?xml version="1.0"?>\n<!DOCTYPE tmx [\n {decl}\n]>\n<tmx version="1.4"><body>'
            '<tu><tuv xml:lang="en"><seg>&xxe;</seg></tuv><tuv xml:lang="de"><seg>x</seg></tuv>'
            "</tu></body></tmx>\n",
            encoding="utf-8",
        )
        with pytest.raises(CorpusError) as info:
            load_pairs(spec(str(path)), str.split, str.split, 50)
        assert info.value.line == 3 and "entity declarations are refused" in info.value.reason
        assert "TOP SECRET" not in str(info.value)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        body = b'<!ENTITY nbsp "PWNED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def dtd_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    _CountingHandler.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tmx14.dtd"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_doctype_is_accepted_but_its_dtd_is_never_fetched(tmp_path, dtd_server):
    local_dtd = tmp_path / "tmx14.dtd"
    local_dtd.write_text("this is not a DTD <<<", encoding="utf-8")  # reading it would fail
    for n, system in enumerate(["tmx14.dtd", str(local_dtd), dtd_server]):
        head = HEAD.replace("<tmx", f'<!DOCTYPE tmx SYSTEM "{system}">\n<tmx', 1)
        path = write_tmx(tmp_path / f"d{n}.tmx", tu(("en", "a"), ("de", "b")), head=head)
        assert read(path)[0] == [(6, "a", "b")]
    entity = HEAD.replace("<tmx", f'<!DOCTYPE tmx SYSTEM "{dtd_server}">\n<tmx', 1)
    path = write_tmx(tmp_path / "nbsp.tmx", tu(("en", "a&nbsp;b"), ("de", "b")), head=entity)
    with pytest.raises(CorpusError, match=r"nbsp.tmx:6: uses the entity &nbsp; which only an"):
        load_pairs(spec(path), str.split, str.split, 50)
    assert _CountingHandler.hits == 0


def test_an_internal_dtd_without_entities_is_accepted(tmp_path):
    head = HEAD.replace("<tmx", "<!DOCTYPE tmx [\n<!ELEMENT tmx ANY>\n]>\n<tmx", 1)
    path = write_tmx(tmp_path / "i.tmx", tu(("en", "a"), ("de", "b")), head=head)
    assert read(path)[0] == [(8, "a", "b")]


# ---------------------------------------------------------------- streaming


def test_memory_stays_flat_while_streaming_a_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tmx_module, "_CHUNK", 4096)
    unit = tu(("en", "a rather ordinary sentence " * 4), ("de", "ein ganz gewöhnlicher Satz " * 4))
    path = tmp_path / "big.tmx"
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for _ in range(20_000):
            f.write(unit)
        f.write(TAIL)
    assert path.stat().st_size > 5 << 20
    tracemalloc.start()
    try:
        n = sum(1 for _ in iter_raw_pairs(spec(str(path))))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 20_000
    assert peak < 1 << 20  # a few units' text, not the 5 MB file


def test_progress_counts_the_file_bytes(tmp_path):
    path = write_tmx(
        tmp_path / "p.tmx", *[tu(("en", f"s {i}"), ("de", f"t {i}")) for i in range(50)]
    )
    seen: list[tuple[int, int]] = []
    load_pairs(spec(path), str.split, str.split, 50, progress=lambda d, t: seen.append((d, t)))
    size = Path(path).stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)


def test_the_fingerprint_depends_on_the_languages_read(tmp_path):
    path = write_tmx(tmp_path / "f.tmx", tu(("en", "a"), ("de", "b"), ("fr", "c")))
    assert fingerprint(spec(path)) == fingerprint(spec(path))
    assert fingerprint(spec(path)) != fingerprint(spec(path, "en", "fr"))
    assert spec(path).describe() == "f.tmx (en → de)"


def test_tmx_files_are_recognised_by_name_or_by_their_start(tmp_path):
    from core.data.corpus import looks_like_tmx

    xml = tmp_path / "export.xml"
    xml.write_text(HEAD + TAIL, encoding="utf-8")
    u16 = tmp_path / "export16.xml"
    u16.write_bytes((HEAD + TAIL).encode("utf-16"))
    tsv = tmp_path / "about-xml.tsv"
    tsv.write_text("<tmx> is a format\t<tmx> ist ein Format\n", encoding="utf-8")
    text = tmp_path / "notes"
    text.write_text("see <tmx> files\n", encoding="utf-8")
    assert looks_like_tmx(str(tmp_path / "missing.TMX"))
    assert looks_like_tmx(str(xml)) and looks_like_tmx(str(u16))
    assert not looks_like_tmx(str(tsv)) and not looks_like_tmx(str(text))
    assert not looks_like_tmx(str(tmp_path / "missing.xml"))
