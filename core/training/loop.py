"""The step loop of a training run: batches, throttled progress, validation, stopping rules."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from core import throttle
from core.data.batching import batch_order, collate
from core.errors import Cancelled
from core.events import DoneEvent, ProgressEvent
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import WEIGHTS, write_meta, write_weights

if TYPE_CHECKING:
    from core.training.run import TrainingRun

SMOOTHING = 0.98  # exponential moving average of the loss, for a readable curve
PROGRESS_INTERVAL_S = throttle.PROGRESS_INTERVAL_S  # at most ~10 progress events a second


class _Stop(Exception):
    def __init__(self, status: str) -> None:
        self.status = status


def run_loop(run: TrainingRun, store: CheckpointStore) -> DoneEvent:
    """Train ``run`` until a limit, early stop or cancel; save on exit."""
    s, cfg = run.state, run.cfg
    t0 = time.monotonic()
    base_elapsed, paused = s.elapsed_s, 0.0
    rate_start, tokens_since = t0, 0  # rate_start: tokens/s excludes validation
    progress_due = throttle.Throttle(PROGRESS_INTERVAL_S)  # the first step always reports

    def elapsed() -> float:
        return base_elapsed + time.monotonic() - t0 - paused

    status = "finished"
    try:
        try:
            while not (cfg.epochs and s.epoch >= cfg.epochs):
                order = batch_order(run.lengths, cfg.batch_size, cfg.seed + s.epoch)
                while s.batch_pos < len(order):
                    if cfg.max_steps and s.step >= cfg.max_steps:
                        raise _Stop("finished")  # a resumed run may be at its limit already
                    waited = run.cancel.wait_if_paused()
                    if waited:
                        paused += waited
                        rate_start, tokens_since = time.monotonic(), 0
                    run.cancel.raise_if_cancelled()
                    batch = collate(run.examples, order[s.batch_pos])
                    loss = run.train_step(batch)
                    s.step += 1
                    s.batch_pos += 1
                    s.smoothed_loss = (
                        loss
                        if s.smoothed_loss is None
                        else SMOOTHING * s.smoothed_loss + (1 - SMOOTHING) * loss
                    )
                    tokens_since += batch.n_tokens
                    if progress_due.ready():
                        now = time.monotonic()
                        run.emit(
                            progress_event(
                                run, loss, tokens_since / max(now - rate_start, 1e-9), elapsed()
                            )
                        )
                        rate_start, tokens_since = now, 0
                    if s.step % cfg.valid_every == 0:
                        event = run.validate()
                        run.emit(event)
                        run.save(store, event.is_best)
                        if s.bad_validations >= cfg.patience:
                            raise _Stop("early_stopped")
                        rate_start, tokens_since = time.monotonic(), 0
                    if cfg.max_steps and s.step >= cfg.max_steps:
                        raise _Stop("finished")
                    if cfg.time_budget_s and elapsed() >= cfg.time_budget_s:
                        raise _Stop("time_budget")
                s.epoch += 1
                s.batch_pos = 0
        except _Stop as stop:
            status = stop.status
        except Cancelled:
            status = "cancelled"
        s.elapsed_s = elapsed()
        _save_on_exit(run, store, status)
    except BaseException:
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
    )
    run.emit(done)
    return done


def _save_on_exit(run: TrainingRun, store: CheckpointStore, status: str) -> None:
    """A last validation unless cancelled or just validated, then weights, meta and a checkpoint,
    so every way out of the loop leaves a usable, resumable model folder."""
    s, is_best = run.state, False
    if status != "cancelled" and s.last_validated_step != s.step:
        event = run.validate(step_scheduler=False)
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
