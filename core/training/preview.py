"""The data preview: the first pairs of a corpus exactly as a new run would tokenize them (for
subwords: in the pieces of a subword model trained the way the run trains it), and the report of
what reading the whole corpus keeps and drops.

Why here and not in the app: the subword model is trained by the same ``tokenizer_setup`` the run
uses (same sample, same seed, same size), so the pieces shown are the pieces training will see.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.cancel import CancelToken
from core.config import TokenizerConfig, TrainConfig
from core.data.corpus import CorpusReport, CorpusSpec, count_duplicates, load_pairs
from core.events import Event, ReadingEvent
from core.inspection.word_merge import is_byte_piece
from core.training.tokenizer_setup import setup as setup_tokenizers


@dataclass(frozen=True)
class CorpusPreview:
    pairs: list[tuple[list[str], list[str]]]  # the first pairs kept, as tokens (or pieces)
    report: CorpusReport  # duplicates counted
    vocab_size: int  # the size the run would use (the automatic one settled)
    # subwords: the pieces each trained model has, bytes not counted (a small corpus gives
    # fewer than vocab_size); None for words
    pieces: tuple[int, int] | None = None


class _FirstPairs:
    """A ``load_pairs`` sink that keeps the first ``rows`` pairs and a key per pair (for the
    duplicate count), not the whole corpus."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.pairs: list[tuple[list[str], list[str]]] = []
        self.keys = array("q")

    def __call__(self, src: list[str], tgt: list[str]) -> None:
        if len(self.pairs) < self.rows:
            self.pairs.append((src, tgt))
        self.keys.append(hash((tuple(src), tuple(tgt))))


def preview_corpus(
    spec: CorpusSpec,
    tok_cfg: TokenizerConfig,
    cfg: TrainConfig,
    rows: int = 50,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelToken | None = None,
) -> CorpusPreview:
    """Reads ``spec`` as a new run with these settings would; ``progress(done, total)`` covers
    sampling, training the subword model and reading, as the run's reading events do."""
    cancel = cancel or CancelToken()

    def emit(event: Event) -> None:
        if progress is not None and isinstance(event, ReadingEvent):
            progress(event.bytes_read, event.total_bytes)

    # a new run: the folder argument is only read when resuming
    toks = setup_tokenizers(spec, tok_cfg, cfg, Path("."), False, emit, cancel)
    sink = _FirstPairs(rows)
    _, report = load_pairs(
        spec,
        toks.src.tokenize,
        toks.tgt.tokenize,
        cfg.max_len,
        progress=toks.reading_progress(emit),
        cancel=cancel,
        sink=sink,
        batch=toks.batch_tokenizers(1),
    )
    report.duplicates = count_duplicates(sink.keys)
    pieces = None
    if tok_cfg.subwords:
        pieces = (_word_pieces(toks.src), _word_pieces(toks.tgt))
    return CorpusPreview(sink.pairs, report, toks.vocab_size, pieces)


def _word_pieces(tokenizer) -> int:
    return sum(not is_byte_piece(p) for p in tokenizer.pieces())
