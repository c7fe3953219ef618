"""A generated task for the command-line demo: number words in, digits out in reverse order.

Reversal makes the attention run along the anti-diagonal, which is easy to see in a table.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
PROBE = "three one four one five nine two"


def write_demo_corpus(path: Path, n: int = 3000, seed: int = 7) -> tuple[Path, str]:
    """Write ``n`` pairs as TSV; returns the file and a probe sentence not among them."""
    rng = random.Random(seed)
    lines = []
    while len(lines) < n:
        digits = [rng.randrange(10) for _ in range(rng.randint(3, 8))]
        src = " ".join(WORDS[d] for d in digits)
        if src == PROBE:
            continue
        lines.append(src + "\t" + " ".join(str(d) for d in reversed(digits)) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path, PROBE
