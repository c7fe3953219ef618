"""Bad and odd corpus files through ``attnscope-cli train``, as a user meets them.

Each reading rule of core.data.corpus has a unit test with a failing input in
tests/core/data/test_corpus.py (and a fuzz test in test_corpus_fuzz.py); here every rule, plus the
hostile inputs of the issue (NUL bytes, binary files, a 1 MB line, devices and FIFOs, UTF-16/32),
goes through the CLI: the answer is exit status 2 and one message naming the file (and the line
where there is one), never a traceback — or, for the odd-but-valid inputs, a run that trains on
exactly the right pairs.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import sys
import time
from pathlib import Path

import pytest

from core.data.corpus import CorpusSpec, iter_raw_pairs, load_pairs
from core.data.corpus import files as corpus_files
from core.data.corpus import pairs as corpus_pairs
from core.data.tokenizer import Tokenizer
from tests.reliability.helpers import REPO, cli_train_args, run_cli, short
from tests.toy import reverse_pair

CAT = "Corpus input"
N = 40  # pairs in the small valid corpora built here


def _pairs(n: int = N, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [reverse_pair(rng) for _ in range(n)]


def _text(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _good(tmp_path: Path) -> tuple[bytes, bytes]:
    pairs = _pairs()
    return _text([s for s, _ in pairs]), _text([t for _, t in pairs])


def _binary_blob() -> bytes:
    """The start of this Python interpreter: a real executable."""
    with open(os.path.realpath(sys.executable), "rb") as f:
        return f.read(64 * 1024)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# Each case builds (src, tgt, extra CLI flags) in tmp_path and names what the message must hold:
# the file (always), "file:line" where the fault has a line, and a phrase from the reason.
def _case_nul(tmp):
    src, tgt = _good(tmp)
    lines = src.split(b"\n")
    lines[2] = lines[2][:3] + b"\x00" + lines[2][3:]
    return (
        _write(tmp, "train.src", b"\n".join(lines)),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src", ":3:4", "NUL byte"),
    )


def _case_binary(tmp):
    _, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", _binary_blob()),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src", "line 1", "binary file"),
    )


def _case_binary_both(tmp):
    blob = _binary_blob()
    n = blob.count(b"\n") + (not blob.endswith(b"\n"))
    return (
        _write(tmp, "train.src", blob),
        _write(tmp, "train.tgt", _text(["x"] * n)),
        [],
        ("train.src", ":1:", "NUL byte"),
    )


def _case_missing(tmp):
    _, tgt = _good(tmp)
    return tmp / "nope.src", _write(tmp, "train.tgt", tgt), [], ("nope.src", None, "not found")


def _case_folder(tmp):
    _, tgt = _good(tmp)
    (tmp / "adir").mkdir()
    return tmp / "adir", _write(tmp, "train.tgt", tgt), [], ("adir", None, "is a folder")


def _case_empty(tmp):
    _, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", b""),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src", None, "is empty"),
    )


def _case_utf16(tmp, encoding="utf-16"):
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", src.decode().encode(encoding)),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src", ":1", "UTF-16"),
    )


def _case_utf16_nobom(tmp):
    return _case_utf16(tmp, "utf-16-le")


def _case_utf32(tmp):
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", src.decode().encode("utf-32")),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src", ":1", "UTF-32"),
    )


def _case_latin1(tmp):
    src, tgt = _good(tmp)
    lines = src.split(b"\n")
    lines[4] = "w1 café".encode("latin-1")
    return (
        _write(tmp, "train.src", b"\n".join(lines)),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src", ":5:7", "not valid UTF-8"),
    )


def _case_gzip(tmp):
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src.gz", gzip.compress(src)),
        _write(tmp, "train.tgt", tgt),
        [],
        ("train.src.gz", None, "gzip-compressed"),
    )


def _case_misaligned(tmp):
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", src),
        _write(tmp, "train.tgt", tgt + b"W1\n"),
        [],
        ("train.src", None, f"has {N} lines but train.tgt has {N + 1}"),
    )


def _case_huge_line(tmp):
    src, tgt = _good(tmp)
    big = b"w1 " * (17 * 1024 * 1024 // 3)  # one 17 MiB line, over the 16 MiB limit
    return (
        _write(tmp, "train.src", src + big + b"\n"),
        _write(tmp, "train.tgt", tgt + b"W1\n"),
        [],
        ("train.src", f":{N + 1}", "longer than 16 MiB"),
    )


def _case_fifo(tmp):
    _, tgt = _good(tmp)
    os.mkfifo(tmp / "pipe.src")  # reading it would block for ever
    return (
        tmp / "pipe.src",
        _write(tmp, "train.tgt", tgt),
        [],
        ("pipe.src", None, "not a regular file"),
    )


def _case_device(tmp):
    _, tgt = _good(tmp)
    return (
        Path("/dev/zero"),
        _write(tmp, "train.tgt", tgt),
        [],
        ("/dev/zero", None, "not a regular file"),
    )


def _case_same_file(tmp):
    src, _ = _good(tmp)
    path = _write(tmp, "train.src", src)
    return path, path, [], ("train.src", None, "same file")


def _case_all_too_long(tmp):
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", src),
        _write(tmp, "train.tgt", tgt),
        ["--max-len", "2"],
        ("train.src", None, "Raise the maximum sentence length (now 2 tokens)"),
    )


def _case_all_empty(tmp):
    return (
        _write(tmp, "train.src", b"\n \n\t\n"),
        _write(tmp, "train.tgt", b"a\n\n \n"),
        [],
        ("train.src", None, "no usable sentence pairs left"),
    )


def _case_one_pair(tmp):
    return (
        _write(tmp, "train.src", b"w1 w2\n"),
        _write(tmp, "train.tgt", b"W2 W1\n"),
        [],
        ("train.src", None, "only 1 usable pair"),
    )


def _case_crlf_only(tmp):
    # classic Mac line ends: each file is one long line
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", src.replace(b"\n", b"\r")),
        _write(tmp, "train.tgt", tgt.replace(b"\n", b"\r")),
        [],
        ("train.src", None, "carriage return only (old Mac format)"),
    )


def _case_dev_missing(tmp):
    src, tgt = _good(tmp)
    return (
        _write(tmp, "train.src", src),
        _write(tmp, "train.tgt", tgt),
        ["--dev-src", str(tmp / "dev.src"), "--dev-tgt", str(tmp / "dev.tgt")],
        ("dev.src", None, "not found"),
    )


CASES = {
    "NUL byte inside line 3": _case_nul,
    "a binary file (the python executable) as source": _case_binary,
    "binary source with as many lines as the target": _case_binary_both,
    "a file that is not there": _case_missing,
    "a folder instead of a file": _case_folder,
    "an empty file": _case_empty,
    "UTF-16 with BOM": _case_utf16,
    "UTF-16 LE without BOM": _case_utf16_nobom,
    "UTF-32": _case_utf32,
    "Latin-1 byte (é) on line 5": _case_latin1,
    "a gzip-compressed file": _case_gzip,
    f"{N} source lines, {N + 1} target lines": _case_misaligned,
    "a 17 MiB single line (over the 16 MiB line limit)": _case_huge_line,
    "a FIFO (named pipe)": _case_fifo,
    "a device (/dev/zero)": _case_device,
    "the same file as source and target": _case_same_file,
    "every pair longer than --max-len 2": _case_all_too_long,
    "only empty or blank lines": _case_all_empty,
    "a single usable pair": _case_one_pair,
    "old Mac (CR-only) line ends": _case_crlf_only,
    "a missing dev file": _case_dev_missing,
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_corpus_through_the_cli(tmp_path, capsys, fault, case):
    src, tgt, extra, (name, where, phrase) = CASES[case](tmp_path)
    line_note = f", at {where.lstrip(':')}" if where else ""
    rec = fault(
        CAT,
        f"`attnscope-cli train` with {case}",
        f"exit 2, one message naming {name}{line_note}"
        + (f' and saying "{phrase}"' if phrase else "")
        + "; no traceback; no model "
        "folder content written",
    )
    t0 = time.monotonic()
    r = run_cli(
        capsys,
        *cli_train_args(
            src, tgt, tmp_path / "model", "--max-steps", "2", "--valid-every", "2", *extra
        ),
    )
    seconds = time.monotonic() - t0
    written = (
        sorted(p.name for p in (tmp_path / "model").glob("*"))
        if (tmp_path / "model").exists()
        else []
    )
    rec.observed(
        f'exit {r.code} after {seconds:.2f} s; stderr: "{short(r.message, 420)}"; '
        f"model folder content: {written}"
    )
    assert r.code == 2
    assert "Traceback" not in r.err
    assert name in r.err
    if where:
        assert where in r.err
    assert phrase in r.err
    assert written == []


# ---- odd but valid input: trains on exactly the right pairs -----------------------------------

SEPARATORS = {
    "U+2028 LINE SEPARATOR": "\u2028",
    "U+0085 NEXT LINE": "\u0085",
    "form feed (U+000C)": "\x0c",
    "U+2029 PARAGRAPH SEPARATOR": "\u2029",
    "vertical tab": "\x0b",
    "U+001E record separator": "\x1e",
}


@pytest.mark.parametrize("sep", list(SEPARATORS))
def test_line_separator_characters_stay_inside_one_line(tmp_path, capsys, fault, sep):
    char = SEPARATORS[sep]
    rec = fault(
        CAT,
        f"{sep} inside lines 3 and 7 of both files (`str.splitlines` would split there)",
        f"still {N} pairs (wc -l), the character stays inside its line through core.data.corpus "
        "and the CLI run trains on all of them",
    )
    pairs = _pairs()
    src_lines = [s for s, _ in pairs]
    tgt_lines = [t for _, t in pairs]
    for i in (2, 6):
        src_lines[i] = src_lines[i].replace(" ", f" {char}", 1)
        tgt_lines[i] = tgt_lines[i].replace(" ", f"{char} ", 1)
    src = _write(tmp_path, "train.src", _text(src_lines))
    tgt = _write(tmp_path, "train.tgt", _text(tgt_lines))
    raw = list(iter_raw_pairs(CorpusSpec(str(src), str(tgt))))
    splitlines = len(src.read_bytes().decode().splitlines())
    r = run_cli(
        capsys,
        *cli_train_args(
            src,
            tgt,
            tmp_path / "model",
            "--max-steps",
            "2",
            "--valid-every",
            "2",
            "--json-progress",
        ),
    )
    report = next(json.loads(x)["report"] for x in r.out.splitlines() if '"report"' in x)
    rec.observed(
        f"core.data.corpus read {len(raw)} pairs, line 3 holds the character: "
        f"{char in raw[2].src}; str.splitlines would give {splitlines}; CLI exit {r.code}, "
        f"report pairs_read {report['pairs_read']}, kept {report['pairs_kept']}"
    )
    assert len(raw) == N and char in raw[2].src and char in raw[6].tgt
    assert [p.line for p in raw] == list(range(1, N + 1))
    assert r.code == 0 and report["pairs_read"] == N and report["pairs_kept"] == N


def test_one_megabyte_single_line_is_dropped_quickly_and_alignment_holds(tmp_path, capsys, fault):
    rec = fault(
        CAT,
        "a 1 MB single line of ordinary words (≈ 270k tokens) as line 20 of the "
        "source of an otherwise good corpus",
        "the pair is dropped as too long and counted with its line number, every other "
        "pair stays aligned, reading stays fast (not the ~10 s sacremoses needs for that "
        "line), training runs",
    )
    pairs = _pairs()
    src_lines = [s for s, _ in pairs]
    src_lines[19] = ("w1 w2, w3. hello world " * 50_000)[: 1 << 20]
    src = _write(tmp_path, "train.src", _text(src_lines))
    tgt = _write(tmp_path, "train.tgt", _text([t for _, t in pairs]))
    spec = CorpusSpec(str(src), str(tgt))
    t0 = time.monotonic()
    kept, report = load_pairs(spec, Tokenizer("en").tokenize, Tokenizer("en").tokenize, 50)
    seconds = time.monotonic() - t0
    expected = [(s.split(), t.split()) for i, (s, t) in enumerate(pairs) if i != 19]
    r = run_cli(
        capsys,
        *cli_train_args(src, tgt, tmp_path / "model", "--max-steps", "2", "--valid-every", "2"),
    )
    rec.observed(
        f"load_pairs took {seconds:.2f} s; dropped {report.dropped} at lines "
        f"{report.examples.get('too long')}; kept {report.pairs_kept}, aligned: "
        f"{kept == expected}; CLI exit {r.code}; summary: "
        f'"{short(next(x for x in r.out.splitlines() if x.startswith("Read")))}"'
    )
    assert report.dropped == {"too long": 1} and report.examples["too long"] == [20]
    assert kept == expected
    assert seconds < 3.0
    assert r.code == 0 and "1 too long" in r.out


def test_long_line_shortcut_keeps_the_drop_reasons(fault):
    rec = fault(
        CAT,
        "the too-long shortcut (count words before tokenizing) against the tokenizer "
        "on sides with control characters, punctuation and empty partners",
        "the same drop reason as tokenizing first, for every pair",
    )
    tok = Tokenizer("en").tokenize
    cases = [
        ("a " * 60, ""),
        ("", "b " * 60),
        ("\x01 " * 60, "x"),
        ("a,b " * 30, "y"),
        ("a " * 51, "b"),
        ("a " * 50, "b"),
        ("  " * 80, "z"),
        ("\x1e " * 70 + "a", "q"),
    ]
    mismatches = []
    for src, tgt in cases:
        shortcut = corpus_pairs._drop_reason(
            corpus_pairs._tokenize(tok, src.strip(), 50),
            corpus_pairs._tokenize(tok, tgt.strip(), 50),
            50,
        )
        slow = corpus_pairs._drop_reason(
            tok(src.strip()) if src.strip() else [], tok(tgt.strip()) if tgt.strip() else [], 50
        )
        if shortcut != slow:
            mismatches.append((src[:10], tgt[:10], shortcut, slow))
    rec.observed(f"{len(cases)} cases, mismatches: {mismatches}")
    assert mismatches == []


def test_bom_crlf_and_empty_sides_train_on_the_right_pairs(tmp_path, capsys, fault):
    rec = fault(
        CAT,
        "UTF-8 BOM, CRLF line ends, an empty target line (line 10) and a blank "
        "source line (line 20)",
        "BOM and CR never reach a token or the vocabulary; exactly those two pairs are "
        "dropped and counted, and training runs on the rest",
    )
    pairs = _pairs()
    src_lines = [s for s, _ in pairs]
    tgt_lines = [t for _, t in pairs]
    tgt_lines[9] = ""
    src_lines[19] = "   "
    src = _write(tmp_path, "train.src", b"\xef\xbb\xbf" + "\r\n".join(src_lines).encode() + b"\r\n")
    tgt = _write(tmp_path, "train.tgt", b"\xef\xbb\xbf" + "\r\n".join(tgt_lines).encode() + b"\r\n")
    r = run_cli(
        capsys,
        *cli_train_args(
            src,
            tgt,
            tmp_path / "model",
            "--max-steps",
            "2",
            "--valid-every",
            "2",
            "--json-progress",
        ),
    )
    report = next(json.loads(x)["report"] for x in r.out.splitlines() if '"report"' in x)
    vocab = json.loads(
        (tmp_path / "model" / "vocab.src.json").read_text(encoding="utf-8")
    ) + json.loads((tmp_path / "model" / "vocab.tgt.json").read_text(encoding="utf-8"))
    bad = [t for t in vocab if "\ufeff" in t or "\r" in t]
    rec.observed(
        f"exit {r.code}; read {report['pairs_read']}, kept {report['pairs_kept']}, "
        f"dropped {report['dropped']} at {report['examples']}; vocabulary entries with "
        f"BOM/CR: {bad}"
    )
    assert r.code == 0 and bad == []
    assert report["pairs_read"] == N and report["pairs_kept"] == N - 2
    assert report["examples"] == {"empty target": [10], "empty source": [20]}


def test_permission_denied_is_one_clear_message(tmp_path, capsys, monkeypatch, fault):
    rec = fault(
        CAT,
        "a corpus file the user may not read (permission denied; simulated, the tests run as root)",
        'exit 2, the file named, "permission denied"',
    )
    src, tgt = _good(tmp_path)
    src_path = _write(tmp_path, "train.src", src)
    tgt_path = _write(tmp_path, "train.tgt", tgt)
    real_open = open

    def guarded(path, *args, **kwargs):
        if os.fspath(path) == str(src_path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(corpus_files, "open", guarded, raising=False)
    r = run_cli(capsys, *cli_train_args(src_path, tgt_path, tmp_path / "model", "--max-steps", "2"))
    rec.observed(f'exit {r.code}; stderr: "{short(r.message)}"')
    assert r.code == 2 and "train.src" in r.err and "permission denied" in r.err
    assert "Traceback" not in r.err


# ---- a big synthetic corpus (bench/big_corpus.py) ----------------------------------------------


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("big_corpus", REPO / "bench" / "big_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reading_progress_arrives_while_a_corpus_is_read(tmp_path, fault):
    rec = fault(
        CAT,
        "a 2 MB synthetic corpus (bench/big_corpus.py's generator), train() for one "
        "step with a 2-pair dev set",
        "'reading' progress events arrive while the corpus is read (not only at 0 % and "
        "100 %), rising to the file size, before the corpus report",
    )
    from core.events import ReadingEvent, ReportEvent
    from core.training.run import train
    from tests.reliability.helpers import TINY_MODEL, TOK, train_config

    data = tmp_path / "data"
    data.mkdir()
    counts = _bench().generate(data, 2_000_000, seed=3)
    (data / "dev.src").write_text("ba be\nbi bo\n", encoding="utf-8")
    (data / "dev.tgt").write_text("BE BA\nBO BI\n", encoding="utf-8")
    events: list = []
    t0 = time.monotonic()
    stamps: list[float] = []

    def on_event(e):
        events.append(e)
        stamps.append(time.monotonic() - t0)

    train(
        CorpusSpec(str(data / "train.src"), str(data / "train.tgt")),
        tmp_path / "model",
        TINY_MODEL,
        TOK,
        train_config(max_steps=1, valid_every=1),
        dev_spec=CorpusSpec(str(data / "dev.src"), str(data / "dev.tgt")),
        on_event=on_event,
    )
    reading = [(t, e) for t, e in zip(stamps, events) if isinstance(e, ReadingEvent)]
    report_at = next(t for t, e in zip(stamps, events) if isinstance(e, ReportEvent))
    middle = [e for _, e in reading if 0 < e.bytes_read < e.total_bytes]
    done = [e.bytes_read for _, e in reading]
    rec.observed(
        f"{counts['lines']:,} pairs, {counts['bytes'] / 1e6:.1f} MB; {len(reading)} "
        f"reading events ({len(middle)} in between), last at "
        f"{reading[-1][0]:.2f} s, report at {report_at:.2f} s; monotonic: "
        f"{done == sorted(done)}; final {done[-1]:,} of {reading[-1][1].total_bytes:,} "
        "bytes"
    )
    assert len(middle) >= 2 and done == sorted(done)
    assert done[-1] == reading[-1][1].total_bytes == counts["bytes"]
    assert reading[-1][0] <= report_at


BIG_MB = os.environ.get("ATTNSCOPE_BIG_CORPUS_MB")


def test_big_synthetic_corpus_validates_with_bounded_memory(tmp_path, fault):
    size = float(BIG_MB or 200)
    rec = fault(
        CAT,
        f"a {size:g} MB synthetic parallel corpus (bench/big_corpus.py), `attnscope-cli "
        "train --preset tiny --max-steps 50` as a subprocess",
        "reads, validates and trains; reading progress events arrive while reading; the "
        "trainer's peak RSS stays bounded (tokens are stored as int32, not as Python "
        "strings); only when ATTNSCOPE_BIG_CORPUS_MB is set (minutes at 200 MB)",
    )
    if not BIG_MB:
        rec.observed(
            "not run: set ATTNSCOPE_BIG_CORPUS_MB=200 (the report in docs/reliability.md "
            "is generated with it)"
        )
        pytest.skip("set ATTNSCOPE_BIG_CORPUS_MB=200 to run the big-corpus check")
    import subprocess

    cmd = [
        sys.executable,
        str(REPO / "bench" / "big_corpus.py"),
        "--mb",
        str(size),
        "--max-steps",
        "50",
        "--workdir",
        str(tmp_path),
        "--json-only",
    ]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    rec.observed(
        ", ".join(f"{k} {v}" for k, v in result.items())
        + (f"; stderr {short(proc.stderr)}" if proc.returncode else "")
    )
    assert proc.returncode == 0, proc.stderr
    assert result["train_exit"] == 0
    assert result["reading_events_during_reading"] >= 2
    # interpreter + torch ≈ 250-450 MB; the compact store needs ~ 1 byte of RAM per corpus byte
    assert result["peak_rss_mb"] < 700 + 3 * result["corpus_mb"]
