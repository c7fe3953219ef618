"""A Transformer where it meets the rest of main: trained on subword pieces (the default
tokenization) end to end with every head merged into words; the command line (train --arch
transformer, attention/align --layer/--head, --rank-heads) on a subword model; precision auto
timing a Transformer's steps; two DDP ranks training a Transformer as one process would."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch

import core.training.loop
import core.training.precision as precision
from core.cli.parser import main
from core.config import ModelConfig, TokenizerConfig, preset
from core.decoding.translator import Translator
from core.events import ReportEvent
from core.inspection.alignment import hard_alignment, parse_pharaoh, to_pharaoh
from core.inspection.heads import (
    HeadChoice,
    all_choices,
    choose,
    corpus_head_aer_counts,
    rank_heads,
    ranking_lines,
    with_choice,
)
from core.inspection.word_merge import group_pieces, merge_attention, to_words, uses_subwords
from core.storage.model_folder import SRC_SUBWORDS, TGT_SUBWORDS, read_meta
from core.training.distributed import World
from core.training.run import train
from tests.core.training import ddp_harness as h
from tests.toy import record_step_losses, reverse_pair, toy_spec, train_config

TOK = TokenizerConfig("en", "en")  # subwords: the default
SMALL = ModelConfig(
    arch="transformer",
    emb_size=16,
    hidden_size=16,
    heads=2,
    ff_size=32,
    enc_layers=1,
    dec_layers=2,
    dropout=0.0,  # dropout masks differ per rank: off for the DDP comparison
)


@pytest.fixture(scope="module")
def subword_transformer(tmp_path_factory) -> Path:
    """The tiny Transformer preset trained on the toy reversal task in subword pieces ("w10"
    is "▁w" + "10"), seeded, single thread."""
    assert TOK.subwords
    base = tmp_path_factory.mktemp("subword-transformer")
    p = preset("tiny", "transformer")
    cfg = p.train.replace(
        num_threads=1, device="cpu", max_steps=800, valid_every=800, epochs=0, seed=1
    )
    done = train(toy_spec(base / "data", 2000), base / "model", p.model, TOK, cfg)
    assert done.step == 800
    return base / "model"


@pytest.mark.slow
def test_a_subword_transformer_learns_reversal_and_its_heads_read_in_words(subword_transformer):
    tr = Translator.load(subword_transformer, device="cpu")
    assert tr.is_transformer and uses_subwords(tr.meta)
    rng = random.Random(4242)
    held = [reverse_pair(rng) for _ in range(100)]
    out = tr.translate_batch([s for s, _ in held])
    correct = sum(t.text == ref for t, (_, ref) in zip(out, held))
    assert correct >= 80, f"exact match {correct}/100"  # measured 90+ (seed 1)
    layers, heads = tr.attention_shape
    hits, rows = np.zeros((layers, heads)), 0
    for src, ref in held[:30]:
        t = tr.translate(src)[0]
        if t.text != ref:
            continue
        assert len(t.source_tokens) > len(src.split()) + 1  # pieces, not words
        w = to_words(t)
        n = len(src.split())
        assert w.source_tokens == [*src.split(), "</s>"]
        assert w.cross_attention.shape == (layers, heads, len(w.target_tokens), n + 1)
        np.testing.assert_allclose(w.cross_attention.sum(-1), 1.0, atol=1e-5)  # every head
        # choosing a head then merging (what the views do) = merging then choosing
        for choice in all_choices(layers, heads):
            merged = to_words(with_choice(t, choice))
            np.testing.assert_allclose(
                merged.attention, choose(w.cross_attention, choice), atol=1e-5
            )
            np.testing.assert_allclose(merged.attention.sum(1), 1.0, atol=1e-5)
            assert merged.pieces.attention.shape == t.attention.shape  # hover reads its pieces
        for i in range(n):
            rows += 1
            best = np.argmax(w.cross_attention[:, :, i], axis=-1)
            hits += np.array(w.source_tokens)[best] == w.source_tokens[n - 1 - i]
    # measured (seed 1): the best head puts its largest word weight on the mirrored word in 0.64
    # of the rows (chance about 0.2; on words the same model reaches 0.8: a word's weight is
    # split over its pieces "▁w" and "10", and heads divide that work)
    assert rows and hits.max() / rows >= 0.5, f"best head on the anti-diagonal: {hits / rows}"


@pytest.mark.slow
def test_the_cli_reads_a_chosen_head_of_a_subword_transformer_in_words(
    subword_transformer, capsys, tmp_path
):
    from core.inspection.attention_export import read_attention_csv

    model = str(subword_transformer)
    csv = tmp_path / "head.csv"
    args = ["attention", "--model", model, "--layer", "0", "--head", "1"]
    assert main([*args, "--json", "--csv", str(csv), "--words", "w1 w10"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["source_tokens"] == ["\u2581w", "1", "\u2581w", "10", "</s>"]  # pieces
    assert rec["source_words"] == ["w1", "w10", "</s>"]
    cross = np.array(rec["cross_attention"], dtype=np.float64)
    src, tgt = group_pieces(rec["source_tokens"]), group_pieces(rec["target_tokens"])
    view = rec["view"]
    assert (view["layer"], view["head"]) == (0, 1)
    np.testing.assert_allclose(view["weights"], cross[0, 1], atol=1e-5)
    chosen_words = merge_attention(cross[0, 1], src, tgt)  # the head first, then words
    np.testing.assert_allclose(view["word_weights"], chosen_words, atol=1e-5)
    np.testing.assert_allclose(np.sum(view["word_weights"], axis=1), 1.0, atol=1e-4)
    default_words = merge_attention(cross[-1].mean(0), src, tgt)  # "weights": the app's default
    np.testing.assert_allclose(rec["word_weights"], default_words, atol=1e-5)
    csv_src, _, csv_weights = read_attention_csv(csv)
    assert list(csv_src) == ["w1", "w10", "</s>"]
    np.testing.assert_allclose(csv_weights, chosen_words, atol=1e-5)

    (tmp_path / "s.txt").write_text("w1 w2 w3\nw10 w4\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("W3 W2 W1\nW4 W10\n", encoding="utf-8")
    (tmp_path / "g.wa").write_text("0-2 1-1 2-0\n0-1 1-0\n", encoding="utf-8")
    files = ["--source", str(tmp_path / "s.txt"), "--target", str(tmp_path / "t.txt")]
    gold = ["--gold", str(tmp_path / "g.wa")]
    assert main(["align", model, *files, "--layer", "1", "--head", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    tr = Translator.load(subword_transformer, "cpu")
    scored = [tr.score(s, t) for s, t in (("w1 w2 w3", "W3 W2 W1"), ("w10 w4", "W4 W10"))]
    assert len(lines) == 2
    for line, t in zip(lines, scored):  # links between words, read from layer 1 head 0
        words = to_words(with_choice(t, HeadChoice(1, 0)))
        links = hard_alignment(words.attention, words.source_tokens, words.target_tokens)
        assert line == to_pharaoh(links)
        assert all(i < len(words.source_tokens) - 1 for i, _ in links)  # word indices
    assert main(["align", model, *files, *gold, "--rank-heads"]) == 0
    err = capsys.readouterr().err.splitlines()
    golds = [parse_pharaoh(g) for g in ("0-2 1-1 2-0", "0-1 1-0")]
    ranking = rank_heads(corpus_head_aer_counts([to_words(t) for t in scored], golds))
    assert len(ranking) == 2 * 4 + 2 + 1
    assert err[-len(ranking) - 1 :] == ranking_lines(ranking)


def test_cli_trains_a_transformer_on_subwords_and_inspects_it_in_words(tmp_path, capsys):
    spec = toy_spec(tmp_path / "data", 80)
    args = ["train", "--train-src", spec.src_path, "--train-tgt", spec.tgt_path]
    args += ["--src-lang", "en", "--tgt-lang", "en", "--max-steps", "3", "--threads", "1"]
    args += ["--device", "cpu", "--preset", "tiny", "--arch", "transformer", "--heads", "2"]
    assert main([*args, "--share-embeddings", "--out", str(tmp_path / "m")]) == 0
    meta = read_meta(tmp_path / "m")
    assert (meta.model.arch, meta.model.heads, meta.model.share_embeddings) == (
        "transformer",
        2,
        True,
    )
    assert meta.tokenizer.tokenization == "subwords"
    assert (tmp_path / "m" / SRC_SUBWORDS).is_file() and (tmp_path / "m" / TGT_SUBWORDS).is_file()
    stored = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert stored["model"]["arch"] == "transformer"
    capsys.readouterr()
    assert main(["attention", "--model", str(tmp_path / "m"), "--json", "w1 w10"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["source_words"] == ["w1", "w10", "</s>"]
    assert np.array(rec["cross_attention"]).shape[:2] == (2, 2)  # tiny: 2 decoder layers
    np.testing.assert_allclose(np.sum(rec["word_weights"], axis=1), 1.0, atol=1e-4)


def test_precision_auto_times_a_transformer_and_leaves_its_run_untouched(tmp_path, monkeypatch):
    """auto on a CPU with bf16 (made to lose): the probe times the Transformer's own steps, and
    the run then trains step for step like an explicit fp32 run (schedule and weights alike)."""
    monkeypatch.delenv(precision.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    monkeypatch.setattr(precision, "machine_is_busy", lambda: False)
    monkeypatch.setattr(precision, "BF16_MARGIN", 1e9)
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    timed: list[int] = []
    original = precision.time_formats

    def counting(model, batches, loss_of, *a, **k):
        timed.append(len(batches))
        with torch.no_grad():
            assert float(loss_of(model, batches[0])) > 0  # the Transformer's own loss
        return original(model, batches, loss_of, *a, **k)

    monkeypatch.setattr(precision, "time_formats", counting)
    monkeypatch.setattr("core.training.precision_probe.time_formats", counting)
    spec = toy_spec(tmp_path / "data", 200)
    cfg = train_config(batch_size=16, max_steps=10, valid_every=1000, seed=5, warmup_steps=4)
    fixed: dict[int, float] = {}
    record = record_step_losses(fixed)
    train(spec, tmp_path / "a", SMALL, TOK, cfg.replace(precision="fp32"), on_event=record)
    auto: dict[int, float] = {}
    reports: list[dict] = []
    record_auto = record_step_losses(auto)

    def on_event(e) -> None:
        record_auto(e)
        if isinstance(e, ReportEvent):
            reports.append(e.report)

    train(spec, tmp_path / "b", SMALL, TOK, cfg.replace(precision="auto"), on_event=on_event)
    assert timed, "auto did not time the Transformer"
    assert auto == fixed and len(set(fixed.values())) == 10
    (report,) = reports
    assert report["precision"]["precision"] == "fp32" and report["precision"]["how"] == "measured"


def _train_rank(world: World, spec, out: str, cfg, results: str) -> None:
    """One rank's Transformer training; writes the step losses it saw."""
    core.training.loop.PROGRESS_INTERVAL_S = 0
    losses: dict[int, float] = {}
    done = train(spec, out, SMALL, TOK, cfg, on_event=record_step_losses(losses), world=world)
    result = {"step": done.step, "losses": losses}
    Path(results, f"rank{world.rank}.json").write_text(json.dumps(result))


