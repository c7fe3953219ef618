"""A toy translation task the tests generate themselves: word-by-word mapping with reversed order.

Reversal makes the ideal attention the anti-diagonal, so a test can check that the model learned
to look at the right word, not only that it produced the right output.
"""

from __future__ import annotations

import random
from pathlib import Path

SRC_WORDS = [f"w{i}" for i in range(12)]
TGT_WORDS = [f"W{i}" for i in range(12)]


def reverse_pair(rng: random.Random, min_len: int = 3, max_len: int = 7) -> tuple[str, str]:
    n = rng.randint(min_len, max_len)
    idx = [rng.randrange(len(SRC_WORDS)) for _ in range(n)]
    return " ".join(SRC_WORDS[i] for i in idx), " ".join(TGT_WORDS[i] for i in reversed(idx))


def write_reverse_corpus(folder: Path, n: int, seed: int = 0, stem: str = "train") -> tuple[Path, Path]:
    rng = random.Random(seed)
    pairs = [reverse_pair(rng) for _ in range(n)]
    src, tgt = folder / f"{stem}.src", folder / f"{stem}.tgt"
    src.write_text("".join(p[0] + "\n" for p in pairs), encoding="utf-8")
    tgt.write_text("".join(p[1] + "\n" for p in pairs), encoding="utf-8")
    return src, tgt
