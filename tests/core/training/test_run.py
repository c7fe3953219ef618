"""The training run as its callers see it: the event stream, the model folder, cancel, resume
(exact, step for step), refusals, and, end to end, a tiny model that learns the toy reversal task
with the attention on the anti-diagonal.

``trained_toy_model`` (trained once per session, ~5 s) is shared with test_search.py and
test_translator.py.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import core.device
import core.training.loop
import core.training.run
from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig, preset
from core.data.corpus import CorpusSpec
from core.decoding.translator import Translator
from core.errors import CheckpointError, CoreError
from core.events import (
    CheckpointEvent,
    DoneEvent,
    ProgressEvent,
    ReportEvent,
    Translation,
    ValidationEvent,
)
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import read_history, read_meta, read_model
from core.training.run import train
from tests.toy import record_step_losses, reverse_pair, toy_spec, train_config, write_reverse_corpus

# toy words tokenize as themselves
TOK = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")
SMALL_MODEL = ModelConfig(emb_size=8, hidden_size=16, dropout=0.1)
TOY_MODEL = ModelConfig(emb_size=16, hidden_size=32, dropout=0.1)
TOY_PAIRS = 2000
TOY_BUDGET_S = 25.0


# ---- the shared trained model --------------------------------------------------------------------

_TOY: dict = {}


def trained_toy_model(tmp_path_factory) -> dict:
    """Train the toy reversal model once per session: {"dir", "done", "events", "train_sources"}."""
    if not _TOY:
        base = tmp_path_factory.mktemp("toy-model")
        spec = toy_spec(base / "data", TOY_PAIRS)
        cfg = train_config(
            batch_size=32,
            learning_rate=5e-3,
            max_steps=800,
            time_budget_s=TOY_BUDGET_S,
            valid_every=100,
        )
        events: list = []
        t0 = time.monotonic()
        done = train(spec, base / "model", TOY_MODEL, TOK, cfg, on_event=events.append)
        sources = set(Path(spec.src_path).read_text(encoding="utf-8").splitlines())
        _TOY.update(
            dir=base / "model",
            done=done,
            events=events,
            train_sources=sources,
            wall_s=time.monotonic() - t0,
        )
    return _TOY


def held_out_items(train_sources: set[str], n: int, seed: int = 4242) -> list[tuple[str, str]]:
    """``n`` toy pairs whose source sentence is not in the training corpus."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(out) < n:
        src, tgt = reverse_pair(rng)
        if src not in train_sources and src not in seen:
            seen.add(src)
            out.append((src, tgt))
    return out


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return trained_toy_model(tmp_path_factory)


def _check_translation(t: Translation) -> None:
    assert t.source_tokens[-1] == "</s>"
    assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))
    assert t.token_probs.shape == (len(t.target_tokens),)
    if len(t.target_tokens):
        np.testing.assert_allclose(t.attention.sum(1), 1.0, atol=1e-5)


# ---- the event stream and the model folder -------------------------------------------------------


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """25 steps on 200 pairs, validating every 10 steps (at 10, 20 and finally 25)."""
    base = tmp_path_factory.mktemp("small-run")
    spec = toy_spec(base / "data", 200)
    events: list = []
    done = train(
        spec,
        base / "model",
        SMALL_MODEL,
        TOK,
        train_config(batch_size=16, max_steps=25, valid_every=10, probe="w1 w2 w3"),
        on_event=events.append,
    )
    return {"dir": base / "model", "events": events, "done": done}


