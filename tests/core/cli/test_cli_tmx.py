"""``attnscope-cli train --train-tmx``: a tiny model trained from a translation memory."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.storage.model_folder import read_meta
from tests.toy import reverse_pair


def write_tmx(path: Path, n: int, seed: int, missing_every: int = 0) -> list[int]:
    """Toy reversal pairs as a TMX file with region codes and inline markup; every
    ``missing_every``-th unit lacks its German side. Returns the lines of those units."""
    rng = random.Random(seed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
        '<tmx version="1.4"><header srclang="en-US" segtype="sentence"/><body>',
    ]
    missing = []
    for i in range(n):
        src, tgt = reverse_pair(rng)
        first, rest = src.split(" ", 1)
        en = f'<tuv xml:lang="en-US"><seg>{first} <bpt i="1">&lt;b&gt;</bpt>{rest}</seg></tuv>'
        de = f'<tuv xml:lang="DE-de"><seg><hi>{tgt}</hi><ph x="1">{{1}}</ph></seg></tuv>'
        if missing_every and i % missing_every == 0:
            de = '<tuv xml:lang="fr-FR"><seg>non</seg></tuv>'
            missing.append(len(lines) + 1)
        lines.append(f"<tu>{en}{de}</tu>")
    lines.append("</body></tmx>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return missing


def run_cli(args: list[str]) -> tuple[int, list[dict]]:
    buf, old = io.StringIO(), sys.stdout
    sys.stdout = buf
    try:
        code = main(args)
    finally:
        sys.stdout = old
    return code, [json.loads(line) for line in buf.getvalue().splitlines()]


@pytest.mark.slow
def test_train_from_a_tmx_file_then_translate(tmp_path, capsys):
    train_tmx, dev_tmx = tmp_path / "memory.tmx", tmp_path / "dev.tmx"
    missing = write_tmx(train_tmx, 1500, seed=3, missing_every=100)
    write_tmx(dev_tmx, 40, seed=4)
    out = tmp_path / "model"
    code, events = run_cli(
        [
            "train",
            "--train-tmx",
            str(train_tmx),
            "--dev-tmx",
            str(dev_tmx),
            "--src-lang",
            "en",
            "--tgt-lang",
            "de",
            "--out",
            str(out),
            "--preset",
            "tiny",
            "--threads",
            "1",
            "--max-steps",
            "600",
            "--valid-every",
            "300",
            "--seed",
            "3",
            "--json-progress",
        ]
    )
    assert code == 0
    report = next(e for e in events if e["type"] == "report")["report"]
    assert report["files"] == [str(train_tmx)] and report["pairs_kept"] == 1500 - 15
    assert report["dropped"] == {"target language missing": 15}
    assert report["examples"]["target language missing"] == missing[:5]
    assert "dev.tmx" in report["dev"]["summary"] and report["dev"]["pairs_kept"] == 40
    assert events[-1]["type"] == "done" and events[-1]["status"] == "finished"
    spec = read_meta(out).corpus["spec"]
    assert spec["tmx_path"] == str(train_tmx)
    assert (spec["tmx_src_lang"], spec["tmx_tgt_lang"]) == ("en", "de")

    capsys.readouterr()
    monkey_in = io.StringIO("w1 w2 w3\n")
    old = sys.stdin
    sys.stdin = monkey_in
    try:
        assert main(["translate", "--model", str(out)]) == 0
    finally:
        sys.stdin = old
    # the markup was stripped: the model learned the plain reversal, with no {1} or <b>
    assert capsys.readouterr().out.splitlines() == ["W3 W2 W1"]

    code, events = run_cli(["train", "--resume", str(out), "--max-steps", "610", "--json-progress"])
    assert code == 0 and events[-1]["step"] == 610  # the TMX spec round-trips through model.json


def test_tmx_errors_are_one_clear_message(tmp_path, capsys):
    tmx = tmp_path / "m.tmx"
    write_tmx(tmx, 5, seed=1)
    base = ["train", "--out", str(tmp_path / "o"), "--src-lang", "en", "--tgt-lang", "de"]
    assert main([*base, "--train-tmx", str(tmx), "--train-tsv", str(tmx)]) == 2
    assert "give one of --train-tsv or --train-tmx, not several" in capsys.readouterr().err
    assert main([*base[:3], "--src-lang", "fr", "--tgt-lang", "es", "--train-tmx", str(tmx)]) == 2
    err = capsys.readouterr().err
    assert "m.tmx: no unit has both fr and es; its languages are DE-de, en-US" in err
    assert "Traceback" not in err
