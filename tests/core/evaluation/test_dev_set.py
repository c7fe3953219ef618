"""The dev set: dev.tsv written and read back, bad files named by file:line, and every dev sentence
translated and scored exactly as the translator and sacrebleu score it, with progress and cancel.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import sacrebleu

from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig
from core.decoding.translator import Translator
from core.errors import Cancelled, CorpusError
from core.evaluation.dev_set import (
    DEV_TSV,
    evaluate_dev,
    evaluate_dev_set,
    read_dev_set,
    write_dev_set,
)
from core.training.run import train
from tests.toy import reverse_pair, toy_spec, train_config

TOK = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A tiny reversal model, 150 steps: good on some sentences, poor on others."""
    base = tmp_path_factory.mktemp("dev-eval")
    spec = toy_spec(base / "data", 600)
    train(
        spec,
        base / "model",
        ModelConfig(emb_size=16, hidden_size=32, dropout=0.0),
        TOK,
        train_config(batch_size=32, learning_rate=5e-3, max_steps=150, valid_every=75),
    )
    return base / "model"


def _ctx(cancel: CancelToken | None = None, on_progress=None):
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if on_progress is not None:
            on_progress(done, total)

    return SimpleNamespace(cancel=cancel or CancelToken(), progress=progress), calls


def _pairs(n: int, seed: int = 11) -> list[tuple[str, str]]:
    import random

    rng = random.Random(seed)
    return [reverse_pair(rng) for _ in range(n)]


# ---- dev.tsv ---------------------------------------------------------------------------------


def test_write_then_read_round_trips_and_keeps_one_pair_per_line(tmp_path):
    path = write_dev_set(tmp_path, ["Hallo Welt.", "a\tb  c\nd"], ["Hello world.", "x"])
    assert path == tmp_path / DEV_TSV
    assert path.read_text(encoding="utf-8") == "Hallo Welt.\tHello world.\na b c d\tx\n"
    assert read_dev_set(path) == [("Hallo Welt.", "Hello world."), ("a b c d", "x")]


def test_read_any_tsv_corpus_skipping_blank_lines_and_extra_columns(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_bytes(
        "\ufeffDer Hund.\tThe dog.\r\n\n  Die Katze. \t The cat.\tCC-BY 2.0\n".encode()
    )
    assert read_dev_set(path) == [("Der Hund.", "The dog."), ("Die Katze.", "The cat.")]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a\tA\nno tab here\nb\tB\n", 2, "no TAB"),
        ("a\tA\nb\tB\n\t C\n", 3, "the source (before the TAB) is empty"),
        ("a\tA\nb\t \n", 2, "the reference (after the TAB) is empty"),
        ("a\tA\nno tab\n\tC\n", 2, "no TAB"),  # the first problem is the one reported
    ],
)
def test_a_bad_line_names_file_and_line(tmp_path, text, line, problem):
    path = tmp_path / "dev.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_dev_set(path)
    assert info.value.path == str(path) and info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ") and problem in str(info.value)


def test_unreadable_files_say_why(tmp_path):
    with pytest.raises(CorpusError, match="file not found"):
        read_dev_set(tmp_path / "missing.tsv")
    (tmp_path / "blank.tsv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="holds no source<TAB>reference pairs"):
        read_dev_set(tmp_path / "blank.tsv")
    (tmp_path / "latin1.tsv").write_bytes("a\tA\nk\xe4se\tcheese\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1.tsv:2:\d+: not valid UTF-8"):
        read_dev_set(tmp_path / "latin1.tsv")


# ---- translating and scoring ------------------------------------------------------------------


def test_every_row_is_the_translators_output_scored_by_sacrebleu(model_dir):
    pairs = _pairs(70)
    ctx, calls = _ctx()
    rows = evaluate_dev(Translator.load(model_dir, "cpu"), ctx, pairs, batch_size=16)
    assert [r.index for r in rows] == list(range(70))
    assert [(r.source, r.reference) for r in rows] == pairs
    direct = Translator.load(model_dir, "cpu")
    for r in rows[:12]:
        assert r.hypothesis == direct.translate(r.source)[0].text
    for r in rows:
        assert r.chrf == pytest.approx(sacrebleu.sentence_chrf(r.hypothesis, [r.reference]).score)
        assert 0.0 <= r.chrf <= 100.0
    assert len({round(r.chrf, 3) for r in rows}) > 3  # a half-trained model: varied scores
    assert calls[-1] == (70, 70)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and all(t == 70 for _, t in calls)


def test_report_has_the_corpus_scores_not_the_mean_of_sentences(model_dir):
    pairs = _pairs(40, seed=5)
    report = evaluate_dev_set(Translator.load(model_dir, "cpu"), _ctx()[0], pairs, beam=3)
    hyps = [r.hypothesis for r in report.rows]
    refs = [r.reference for r in report.rows]
    assert report.beam == 3 and len(report.rows) == 40
    assert report.chrf == pytest.approx(sacrebleu.corpus_chrf(hyps, [refs]).score)
    assert report.bleu == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    beam3 = Translator.load(model_dir, "cpu").translate_batch([s for s, _ in pairs], beam=3)
    assert hyps == [t.text for t in beam3]


def test_cancel_stops_between_batches(model_dir):
    token = CancelToken()
    ctx, calls = _ctx(token, on_progress=lambda done, total: token.cancel())
    with pytest.raises(Cancelled):
        evaluate_dev(Translator.load(model_dir, "cpu"), ctx, _pairs(100), batch_size=10)
    assert len(calls) == 1 and calls[0][0] < 100  # stopped after the first batch
