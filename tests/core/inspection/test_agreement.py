"""Agreement math on hand-made matrices: the numbers can be checked with pencil and paper."""

from __future__ import annotations

import numpy as np
import pytest

from core.inspection.agreement import (
    corpus_agreement,
    ranks,
    sentence_agreement,
    spearman,
)


def test_ranks_average_ties():
    assert ranks(np.array([0.1, 0.5, 0.1, 0.9])).tolist() == [1.5, 3.0, 1.5, 4.0]


def test_spearman_of_same_order_is_one_and_of_reversed_order_is_minus_one():
    assert spearman(np.array([0.1, 0.2, 0.7]), np.array([1.0, 5.0, 9.0])) == pytest.approx(1.0)
    assert spearman(np.array([0.1, 0.2, 0.7]), np.array([9.0, 5.0, 1.0])) == pytest.approx(-1.0)


def test_spearman_hand_computed_with_one_swap():
    # ranks (1,2,3,4) against (2,1,3,4): d² = 1+1 → rho = 1 - 6·2 / (4·15) = 0.8
    assert spearman(np.array([1, 2, 3, 4.0]), np.array([2, 1, 3, 4.0])) == pytest.approx(0.8)


def test_spearman_of_a_constant_row_is_undefined():
    assert spearman(np.array([0.5, 0.5]), np.array([0.2, 0.8])) is None


def test_sentence_agreement_per_token_and_overall():
    attention = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.3, 0.5]])
    # row 0: same order (rho 1, same top); row 1: attention's top is 2, attribution's 0;
    # row 2: reversed order (rho -1)
    attribution = np.array([[0.6, 0.3, 0.1], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]])
    s = sentence_agreement(attention, attribution)
    assert [t.same_top for t in s.tokens] == [True, False, False]
    assert [t.attention_top for t in s.tokens] == [0, 2, 2]
    assert [t.attribution_top for t in s.tokens] == [0, 0, 0]
    rhos = [t.rank_correlation for t in s.tokens]
    assert rhos[0] == pytest.approx(1.0)
    assert rhos[2] == pytest.approx(-1.0)
    # row 1: attention ranks (1.5, 1.5, 3), attribution (3, 2, 1) → rho = -0.8660…
    assert rhos[1] == pytest.approx(-np.sqrt(3) / 2)
    assert s.top_match_rate == pytest.approx(1 / 3)
    assert s.mean_rank_correlation == pytest.approx((1 - np.sqrt(3) / 2 - 1) / 3)
    d = s.to_dict()
    assert d["per_token"][1]["same_top"] is False and len(d["per_token"]) == 3


def test_shapes_must_match():
    with pytest.raises(ValueError, match="same shape"):
        sentence_agreement(np.ones((2, 3)), np.ones((3, 2)))


def test_corpus_pools_tokens_not_sentences():
    one = sentence_agreement(np.array([[0.9, 0.1]]), np.array([[0.8, 0.2]]))  # rho 1, top
    three = sentence_agreement(np.array([[0.9, 0.1]] * 3), np.array([[0.2, 0.8]] * 3))  # rho -1
    c = corpus_agreement([one, three])
    assert (c.sentences, c.tokens) == (2, 4)
    assert c.mean_rank_correlation == pytest.approx((1 - 3) / 4)  # not the mean of means (0)
    assert c.top_match_rate == pytest.approx(1 / 4)
