"""The probe timeline: the probe sentences' attention at every validation, in ``probes.jsonl``.

Why a file of its own: history.jsonl holds scores only; replaying how attention sharpened needs
the matrices, which are larger and only the timeline view reads. One JSON object per line, one
line per validation, appended like history.jsonl (a crash can tear only the last line, which the
reader skips with a warning). Dev probes are recorded by forced decoding of their reference, so a
probe's matrix has the same shape at every validation and two points in time diff exactly.

This module holds the file format (writing, reading, diffing) and imports no torch, so the app can
read a timeline without loading the model code; ``core.training.probe_recorder`` does the decoding.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import CoreError
from core.events import Translation

log = logging.getLogger(__name__)

PROBES = "probes.jsonl"
FORMAT_VERSION = 1
KIND_REFERENCE = "reference"  # forced decoding of the dev reference: fixed shape over time
KIND_OUTPUT = "output"  # the model's own greedy output (user sentences have no reference)
DECIMALS = 6  # enough for any colour or diff; keeps a line a few KB


class TimelineError(CoreError):
    """probes.jsonl cannot be read; the message names file:line and the problem."""


@dataclass(frozen=True)
class ProbeSnapshot:
    """One probe sentence at one validation: its attention matrix and what the model said."""

    source: str  # the probe sentence as given (detokenized for dev probes)
    reference: str | None  # the dev reference; None for a user's sentence
    kind: str  # KIND_REFERENCE or KIND_OUTPUT: what the matrix's rows are
    output: str  # the model's greedy translation at that time
    translation: Translation  # the matrix, its tokens and per-token probabilities

    @property
    def attention(self) -> np.ndarray:
        return self.translation.attention


@dataclass(frozen=True)
class Snapshot:
    """Everything recorded at one validation."""

    step: int
    epoch: int
    bleu: float | None
    chrf: float | None
    probes: tuple[ProbeSnapshot, ...]

    def probe(self, source: str) -> ProbeSnapshot | None:
        return next((p for p in self.probes if p.source == source), None)


@dataclass(frozen=True)
class Timeline:
    """The snapshots of one model folder in step order (one per validated step)."""

    path: Path
    snapshots: tuple[Snapshot, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.snapshots

    @property
    def sources(self) -> list[str]:
        """The probe sentences, in the order they were first recorded."""
        seen: dict[str, None] = {}
        for snap in self.snapshots:
            for p in snap.probes:
                seen.setdefault(p.source, None)
        return list(seen)

    def series(self, source: str) -> list[tuple[Snapshot, ProbeSnapshot]]:
        """The snapshots that recorded ``source`` (a resumed run may have changed the probes)."""
        out = []
        for snap in self.snapshots:
            p = snap.probe(source)
            if p is not None:
                out.append((snap, p))
        return out


# ---- writing -------------------------------------------------------------------------------------


def _rounded(a: np.ndarray) -> list:
    return np.round(np.asarray(a, dtype=np.float64), DECIMALS).tolist()


def probe_record(
    source: str, reference: str | None, kind: str, output: str, t: Translation
) -> dict[str, Any]:
    """One probe's entry of a snapshot line; a Transformer's probe also keeps every layer's and
    head's cross-attention, so the timeline can follow one head."""
    record = {
        "source": source,
        "reference": reference,
        "kind": kind,
        "output": output,
        "source_tokens": list(t.source_tokens),
        "target_tokens": list(t.target_tokens),
        "weights": _rounded(t.attention),
        "token_probs": _rounded(t.token_probs),
        "score": round(float(t.score), DECIMALS),
        "text": t.text,
    }
    if t.cross_attention is not None:
        record["cross_attention"] = _rounded(t.cross_attention)
    return record


