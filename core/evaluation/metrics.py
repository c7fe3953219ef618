"""BLEU and chrF with sacrebleu, after checking the counts ourselves.

sacrebleu's corpus functions zip hypotheses with references, so a short hypothesis list would
silently score against a truncated reference set; we refuse that instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sacrebleu

from core.errors import CoreError


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    n: int


def score(hypotheses: list[str], references: list[str]) -> Scores:
    """Corpus BLEU and chrF of detokenized hypotheses against one detokenized reference each."""
    if len(hypotheses) != len(references):
        raise CoreError(
            f"{len(hypotheses)} translations but {len(references)} references; "
            "scores need exactly one translation per reference"
        )
    if not references:
        raise CoreError("nothing to score: no references")
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    b = bleu.corpus_score(hypotheses, [references])
    c = chrf.corpus_score(hypotheses, [references])
    return Scores(
        b.score, c.score, str(bleu.get_signature()), str(chrf.get_signature()), len(references)
    )


def sentence_chrf(hypothesis: str, reference: str) -> float:
    return sacrebleu.sentence_chrf(hypothesis, [reference]).score
