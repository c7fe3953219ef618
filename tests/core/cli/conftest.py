"""The tiny CLI-trained model the command-line tests share (trained once for the package)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from core.cli import main
from tests.toy import write_reverse_corpus


@pytest.fixture(scope="package")
def trained(tmp_path_factory):
    """One tiny model trained through the CLI, shared by the command-line tests."""
    d = tmp_path_factory.mktemp("cli")
    src, tgt = write_reverse_corpus(d, 1500, seed=3)
    out = d / "model"
    buf = io.StringIO()
    old = sys.stdout
    sys.stdout = buf
    try:
        code = main(
            [
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
                "--max-steps",
                "300",
                "--valid-every",
                "150",
                "--seed",
                "3",
                "--tokenization",
                "words",  # the toy words as tokens; subword runs: tests/core/training
                "--json-progress",
            ]
        )
    finally:
        sys.stdout = old
    assert code == 0
    events = [json.loads(line) for line in buf.getvalue().splitlines()]
    return d, out, events
