"""Hard alignments from attention, Pharaoh text both ways, and AER on hand-made alignments whose
answer is worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.errors import CorpusError
from core.inspection.alignment import (
    AerCounts,
    AlignmentError,
    GoldAlignment,
    aer,
    aer_counts,
    check_bounds,
    corpus_aer,
    corpus_aer_counts,
    hard_alignment,
    parse_pharaoh,
    read_gold,
    to_pharaoh,
    word_count,
)

SRC = ["the", "house", "is", "small", "</s>"]
TGT = ["das", "Haus", "ist", "klein", "</s>"]
# rows: target tokens, columns: source tokens; each row sums to 1
ATT = np.array(
    [
        [0.70, 0.20, 0.05, 0.00, 0.05],  # das   -> the
        [0.10, 0.80, 0.05, 0.00, 0.05],  # Haus  -> house
        [0.05, 0.10, 0.40, 0.35, 0.10],  # ist   -> is (and small above 0.3)
        [0.00, 0.05, 0.05, 0.20, 0.70],  # klein -> </s> most, but small among the words
        [0.00, 0.00, 0.00, 0.10, 0.90],  # </s>  row: never linked
    ],
    dtype=np.float32,
)


def test_word_count_leaves_out_only_a_final_eos():
    assert word_count(SRC) == 4
    assert word_count(["a", "b"]) == 2  # an unfinished output has no </s>
    assert word_count([]) == 0


def test_argmax_links_each_target_word_to_its_peak_source_word():
    links = hard_alignment(ATT, SRC, TGT, "argmax")
    # klein's row peaks on </s>; among the words it peaks on "small" (3)
    assert links == [(0, 0), (1, 1), (2, 2), (3, 3)]


def test_threshold_keeps_every_word_weight_at_or_above_it():
    assert hard_alignment(ATT, SRC, TGT, "threshold", threshold=0.3) == [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 2),
    ]
    # the </s> row and column are never links, however heavy
    assert hard_alignment(ATT, SRC, TGT, "threshold", threshold=0.05) == sorted(
        (i, j) for j in range(4) for i in range(4) if ATT[j, i] >= 0.05
    )
    assert hard_alignment(ATT, SRC, TGT, "threshold", threshold=0.95) == []


def test_unknown_method_and_empty_matrix():
    with pytest.raises(ValueError, match="method"):
        hard_alignment(ATT, SRC, TGT, "best")
    assert hard_alignment(np.zeros((0, 1)), ["</s>"], [], "argmax") == []


def test_pharaoh_round_trip():
    links = [(2, 1), (0, 0), (1, 2), (0, 0)]
    assert to_pharaoh(links) == "0-0 1-2 2-1"
    g = parse_pharaoh("0-0 1-2 2-1")
    assert g.sure == {(0, 0), (1, 2), (2, 1)} == g.possible
    assert to_pharaoh([]) == ""


def test_possible_links_both_spellings_and_sure_inside_possible():
    g = parse_pharaoh("  0-0 1?2\t2p1  ")
    assert g.sure == {(0, 0)}
    assert g.possible == {(0, 0), (1, 2), (2, 1)}
    assert parse_pharaoh("") == GoldAlignment(frozenset(), frozenset())


@pytest.mark.parametrize(
    "text,bad",
    [
        ("0-", "0-"),
        ("a-1", "a-1"),
        ("1-2-3", "1-2-3"),
        ("-1-2", "-1-2"),
        ("1:2", "1:2"),
        ("1 - 2", "1"),
    ],
)
def test_bad_token_is_named_with_file_and_line(text, bad):
    with pytest.raises(AlignmentError) as e:
        parse_pharaoh(f"0-0 {text}", "gold.txt", 7)
    assert str(e.value).startswith(f"gold.txt:7: {bad!r} is not an alignment link")
    assert isinstance(e.value, CorpusError) and e.value.line == 7


def test_read_gold_names_the_line_of_a_bad_token(tmp_path):
    f = tmp_path / "gold.wa"
    f.write_text("0-0 1-1\n\n0-1 x\n", encoding="utf-8")
    with pytest.raises(AlignmentError, match=r"gold\.wa:3: 'x' is not an alignment link"):
        read_gold(f)
    f.write_text("0-0 1p1\n\n2?0\n", encoding="utf-8")
    gold = read_gold(f)
    assert [sorted(g.sure) for g in gold] == [[(0, 0)], [], []]
    assert [sorted(g.possible) for g in gold] == [[(0, 0), (1, 1)], [], [(2, 0)]]


def test_check_bounds_names_the_link_and_the_sentence_size():
    g = parse_pharaoh("0-0 3-1")
    check_bounds(g, 4, 2)
    with pytest.raises(
        AlignmentError, match=r"g\.wa:5: link 3-1 is outside .* 3 source and 2 target"
    ):
        check_bounds(g, 3, 2, "g.wa", 5)


def test_aer_on_a_hand_made_alignment():
    sure = {(0, 0), (1, 2)}
    possible = {(2, 1)}  # S ⊆ P is implied: P = {0-0, 1-2, 2-1}
    predicted = {(0, 0), (2, 1), (1, 1)}
    # |A∩S| = 1 (0-0), |A∩P| = 2 (0-0, 2-1), |A| = 3, |S| = 2  ->  1 - 3/5
    assert aer_counts(predicted, sure, possible) == AerCounts(1, 2, 3, 2)
    assert aer(predicted, sure, possible) == pytest.approx(0.4)
    c = aer_counts(predicted, sure, possible)
    assert c.precision == pytest.approx(2 / 3) and c.recall == pytest.approx(1 / 2)


def test_aer_extremes():
    s = {(0, 0), (1, 1)}
    assert aer(s, s, s) == 0.0  # exactly the sure links
    assert aer({(0, 1)}, s, s) == 1.0  # nothing right
    assert aer({(0, 0), (1, 1), (0, 1)}, s, s | {(0, 1)}) == 0.0  # extra link only possible
    assert aer([], [], []) == 0.0  # nothing to align, nothing predicted


def test_corpus_aer_sums_counts_rather_than_averaging_rates():
    gold = [
        GoldAlignment(frozenset({(0, 0), (1, 2)}), frozenset({(0, 0), (1, 2), (2, 1)})),
        parse_pharaoh("0-0 1-1 2-2"),
    ]
    predicted = [[(0, 0), (2, 1), (1, 1)], [(0, 0)]]
    # sentence 1: 1, 2, 3, 2 (AER 0.4); sentence 2: 1, 1, 1, 3 (AER 0.5)
    assert corpus_aer_counts(predicted, gold) == AerCounts(2, 3, 4, 5)
    assert corpus_aer(predicted, gold) == pytest.approx(1 - 5 / 9)
    mean = (
        aer(predicted[0], gold[0].sure, gold[0].possible)
        + aer(predicted[1], gold[1].sure, gold[1].possible)
    ) / 2
    assert mean == pytest.approx(0.45) and not math.isclose(mean, corpus_aer(predicted, gold))
    with pytest.raises(ValueError, match="1 predicted alignments but 2 gold"):
        corpus_aer(predicted[:1], gold)


def test_argmax_alignment_scored_against_its_own_pharaoh_is_perfect():
    links = hard_alignment(ATT, SRC, TGT)
    gold = parse_pharaoh(to_pharaoh(links))
    assert aer(links, gold.sure, gold.possible) == 0.0
