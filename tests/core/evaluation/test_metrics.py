"""BLEU/chrF through sacrebleu, with our own count check in front."""

from __future__ import annotations

import pytest

from core.errors import CoreError
from core.evaluation.metrics import Scores, score, sentence_chrf

REFS = ["The cat sat on the mat.", "It is raining today.", "Where is the station?"]


def test_identical_is_100():
    s = score(list(REFS), list(REFS))
    assert isinstance(s, Scores)
    assert s.bleu == pytest.approx(100.0)
    assert s.chrf == pytest.approx(100.0)
    assert s.n == 3


def test_unrelated_is_near_zero_and_partial_is_between():
    assert score(["xyz qqq"] * 3, REFS).bleu == pytest.approx(0.0, abs=1e-6)
    partial = score(["The cat sat on a mat.", "It is raining now.", "Where is a station?"], REFS)
    assert 0.0 < partial.bleu < 100.0 and 0.0 < partial.chrf < 100.0


@pytest.mark.parametrize("n_hyp", [0, 2, 4])
def test_count_mismatch_is_refused(n_hyp):
    """sacrebleu would silently score against a truncated reference list."""
    with pytest.raises(CoreError, match=f"{n_hyp} translations but 3 references"):
        score(REFS[:1] * n_hyp, REFS)


def test_nothing_to_score():
    with pytest.raises(CoreError, match="nothing to score"):
        score([], [])


def test_signatures():
    s = score(REFS, REFS)
    assert "nrefs:1" in s.bleu_signature and "tok:13a" in s.bleu_signature
    assert "version:" in s.bleu_signature
    assert "nrefs:1" in s.chrf_signature and "nc:6" in s.chrf_signature
    assert "version:" in s.chrf_signature


def test_scores_are_case_sensitive():
    assert score([r.lower() for r in REFS], REFS).bleu < 100.0


def test_sentence_chrf():
    assert sentence_chrf("The cat sat.", "The cat sat.") == pytest.approx(100.0)
    assert 0.0 <= sentence_chrf("A dog.", "The cat sat.") < 50.0
