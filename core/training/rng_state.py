"""The random number generators' state (Python, NumPy, torch, CUDA): seeded at the start of a run,
saved in every checkpoint and restored on resume, so a resumed run draws the very same numbers."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch


def rng_state() -> dict[str, Any]:
    """Every generator's state as plain lists and tensors, loadable with weights_only."""
    py = random.getstate()
    state = {
        "torch": torch.get_rng_state(),
        "python": [py[0], list(py[1]), py[2]],
        "numpy": _plain_numpy_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _plain_numpy_state() -> list[Any]:
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return [
        kind,
        torch.from_numpy(np.asarray(keys, dtype=np.int64)),
        int(pos),
        int(has_gauss),
        float(cached),
    ]


def set_rng_state(state: dict[str, Any]) -> None:
    """Put back what ``rng_state`` saved (CUDA only where this machine has it)."""
    torch.set_rng_state(state["torch"])
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def seed_everything(seed: int) -> None:
    """One seed for Python, NumPy and torch, so a run is reproducible from its settings."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
