"""The dev set: saved in the model folder as ``dev.tsv``, read back, translated and scored per
sentence.

Why keep it: the held-out pairs are chosen by a seeded split of the corpus, which a model folder
alone could not reproduce; with dev.tsv the app can show every dev sentence with the model's
translation and its chrF long after training. Any other TSV corpus can be browsed the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import CorpusError

DEV_TSV = "dev.tsv"
CANCEL_EVERY = 128  # sentences scored between cancel checks


@dataclass(frozen=True)
class DevRow:
    index: int  # 0-based position in the dev set
    source: str
    reference: str
    hypothesis: str
    chrf: float  # sentence-level chrF (sacrebleu), 0..100


def _clean(text: str) -> str:
    """A tab or line break inside a sentence would break the one-pair-per-line format."""
    return " ".join(text.split())


def write_dev_set(folder: str | Path, sources: Sequence[str], references: Sequence[str]) -> Path:
    """Write ``dev.tsv`` (source TAB reference, one pair a line) atomically."""
    from core.storage.atomic_io import atomic_write_text

    if len(sources) != len(references):
        raise ValueError(f"{len(sources)} dev sources but {len(references)} references")
    path = Path(folder) / DEV_TSV
    atomic_write_text(
        path, "".join(f"{_clean(s)}\t{_clean(r)}\n" for s, r in zip(sources, references))
    )
    return path


def read_dev_set(path: str | Path) -> list[tuple[str, str]]:
    """(source, reference) pairs of a dev.tsv or any ``source<TAB>target`` file.

    Blank lines are skipped; a line without a tab, or with an empty side, is refused with a
    CorpusError naming file:line (a dev set with holes would score nonsense). Columns after the
    second are ignored. File problems (missing, not UTF-8, UTF-16, compressed) name the file too.
    """
    from core.data.corpus import TOO_FEW_COLUMNS, CorpusReport, CorpusSpec, iter_raw_pairs

    path = str(path)
    report = CorpusReport(files=[path])
    pairs: list[tuple[str, str]] = []
    for pair in iter_raw_pairs(CorpusSpec(tsv_path=path), report):
        if report.dropped:  # a line without a tab came before this one
            break
        if not pair.src and not pair.tgt:
            continue
        if not pair.src:
            raise CorpusError(path, pair.line, "the source (before the TAB) is empty")
        if not pair.tgt:
            raise CorpusError(path, pair.line, "the reference (after the TAB) is empty")
        pairs.append((pair.src, pair.tgt))
    if report.dropped.get(TOO_FEW_COLUMNS):
        line = report.examples[TOO_FEW_COLUMNS][0]
        raise CorpusError(path, line, "no TAB: each line needs source<TAB>reference")
    if not pairs:
        raise CorpusError(path, None, "holds no source<TAB>reference pairs")
    return pairs


def evaluate_dev(
    translator, ctx, pairs: Sequence[tuple[str, str]], beam: int = 1, batch_size: int = 64
) -> list[DevRow]:
    """Translate every dev source and score it against its reference with sentence-level chrF.

    A job for the app's worker thread: ``ctx.progress(done, total)`` follows the translation,
    ``ctx.cancel`` stops it between batches (raises Cancelled).
    """
    from core.evaluation.metrics import sentence_chrf

    sources = [s for s, _ in pairs]
    translations = translator.translate_batch(
        sources, beam=beam, batch_size=batch_size, progress=ctx.progress, cancel=ctx.cancel
    )
    rows = []
    for i, ((src, ref), t) in enumerate(zip(pairs, translations)):
        if i % CANCEL_EVERY == 0:
            ctx.cancel.raise_if_cancelled()
        rows.append(DevRow(i, src, ref, t.text, sentence_chrf(t.text, ref)))
    return rows


@dataclass(frozen=True)
class DevReport:
    """Every row plus the corpus scores (computed in the job: 1000 rows take ~0.15 s, too long
    for the GUI thread)."""

    rows: list[DevRow]
    bleu: float
    chrf: float
    beam: int


def evaluate_dev_set(
    translator, ctx, pairs: Sequence[tuple[str, str]], beam: int = 1, batch_size: int = 64
) -> DevReport:
    """``evaluate_dev`` and the corpus BLEU/chrF (sacrebleu pools the n-gram statistics, so
    corpus chrF is not the mean of the sentence scores)."""
    from core.evaluation.metrics import score

    rows = evaluate_dev(translator, ctx, pairs, beam=beam, batch_size=batch_size)
    ctx.cancel.raise_if_cancelled()
    scores = score([r.hypothesis for r in rows], [r.reference for r in rows])
    return DevReport(rows, scores.bleu, scores.chrf, beam)