@pytest.mark.slow
def test_two_ranks_train_a_subword_transformer_like_one_process(tmp_path, monkeypatch):
    """DDP (two CPU ranks, batch B each) trains a Transformer on subwords exactly as one process
    with batch 2B: the shared loop, the warm-up schedule and the subword set-up on rank 0."""
    spec = toy_spec(tmp_path / "data", 240)
    cfg = train_config(max_steps=5, epochs=0, valid_every=1000, learning_rate=3e-3)
    cfg = cfg.replace(warmup_steps=3)
    h.run_ranks(
        _train_rank, 2, spec, str(tmp_path / "ddp"), cfg.replace(batch_size=40), str(tmp_path)
    )
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert [r["step"] for r in ranks] == [5, 5]
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    single: dict[int, float] = {}
    one = cfg.replace(batch_size=80)
    train(spec, tmp_path / "one", SMALL, TOK, one, on_event=record_step_losses(single))
    ddp = {int(k): v for k, v in ranks[0]["losses"].items()}
    assert sorted(ddp) == sorted(single) == [1, 2, 3, 4, 5]
    for step in single:
        assert ddp[step] == pytest.approx(single[step], abs=1e-5), step
    assert len(set(single.values())) == 5
    mine = Translator.load(tmp_path / "one", "cpu").model.state_dict()
    theirs = Translator.load(tmp_path / "ddp", "cpu").model.state_dict()
    for k, v in mine.items():
        if k.endswith("key.bias"):
            # a key bias shifts every score of a row alike, so softmax ignores it: its gradient
            # is 0 up to rounding, which Adam scales up to full-size steps either way
            continue
        torch.testing.assert_close(theirs[k], v, atol=1e-5, rtol=0, msg=k)
