"""Small shared pieces for the reliability tests: tiny seeded runs, the CLI in-process and as a
subprocess, and damage done to files on purpose."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.config import ModelConfig, TokenizerConfig, preset
from tests.toy import toy_spec, train_config, write_reverse_corpus  # noqa: F401 (shared)

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEAD_PID = 999_999_999  # above any pid_max: no process can have it
# toy words tokenize as themselves
TOK = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")
TINY_MODEL = preset("tiny").model  # emb 32, hidden 64: the tiny preset
SMALL_MODEL = ModelConfig(emb_size=8, hidden_size=16, dropout=0.1)


def shared_tiny_model(base: Path) -> Path:
    """Train the tiny preset on 300 toy pairs for 40 steps; returns the model folder."""
    from core.training.run import train

    spec = toy_spec(base / "data", 300, seed=5)
    out = base / "model"
    train(spec, out, TINY_MODEL, TOK, train_config(max_steps=40, valid_every=20, seed=5))
    return out


def cli_train_args(src: Path | str, tgt: Path | str, out: Path | str, *extra: str) -> list[str]:
    return [
        "train",
        "--train-src",
        str(src),
        "--train-tgt",
        str(tgt),
        "--src-lang",
        "en",
        "--tgt-lang",
        "en",
        "--out",
        str(out),
        "--preset",
        "tiny",
        "--device",
        "cpu",
        "--threads",
        "1",
        *extra,
    ]


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """The user-facing error line(s) on stderr, without the program prefix."""
        text = self.err.strip()
        for prefix in (
            "attnscope-cli train: ",
            "attnscope-cli translate: ",
            "attnscope-cli attention: ",
            "attnscope-cli evaluate: ",
        ):
            text = text.replace(prefix, "")
        return text


def run_cli(capsys, *argv: str) -> CliResult:
    """``attnscope-cli ARGV`` in this process (no torch import cost): exit code, stdout, stderr."""
    from core.cli import main

    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def subprocess_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO),
        ATTNSCOPE_THREADS="1",
        OMP_NUM_THREADS="1",
        ATTNSCOPE_HOME=str(home),
        PYTHONUNBUFFERED="1",
    )
    return env


def short(text: str, n: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def flip_bytes(path: Path, where: float = 0.5, n: int = 8) -> None:
    data = bytearray(path.read_bytes())
    at = int(len(data) * where)
    data[at : at + n] = bytes(b ^ 0xFF for b in data[at : at + n])
    path.write_bytes(bytes(data))


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp-*"))


@contextlib.contextmanager
def address_space_limit(extra_bytes: int) -> Iterator[None]:
    """Cap this process's address space at its current size + ``extra_bytes`` for a moment, so a
    test that provokes a huge allocation gets a MemoryError/RuntimeError instead of the OOM
    killer."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    limit = pages * resource.getpagesize() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def stdin_bytes(data: bytes, errors: str = "strict") -> io.TextIOWrapper:
    """A stdin as a UTF-8 locale gives it (strict decoding unless said otherwise)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors=errors)
