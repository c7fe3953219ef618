"""stdin read ahead in batches: order kept, a slow producer not waited for, errors keep their line,
a terminal line by line, and a real pipe gives the same translations as --input."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli import main
from core.cli import stdin_batches as sb
from core.errors import CorpusError

ROOT = Path(__file__).resolve().parents[3]


class _Stdin(io.TextIOWrapper):
    """A binary-backed stdin whose isatty answer the test chooses."""

    def __init__(self, data: bytes, tty: bool) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_pipe_lines_come_in_order_in_batches_of_at_most_max(monkeypatch):
    lines = [f"sentence {i}" for i in range(150)]
    monkeypatch.setattr(sys, "stdin", _Stdin("\n".join(lines).encode() + b"\n", tty=False))
    batches = list(sb.stdin_batches(max_batch=64, gather_s=0.5))
    assert [x for b in batches for x in b] == lines
    assert max(len(b) for b in batches) == 64 and len(batches) >= 3


def test_terminal_is_read_line_by_line(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b"a\nb\nc\n", tty=True))
    assert list(sb.stdin_batches()) == [["a"], ["b"], ["c"]]


def test_a_slow_producer_gets_the_lines_it_sent_without_waiting_for_a_full_batch():
    more = threading.Event()

    def producer() -> Iterator[str]:
        yield "one"
        yield "two"
        more.wait(10)
        yield "three"

    batches = sb._read_ahead(producer(), max_batch=64, gather_s=0.05)
    assert next(batches) == ["one", "two"]  # returned while the producer is still blocked
    more.set()
    assert next(batches) == ["three"]
    assert list(batches) == []


def test_bad_utf8_after_good_batches_names_its_line(monkeypatch):
    data = b"".join(b"ok %d\n" % i for i in range(1, 70)) + b"bad \xff here\n"
    monkeypatch.setattr(sys, "stdin", _Stdin(data, tty=False))
    got: list[str] = []
    with pytest.raises(CorpusError) as err:
        for batch in sb.stdin_batches(max_batch=64, gather_s=0.5):
            got.extend(batch)
    assert got == [f"ok {i}" for i in range(1, 70)]
    assert "<stdin>" in str(err.value) and "70" in str(err.value)


def test_a_real_pipe_translates_like_input_output(trained, tmp_path):
    _, model, _ = trained
    sentences = [f"w{i % 10} w{(i * 3) % 10} w{(i * 7) % 10}" for i in range(90)]
    inp = tmp_path / "in.txt"
    inp.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    outp = tmp_path / "out.txt"
    assert (
        main(["translate", "--model", str(model), "--input", str(inp), "--output", str(outp)]) == 0
    )
    with inp.open("rb") as stdin:
        r = subprocess.run(
            [sys.executable, "-m", "core", "translate", "--model", str(model)],
            stdin=stdin,
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode("utf-8").splitlines() == outp.read_text(encoding="utf-8").splitlines()


def test_a_too_long_line_in_a_pipe_names_its_line(trained, monkeypatch, capsys):
    _, model, _ = trained
    text = "w1 w2\n" * 70 + " ".join(["w1"] * 600) + "\n"
    monkeypatch.setattr(sys, "stdin", _Stdin(text.encode(), tty=False))
    code = main(["translate", "--model", str(model)])
    captured = capsys.readouterr()
    assert code != 0
    assert "line 71" in captured.err
