"""Resume: a stopped run continues exactly where it stopped, and refuses when its basis changed.

tests/core/training/test_run.py::test_exact_resume covers cancel/step-limit at mid-epoch without
validation; here the interrupted stretch also crosses epoch boundaries and validations (so the
LR scheduler, best metric and patience counters must come back too), and the same is checked
through ``attnscope-cli train --resume``, whose refusals must list what differs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

import core.training.loop
import core.training.run
from core.cancel import CancelToken
from core.storage.checkpoints import CheckpointStore
from core.training.run import train
from tests.reliability.helpers import (
    TINY_MODEL,
    TOK,
    cli_train_args,
    run_cli,
    short,
    toy_spec,
    train_config,
)
from tests.toy import record_step_losses, write_reverse_corpus

CAT = "Resume"
TOL = 1e-6


def _max_weight_diff(a: dict, b: dict) -> float:
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


def test_cancel_then_resume_equals_uninterrupted_across_epochs_and_validations(
    tmp_path, monkeypatch, fault
):
    n = 10
    rec = fault(
        CAT,
        f"cancel at step {n} (mid-epoch, between validations), new train() call with "
        f"resume=True to step {2 * n}; 4 batches an epoch, validation every 4 steps, "
        "dropout on",
        f"losses of steps {n + 1}..{2 * n} equal an uninterrupted {2 * n}-step run to "
        f"{TOL:g}; same final weights, scheduler state, best metric and patience counter",
    )
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    spec = toy_spec(tmp_path / "data", 120, seed=11)
    cfg = train_config(max_steps=2 * n, valid_every=4, seed=11, patience=100)

    a: dict[int, float] = {}
    val_a: list[int] = []
    train(spec, tmp_path / "a", TINY_MODEL, TOK, cfg, on_event=record_step_losses(a, val_a))

    b: dict[int, float] = {}
    val_b: list[int] = []
    token = CancelToken()
    first = train(
        spec,
        tmp_path / "b",
        TINY_MODEL,
        TOK,
        cfg,
        cancel=token,
        on_event=record_step_losses(b, val_b, token=token, cancel_at=n),
    )
    b_resumed: dict[int, float] = {}
    done = train(
        spec,
        tmp_path / "b",
        TINY_MODEL,
        TOK,
        cfg,
        resume=True,
        on_event=record_step_losses(b_resumed, val_b),
    )

    diffs = [abs(b_resumed[s] - a[s]) for s in range(n + 1, 2 * n + 1)]
    last_a = CheckpointStore(tmp_path / "a" / "checkpoints").load_last()[0]
    last_b = CheckpointStore(tmp_path / "b" / "checkpoints").load_last()[0]
    weight_diff = _max_weight_diff(last_a["model"], last_b["model"])
    same_sched = last_a["scheduler"] == last_b["scheduler"]
    keys = ("step", "epoch", "batch_pos", "best_bleu", "best_step", "bad_validations")
    state_a = {k: last_a["state"][k] for k in keys}
    state_b = {k: last_b["state"][k] for k in keys}
    rec.observed(
        f"first run {first.status} at step {first.step}; resumed steps "
        f"{min(b_resumed)}..{max(b_resumed)}; max |Δloss| = {max(diffs):.1e} over "
        f"{len(diffs)} steps; max |Δweight| = {weight_diff:.1e}; epochs after the resume: "
        f"{first.epoch}..{done.epoch}; validations "
        f"{val_a} vs {val_b}; scheduler state equal: {same_sched}; run state equal: "
        f"{state_a == state_b} ({state_b})"
    )
    assert first.status == "cancelled" and first.step == n
    assert sorted(b_resumed) == list(range(n + 1, 2 * n + 1))
    assert all(b[s] == a[s] for s in range(1, n + 1))
    assert max(diffs) <= TOL
    assert weight_diff <= TOL
    assert same_sched and state_a == state_b
    assert val_a == val_b and done.step == 2 * n


def _progress(out: str) -> dict[int, float]:
    losses: dict[int, float] = {}
    for line in out.splitlines():
        e = json.loads(line)
        if e["type"] == "progress":
            losses[e["step"]] = e["loss"]
    return losses


def test_cli_resume_equals_uninterrupted(tmp_path, monkeypatch, capsys, fault):
    n = 12
    rec = fault(
        CAT,
        f"`attnscope-cli train --max-steps {n}` (ends with its own validation), "
        f"then `train --resume DIR --max-steps {2 * n}`",
        f"per-step losses from --json-progress equal an uninterrupted `--max-steps "
        f"{2 * n}` run to {TOL:g}",
    )
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    src, tgt = write_reverse_corpus(tmp_path, 120, seed=12)
    common = ("--valid-every", "5", "--seed", "12", "--json-progress")
    r_a = run_cli(
        capsys, *cli_train_args(src, tgt, tmp_path / "a", "--max-steps", str(2 * n), *common)
    )
    r_b1 = run_cli(
        capsys, *cli_train_args(src, tgt, tmp_path / "b", "--max-steps", str(n), *common)
    )
    r_b2 = run_cli(
        capsys,
        "train",
        "--resume",
        str(tmp_path / "b"),
        "--max-steps",
        str(2 * n),
        "--json-progress",
    )
    a, b2 = _progress(r_a.out), _progress(r_b2.out)
    diffs = [abs(b2[s] - a[s]) for s in range(n + 1, 2 * n + 1)]
    rec.observed(
        f"exit codes {r_a.code}/{r_b1.code}/{r_b2.code}; resumed steps "
        f"{min(b2)}..{max(b2)}; max |Δloss| = {max(diffs):.1e} over {len(diffs)} steps"
    )
    assert (r_a.code, r_b1.code, r_b2.code) == (0, 0, 0)
    assert sorted(b2) == list(range(n + 1, 2 * n + 1))
    assert max(diffs) <= TOL


# ---- refusals ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """A finished 6-step CLI run (tiny preset) and its corpus folder."""
    base = tmp_path_factory.mktemp("cli-run")
    data = base / "data"
    data.mkdir()
    src, tgt = write_reverse_corpus(data, 80, seed=13)
    import contextlib
    import io

    from core.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(
            cli_train_args(
                src, tgt, base / "run", "--max-steps", "6", "--valid-every", "3", "--seed", "13"
            )
        )
    assert code == 0
    return base / "run", data


def _own_copy(cli_run, tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the run and its corpus; the copy's model.json points at the copied corpus."""
    run, data = cli_run
    run2, data2 = tmp_path / "run", tmp_path / "data"
    shutil.copytree(run, run2)
    shutil.copytree(data, data2)
    meta_path = run2 / "model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for key in ("src_path", "tgt_path"):
        meta["corpus"]["spec"][key] = str(data2 / Path(meta["corpus"]["spec"][key]).name)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return run2, data2


