"""Numbers that summarise one translation's attention: how focused each output word is, and how
much attention each source word received, with the source words that look dropped or repeated.

Why flags on coverage: a source word translated once receives about one row's worth of attention
in total (coverage ≈ 1, its "fertility"). Far less suggests the word was skipped (the classic
under-translation of attention models); far more suggests it was translated twice or the model got
stuck on it (over-translation). The same idea drives coverage models (Tu et al., 2016).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.events import Translation
from core.inspection.alignment import word_count
from core.storage.atomic_io import atomic_write_json, atomic_write_text

UNDER_ATTENDED = "under-attended"
OVER_ATTENDED = "over-attended"

CSV_HEADER = [
    "side",
    "index",
    "token",
    "probability",
    "entropy",
    "peak",
    "peak_source_index",
    "peak_source_token",
    "coverage",
    "flag",
]


@dataclass(frozen=True)
class AttentionStats:
    """Per target token: entropy (nats), peak weight and the source index holding it; per source
    token: coverage (column sum). ``under``/``over`` are flagged source indices, ascending."""

    target_tokens: list[str]
    source_tokens: list[str]
    token_probs: np.ndarray  # (T,) the model's probability of each target token
    entropy: np.ndarray  # (T,) nats; 0 = all weight on one source token
    peak: np.ndarray  # (T,) largest weight in the row
    peak_source: np.ndarray  # (T,) column of that weight
    coverage: np.ndarray  # (S,) total weight each source token received
    under: list[int]
    over: list[int]
    under_threshold: float = 0.5
    over_threshold: float = 1.5

    def flag(self, source_index: int) -> str:
        """``"under-attended"``, ``"over-attended"`` or ``""`` for one source token."""
        if source_index in self.under:
            return UNDER_ATTENDED
        if source_index in self.over:
            return OVER_ATTENDED
        return ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: one record per target token and per source token, plus the thresholds."""
        return {
            "target": [
                {
                    "index": i,
                    "token": tok,
                    "probability": float(self.token_probs[i]),
                    "entropy": float(self.entropy[i]),
                    "peak": float(self.peak[i]),
                    "peak_source_index": int(self.peak_source[i]),
                    "peak_source_token": self.source_tokens[int(self.peak_source[i])],
                }
                for i, tok in enumerate(self.target_tokens)
            ],
            "source": [
                {
                    "index": j,
                    "token": tok,
                    "coverage": float(self.coverage[j]),
                    "flag": self.flag(j),
                }
                for j, tok in enumerate(self.source_tokens)
            ],
            "under": list(self.under),
            "over": list(self.over),
            "under_threshold": self.under_threshold,
            "over_threshold": self.over_threshold,
        }


def attention_stats(tr: Translation, under: float = 0.5, over: float = 1.5) -> AttentionStats:
    """Statistics of ``tr``'s attention matrix.

    Flag rules: a source *word* is under-attended when its coverage is below ``under`` and
    over-attended when above ``over`` (coverage counts every target row, ``</s>`` included, so it
    equals the column sum shown under the heatmap). The final source ``</s>`` is not a word and is
    never flagged. Neither is anything when the output is empty: nothing was translated yet.
    """
    if not 0.0 <= under < over:
        raise ValueError(f"need 0 ≤ under < over, got under={under}, over={over}")
    att = np.asarray(tr.attention, dtype=np.float32)
    n_tgt, n_src = len(tr.target_tokens), len(tr.source_tokens)
    if att.shape != (n_tgt, n_src):
        att = np.zeros((n_tgt, n_src), dtype=np.float32)  # e.g. the empty translation
    coverage = att.sum(axis=0).astype(np.float32)
    if n_src:
        peak = att.max(axis=1) if n_tgt else np.zeros(0, np.float32)
        peak_source = att.argmax(axis=1) if n_tgt else np.zeros(0, np.int64)
    else:
        peak, peak_source = np.zeros(n_tgt, np.float32), np.zeros(n_tgt, np.int64)
    clipped = np.clip(att.astype(np.float64), 1e-12, 1.0)
    entropy = (-(att * np.log(clipped)).sum(axis=1)).astype(np.float32)
    words = range(word_count(tr.source_tokens)) if n_tgt else range(0)
    return AttentionStats(
        target_tokens=list(tr.target_tokens),
        source_tokens=list(tr.source_tokens),
        token_probs=np.asarray(tr.token_probs, dtype=np.float32).reshape(n_tgt),
        entropy=entropy,
        peak=peak.astype(np.float32),
        peak_source=peak_source.astype(np.int64),
        coverage=coverage,
        under=[j for j in words if coverage[j] < under],
        over=[j for j in words if coverage[j] > over],
        under_threshold=under,
        over_threshold=over,
    )


def stats_csv_text(stats: AttentionStats) -> str:
    """One long table: a ``target`` row per output token, then a ``source`` row per input token
    (columns that do not apply to a side are empty), so one file loads into any spreadsheet."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    d = stats.to_dict()
    for r in d["target"]:
        w.writerow(
            [
                "target",
                r["index"],
                r["token"],
                repr(r["probability"]),
                repr(r["entropy"]),
                repr(r["peak"]),
                r["peak_source_index"],
                r["peak_source_token"],
                "",
                "",
            ]
        )
    for r in d["source"]:
        w.writerow(
            ["source", r["index"], r["token"], "", "", "", "", "", repr(r["coverage"]), r["flag"]]
        )
    return buf.getvalue()


def write_stats_csv(stats: AttentionStats, path: str | Path) -> Path:
    """Write :func:`stats_csv_text` atomically (a crash never leaves half a file)."""
    atomic_write_text(path, stats_csv_text(stats))
    return Path(path)


def write_stats_json(stats: AttentionStats, path: str | Path) -> Path:
    """Write :meth:`AttentionStats.to_dict` as indented JSON, atomically."""
    atomic_write_json(path, stats.to_dict())
    return Path(path)
