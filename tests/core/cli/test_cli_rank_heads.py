"""``attnscope-cli align --rank-heads``: a Transformer's heads ranked by corpus AER against a gold
file, the same numbers the app's ranking table computes (``core.inspection.heads``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import main
from core.config import TokenizerConfig, preset
from core.decoding.translator import Translator
from core.inspection.alignment import parse_pharaoh
from core.inspection.heads import corpus_head_aer_counts, rank_heads, ranking_lines
from core.resources import demo_model_dir
from core.training.run import train
from tests.toy import toy_spec

PAIRS = [("a b c", "c b a"), ("d e f g", "g f e d")]  # reversal: source i is target n-1-i
GOLD = ["0-2 1-1 2-0", "0-3 1-2 2-1 3-0"]


@pytest.fixture(scope="module")
def transformer_dir(tmp_path_factory) -> Path:
    """A tiny word-level Transformer trained for a few seconds on the reversal toy task (the
    gold links below count words; a subword model's ranking is tested in
    tests/core/training/test_transformer_subwords.py)."""
    base = tmp_path_factory.mktemp("rank-heads")
    p = preset("tiny", arch="transformer")
    cfg = p.train.replace(epochs=0, time_budget_s=3.0, valid_every=50, num_threads=1)
    cfg = cfg.replace(device="cpu")
    words = TokenizerConfig("en", "en", tokenization="words")
    train(toy_spec(base / "data", 200), base / "model", p.model, words, cfg)
    return base / "model"


def _files(folder: Path) -> list[str]:
    (folder / "s.txt").write_text("".join(s + "\n" for s, _ in PAIRS), encoding="utf-8")
    (folder / "t.txt").write_text("".join(t + "\n" for _, t in PAIRS), encoding="utf-8")
    (folder / "g.wa").write_text("".join(g + "\n" for g in GOLD), encoding="utf-8")
    return ["--source", str(folder / "s.txt"), "--target", str(folder / "t.txt")]


def test_rank_heads_prints_the_corpus_ranking_of_every_head(tmp_path, capsys, transformer_dir):
    args = [*_files(tmp_path), "--gold", str(tmp_path / "g.wa"), "--rank-heads"]
    assert main(["align", str(transformer_dir), "--device", "cpu", *args]) == 0
    err = capsys.readouterr().err.splitlines()
    tr = Translator.load(transformer_dir, "cpu")
    scored = [tr.score(s, t) for s, t in PAIRS]
    expected = rank_heads(corpus_head_aer_counts(scored, [parse_pharaoh(g) for g in GOLD]))
    n_layers, n_heads = scored[0].cross_attention.shape[:2]
    assert len(expected) == n_layers * n_heads + n_layers + 1
    assert err[-len(expected) - 1 :] == ranking_lines(expected)
    assert [r.aer for r in expected] == sorted(r.aer for r in expected)


def test_rank_heads_needs_a_gold_file_and_a_transformer(tmp_path, capsys, transformer_dir):
    args = _files(tmp_path)
    assert main(["align", str(transformer_dir), *args, "--rank-heads"]) == 2
    assert "--rank-heads ranks the heads against --gold" in capsys.readouterr().err
    gold = ["--gold", str(tmp_path / "g.wa"), "--rank-heads"]
    pairs = [("The cat sleeps.", "Die Katze schläft."), ("Hello.", "Hallo.")]
    (tmp_path / "s.txt").write_text("".join(s + "\n" for s, _ in pairs), encoding="utf-8")
    (tmp_path / "t.txt").write_text("".join(t + "\n" for _, t in pairs), encoding="utf-8")
    (tmp_path / "g.wa").write_text("0-0\n0-0\n", encoding="utf-8")
    assert main(["align", str(demo_model_dir()), "--device", "cpu", *args, *gold]) == 2
    err = capsys.readouterr().err
    assert "this model (a GRU) has one" in err and "Traceback" not in err