SETTING_CHANGES = {
    "hidden and embedding sizes": (
        ["--hidden-size", "96", "--emb-size", "16"],
        ["model.hidden_size: 64 → 96", "model.emb_size: 32 → 16"],
    ),
    "attention type": (["--attention", "general"], ["model.attention: 'bahdanau' → 'general'"]),
    "unidirectional encoder": (["--unidirectional"], ["model.bidirectional: True → False"]),
    "source language (tokenizer)": (["--src-lang", "de"], ["tokenizer.src_lang: 'en' → 'de'"]),
    "lowercasing": (["--lowercase"], ["tokenizer.lowercase: False → True"]),
    "maximum sentence length": (["--max-len", "20"], ["train.max_len: 50 → 20"]),
    "seed (data order, dev split)": (["--seed", "99"], ["train.seed: 13 → 99"]),
}


@pytest.mark.parametrize("change", list(SETTING_CHANGES))
def test_resume_refuses_changed_model_shaping_settings(cli_run, capsys, fault, change):
    flags, wanted = SETTING_CHANGES[change]
    rec = fault(
        CAT,
        f"`train --resume DIR {' '.join(flags)}` ({change} changed)",
        "exit 2, no traceback; the message lists each differing setting as "
        "old → new; the run stays resumable",
    )
    run, _ = cli_run
    before = sorted((p.name, p.stat().st_mtime_ns) for p in run.rglob("*") if p.is_file())
    r = run_cli(capsys, "train", "--resume", str(run), "--max-steps", "8", *flags)
    after = sorted((p.name, p.stat().st_mtime_ns) for p in run.rglob("*") if p.is_file())
    rec.observed(
        f'exit {r.code}; stderr: "{short(r.message, 300)}"; run folder untouched: {before == after}'
    )
    assert r.code == 2 and "Traceback" not in r.err
    assert "cannot resume" in r.err
    for item in wanted:
        assert item in r.err
    assert before == after


def _append_pair(folder: Path) -> None:
    for name, line in (("train.src", "w1 w2\n"), ("train.tgt", "W2 W1\n")):
        with (folder / name).open("a", encoding="utf-8") as f:
            f.write(line)


CORPUS_CHANGES = {
    "a pair appended to both files": _append_pair,
    "one byte changed, same size": lambda d: (d / "train.src").write_bytes(
        (d / "train.src").read_bytes().replace(b"w1", b"w2", 1)
    ),
    "the source file deleted": lambda d: (d / "train.src").unlink(),
}


