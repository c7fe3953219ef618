"""Training on two CPU ranks (gloo over 127.0.0.1): the ranks keep identical weights, two ranks with
batch B train exactly as one process with batch 2B, and every way a run ends — a stop on any rank,
early stopping, Ctrl-C on torchrun, a killed rank under --max-restarts — ends all ranks together,
with a checkpoint, and no process left behind."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
import torch

import core.training.loop
from core.cancel import CancelToken
from core.config import TokenizerConfig, preset
from core.errors import CoreError
from core.events import NoticeEvent
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import read_meta
from core.training.distributed import World
from core.training.restart import LAUNCH_MARKER, mark_launch, start_or_resume
from core.training.run import TrainingRun, train
from tests.core.training import ddp_harness as h
from tests.toy import record_step_losses, toy_spec, train_config

TOK = TokenizerConfig("en", "en")
MODEL = dataclasses.replace(preset("tiny").model, dropout=0.0)  # dropout masks differ per rank


class _StopAtStep(CancelToken):
    """A stop request that arrives on this rank only, once it has trained ``step`` steps."""

    def __init__(self, step: int) -> None:
        super().__init__()
        self.step = step
        self.run: TrainingRun | None = None

    @property
    def cancelled(self) -> bool:
        return self.run is not None and self.run.state.step >= self.step


def _train_rank(world: World, spec, out: str, cfg, results: str, stop_rank: int = -1) -> None:
    """One rank's training; writes what it ended with (and rank 0's step losses) to results/."""
    core.training.loop.PROGRESS_INTERVAL_S = 0  # every step reports its loss
    token = _StopAtStep(5) if world.rank == stop_rank else CancelToken()
    runs: list[TrainingRun] = []
    original = TrainingRun.distribute

    def distribute(run: TrainingRun) -> None:
        runs.append(run)
        token.run = run if isinstance(token, _StopAtStep) else None
        original(run)

    TrainingRun.distribute = distribute  # type: ignore[method-assign]
    losses: dict[int, float] = {}
    try:
        done = train(
            spec, out, MODEL, TOK, cfg, on_event=record_step_losses(losses), cancel=token,
            world=world,
        )  # fmt: skip
    finally:  # the class must not keep this rank's run, and so its DDP, alive until exit
        TrainingRun.distribute = original  # type: ignore[method-assign]
    run = runs.pop()
    digest = hashlib.sha256()
    for value in run.model.state_dict().values():
        digest.update(value.detach().cpu().numpy().tobytes())
    result = {
        "status": done.status,
        "step": done.step,
        "losses": losses,
        "weights": digest.hexdigest(),
        "vocab": [run.src_vocab.itos, run.tgt_vocab.itos],
        "lr": run.optimizer.param_groups[0]["lr"],
    }
    Path(results, f"rank{world.rank}.json").write_text(json.dumps(result))


def _results(folder: Path, n: int = 2) -> list[dict]:
    return [json.loads((folder / f"rank{r}.json").read_text()) for r in range(n)]


def test_each_rank_takes_its_share_of_the_global_batches():
    lengths = [(1 + i % 7, 2 + i % 5) for i in range(203)]
    one = World().batches(lengths, 16, seed=3)
    ranks = [World(2, r).batches(lengths, 8, seed=3) for r in range(2)]
    assert len(ranks[0]) == len(ranks[1]) == len(one)  # nobody waits for a missing batch
    for whole, a, b in zip(one, *ranks):
        assert a + b == whole and abs(len(a) - len(b)) <= 1
    assert World(2, 0).batches(lengths, 8, seed=4) != ranks[0]  # another epoch, another order
    three = [World(3, r).batches(lengths[:7], 2, seed=1) for r in range(3)]
    assert [len(x) for x in three] == [1, 1, 1]  # the last global batch (1 pair) is skipped
    assert sorted(i for x in three for b in x for i in b) != list(range(7))


def test_two_ranks_with_batch_b_train_like_one_process_with_batch_2b(tmp_path, monkeypatch):
    spec = toy_spec(tmp_path / "data", 240)
    steps = 6
    cfg = train_config(max_steps=steps, epochs=0, valid_every=1000, learning_rate=3e-3)
    # batches wide enough to span several sentence lengths: the two halves of a global batch hold
    # different numbers of target tokens, which the ranks' loss weighting must account for
    h.run_ranks(
        _train_rank, 2, spec, str(tmp_path / "ddp"), cfg.replace(batch_size=40), str(tmp_path)
    )
    ranks = _results(tmp_path)
    assert ranks[0]["weights"] == ranks[1]["weights"]  # after k steps: the very same weights
    assert ranks[0]["vocab"] == ranks[1]["vocab"]
    assert [r["step"] for r in ranks] == [steps, steps]

    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    single: dict[int, float] = {}
    one_cfg = cfg.replace(batch_size=80)
    train(spec, tmp_path / "one", MODEL, TOK, one_cfg, on_event=record_step_losses(single))
    ddp = {int(k): v for k, v in ranks[0]["losses"].items()}
    assert sorted(ddp) == sorted(single) == list(range(1, steps + 1))
    for step in single:
        assert ddp[step] == pytest.approx(single[step], abs=1e-5), step
    assert len(set(single.values())) == steps  # the loss moved: the steps really trained


def test_a_stop_on_one_rank_ends_both_and_resumes_on_one(tmp_path):
    spec = toy_spec(tmp_path / "data", 200)
    out = tmp_path / "run"
    cfg = train_config(max_steps=400, epochs=0, valid_every=3, batch_size=8)
    h.run_ranks(_train_rank, 2, spec, str(out), cfg, str(tmp_path), 1)
    ranks = _results(tmp_path)
    assert [r["status"] for r in ranks] == ["cancelled", "cancelled"]
    assert ranks[0]["step"] == ranks[1]["step"] == 5  # rank 1's stop, taken by both at once
    assert ranks[0]["weights"] == ranks[1]["weights"]
    assert read_meta(out).status == "cancelled"
    assert CheckpointStore(out / "checkpoints").entries()[-1]["step"] == 5

    # continued by one process: the effective batch halves, and the run says so
    notices: list[str] = []
    done = train(
        spec, out, MODEL, TOK, cfg.replace(max_steps=8), resume=True,
        on_event=lambda e: notices.append(e.message) if isinstance(e, NoticeEvent) else None,
    )  # fmt: skip
    assert done.status == "finished" and done.step == 8
    assert any("2 rank(s) and continues with 1" in n and "8 × 1 = 8" in n for n in notices)


def test_early_stopping_decided_by_rank_0_ends_both_ranks(tmp_path):
    spec = toy_spec(tmp_path / "data", 200)
    out = tmp_path / "run"
    # a learning rate too small to change the dev BLEU: the second validation is no better
    cfg = train_config(
        max_steps=400, epochs=0, valid_every=2, patience=1, batch_size=8, learning_rate=1e-9
    )
    h.run_ranks(_train_rank, 2, spec, str(out), cfg, str(tmp_path))
    ranks = _results(tmp_path)
    assert [r["status"] for r in ranks] == ["early_stopped", "early_stopped"]
    assert ranks[0]["step"] == ranks[1]["step"] == 4
    assert read_meta(out).status == "early_stopped"


def test_the_time_budget_on_rank_0s_clock_ends_both_ranks(tmp_path):
    spec = toy_spec(tmp_path / "data", 200)
    out = tmp_path / "run"
    cfg = train_config(epochs=0, time_budget_s=3.0, valid_every=1000, batch_size=8)
    h.run_ranks(_train_rank, 2, spec, str(out), cfg, str(tmp_path))
    ranks = _results(tmp_path)
    assert [r["status"] for r in ranks] == ["time_budget", "time_budget"]
    assert ranks[0]["step"] == ranks[1]["step"] > 0
    assert ranks[0]["weights"] == ranks[1]["weights"]
    assert read_meta(out).status == "time_budget"


def test_a_restart_resumes_only_a_folder_of_its_own_launch(tmp_path, monkeypatch):
    out = tmp_path / "m"
    (out / "checkpoints").mkdir(parents=True)
    (out / "model.json").write_text("{}")
    with pytest.raises(CoreError, match="not empty"):
        start_or_resume(out, resume=False, distributed=True)  # a first try: the usual refusal
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "1")
    (out / LAUNCH_MARKER).write_text("otherhost:1:none\n")
    with pytest.raises(CoreError, match="not empty"):
        start_or_resume(out, resume=False, distributed=True)  # another launch's folder
    mark_launch(out)
    assert not start_or_resume(out, resume=False, distributed=True)  # ours, no checkpoint yet
    torch.save({}, out / "checkpoints" / "ckpt-00000010.pt")
    assert start_or_resume(out, resume=False, distributed=True)  # ours: resume


def _data_args(tmp_path: Path, n: int = 200) -> list[str]:
    spec = toy_spec(tmp_path / "data", n)
    return [
        f"--train-src={spec.src_path}",
        f"--train-tgt={spec.tgt_path}",
        "--src-lang=en",
        "--tgt-lang=en",
        "--preset=tiny",
        "--threads=1",
        "--batch-size=8",
    ]


def test_ctrl_c_on_torchrun_saves_and_ends_every_process(tmp_path):
    out = tmp_path / "run"
    proc = h.torchrun([*_data_args(tmp_path), f"--out={out}", "--time-budget=600"])
    h.events_until(proc, lambda e: e.get("type") == "progress" and e["step"] >= 3, 150)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the launcher and its ranks
    code, stdout, stderr = h.finish(proc, 90)
    assert read_meta(out).status == "cancelled", h.error_lines(stderr)
    assert CheckpointStore(out / "checkpoints").has_checkpoint()
    time.sleep(0.5)
    assert not h.group_alive(proc.pid), "a rank outlived the launcher"


@pytest.mark.slow
def test_a_killed_rank_under_max_restarts_resumes_from_the_last_checkpoint(tmp_path):
    out = tmp_path / "run"
    args = [*_data_args(tmp_path), f"--out={out}", "--max-steps=60", "--valid-every=10"]
    proc = h.torchrun(args, max_restarts=1)
    seen = h.events_until(proc, lambda e: e.get("type") == "checkpoint" and e["step"] >= 10, 150)
    saved = seen[-1]["step"]
    victim = max(h.workers_of(proc))
    os.kill(victim, signal.SIGKILL)
    code, stdout, stderr = h.finish(proc, 240)
    assert code == 0, h.error_lines(stderr)
    events = seen + [json.loads(x) for x in stdout.splitlines() if x.startswith("{")]
    reports = [i for i, e in enumerate(events) if e["type"] == "report"]
    assert len(reports) == 2, "the ranks were not started again"
    before, after = events[: reports[1]], events[reports[1] :]
    last_saved = [e["step"] for e in before if e["type"] == "checkpoint"][-1]
    first_step = next(e["step"] for e in after if e["type"] == "progress")
    assert first_step == last_saved + 1 > saved  # went on from its last checkpoint
    meta = read_meta(out)
    assert meta.status == "finished" and meta.metrics["steps"] == 60