def test_event_stream(small_run):
    events, done = small_run["events"], small_run["done"]
    kinds = [e.type for e in events]
    # corpus-reading progress may come first; then the report, once, before any training event
    first = kinds.index("report")
    assert set(kinds[:first]) <= {"reading"} and kinds.count("report") == 1, kinds[: first + 2]
    reading = events[:first]
    for r in reading:
        assert 0 <= r.bytes_read <= r.total_bytes
    assert [r.bytes_read for r in reading] == sorted(r.bytes_read for r in reading)
    if reading:
        assert reading[-1].bytes_read == reading[-1].total_bytes > 0
    assert "reading" not in kinds[first:]
    report = events[first].report
    assert isinstance(events[first], ReportEvent)
    assert report["pairs_read"] == 200 and report["pairs_kept"] == 200
    assert report["dev"]["held_out"] == 10 and report["summary"]

    progress = [e for e in events if isinstance(e, ProgressEvent)]
    assert progress and progress[0].step == 1
    for p in progress:
        assert {"step", "epoch", "loss", "tokens_per_second", "elapsed_s", "eta_s"} <= set(vars(p))
        assert isinstance(p.step, int) and 1 <= p.step <= 25 and p.epoch >= 0
        assert math.isfinite(p.loss) and p.loss > 0
        assert p.tokens_per_second > 0 and p.elapsed_s >= 0
        assert p.eta_s is None or p.eta_s >= 0
        assert 0.0 <= p.fraction <= 1.0 and p.learning_rate > 0
    assert [p.step for p in progress] == sorted({p.step for p in progress})
    assert all(a.elapsed_s <= b.elapsed_s for a, b in itertools.pairwise(progress))

    validations = [e for e in events if isinstance(e, ValidationEvent)]
    assert [v.step for v in validations] == [10, 20, 25]
    for v in validations:
        assert 0.0 <= v.bleu <= 100.0 and 0.0 <= v.chrf <= 100.0 and math.isfinite(v.loss)
        assert "nrefs:1" in v.bleu_signature
        assert len(v.samples) == 3
        for s in v.samples:
            assert set(s) == {"source", "reference", "hypothesis"}
            assert s["source"].startswith("w") and s["reference"].startswith("W")
        assert v.probe is not None
        assert v.probe.source_tokens == ["w1", "w2", "w3", "</s>"]
        _check_translation(v.probe)
        assert len(v.probe.target_tokens) >= 1
    assert validations[0].is_best

    checkpoints = [e for e in events if isinstance(e, CheckpointEvent)]
    assert [c.step for c in checkpoints] == [10, 20, 25]
    assert all(
        c.kind in ("last", "best") and Path(c.path).name == f"ckpt-{c.step:08d}.pt"
        for c in checkpoints
    )
    # each validation is followed by the checkpoint of the same step
    for v in validations:
        i = events.index(v)
        assert isinstance(events[i + 1], CheckpointEvent) and events[i + 1].step == v.step
    assert kinds[-2:] == ["checkpoint", "done"] and kinds.count("done") == 1
    assert events[-1] == done

    assert isinstance(done, DoneEvent)
    assert done.status == "finished" and done.step == 25 and done.type == "done"
    assert done.model_dir == str(small_run["dir"])
    assert done.best_bleu == max(v.bleu for v in validations)


def test_done_counts_every_target_token_trained_on_and_the_time_spent_validating(
    tmp_path, monkeypatch
):
    import core.training.loop as loop

    seen: list[int] = []

    def counting_collate(examples, indices, src_multiple=1):
        batch = collate(examples, indices, src_multiple)
        seen.append(batch.n_tokens)
        return batch

    from core.data.batching import collate

    monkeypatch.setattr(loop, "collate", counting_collate)
    cfg = train_config(batch_size=16, max_steps=7, valid_every=3)
    done = train(toy_spec(tmp_path / "data", 120), tmp_path / "m", SMALL_MODEL, TOK, cfg)
    assert done.step == len(seen) == 7
    assert done.target_tokens == sum(seen) > 7 * 16  # each target has at least one token + </s>
    # two validations inside the loop (steps 3 and 6); the one at the end is not training time
    assert 0 < done.validation_s < done.elapsed_s


