"""Training a Transformer through the same run as the GRU: warm-up schedule, exact resume, old GRU
folders still loading, and end to end a tiny Transformer that learns the toy reversal with a head
on the anti-diagonal, inspected through the Translator and the CLI."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch

import core.training.loop
from core.cancel import CancelToken
from core.cli.parser import main
from core.config import ModelConfig, TokenizerConfig, preset
from core.decoding.translator import Translator
from core.errors import CoreError
from core.events import ProgressEvent
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import read_meta, read_model
from core.training.run import _with_defaults, train
from core.training.schedule import inverse_sqrt_lr
from tests.toy import record_step_losses, reverse_pair, toy_spec, train_config

TOK = TokenizerConfig(src_lang="en", tgt_lang="en")
SMALL = ModelConfig(
    arch="transformer",
    emb_size=16,
    hidden_size=16,
    heads=2,
    ff_size=32,
    enc_layers=1,
    dec_layers=1,
    dropout=0.1,
)


def test_inverse_sqrt_schedule_warms_up_then_decays() -> None:
    assert inverse_sqrt_lr(1, 1e-3, 100, 0.0) == pytest.approx(1e-5)
    assert inverse_sqrt_lr(50, 1e-3, 100, 0.0) == pytest.approx(5e-4)
    assert inverse_sqrt_lr(100, 1e-3, 100, 0.0) == pytest.approx(1e-3)
    assert inverse_sqrt_lr(400, 1e-3, 100, 0.0) == pytest.approx(5e-4)
    assert inverse_sqrt_lr(10**9, 1e-3, 100, 1e-5) == 1e-5


def test_the_run_follows_the_schedule_step_by_step(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    lrs: dict[int, float] = {}

    def on_event(e) -> None:
        if isinstance(e, ProgressEvent):
            lrs[e.step] = e.learning_rate

    cfg = train_config(batch_size=16, max_steps=12, valid_every=1000, learning_rate=1e-3)
    cfg = cfg.replace(warmup_steps=8)
    train(toy_spec(tmp_path / "d", 200), tmp_path / "m", SMALL, TOK, cfg, on_event=on_event)
    for step, lr in lrs.items():
        assert lr == pytest.approx(inverse_sqrt_lr(step, 1e-3, 8, cfg.min_lr)), step


def test_transformer_resume_is_exact(tmp_path, monkeypatch) -> None:
    """Stopped at step N and resumed, the run continues with the losses and weights of an
    uninterrupted one (the schedule follows the step, the optimiser state is restored)."""
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    n = 8
    spec = toy_spec(tmp_path / "data", 300)
    cfg = train_config(batch_size=16, max_steps=2 * n, valid_every=1000, seed=3)
    cfg = cfg.replace(warmup_steps=5)
    a: dict[int, float] = {}
    train(spec, tmp_path / "a", SMALL, TOK, cfg, on_event=record_step_losses(a))
    b1: dict[int, float] = {}
    token = CancelToken()
    train(
        spec,
        tmp_path / "b",
        SMALL,
        TOK,
        cfg,
        cancel=token,
        on_event=record_step_losses(b1, token=token, cancel_at=n),
    )
    b2: dict[int, float] = {}
    done = train(
        spec, tmp_path / "b", SMALL, TOK, cfg, on_event=record_step_losses(b2), resume=True
    )
    assert done.step == 2 * n and sorted(b2) == list(range(n + 1, 2 * n + 1))
    for s in b2:
        assert abs(b2[s] - a[s]) <= 1e-6, f"step {s}: {b2[s]} vs {a[s]}"
    last_a = CheckpointStore(tmp_path / "a" / "checkpoints").load_last()[0]
    last_b = CheckpointStore(tmp_path / "b" / "checkpoints").load_last()[0]
    for k, v in last_a["model"].items():
        torch.testing.assert_close(last_b["model"][k], v, atol=1e-6, rtol=0, msg=k)
    assert read_meta(tmp_path / "b").model.arch == "transformer"


def test_resume_refuses_a_changed_family(tmp_path) -> None:
    spec = toy_spec(tmp_path / "data", 100)
    cfg = train_config(batch_size=16, max_steps=2, valid_every=1000)
    train(spec, tmp_path / "m", SMALL, TOK, cfg)
    gru = ModelConfig(emb_size=16, hidden_size=16)
    with pytest.raises(CoreError, match="arch"):
        train(spec, tmp_path / "m", gru, TOK, cfg.replace(max_steps=4), resume=True)


def test_old_gru_folders_still_load_and_resume(tmp_path) -> None:
    """A model.json and a checkpoint config written before ``arch`` existed read as a GRU."""
    spec = toy_spec(tmp_path / "data", 100)
    gru = ModelConfig(emb_size=8, hidden_size=16)
    cfg = train_config(batch_size=16, max_steps=2, valid_every=1000)
    train(spec, tmp_path / "m", gru, TOK, cfg)
    meta_path = tmp_path / "m" / "model.json"
    data = json.loads(meta_path.read_text(encoding="utf-8"))
    new_keys = ("arch", "heads", "ff_size", "positions", "share_embeddings")
    for key in new_keys:
        del data["model"][key]
    del data["train"]["warmup_steps"]
    meta_path.write_text(json.dumps(data), encoding="utf-8")
    model, *_ = read_model(tmp_path / "m")
    assert read_meta(tmp_path / "m").model.arch == "gru" and hasattr(model.decoder, "cells")
    assert Translator.load(tmp_path / "m", "cpu").translate("w1 w2")[0].cross_attention is None
    old_saved = {k: v for k, v in gru.to_dict().items() if k not in new_keys}
    assert _with_defaults(old_saved) == gru.to_dict()  # so check_compatible finds no change
    done = train(spec, tmp_path / "m", gru, TOK, cfg.replace(max_steps=4), resume=True)
    assert done.step == 4


@pytest.mark.parametrize("tokenization", ["words", "subwords"])
def test_share_embeddings_trains_on_one_joint_vocabulary(tmp_path, tokenization) -> None:
    """One vocabulary for both sides: both sides' words, or both subword models' pieces (the
    two models stay separate; the vocabulary joins their pieces)."""
    spec = toy_spec(tmp_path / "data", 100)
    cfg = train_config(batch_size=16, max_steps=2, valid_every=1000)
    tok = dataclasses.replace(TOK, tokenization=tokenization)
    train(spec, tmp_path / "m", dataclasses.replace(SMALL, share_embeddings=True), tok, cfg)
    model, src_vocab, tgt_vocab, _ = read_model(tmp_path / "m")
    assert src_vocab.itos == tgt_vocab.itos
    # the words, or the pieces that start them ("w1" is "▁w" + "1" for the toy's subword models)
    both = ("w1", "W1") if tokenization == "words" else ("\u2581w", "\u2581W")
    assert all(token in src_vocab.itos for token in both)
    assert model.decoder.embed is model.encoder.embed
    out = Translator.load(tmp_path / "m", "cpu").translate("w1 w2")[0]  # it loads and decodes
    assert out.cross_attention is not None


# ---- end to end ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy_transformer(tmp_path_factory) -> Path:
    """The tiny Transformer preset trained on the toy reversal task (seeded, single thread), on
    words: one token a word, so the anti-diagonal is one of tokens (on subword pieces, merged
    into words: tests/core/training/test_transformer_subwords.py)."""
    base = tmp_path_factory.mktemp("toy-transformer")
    p = preset("tiny", "transformer")
    cfg = p.train.replace(
        num_threads=1, device="cpu", max_steps=800, valid_every=800, epochs=0, seed=1
    )
    words = dataclasses.replace(TOK, tokenization="words")
    done = train(toy_spec(base / "data", 2000), base / "model", p.model, words, cfg)
    assert done.step == 800
    return base / "model"


def _held_out(n: int) -> list[tuple[str, str]]:
    rng = random.Random(4242)
    return [reverse_pair(rng) for _ in range(n)]


@pytest.mark.slow
def test_a_tiny_transformer_learns_reversal_with_an_anti_diagonal_head(toy_transformer) -> None:
    tr = Translator.load(toy_transformer, device="cpu")
    held = _held_out(100)
    out = tr.translate_batch([s for s, _ in held])
    correct = [t for t, (_, ref) in zip(out, held) if t.text == ref]
    assert len(correct) >= 90, f"exact match {len(correct)}/100"
    # some head of some layer puts its largest weight on the mirrored source word (or on the
    # same word elsewhere: with 12 words, sentences repeat words, and either copy is right)
    layers, heads = tr.attention_shape
    hits = np.zeros((layers, heads))
    rows = 0
    for src, ref in held[:30]:
        t = tr.translate(src)[0]
        if t.text != ref:
            continue
        n = len(t.source_tokens) - 1
        assert t.cross_attention.shape == (layers, heads, n + 1, n + 1)
        np.testing.assert_allclose(t.attention, t.cross_attention[-1].mean(0), atol=1e-6)
        for i in range(n):
            rows += 1
            words = np.array(t.source_tokens)[np.argmax(t.cross_attention[:, :, i], axis=-1)]
            hits += words == t.source_tokens[n - 1 - i]
    # measured: each head of the last layer peaks on the mirrored word in about 0.8 of the rows
    # (the model spreads the job over its heads), the first layer's in about 0.4-0.5; chance is
    # about 0.2
    assert rows and hits.max() / rows >= 0.75, f"best head on the anti-diagonal: {hits / rows}"
    assert hits[-1].min() / rows >= 0.6


@pytest.mark.slow
def test_what_if_api_and_self_attention_on_a_trained_transformer(toy_transformer) -> None:
    tr = Translator.load(toy_transformer, device="cpu")
    src = "w1 w2 w3 w4"
    ins = tr.inspect(src, beam=3, nbest=2, self_attention=True)
    best = ins.hypotheses[0]
    t, s = len(best.target_tokens), len(best.source_tokens)
    assert best.encoder_self_attention.shape == (2, 4, s, s)
    assert best.decoder_self_attention.shape == (2, 4, t, t)
    assert np.all(np.triu(best.decoder_self_attention, 1) == 0)
    changed = tr.what_if(src, best.target_tokens, 1, 0, layer=1, head=2)
    np.testing.assert_array_equal(changed.cross_attention[1, 2, 1], np.eye(s)[0])
    assert changed.target_tokens[:1] == best.target_tokens[:1]
    with pytest.raises(CoreError, match="layer 5"):
        tr.what_if(src, best.target_tokens, 1, 0, layer=5)


@pytest.mark.slow
def test_cli_attention_json_and_layer_head_choice(toy_transformer, capsys, tmp_path) -> None:
    model = str(toy_transformer)
    assert main(["attention", "--model", model, "--json", "w1 w2 w3"]) == 0
    rec = json.loads(capsys.readouterr().out)
    cross = np.array(rec["cross_attention"], dtype=np.float32)
    assert cross.shape == (2, 4, len(rec["target_tokens"]), len(rec["source_tokens"]))
    np.testing.assert_allclose(rec["weights"], cross[-1].mean(0), atol=1e-6)
    csv = tmp_path / "h.csv"
    args = ["attention", "--model", model, "--layer", "0", "--head", "3", "--csv", str(csv)]
    assert main([*args, "w1 w2 w3"]) == 0
    table = capsys.readouterr().out
    from core.inspection.attention_export import read_attention_csv

    _, _, weights = read_attention_csv(csv)
    np.testing.assert_allclose(weights, cross[0, 3], atol=1e-6)
    assert f"{cross[0, 3, 0, 0]:.2f}" in table
    assert main(["attention", "--model", model, "--head", "9", "w1 w2"]) == 2
    assert "head 9" in capsys.readouterr().err
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("w1 w2 w3\n", encoding="utf-8")
    tgt.write_text("W3 W2 W1\n", encoding="utf-8")
    for head in ("mean", "1"):
        args = ["align", model, "--source", str(src), "--target", str(tgt), "--layer", "1"]
        assert main([*args, "--head", head]) == 0
        links = [tuple(map(int, x.split("-"))) for x in capsys.readouterr().out.split()]
        assert len(links) == 3 and all(0 <= i < 3 and 0 <= j < 3 for i, j in links)
    assert main(["align", model, "--source", str(src), "--target", str(tgt), "--layer", "7"]) == 2
    assert "layer 7" in capsys.readouterr().err


def test_cli_trains_a_transformer_and_refuses_transformer_options_for_a_gru(
    tmp_path, capsys
) -> None:
    spec = toy_spec(tmp_path / "data", 60)
    data = ["--train-src", spec.src_path, "--train-tgt", spec.tgt_path, "--src-lang", "en"]
    data += ["--tgt-lang", "en", "--max-steps", "2", "--threads", "1", "--device", "cpu"]
    args = ["train", *data, "--preset", "tiny", "--arch", "transformer", "--heads", "2"]
    assert main([*args, "--warmup", "7", "--out", str(tmp_path / "m")]) == 0
    meta = read_meta(tmp_path / "m")
    assert (meta.model.arch, meta.model.heads, meta.model.hidden_size) == ("transformer", 2, 64)
    assert meta.train.warmup_steps == 7
    capsys.readouterr()
    assert main(["train", *data, "--heads", "2", "--out", str(tmp_path / "g")]) == 2
    assert "--arch transformer" in capsys.readouterr().err
