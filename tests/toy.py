"""A toy translation task the tests generate themselves: word-by-word mapping with reversed order.

Reversal makes the ideal attention the anti-diagonal, so a test can check that the model learned
to look at the right word, not only that it produced the right output.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from core.cancel import CancelToken
from core.config import TrainConfig, preset
from core.data.corpus import CorpusSpec
from core.events import Event, ProgressEvent, ValidationEvent

SRC_WORDS = [f"w{i}" for i in range(12)]
TGT_WORDS = [f"W{i}" for i in range(12)]


def reverse_pair(rng: random.Random, min_len: int = 3, max_len: int = 7) -> tuple[str, str]:
    n = rng.randint(min_len, max_len)
    idx = [rng.randrange(len(SRC_WORDS)) for _ in range(n)]
    return " ".join(SRC_WORDS[i] for i in idx), " ".join(TGT_WORDS[i] for i in reversed(idx))


def write_reverse_corpus(
    folder: Path, n: int, seed: int = 0, stem: str = "train"
) -> tuple[Path, Path]:
    rng = random.Random(seed)
    pairs = [reverse_pair(rng) for _ in range(n)]
    src, tgt = folder / f"{stem}.src", folder / f"{stem}.tgt"
    src.write_text("".join(p[0] + "\n" for p in pairs), encoding="utf-8")
    tgt.write_text("".join(p[1] + "\n" for p in pairs), encoding="utf-8")
    return src, tgt


def train_config(**changes) -> TrainConfig:
    """The tiny preset, single-threaded on the CPU (two threads on a busy 2-core box crawl)."""
    return preset("tiny").train.replace(num_threads=1, device="cpu", **changes)


def toy_spec(folder: Path, n: int, seed: int = 0) -> CorpusSpec:
    folder.mkdir(parents=True, exist_ok=True)
    src, tgt = write_reverse_corpus(folder, n, seed=seed)
    return CorpusSpec(src_path=str(src), tgt_path=str(tgt))


def record_step_losses(
    store: dict,
    validations: list | None = None,
    token: CancelToken | None = None,
    cancel_at: int | None = None,
) -> Callable[[Event], None]:
    """An on_event that keeps each step's loss (with the progress throttle off, every step
    reports), the steps that validated, and cancels ``token`` once step ``cancel_at`` is done."""

    def on_event(e: Event) -> None:
        if isinstance(e, ProgressEvent):
            assert e.step not in store, f"step {e.step} reported twice"
            store[e.step] = e.loss
            if token is not None and e.step == cancel_at:
                token.cancel()
        elif isinstance(e, ValidationEvent) and validations is not None:
            validations.append(e.step)

    return on_event
