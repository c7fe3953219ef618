"""Attention as files: the CSV and JSON that the app's heatmap and ``attnscope-cli attention``
both write, in one format.

Why one module: the heatmap and the CLI used to write their own CSV with different float formats
(exact ``repr`` in one, six decimals in the other), so the same matrix gave two files. Every
weight is now written as the shortest decimal that reads back as exactly the same float32
(``0.1``, not ``0.10000000149011612`` nor ``0.100000``): short enough to read, exact enough to
round-trip. No Qt and no torch here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import CoreError
from core.events import Translation
from core.storage.atomic_io import atomic_write_text

__all__ = [
    "CSV_CORNER",
    "attention_csv",
    "attention_record",
    "format_weight",
    "read_attention_csv",
    "short_floats",
    "translation_record",
    "word_record",
    "write_attention_csv",
    "write_attention_json",
]

#: The top-left cell of the CSV: rows are target tokens, columns source tokens.
CSV_CORNER = "target \\ source"


def format_weight(value: float) -> str:
    """The shortest positional decimal that parses back to the same float32 (``1.0``, ``0.25``)."""
    return np.format_float_positional(np.float32(value), unique=True, trim="0")


def short_floats(values: Any) -> Any:
    """Nested lists of Python floats, each the shortest decimal of its float32 (for JSON)."""
    array = np.asarray(values, dtype=np.float32)
    if array.ndim == 0:
        return float(format_weight(array))
    return [short_floats(v) for v in array]


def attention_csv(
    source_tokens: Sequence[str], target_tokens: Sequence[str], weights: np.ndarray
) -> str:
    """First row: the corner cell then the source tokens; then one row per target token."""
    weights = _checked(weights, source_tokens, target_tokens)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([CSV_CORNER, *source_tokens])
    for token, row in zip(target_tokens, weights):
        writer.writerow([token, *(format_weight(v) for v in row)])
    return buffer.getvalue()


def write_attention_csv(
    path: str | Path,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    weights: np.ndarray,
) -> Path:
    """Write :func:`attention_csv` to ``path`` atomically; returns the path."""
    path = Path(path)
    atomic_write_text(path, attention_csv(source_tokens, target_tokens, weights))
    return path


def read_attention_csv(path: str | Path) -> tuple[list[str], list[str], np.ndarray]:
    """(source_tokens, target_tokens, float32 weights) of a CSV this module wrote."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows or not rows[0] or rows[0][0] != CSV_CORNER:
        raise CoreError(
            f"{path}, line 1: not an attention CSV (it should start with {CSV_CORNER!r})"
        )
    source = rows[0][1:]
    target = [r[0] for r in rows[1:]]
    values: list[list[float]] = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(source) + 1:
            raise CoreError(
                f"{path}, line {line}: {len(row) - 1} weights for {len(source)} source tokens"
            )
        try:
            values.append([float(v) for v in row[1:]])
        except ValueError as exc:
            raise CoreError(f"{path}, line {line}: {exc}") from exc
    weights = np.array(values, dtype=np.float32).reshape(len(target), len(source))
    return source, target, weights


def attention_record(
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    weights: np.ndarray,
    token_probs: np.ndarray | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The JSON object for one attention matrix: tokens, ``weights`` (target rows), optional
    ``token_probs``, then ``extra`` (e.g. ``text``, ``score``)."""
    weights = _checked(weights, source_tokens, target_tokens)
    data: dict[str, Any] = {
        "source_tokens": list(source_tokens),
        "target_tokens": list(target_tokens),
        "weights": short_floats(weights),
    }
    if token_probs is not None:
        data["token_probs"] = short_floats(token_probs)
    data.update(extra)
    return data


def translation_record(t: Translation) -> dict[str, Any]:
    """``Translation.to_dict()``'s keys in the shared float format, plus each target token's
    peak weight and the argmax alignment as a Pharaoh string (what ``attention --json`` prints).
    ``weights`` is the attention views show by default (for a Transformer the last layer's mean
    over heads); a Transformer's record adds ``cross_attention[layer][head][t][s]`` and, when
    computed, the encoder and decoder self-attention."""
    from core.inspection.alignment import hard_alignment, to_pharaoh

    data = attention_record(
        t.source_tokens,
        t.target_tokens,
        t.attention,
        t.token_probs,
        score=float(t.score),
        text=t.text,
        entropy=short_floats(t.entropy),
        coverage=short_floats(t.coverage),
    )
    data["peak"] = short_floats(t.attention.max(axis=1)) if t.attention.shape[1] else []
    data["alignment"] = to_pharaoh(hard_alignment(t.attention, t.source_tokens, t.target_tokens))
    # Transformers: every layer's and head's weights, [layer][head][row][column]
    for name in ("cross_attention", "encoder_self_attention", "decoder_self_attention"):
        value = getattr(t, name, None)
        if value is not None:
            data[name] = short_floats(value)
    return data


def word_record(t: Translation) -> dict[str, Any]:
    """A subword translation's attention in words (what ``attention --json`` adds for subword
    models): source and target words, the merged matrix (rows still sum to 1), each target
    word's probability and the argmax alignment between words."""
    from core.inspection.alignment import hard_alignment, to_pharaoh
    from core.inspection.word_merge import to_words

    w = to_words(t)
    return {
        "source_words": list(w.source_tokens),
        "target_words": list(w.target_tokens),
        "word_weights": short_floats(w.attention),
        "word_token_probs": short_floats(w.token_probs),
        "word_alignment": to_pharaoh(hard_alignment(w.attention, w.source_tokens, w.target_tokens)),
    }


def write_attention_json(path: str | Path, record: dict[str, Any]) -> Path:
    """Write a record from :func:`attention_record` as readable UTF-8 JSON, atomically."""
    path = Path(path)
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return path


def _checked(
    weights: np.ndarray, source_tokens: Sequence[str], target_tokens: Sequence[str]
) -> np.ndarray:
    array = np.asarray(weights, dtype=np.float32)
    if array.shape != (len(target_tokens), len(source_tokens)):
        raise ValueError(
            f"attention shape {array.shape} does not match {len(target_tokens)} "
            f"target x {len(source_tokens)} source tokens"
        )
    return array