def test_model_folder_contents(small_run):
    folder = small_run["dir"]
    for name in (
        "model.json",
        "vocab.src.json",
        "vocab.tgt.json",
        "weights.pt",
        "history.jsonl",
        "checkpoints/manifest.json",
    ):
        assert (folder / name).is_file(), name
    meta = read_meta(folder)
    assert meta.status == "finished"
    assert meta.model == SMALL_MODEL and meta.tokenizer == TOK
    assert meta.metrics["steps"] == 25 and meta.metrics["best_bleu"] == small_run["done"].best_bleu
    assert meta.corpus["train_pairs"] == 190 and meta.corpus["dev_pairs"] == 10
    src_vocab = json.loads((folder / "vocab.src.json").read_text(encoding="utf-8"))
    assert src_vocab[:4] == ["<unk>", "<pad>", "<s>", "</s>"]
    assert set(src_vocab[4:]) == {f"w{i}" for i in range(12)}
    manifest = json.loads((folder / "checkpoints/manifest.json").read_text(encoding="utf-8"))
    assert manifest["last"]["step"] == 25
    assert all((folder / "checkpoints" / e["file"]).is_file() for e in manifest["checkpoints"])
    model, _, tv, meta2 = read_model(folder)
    assert meta2.params == model.num_parameters() and len(tv) == 16
    history = read_history(folder)
    assert [h["step"] for h in history if h["type"] == "validation"] == [10, 20, 25]


# ---- cancel, refusals, resume --------------------------------------------------------------------


def _cancelled_at_the_first_update(tmp_path: Path, on_event=None) -> DoneEvent:
    """A small run into tmp_path/"m" that its own event handler cancels at its first progress
    event (after ``on_event`` has seen it)."""
    token = CancelToken()

    def handle(e):
        if on_event is not None:
            on_event(e)
        if isinstance(e, ProgressEvent):
            token.cancel()

    return train(
        toy_spec(tmp_path / "data", 120),
        tmp_path / "m",
        SMALL_MODEL,
        TOK,
        train_config(batch_size=16, max_steps=50),
        on_event=handle,
        cancel=token,
    )


def test_cancel_from_on_event_leaves_a_loadable_model(tmp_path):
    events: list = []
    done = _cancelled_at_the_first_update(tmp_path, events.append)
    assert done.status == "cancelled"
    assert done.step == 1  # the cancel is noticed at the top of the next step
    assert not any(isinstance(e, ValidationEvent) for e in events)
    assert [e.step for e in events if isinstance(e, CheckpointEvent)] == [1]
    assert events[-1] == done
    assert read_meta(tmp_path / "m").status == "cancelled"
    tr = Translator.load(tmp_path / "m", device="cpu")
    _check_translation(tr.translate("w1 w2")[0])
    assert CheckpointStore(tmp_path / "m" / "checkpoints").entries()[-1]["step"] == 1


def test_a_non_empty_output_folder_is_refused(tmp_path):
    spec = toy_spec(tmp_path / "data", 50)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CoreError, match="not empty"):
        train(spec, out, SMALL_MODEL, TOK, train_config(max_steps=2))
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_resume_without_a_checkpoint_is_refused(tmp_path):
    spec = toy_spec(tmp_path / "data", 50)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="nothing to resume"):
        train(spec, tmp_path / "empty", SMALL_MODEL, TOK, train_config(max_steps=2), resume=True)


def test_resume_with_changed_settings_is_refused_and_names_them(tmp_path):
    spec = toy_spec(tmp_path / "data", 80)
    cfg = train_config(batch_size=16, max_steps=2)
    train(spec, tmp_path / "m", SMALL_MODEL, TOK, cfg)
    bigger = ModelConfig(emb_size=8, hidden_size=24, dropout=0.1)
    with pytest.raises(CheckpointError, match=r"model\.hidden_size: 16 → 24") as info:
        train(spec, tmp_path / "m", bigger, TOK, cfg.replace(max_steps=4), resume=True)
    assert "emb_size" not in str(info.value)
    with pytest.raises(CheckpointError, match=r"train\.seed"):
        train(
            spec, tmp_path / "m", SMALL_MODEL, TOK, cfg.replace(max_steps=4, seed=99), resume=True
        )
    with pytest.raises(CheckpointError, match=r"tokenizer\.lowercase"):
        train(
            spec,
            tmp_path / "m",
            SMALL_MODEL,
            TokenizerConfig("en", "en", lowercase=True, tokenization="words"),
            cfg.replace(max_steps=4),
            resume=True,
        )
    # the refusals left the run resumable
    done = train(spec, tmp_path / "m", SMALL_MODEL, TOK, cfg.replace(max_steps=4), resume=True)
    assert done.step == 4 and done.status == "finished"