@pytest.mark.parametrize("change", list(CORPUS_CHANGES))
def test_resume_refuses_a_changed_corpus(cli_run, tmp_path, capsys, fault, change):
    rec = fault(
        CAT,
        f"`train --resume DIR` after the training corpus changed: {change}",
        "exit 2, no traceback; the message says the corpus changed (or names the missing file)",
    )
    run, data = _own_copy(cli_run, tmp_path)
    CORPUS_CHANGES[change](data)
    r = run_cli(capsys, "train", "--resume", str(run), "--max-steps", "8")
    rec.observed(f'exit {r.code}; stderr: "{short(r.message, 300)}"')
    assert r.code == 2 and "Traceback" not in r.err
    if "deleted" in change:
        assert "train.src" in r.err and "not found" in r.err
    else:
        assert "corpus: the training files changed" in r.err


def test_resume_accepts_changed_training_only_settings(
    cli_run, tmp_path, capsys, monkeypatch, fault
):
    rec = fault(
        CAT,
        "`train --resume DIR --lr 0.001 --batch-size 16 --patience 3 --max-steps 9` "
        "(settings that do not shape the model or the data)",
        "accepted: training continues from the saved step",
    )
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    run, _ = _own_copy(cli_run, tmp_path)
    r = run_cli(
        capsys,
        "train",
        "--resume",
        str(run),
        "--lr",
        "0.001",
        "--batch-size",
        "16",
        "--patience",
        "3",
        "--max-steps",
        "9",
        "--json-progress",
    )
    steps = sorted(_progress(r.out))
    rec.observed(f"exit {r.code}; trained steps {steps[0]}..{steps[-1]}")
    assert r.code == 0 and steps[0] == 7 and steps[-1] == 9


def test_resuming_a_finished_run_trains_no_extra_step(
    cli_run, tmp_path, capsys, monkeypatch, fault
):
    rec = fault(
        CAT,
        "`train --resume DIR` of a run that already reached its --max-steps (6)",
        "nothing more is trained: done at step 6 (or a clear message to raise the limit)",
    )
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    run, _ = _own_copy(cli_run, tmp_path)
    r = run_cli(capsys, "train", "--resume", str(run), "--json-progress")
    steps = sorted(_progress(r.out))
    done = [json.loads(x) for x in r.out.splitlines() if '"done"' in x]
    rec.observed(
        f"exit {r.code}; trained steps {steps}; done at step {done[-1]['step'] if done else None}"
    )
    assert r.code in (0, 2)
    assert steps == [] and (not done or done[-1]["step"] == 6)


def test_resume_checkpoint_holds_the_training_state(cli_run, fault):
    rec = fault(
        CAT,
        "contents of a resumable checkpoint (the newest ckpt-*.pt of a CLI run)",
        "model, optimizer, scheduler, RNG states (torch, Python, NumPy), data position, "
        "step/epoch, best metric, the three configs and the corpus fingerprint",
    )
    run, _ = cli_run
    state, _ = CheckpointStore(run / "checkpoints").load_last()
    need = {
        "model",
        "optimizer",
        "scheduler",
        "state",
        "rng",
        "model_config",
        "tokenizer_config",
        "train_config",
        "fingerprint",
    }
    run_state = {"step", "epoch", "batch_pos", "best_bleu", "bad_validations", "smoothed_loss"}
    rec.observed(
        f"top-level keys {sorted(state)}; run state keys {sorted(state['state'])}; RNG "
        f"{sorted(state['rng'])}; fingerprint {state['fingerprint'][:12]}…"
    )
    assert need <= set(state)
    assert run_state <= set(state["state"])
    assert {"torch", "python", "numpy"} <= set(state["rng"])
    assert isinstance(state["rng"]["torch"], torch.Tensor)


def test_resume_checkpoint_holds_vocabularies_and_versions(cli_run, fault):
    rec = fault(
        CAT,
        "vocabularies and format/library versions inside a resumable checkpoint",
        "the checkpoint carries both vocabularies and its format, app and torch versions, "
        "so it can be checked (and resumed) on its own",
    )
    run, _ = cli_run
    state, _ = CheckpointStore(run / "checkpoints").load_last()
    flat = json.dumps(
        {k: v for k, v in state.items() if k in ("vocab", "vocabs", "versions", "format_version")},
        default=str,
    )
    rec.observed(f"top-level keys {sorted(state)}")
    assert any(k in state for k in ("vocab", "vocabs")), flat
    assert any(k in state for k in ("versions", "format_version")), flat