def append_snapshot(
    folder: Path,
    step: int,
    epoch: int,
    bleu: float | None,
    chrf: float | None,
    probes: Sequence[dict[str, Any]],
) -> None:
    """Append one validation's line, the way history.jsonl is written (a torn last line is
    harmless: the reader skips it)."""
    record = {
        "format": FORMAT_VERSION,
        "step": int(step),
        "epoch": int(epoch),
        "bleu": None if bleu is None else round(float(bleu), 4),
        "chrf": None if chrf is None else round(float(chrf), 4),
        "probes": list(probes),
    }
    with open(Path(folder) / PROBES, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def forget_after(folder: Path, step: int) -> int:
    """Drop the lines of steps after ``step`` (a resumed run restarts from the checkpoint at
    ``step`` and records those validations again); returns how many were dropped. A torn last
    line goes too, so new lines never follow half a line."""
    path = Path(folder) / PROBES
    if not path.is_file():
        return 0
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    kept = []
    for line in lines:
        try:
            if int(json.loads(line)["step"]) <= step:
                kept.append(line)
        except (ValueError, KeyError, TypeError):
            continue
    dropped = len(lines) - len(kept)
    if dropped:
        from core.storage.atomic_io import atomic_write_text

        atomic_write_text(path, "".join(line + "\n" for line in kept))
    return dropped


# ---- reading -------------------------------------------------------------------------------------


def read_timeline(model_dir: str | Path) -> Timeline:
    """The model folder's timeline; an empty one when it has no probes.jsonl (a model trained
    before timelines existed). A damaged last line (a crash mid-write) is skipped with a warning;
    any other bad line raises TimelineError naming file:line."""
    path = Path(model_dir) / PROBES
    if not path.is_file():
        return Timeline(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TimelineError(f"cannot read {path}: {exc.strerror or exc}") from exc
    lines = raw.split(b"\n")
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    by_step: dict[int, Snapshot] = {}
    warnings: list[str] = []
    for i, (n, line) in enumerate(numbered):
        try:
            snap = _parse_line(line)
        except (ValueError, TypeError) as exc:
            if i == len(numbered) - 1:
                warning = (
                    f"{path}:{n}: skipped a damaged last line ({exc}); training was "
                    "probably interrupted while writing it"
                )
                log.warning(warning)
                warnings.append(warning)
                continue
            raise TimelineError(f"{path}:{n}: {exc}") from None
        by_step[snap.step] = snap  # a step recorded twice: the later line wins
    snaps = tuple(by_step[s] for s in sorted(by_step))
    return Timeline(path, snaps, tuple(warnings))


def _parse_line(line: bytes) -> Snapshot:
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte 0x{line[exc.start]:02x})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise TypeError("expected a JSON object")
    version = data.get("format", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"written by a newer Attnscope (format {version!r}); update Attnscope")
    step, epoch = _get(data, "step", int), _get(data, "epoch", int)
    probes = _get(data, "probes", list)
    return Snapshot(
        step=step,
        epoch=epoch,
        bleu=_number(data.get("bleu"), "bleu"),
        chrf=_number(data.get("chrf"), "chrf"),
        probes=tuple(_parse_probe(p, i) for i, p in enumerate(probes, 1)),
    )


def _get(data: dict, key: str, kind: type) -> Any:
    if key not in data:
        raise ValueError(f"missing {key!r}")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{key!r} must be {kind.__name__}, not {value!r}")
    return value


def _number(value: Any, key: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{key!r} must be a number, not {value!r}")
    return float(value)


def _parse_probe(p: Any, i: int) -> ProbeSnapshot:
    if not isinstance(p, dict):
        raise TypeError(f"probe {i} is not a JSON object")
    try:
        src = [str(t) for t in _get(p, "source_tokens", list)]
        tgt = [str(t) for t in _get(p, "target_tokens", list)]
        weights = np.asarray(_get(p, "weights", list), dtype=np.float32)
        probs = np.asarray(_get(p, "token_probs", list), dtype=np.float32)
        if weights.size == 0:
            weights = weights.reshape(len(tgt), len(src))
        if weights.shape != (len(tgt), len(src)):
            raise ValueError(
                f"weights have shape {weights.shape}, but there are {len(tgt)} "
                f"target and {len(src)} source tokens"
            )
        if probs.shape != (len(tgt),):
            raise ValueError(f"{probs.size} token probabilities for {len(tgt)} target tokens")
        kind = _get(p, "kind", str)
        if kind not in (KIND_REFERENCE, KIND_OUTPUT):
            raise ValueError(f"unknown kind {kind!r}")
        reference = p.get("reference")
        t = Translation(
            src,
            tgt,
            probs,
            weights,
            float(p.get("score", 0.0)),
            str(p.get("text", "")),
            cross_attention=_cross(p, len(tgt), len(src)),
        )
        return ProbeSnapshot(
            source=_get(p, "source", str),
            reference=None if reference is None else str(reference),
            kind=kind,
            output=str(p.get("output", "")),
            translation=t,
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"probe {i}: {exc}") from None


def _cross(p: dict, n_tgt: int, n_src: int) -> np.ndarray | None:
    """A Transformer probe's (layers, heads, T, S) cross-attention; None when not recorded."""
    if p.get("cross_attention") is None:
        return None
    cross = np.asarray(_get(p, "cross_attention", list), dtype=np.float32)
    if cross.ndim != 4 or cross.shape[2:] != (n_tgt, n_src):
        raise ValueError(
            f"cross_attention has shape {cross.shape}, not (layers, heads, {n_tgt}, {n_src})"
        )
    return cross


# ---- comparing two points in time ----------------------------------------------------------------


@dataclass(frozen=True)
class AttentionDiff:
    """``after − before`` over the cells both matrices have; each cell in −1..1."""

    diff: np.ndarray  # (T, S)
    source_tokens: list[str]
    target_tokens: list[str]
    same_shape: bool
    note: str = ""  # what was compared when the shapes differ
    before_entropy: float = 0.0  # mean attention entropy (nats) of the compared rows
    after_entropy: float = 0.0

    @property
    def mean_abs_change(self) -> float:
        return float(np.abs(self.diff).mean()) if self.diff.size else 0.0


def _translation(x: ProbeSnapshot | Translation) -> Translation:
    return x.translation if isinstance(x, ProbeSnapshot) else x


def _labels(a: Sequence[str], b: Sequence[str]) -> list[str]:
    return [y if x == y else f"{x}→{y}" for x, y in zip(a, b)]


def attention_diff(a: ProbeSnapshot | Translation, b: ProbeSnapshot | Translation) -> AttentionDiff:
    """How attention changed from ``a`` (earlier) to ``b`` (later) for one probe.

    Same shape: ``b − a`` cell by cell. Different shapes (a user's sentence whose output changed
    length): the common top-left block, and ``note`` says so. A token that differs between the
    two is labelled ``before→after``.
    """
    ta, tb = _translation(a), _translation(b)
    wa, wb = np.asarray(ta.attention, np.float32), np.asarray(tb.attention, np.float32)
    rows, cols = min(wa.shape[0], wb.shape[0]), min(wa.shape[1], wb.shape[1])
    same = wa.shape == wb.shape
    diff = wb[:rows, :cols] - wa[:rows, :cols]
    note = ""
    if not same:
        note = (
            f"the matrices differ in shape ({wa.shape[0]}×{wa.shape[1]} then "
            f"{wb.shape[0]}×{wb.shape[1]}): comparing the first {rows} target × {cols} "
            "source tokens only"
        )
    elif list(ta.target_tokens) != list(tb.target_tokens):
        note = "the output words differ: rows are compared by position"
    src = _labels(ta.source_tokens[:cols], tb.source_tokens[:cols])
    tgt = _labels(ta.target_tokens[:rows], tb.target_tokens[:rows])
    return AttentionDiff(
        diff=diff,
        source_tokens=src,
        target_tokens=tgt,
        same_shape=same,
        note=note,
        before_entropy=_mean_entropy(wa[:rows]),
        after_entropy=_mean_entropy(wb[:rows]),
    )


def _mean_entropy(w: np.ndarray) -> float:
    if w.size == 0:
        return 0.0
    p = np.clip(w.astype(np.float64), 1e-12, 1.0)
    return float((-(w * np.log(p)).sum(axis=1)).mean())
