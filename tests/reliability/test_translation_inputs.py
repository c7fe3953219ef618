"""Odd text to translate: every input gives a translation or one clear CoreError, never a crash.

tests/core/decoding/test_translator.py covers empty text, the 400-token limit and a few unknown
scripts with greedy search; here a wider set goes through greedy *and* beam search, the batch path
and the CLI (stdin, --input files, attention), on the tiny preset model.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.decoding.translator import MAX_SOURCE_TOKENS, Translator
from core.errors import CoreError
from tests.reliability.helpers import run_cli, short, stdin_bytes

CAT = "Translation input"

INPUTS = {
    "empty text": "",
    "only whitespace": " \t  ",
    "only punctuation": "?!... ,;:",
    "only CJK punctuation": "。、！？",
    "1,000 tokens": " ".join(["w1"] * 1000),
    f"exactly {MAX_SOURCE_TOKENS} tokens": " ".join(["w2"] * MAX_SOURCE_TOKENS),
    "one 100,000-character word": "x" * 100_000,
    "emoji only": "😀🙂👍🏽 🇩🇪",
    "emoji among known words": "w1 😀 w2",
    "Chinese/Japanese": "我爱你 日本語のテキスト",
    "Arabic (right to left)": "مرحبا بالعالم",
    "Hindi (combining marks)": "नमस्ते दुनिया",
    "a right-to-left override and zero-width characters": "\u202e w1 \u200b w2 \u200d",
    "decomposed accents (e + U+0301) ×50": "e\u0301" * 50,
    "control characters and NUL": "w1\x00w2\x07\x1b[31m",
    "a lone surrogate (from surrogateescape)": "w1 \udcff w2",
    "the model's own special tokens": "<unk> </s> <s> <pad>",
    "U+2028 between words": "w1\u2028w2",
}


@pytest.fixture(scope="module")
def tr(tiny_model):
    return Translator.load(tiny_model, device="cpu")


def _check(t) -> None:
    assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))
    if t.target_tokens:
        assert np.all(np.isfinite(t.attention))
        np.testing.assert_allclose(t.attention.sum(1), 1.0, atol=1e-4)
    assert isinstance(t.text, str)


@pytest.mark.parametrize("beam", [1, 4])
@pytest.mark.parametrize("name", list(INPUTS))
def test_odd_text_gives_a_translation_or_a_clear_error(tr, fault, name, beam):
    text = INPUTS[name]
    search = "greedy" if beam == 1 else f"beam {beam}"
    must_fail = name == "1,000 tokens"
    rec = fault(
        CAT,
        f"{name} ({search})",
        "a CoreError that gives the token count and the limit"
        if must_fail
        else "a translation (possibly empty) with a well-formed attention matrix; no exception",
    )
    try:
        hyps = tr.translate(text, beam=beam, nbest=2 if beam > 1 else 1)
    except CoreError as exc:
        rec.observed(f'CoreError: "{short(exc)}"')
        assert must_fail
        assert "1000 tokens" in str(exc) and str(MAX_SOURCE_TOKENS) in str(exc)
        return
    except Exception as exc:
        rec.observed(f"crash: {type(exc).__name__}: {short(exc)}")
        raise
    t = hyps[0]
    rec.observed(
        f"{len(hyps)} hypothesis(es); source tokens {len(t.source_tokens)}, output "
        f"{short(repr(t.text), 80)} ({len(t.target_tokens)} tokens)"
    )
    assert not must_fail
    for h in hyps:
        _check(h)


def test_batch_with_odd_lines_keeps_order(tr, fault):
    names = [n for n in INPUTS if n != "1,000 tokens"]
    rec = fault(
        CAT,
        f"translate_batch of {len(names)} odd lines at once (batching by length mixes them)",
        "one result per line, in input order, each the same as translating that line alone",
    )
    texts = [INPUTS[n] for n in names]
    batch = tr.translate_batch(texts, batch_size=4)
    alone = [tr.translate(t)[0].text for t in texts]
    same = [b.text == a for b, a in zip(batch, alone)]
    rec.observed(
        f"{len(batch)} results for {len(texts)} lines; equal to one-by-one: {sum(same)}/{len(same)}"
    )
    assert len(batch) == len(texts) and all(same)


def test_scoring_an_empty_source_is_a_clear_error(tr, fault):
    rec = fault(
        CAT,
        "forced decoding (score) with an empty source and a target",
        "a CoreError asking for a source sentence",
    )
    with pytest.raises(CoreError) as info:
        tr.score("   ", "W1 W2")
    rec.observed(f'CoreError: "{info.value}"')


# ---- through the CLI
# ---------------------------------------------------------------------------------


def test_cli_translate_stdin_odd_lines(tiny_model, capsys, monkeypatch, fault):
    lines = ["", "?!", "😀 日本語", "مرحبا", "w1 w2"]
    rec = fault(
        CAT,
        "`attnscope-cli translate` reading empty, punctuation-only, emoji/CJK and "
        "Arabic lines from stdin",
        "exit 0 and exactly one output line per input line",
    )
    monkeypatch.setattr("sys.stdin", stdin_bytes(("\n".join(lines) + "\n").encode("utf-8")))
    r = run_cli(capsys, "translate", "--model", str(tiny_model))
    out = r.out.split("\n")[:-1]
    rec.observed(f"exit {r.code}; {len(out)} output lines for {len(lines)} inputs")
    assert r.code == 0 and len(out) == len(lines)


def test_cli_too_long_sentence_is_one_message(tiny_model, capsys, fault):
    rec = fault(
        CAT,
        "`attnscope-cli attention` with a 1,000-token sentence",
        "exit 2, one message with the count and the limit, no traceback",
    )
    r = run_cli(capsys, "attention", "--model", str(tiny_model), " ".join(["w1"] * 1000))
    rec.observed(f'exit {r.code}; stderr: "{short(r.message)}"')
    assert r.code == 2 and "1000 tokens" in r.err and "Traceback" not in r.err


def test_cli_translate_invalid_utf8_on_stdin(tiny_model, capsys, monkeypatch, fault):
    rec = fault(
        CAT,
        "`attnscope-cli translate` with a Latin-1 byte on stdin line 2 (strict UTF-8 "
        "stdin, as under an en_US.UTF-8 locale)",
        "exit 2 and one message naming stdin line 2 (lines before it translated), or the "
        "line translated with the bad byte replaced; never a traceback",
    )
    monkeypatch.setattr("sys.stdin", stdin_bytes(b"w1 w2\ncaf\xe9 w3\nw4\n"))
    try:
        r = run_cli(capsys, "translate", "--model", str(tiny_model))
    except Exception as exc:
        rec.observed(f"uncaught {type(exc).__name__}: {short(exc)} (a traceback for the user)")
        raise
    rec.observed(f'exit {r.code}; stdout {r.out.splitlines()}; stderr "{short(r.message)}"')
    assert r.code in (0, 2) and "Traceback" not in r.err
    if r.code == 2:  # one message naming stdin, line 2, the column and the byte
        assert "<stdin>:2:4: not valid UTF-8 (byte 0xe9); send UTF-8 text" in r.err
        assert len(r.out.splitlines()) == 1  # line 1 was translated before it
    else:  # the bad byte replaced: every line translated
        assert len(r.out.splitlines()) == 3


def test_cli_translate_file_names_the_overlong_line(tiny_model, tmp_path, capsys, fault):
    rec = fault(
        CAT,
        "`attnscope-cli translate --input FILE` where line 3 of 5 has 1,000 tokens",
        "exit 2, one message that names line 3 (so the user can find it in a big file)",
    )
    lines = ["w1 w2", "w3", " ".join(["w1"] * 1000), "w4", "w5"]
    path = tmp_path / "in.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_cli(
        capsys,
        "translate",
        "--model",
        str(tiny_model),
        "--input",
        str(path),
        "--output",
        str(tmp_path / "out.txt"),
    )
    rec.observed(f'exit {r.code}; stderr: "{short(r.message)}"')
    assert r.code == 2 and "Traceback" not in r.err
    assert "line 3" in r.err or "in.txt:3" in r.err


def test_cli_translate_input_file_with_a_bad_byte(tiny_model, tmp_path, capsys, fault):
    rec = fault(
        CAT,
        "`attnscope-cli translate --input FILE` with a Latin-1 byte on line 2",
        "exit 2, one message naming the file, line 2 and the byte",
    )
    path = tmp_path / "in.txt"
    path.write_bytes(b"w1 w2\ncaf\xe9\n")
    r = run_cli(capsys, "translate", "--model", str(tiny_model), "--input", str(path))
    rec.observed(f'exit {r.code}; stderr: "{short(r.message)}"')
    assert r.code == 2 and "in.txt:2" in r.err and "0xe9" in r.err.lower()