def test_resume_with_a_changed_corpus_is_refused(tmp_path):
    spec = toy_spec(tmp_path / "data", 80)
    cfg = train_config(batch_size=16, max_steps=2)
    train(spec, tmp_path / "m", SMALL_MODEL, TOK, cfg)
    with open(spec.src_path, "a", encoding="utf-8") as f:
        f.write("w1 w2\n")
    with open(spec.tgt_path, "a", encoding="utf-8") as f:
        f.write("W2 W1\n")
    with pytest.raises(CheckpointError, match="corpus"):
        train(spec, tmp_path / "m", SMALL_MODEL, TOK, cfg.replace(max_steps=4), resume=True)


N = 30


@pytest.mark.parametrize("first_stop", ["cancel", "max_steps"])
def test_exact_resume(tmp_path, monkeypatch, first_stop):
    """Run A trains 2N steps; run B stops at N (cancel, or a step limit followed by its end-of-run
    validation) and resumes to 2N. Steps N+1..2N must have the same losses, and the same weights."""
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)  # every step reports its loss
    spec = toy_spec(tmp_path / "data", 300)  # 285 training pairs: 18 batches/epoch, N is mid-epoch
    cfg = train_config(batch_size=16, max_steps=2 * N, valid_every=1000, seed=7)

    a: dict[int, float] = {}
    done_a = train(spec, tmp_path / "a", SMALL_MODEL, TOK, cfg, on_event=record_step_losses(a))
    assert done_a.step == 2 * N and sorted(a) == list(range(1, 2 * N + 1))

    b1: dict[int, float] = {}
    token = CancelToken()
    first_cfg = cfg if first_stop == "cancel" else cfg.replace(max_steps=N)
    done_b1 = train(
        spec,
        tmp_path / "b",
        SMALL_MODEL,
        TOK,
        first_cfg,
        cancel=token,
        on_event=record_step_losses(
            b1, token=token, cancel_at=N if first_stop == "cancel" else None
        ),
    )
    assert done_b1.step == N
    assert done_b1.status == ("cancelled" if first_stop == "cancel" else "finished")
    assert CheckpointStore(tmp_path / "b" / "checkpoints").entries()[-1]["step"] == N
    for s in range(1, N + 1):
        assert b1[s] == a[s], f"the runs differ before the resume, at step {s}: not seeded?"

    b2: dict[int, float] = {}
    done_b2 = train(
        spec, tmp_path / "b", SMALL_MODEL, TOK, cfg, on_event=record_step_losses(b2), resume=True
    )
    assert done_b2.status == "finished" and done_b2.step == 2 * N
    assert sorted(b2) == list(range(N + 1, 2 * N + 1))
    diffs = {s: abs(b2[s] - a[s]) for s in b2 if abs(b2[s] - a[s]) > 1e-6}
    assert not diffs, f"resumed losses differ from the uninterrupted run at steps {sorted(diffs)}"

    last_a = CheckpointStore(tmp_path / "a" / "checkpoints").load_last()[0]
    last_b = CheckpointStore(tmp_path / "b" / "checkpoints").load_last()[0]
    for k, v in last_a["model"].items():
        torch.testing.assert_close(last_b["model"][k], v, atol=1e-6, rtol=0, msg=k)
    assert last_b["state"]["step"] == last_a["state"]["step"] == 2 * N
    assert last_b["state"]["epoch"] == last_a["state"]["epoch"]
    assert read_meta(tmp_path / "b").status == "finished"


