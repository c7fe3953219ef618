"""Learning-rate schedules, chosen by model family.

- GRU: constant until the dev loss stops improving, then ×``lr_decay``, stepped at each
  validation (torch's ``ReduceLROnPlateau`` in mode "min", written out: a ``torch.optim`` class
  imports ``torch._dynamo``, see ``core.training.adam``).
- Transformer: linear warm-up over ``warmup_steps`` updates to ``learning_rate``, then decay with
  the inverse square root of the step (``lr · √(warmup / step)``, never below ``min_lr``), set
  before every update. It depends on the step alone, so a resumed run continues it exactly.

Both offer ``before_update(step)``, ``after_validation(loss)``, ``state_dict()`` and
``load_state_dict()``; the GRU's reads the state dict ReduceLROnPlateau wrote, so checkpoints
written before resume unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from core.config import ModelConfig, TrainConfig
from core.training.adam import Adam


def inverse_sqrt_lr(step: int, peak: float, warmup: int, floor: float) -> float:
    """The learning rate of update number ``step`` (1-based)."""
    step = max(1, step)
    if step <= warmup:
        return peak * step / warmup
    return max(floor, peak * math.sqrt(warmup / step))


class PlateauSchedule:
    """×``lr_decay`` once the dev loss has not improved on its best (by more than 0.01 %) for
    more than ``lr_patience`` validations in a row, never below ``min_lr``: what
    ``ReduceLROnPlateau(mode="min")`` does with its default threshold and no cool-down."""

    THRESHOLD = 1e-4  # relative improvement that counts
    EPS = 1e-8  # smaller changes of the rate are not made

    def __init__(self, optimizer, cfg: TrainConfig) -> None:
        self.optimizer, self.cfg = optimizer, cfg
        self.best = math.inf
        self.num_bad_epochs = 0
        self.last_epoch = 0

    def before_update(self, step: int) -> None:
        pass

    def after_validation(self, loss: float) -> None:
        current = float(loss)
        self.last_epoch += 1
        if current < self.best * (1.0 - self.THRESHOLD):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.num_bad_epochs > self.cfg.lr_patience:
            for group in self.optimizer.param_groups:
                old = float(group["lr"])
                new = max(old * self.cfg.lr_decay, self.cfg.min_lr)
                if old - new > self.EPS:
                    group["lr"] = new
            self.num_bad_epochs = 0

    def state_dict(self) -> dict[str, Any]:
        """ReduceLROnPlateau's keys, so either reads the other's checkpoints."""
        return {
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "last_epoch": self.last_epoch,
            "cooldown_counter": 0,
            "cooldown": 0,
            "mode": "min",
            "mode_worse": math.inf,
            "threshold": self.THRESHOLD,
            "threshold_mode": "rel",
            "factor": self.cfg.lr_decay,
            "patience": self.cfg.lr_patience,
            "min_lrs": [self.cfg.min_lr],
            "eps": self.EPS,
            "_last_lr": [float(g["lr"]) for g in self.optimizer.param_groups],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = float(state["best"])
        self.num_bad_epochs = int(state["num_bad_epochs"])
        self.last_epoch = int(state.get("last_epoch", 0))


class InverseSqrtSchedule:
    def __init__(self, optimizer, cfg: TrainConfig) -> None:
        self.optimizer, self.cfg = optimizer, cfg
        self.before_update(1)

    def before_update(self, step: int) -> None:
        lr = inverse_sqrt_lr(step, self.cfg.learning_rate, self.cfg.warmup_steps, self.cfg.min_lr)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def after_validation(self, loss: float) -> None:
        pass

    def state_dict(self) -> dict[str, Any]:
        return {"kind": "inverse_sqrt", "warmup_steps": self.cfg.warmup_steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass  # the rate follows from the step number alone


def make_optimizer(model: torch.nn.Module, model_cfg: ModelConfig, lr: float) -> Adam:
    """Adam (torch's fused kernel, without torch.optim: ``core.training.adam``); Transformers use
    β₂ = 0.98, the usual setting for warm-up schedules (and the peer toolkit's)."""
    betas = (0.9, 0.98) if model_cfg.arch == "transformer" else (0.9, 0.999)
    return Adam(model.parameters(), lr=lr, betas=betas)


def make_schedule(optimizer, model_cfg: ModelConfig, cfg: TrainConfig):
    """The schedule for this model family (see the module docstring)."""
    if model_cfg.arch == "transformer":
        return InverseSqrtSchedule(optimizer, cfg)
    return PlateauSchedule(optimizer, cfg)
