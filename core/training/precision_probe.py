"""What ``auto`` precision times: two typical batches of the run's own corpus, on its own model.

Kept apart from ``precision`` (which decides and caches, and knows nothing of a run) and from
``run`` (which would otherwise grow by the probing code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from core.data.batching import Batch, batch_order, collate
from core.training.precision import time_formats

if TYPE_CHECKING:
    from core.training.run import TrainingRun


def step_shape(run: TrainingRun) -> dict[str, Any]:
    """What makes one step cost what it costs: the precision verdict is cached per shape."""
    return {
        "device": str(run.device),
        "model": run.model_cfg.to_dict(),
        "vocab": [len(run.src_vocab), len(run.tgt_vocab)],
        "batch_size": run.cfg.batch_size,
        "max_len": run.cfg.max_len,
    }


def typical_batches(run: TrainingRun, count: int = 2) -> list[Batch]:
    """Full batches of median target size: neither the shortest sentences nor the longest.

    Chosen with arrays over the epoch's batch order (a list per batch would cost seconds and
    hundreds of MB on a corpus of millions of pairs): the batches sorted by size, largest first,
    the first half kept, those sorted by target tokens; the ``count`` in the middle.
    """
    order = batch_order(run.lengths, run.cfg.batch_size, seed=0)
    n, size = len(order.keyed), order.batch_size
    target = np.asarray(run.lengths)[order.keyed, 1].astype(np.int64)
    tokens = np.add.reduceat(target, np.arange(0, n, size))[order.perm]  # per batch, in order
    sizes = np.minimum(size, n - order.perm * size)
    full = np.argsort(-sizes, kind="stable")[: max(1, len(order) // 2)]
    full = full[np.argsort(tokens[full], kind="stable")]
    middle = max(0, len(full) // 2 - count // 2)
    chosen = full[middle : middle + count]
    return [collate(run.examples, order[int(k)], run.src_multiple).to(run.device) for k in chosen]


def time_run_formats(run: TrainingRun) -> dict[str, float]:
    """Seconds per training step in fp32 and in bf16 for this run's model and corpus."""
    smoothing = run.cfg.label_smoothing

    def loss_of(model: torch.nn.Module, b: Batch) -> torch.Tensor:
        return model.loss(b.src, b.src_len, b.tgt_in, b.tgt_out, smoothing)[0]

    def stopped() -> bool:
        return run.cancel.cancelled

    return time_formats(run.model, typical_batches(run), loss_of, stop=stopped)
