"""Learning-rate schedules, chosen by model family.

- GRU: constant until the dev loss stops improving, then ×``lr_decay`` (torch's
  ``ReduceLROnPlateau``), stepped at each validation.
- Transformer: linear warm-up over ``warmup_steps`` updates to ``learning_rate``, then decay with
  the inverse square root of the step (``lr · √(warmup / step)``, never below ``min_lr``), set
  before every update. It depends on the step alone, so a resumed run continues it exactly.

Both offer ``before_update(step)``, ``after_validation(loss)``, ``state_dict()`` and
``load_state_dict()``; the GRU's state dict is ReduceLROnPlateau's own, so checkpoints written
before this module resume unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from core.config import ModelConfig, TrainConfig


def inverse_sqrt_lr(step: int, peak: float, warmup: int, floor: float) -> float:
    """The learning rate of update number ``step`` (1-based)."""
    step = max(1, step)
    if step <= warmup:
        return peak * step / warmup
    return max(floor, peak * math.sqrt(warmup / step))


class PlateauSchedule:
    def __init__(self, optimizer: torch.optim.Optimizer, cfg: TrainConfig) -> None:
        self.inner = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=cfg.lr_decay, patience=cfg.lr_patience, min_lr=cfg.min_lr
        )

    def before_update(self, step: int) -> None:
        pass

    def after_validation(self, loss: float) -> None:
        self.inner.step(loss)

    def state_dict(self) -> dict[str, Any]:
        return self.inner.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.inner.load_state_dict(state)


class InverseSqrtSchedule:
    def __init__(self, optimizer: torch.optim.Optimizer, cfg: TrainConfig) -> None:
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


def make_optimizer(model: torch.nn.Module, model_cfg: ModelConfig, lr: float):
    """Adam (the fused kernel where this torch build has it); Transformers use β₂ = 0.98, the
    usual setting for warm-up schedules (and the peer toolkit's)."""
    betas = (0.9, 0.98) if model_cfg.arch == "transformer" else (0.9, 0.999)
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, betas=betas, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(model.parameters(), lr=lr, betas=betas)


def make_schedule(optimizer, model_cfg: ModelConfig, cfg: TrainConfig):
    """The schedule for this model family (see the module docstring)."""
    if model_cfg.arch == "transformer":
        return InverseSqrtSchedule(optimizer, cfg)
    return PlateauSchedule(optimizer, cfg)