# ---- end to end: it learns, and it looks at the right word ---------------------------------------


@pytest.mark.slow
def test_end_to_end_learns_reversal_with_anti_diagonal_attention(toy):
    done = toy["done"]
    assert done.status in ("finished", "early_stopped", "time_budget")
    assert done.elapsed_s <= TOY_BUDGET_S + 2.0
    tr = Translator.load(toy["dir"], device="cpu")
    held = held_out_items(toy["train_sources"], 100)
    out = tr.translate_batch([src for src, _ in held])
    correct = [t.text == ref for t, (_, ref) in zip(out, held)]
    assert sum(correct) >= 90, f"exact match {sum(correct)}/100 after {done.step} steps"

    rows = on_diagonal = 0
    for t, ok in zip(out, correct):
        if not ok:
            continue
        _check_translation(t)
        n = len(t.source_tokens) - 1  # words, without </s>
        assert t.target_tokens[-1] == "</s>" and len(t.target_tokens) == n + 1
        for i in range(n):  # target words only, not </s>
            rows += 1
            on_diagonal += int(np.argmax(t.attention[i]) == n - 1 - i)
    assert on_diagonal / rows >= 0.9, f"only {on_diagonal}/{rows} rows peak on the anti-diagonal"


def test_frequent_validations_do_not_starve_progress_events(tmp_path):
    """Validating every few steps must not hold back the ~10-a-second progress events."""
    from core.config import TokenizerConfig
    from core.events import ProgressEvent, ValidationEvent
    from core.training.run import train

    src, tgt = write_reverse_corpus(tmp_path, 400, seed=5)
    p = preset("tiny")
    cfg = p.train.replace(epochs=0, time_budget_s=2.5, valid_every=3, patience=10000, dev_max=8)
    events: list = []
    train(
        CorpusSpec(str(src), str(tgt)),
        tmp_path / "m",
        p.model,
        TokenizerConfig("en", "en", tokenization="words"),
        cfg,
        on_event=events.append,
    )
    progress = [e for e in events if isinstance(e, ProgressEvent)]
    validations = [e for e in events if isinstance(e, ValidationEvent)]
    # counted against the steps the machine managed, so that a loaded machine cannot fail it:
    # a step that validates takes longer than the 0.1 s between progress events, so nearly
    # every step owes one; starved, they would all but stop after the first
    steps = max(e.step for e in progress)
    assert steps >= 6 and len(validations) >= steps // 3 - 1
    assert len(progress) >= min(10, steps // 2), f"{len(progress)} progress events in {steps} steps"
    assert all(e.tokens_per_second > 0 for e in progress)


@pytest.mark.parametrize("user_value", [None, "512"])
def test_a_run_bounds_the_kernel_caches_unless_the_user_set_them(tmp_path, monkeypatch, user_value):
    """oneDNN's caches read their bound when oneDNN first runs in the process: a run sets it
    before its model computes, and a bound the user exported wins."""
    for name in ("LRU_CACHE_CAPACITY", "ONEDNN_PRIMITIVE_CACHE_CAPACITY"):
        if user_value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, user_value)
    seen: list[tuple[str | None, str | None]] = []

    def on_event(e):
        if isinstance(e, ProgressEvent):  # the model has computed a step by now
            seen.append(
                (
                    os.environ.get("LRU_CACHE_CAPACITY"),
                    os.environ.get("ONEDNN_PRIMITIVE_CACHE_CAPACITY"),
                )
            )

    _cancelled_at_the_first_update(tmp_path, on_event)
    ideep = user_value or str(core.device.IDEEP_CACHE_ENTRIES)
    onednn = user_value or str(core.device.KERNEL_CACHE_ENTRIES)
    assert seen and seen[0] == (ideep, onednn)
