"""Pieces grouped into words and attention merged, on hand-made matrices whose merged values are
worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from core.events import Translation
from core.inspection.alignment import hard_alignment, to_pharaoh
from core.inspection.word_merge import (
    group_pieces,
    in_view,
    merge_attention,
    merge_probs,
    spread_override,
    to_words,
    word_text,
)

SRC = ["▁The", "▁un", "believ", "able", "▁cat", "s", "</s>"]  # words: The unbelievable cats </s>
TGT = ["▁Die", "▁un", "glaub", "liche", "▁Katze", "</s>"]


def _rows(t: int, s: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.random((t, s)) + 0.01
    return (a / a.sum(axis=1, keepdims=True)).astype(np.float32)


def _translation(src=SRC, tgt=TGT, seed: int = 0) -> Translation:
    probs = np.linspace(0.9, 0.4, len(tgt)).astype(np.float32)
    return Translation(list(src), list(tgt), probs, _rows(len(tgt), len(src), seed), -1.5, "x")


def test_words_start_at_the_word_mark_and_specials_stand_alone():
    g = group_pieces(SRC)
    assert g.words == ("The", "unbelievable", "cats", "</s>")
    assert g.spans == ((0, 1), (1, 4), (4, 6), (6, 7))
    assert g.pieces_of(1) == ["▁un", "believ", "able"]
    assert [g.word_of(i) for i in range(len(SRC))] == [0, 1, 1, 1, 2, 2, 3]


def test_punctuation_is_a_word_of_its_own_as_a_tokenized_gold_alignment_counts_it():
    # sentencepiece on raw text glues punctuation to the word before it
    g = group_pieces(["▁Er", "▁trinkt", "▁Kaffee", ".", "</s>"])
    assert g.words == ("Er", "trinkt", "Kaffee", ".", "</s>")
    g = group_pieces(["▁Ja", ",", "▁(", "Kaffee", ")", "?!", "</s>"])
    assert g.words == ("Ja", ",", "(", "Kaffee", ")", "?!", "</s>")
    # what follows punctuation inside a word starts a word too (Moses: well @-@ known)
    assert group_pieces(["▁well", "-", "known"]).words == ("well", "-", "known")
    # a piece with letters and punctuation stays one word; bytes are not punctuation
    assert group_pieces(["▁U", ".S", "."]).words == ("U.S", ".")
    assert group_pieces(["▁caf", "<0xC3>", "<0xA9>", "."]).words == ("café", ".")


def test_pieces_of_one_word_are_adjacent_and_cover_every_piece_once():
    g = group_pieces(SRC)
    flat = [i for s, e in g.spans for i in range(s, e)]
    assert flat == list(range(len(SRC)))


def test_byte_pieces_continue_the_word_and_decode_as_utf8():
    # "😀" = F0 9F 98 80; "č" = C4 8D; "猫" = E7 8C AB
    pieces = ["▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁ko", "<0xC4>", "<0x8D>", "ka"]
    pieces += ["▁<0xE7>", "<0x8C>", "<0xAB>", "</s>"]
    g = group_pieces(pieces)
    assert g.words[:2] == ("😀", "kočka")
    assert g.spans[:2] == ((0, 5), (5, 9))
    assert g.words[3] == "</s>"
    assert word_text(["<0xE7>", "<0x8C>", "<0xAB>"]) == "猫"
    assert word_text(["<0xE7>", "<0x8C>"]) == "\ufffd"  # half a character: shown, not an error


def test_a_special_inside_a_sentence_is_a_word_of_its_own():
    g = group_pieces(["▁a", "b", "<unk>", "c", "▁d", "</s>"])
    assert g.words == ("ab", "<unk>", "c", "d", "</s>")


def test_merged_columns_are_sums_and_rows_are_means_exactly():
    a = np.array(
        [
            [0.1, 0.2, 0.3, 0.4],  # target word 0 = pieces 0,1
            [0.3, 0.2, 0.1, 0.4],
            [0.0, 0.5, 0.5, 0.0],  # target word 1 = piece 2
        ],
        dtype=np.float64,
    )
    src = group_pieces(["▁a", "b", "▁c", "</s>"])  # words: ab, c, </s>
    tgt = group_pieces(["▁x", "y", "▁z"])  # words: xy, z
    m = merge_attention(a, src, tgt)
    expected = np.array([[0.4, 0.2, 0.4], [0.5, 0.5, 0.0]])
    np.testing.assert_allclose(m, expected, atol=1e-7)
    np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-6)


def test_rows_of_a_merged_translation_sum_to_one_and_total_attention_is_kept():
    tr = _translation()
    w = to_words(tr)
    assert w.attention.shape == (4, 4)  # Die unglaubliche Katze </s> × The unbelievable cats </s>
    np.testing.assert_allclose(w.attention.sum(axis=1), 1.0, atol=1e-6)
    # every target word's row is the mean of its pieces' rows, summed over the source word
    np.testing.assert_allclose(
        w.attention[1, 1], tr.attention[1:4, 1:4].sum(axis=1).mean(), rtol=1e-6
    )


def test_one_piece_words_are_unchanged():
    tr = _translation()
    w = to_words(tr)
    # "▁Die" and "▁The" are one piece each: their cell is the piece cell itself
    assert w.attention[0, 0] == pytest.approx(float(tr.attention[0, 0]), abs=1e-7)
    assert w.token_probs[0] == pytest.approx(float(tr.token_probs[0]))
    # a sentence of one-piece words merges to the same matrix
    plain = _translation(["▁a", "▁b", "</s>"], ["▁c", "▁d", "</s>"], seed=3)
    pw = to_words(plain)
    np.testing.assert_allclose(pw.attention, plain.attention, atol=1e-7)
    np.testing.assert_allclose(pw.token_probs, plain.token_probs)
    assert pw.source_tokens == ["a", "b", "</s>"]


def test_word_probability_is_the_product_of_its_pieces():
    tr = _translation()
    g = group_pieces(TGT)
    p = merge_probs(tr.token_probs, g)
    assert p[1] == pytest.approx(float(np.prod(tr.token_probs[1:4], dtype=np.float64)), rel=1e-6)
    assert len(p) == len(g)


def test_alignment_and_pharaoh_are_on_word_indices():
    # piece attention that links "unglaubliche" (pieces 1-3) to "unbelievable" (pieces 1-3)
    a = np.full((len(TGT), len(SRC)), 0.01, dtype=np.float32)
    for t, s in [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 6)]:
        a[t, s] = 1.0
    a /= a.sum(axis=1, keepdims=True)
    tr = Translation(SRC, TGT, np.ones(len(TGT), np.float32), a, 0.0, "")
    w = to_words(tr)
    links = hard_alignment(w.attention, w.source_tokens, w.target_tokens)
    assert to_pharaoh(links) == "0-0 1-1 2-2"


def test_hover_detail_names_the_pieces_and_their_own_weights():
    tr = _translation()
    w = to_words(tr)
    detail = w.cell_detail(1, 1)
    assert "▁un" in detail and "believ" in detail and "able" in detail
    block = tr.attention[1:4, 1:4].astype(np.float64)
    assert f"believ {block.mean(axis=0)[1]:.3f}" in detail  # the piece's share of the cell
    assert f"glaub {block.sum(axis=1)[1]:.3f}" in detail  # the target piece's own weight
    assert f"{float(tr.token_probs[2]):.3f}" in detail


def test_in_view_switches_between_pieces_and_words_both_ways():
    tr = _translation()
    w = in_view(tr, True)
    assert w.target_tokens == ["Die", "unglaubliche", "Katze", "</s>"]
    assert in_view(w, False) is tr
    assert in_view(tr, False) is tr
    assert in_view(w, True) is w
    assert in_view(None, True) is None


def test_what_if_spreads_the_one_hot_over_the_word_pieces_in_their_proportions():
    tr = _translation()
    step, weights = spread_override(tr, word_step=2, source_word=1)  # Katze ← unbelievable
    assert step == 4  # "▁Katze" is piece 4
    row = tr.attention[4].astype(np.float64)
    np.testing.assert_allclose(weights[1:4], row[1:4] / row[1:4].sum(), rtol=1e-6)
    assert weights.sum() == pytest.approx(1.0)
    assert np.count_nonzero(weights) == 3
    # a word of one piece: the usual one-hot
    _, one = spread_override(tr, word_step=0, source_word=0)
    np.testing.assert_array_equal(one, np.eye(len(SRC), dtype=np.float32)[0])


def test_a_word_the_step_gave_nothing_gets_even_shares():
    tr = _translation()
    att = tr.attention.copy()
    att[4, 1:4] = 0.0
    zero = Translation(tr.source_tokens, tr.target_tokens, tr.token_probs, att, 0.0, "")
    _, weights = spread_override(zero, 2, 1)
    np.testing.assert_allclose(weights[1:4], 1 / 3, rtol=1e-6)


def test_the_json_word_record_holds_the_merged_words_and_matrix():
    from core.inspection.attention_export import word_record

    tr = _translation()
    rec = word_record(tr)
    w = to_words(tr)
    assert rec["source_words"] == ["The", "unbelievable", "cats", "</s>"]
    assert rec["target_words"] == ["Die", "unglaubliche", "Katze", "</s>"]
    np.testing.assert_allclose(rec["word_weights"], w.attention, rtol=1e-6)
    np.testing.assert_allclose(np.sum(rec["word_weights"], axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(rec["word_token_probs"], w.token_probs, rtol=1e-6)
    assert rec["word_alignment"].count("-") == 3  # one link per target word, </s> left out


def test_only_models_that_say_subwords_use_them():
    from types import SimpleNamespace

    from core.inspection.word_merge import uses_subwords

    assert uses_subwords(SimpleNamespace(tokenizer=SimpleNamespace(tokenization="subwords")))
    assert not uses_subwords(SimpleNamespace(tokenizer=SimpleNamespace(tokenization="words")))
    assert not uses_subwords(SimpleNamespace(tokenizer=SimpleNamespace()))  # an old folder


def test_word_agreement_is_the_attribution_tabs_in_words():
    from core.inspection.agreement import sentence_agreement
    from core.inspection.attribution import Attribution, normalise
    from core.inspection.attribution_runs import word_agreement

    tr = _translation()
    raw = _rows(len(TGT), len(SRC), seed=9) - 0.05  # signed, as gradient x input
    a = Attribution("grad-x-input", SRC, TGT, tr.attention, raw, normalise(raw), None, None, None)
    got = word_agreement(a)
    s, t = group_pieces(SRC), group_pieces(TGT)
    # attention as the heatmap merges it; attribution summed over each word's pieces, then
    # normalised (a word's log p is the sum of its pieces')
    words_raw = t.indicator().T @ raw @ s.indicator()
    expected = sentence_agreement(merge_attention(tr.attention, s, t), normalise(words_raw))
    assert len(got.tokens) == 4
    assert got == expected
