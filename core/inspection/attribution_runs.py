"""Attribution over many sentences: a file for ``attnscope-cli agreement``, the dev set for the
app. Each sentence is attributed on its own (one forward and backward per sentence), with
progress and a cancel check between sentences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.errors import CoreError
from core.inspection.agreement import SentenceAgreement
from core.inspection.attribution import Attribution, attribute, in_words
from core.inspection.word_merge import uses_subwords


@dataclass(frozen=True)
class SentenceResult:
    index: int  # 0-based position in the input
    agreement: SentenceAgreement | None  # None: nothing to attribute (empty output)
    completeness_error: float | None
    word_agreement: SentenceAgreement | None = None  # subword models: the same, between words


def attribute_sentences(
    translator,
    sources: Sequence[str],
    references: Sequence[str] | None,
    method: str,
    steps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
) -> list[SentenceResult]:
    """Attribute each sentence's shown output: the reference (forced) when given, otherwise the
    model's own greedy translation. ``progress(done, total)`` counts sentences."""
    if references is not None and len(references) != len(sources):
        raise CoreError(
            f"{len(sources)} source sentences but {len(references)} references; "
            "the files must be line-aligned"
        )
    if references is None:
        shown = translator.translate_batch(list(sources), cancel=cancel)
    else:
        shown = [translator.score(s, r) for s, r in zip(sources, references)]
    out = []
    subwords = uses_subwords(getattr(translator, "meta", None))
    for i, tr in enumerate(shown):
        if cancel is not None:
            cancel.raise_if_cancelled()
        if not tr.target_tokens:
            out.append(SentenceResult(i, None, None))
        else:
            a = attribute(translator, tr, method, steps, cancel=cancel)
            words = word_agreement(a) if subwords else None
            out.append(SentenceResult(i, a.agreement, a.completeness_error, words))
        if progress is not None:
            progress(i + 1, len(shown))
    return out


def word_agreement(a: Attribution) -> SentenceAgreement:
    """The agreement between words, as the Attribution tab shows it in Words mode
    (``attribution.in_words``: attention merged as the heatmap merges it, the raw attribution
    summed over a word's pieces on both sides, then normalised)."""
    return in_words(a).agreement


def dev_agreement_job(
    translator, ctx, pairs: Sequence[tuple[str, str]], method: str, hypotheses: Sequence[str]
) -> list[SentenceResult]:
    """The dev view's agreement column: each dev sentence's shown translation (the model's
    hypothesis as listed there) force-decoded and attributed, on the worker thread."""
    return attribute_sentences(
        translator,
        [s for s, _ in pairs],
        list(hypotheses),
        method,
        progress=ctx.progress,
        cancel=ctx.cancel,
    )
