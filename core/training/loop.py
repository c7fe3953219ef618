"""The step loop of a training run: batches, throttled progress, validation, stopping rules."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core import throttle
from core.data.batching import collate
from core.errors import Cancelled
from core.events import DoneEvent, ProgressEvent
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import WEIGHTS, write_meta, write_weights
from core.training.validation import validate

if TYPE_CHECKING:
    from core.training.run import TrainingRun

SMOOTHING = 0.98  # exponential moving average of the loss, for a readable curve
PROGRESS_INTERVAL_S = throttle.PROGRESS_INTERVAL_S  # at most ~10 progress events a second


class _Stop(Exception):
    def __init__(self, status: str) -> None:
        self.status = status


def run_loop(run: TrainingRun, store: CheckpointStore | None) -> DoneEvent:
    """Train ``run`` until a limit, early stop or cancel; save on exit.

    With several ranks every rank runs this loop on its own share of each batch; they agree
    before each step whether to stop, and rank 0 (the only one with a ``store``) validates and
    saves while the others wait for its verdict.
    """
    s, cfg, world = run.state, run.cfg, run.world
    t0 = time.monotonic()
    base_elapsed, paused = s.elapsed_s, 0.0
    rate_start, tokens_since = t0, 0  # rate_start: tokens/s excludes validation
    target_tokens, validation_s = 0, 0.0  # this session's totals, for the done event
    progress_due = throttle.Throttle(PROGRESS_INTERVAL_S)  # the first step always reports

    def elapsed() -> float:
        return base_elapsed + time.monotonic() - t0 - paused

    status = "finished"
    try:
        try:
            while not (cfg.epochs and s.epoch >= cfg.epochs):
                order = world.batches(run.lengths, cfg.batch_size, cfg.seed + s.epoch)
                while s.batch_pos < len(order):
                    if cfg.max_steps and s.step >= cfg.max_steps:
                        raise _Stop("finished")  # a resumed run may be at its limit already
                    waited = run.cancel.wait_if_paused()
                    if waited:
                        paused += waited
                        rate_start, tokens_since = time.monotonic(), 0
                    batch = collate(run.examples, order[s.batch_pos], run.src_multiple)
                    # one process checks its budget after each step (below); ranks agree here
                    over_budget = world.active and bool(
                        cfg.time_budget_s and elapsed() >= cfg.time_budget_s
                    )
                    total_tokens, stop = world.step_sync(
                        batch.n_tokens, run.cancel.cancelled, over_budget
                    )
                    if stop:
                        raise _Stop(stop)
                    args = (batch, total_tokens) if world.active else (batch,)
                    loss = run.train_step(*args)
                    s.step += 1
                    s.batch_pos += 1
                    s.smoothed_loss = (
                        loss
                        if s.smoothed_loss is None
                        else SMOOTHING * s.smoothed_loss + (1 - SMOOTHING) * loss
                    )
                    tokens_since += total_tokens
                    target_tokens += total_tokens
                    if progress_due.ready():
                        now = time.monotonic()
                        run.emit(
                            progress_event(
                                run, loss, tokens_since / max(now - rate_start, 1e-9), elapsed()
                            )
                        )
                        rate_start, tokens_since = now, 0
                    if s.step % cfg.valid_every == 0:
                        began = time.monotonic()
                        verdict = world.from_main(lambda: _validate(run, store))
                        validation_s += time.monotonic() - began
                        if verdict.stop:
                            raise _Stop(verdict.stop)
                        for group in run.optimizer.param_groups:
                            group["lr"] = verdict.lr  # rank 0's scheduler decided
                        rate_start, tokens_since = time.monotonic(), 0
                    if cfg.max_steps and s.step >= cfg.max_steps:
                        raise _Stop("finished")
                    if not world.active and cfg.time_budget_s and elapsed() >= cfg.time_budget_s:
                        raise _Stop("time_budget")
                s.epoch += 1
                s.batch_pos = 0
        except _Stop as stop:
            status = stop.status
        except Cancelled:
            status = "cancelled"
        s.elapsed_s = elapsed()
        if store is not None:
            _save_on_exit(run, store, status)
        world.barrier()  # the others wait until rank 0 has saved
    except BaseException:
        if world.is_main:
            with contextlib.suppress(Exception):  # the original error matters more
                write_meta(run.out, run.meta("failed"))
        raise
    done = DoneEvent(
        status=status,
        step=s.step,
        epoch=s.epoch,
        best_bleu=s.best_bleu,
        model_dir=str(run.out),
        elapsed_s=s.elapsed_s,
        target_tokens=target_tokens,
        validation_s=round(validation_s, 3),
    )
    run.emit(done)
    return done


@dataclass(frozen=True)
class _Verdict:
    """What rank 0 decided after a validation, for every rank: stop (and why), the learning rate."""

    stop: str | None
    lr: float


def _validate(run: TrainingRun, store: CheckpointStore | None) -> _Verdict:
    """Rank 0's validation and checkpoint; a stop asked for meanwhile ends every rank."""
    assert store is not None
    try:
        event = validate(run)
    except Cancelled:
        return _Verdict("cancelled", run.optimizer.param_groups[0]["lr"])
    run.emit(event)
    run.save(store, event.is_best)
    early = run.state.bad_validations >= run.cfg.patience
    return _Verdict("early_stopped" if early else None, run.optimizer.param_groups[0]["lr"])


def _save_on_exit(run: TrainingRun, store: CheckpointStore, status: str) -> None:
    """A last validation unless cancelled or just validated, then weights, meta and a checkpoint,
    so every way out of the loop leaves a usable, resumable model folder."""
    s, is_best = run.state, False
    if status != "cancelled" and s.last_validated_step != s.step:
        event = validate(run, step_scheduler=False)
        run.emit(event)
        is_best = event.is_best
    if not (run.out / WEIGHTS).exists():
        write_weights(run.out, run.model)  # stopped before any validation: still usable
    if store.has_checkpoint() and store.entries()[-1]["step"] == s.step and not is_best:
        write_meta(run.out, run.meta(status))  # the validation just saved this very step
    else:
        run.save(store, is_best, status=status)


def progress_event(
    run: TrainingRun, loss: float, tokens_per_s: float, elapsed: float
) -> ProgressEvent:
    s, cfg = run.state, run.cfg
    fractions = []
    if cfg.time_budget_s:
        fractions.append(elapsed / cfg.time_budget_s)
    if cfg.max_steps:
        fractions.append(s.step / cfg.max_steps)
    if cfg.epochs:
        fractions.append(s.step / (cfg.epochs * run.batches_per_epoch))
    fraction = min(1.0, max(fractions)) if fractions else 0.0
    eta = elapsed * (1 - fraction) / fraction if fraction > 0.002 else None
    return ProgressEvent(
        step=s.step,
        epoch=s.epoch,
        loss=loss,
        smoothed_loss=s.smoothed_loss or loss,
        learning_rate=run.optimizer.param_groups[0]["lr"],
        tokens_per_second=tokens_per_s,
        elapsed_s=elapsed,
        eta_s=eta,
        fraction=fraction,
    )
