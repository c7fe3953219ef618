"""Choosing, describing and ranking attention heads on hand-made (layers, heads, T, S) stacks."""

from __future__ import annotations

import numpy as np
import pytest

from core.events import Translation
from core.inspection.alignment import parse_pharaoh
from core.inspection.heads import (
    DECODER,
    ENCODER,
    HeadChoice,
    choose,
    corpus_head_aer_counts,
    default_choice,
    has_heads,
    head_aer_counts,
    head_summaries,
    rank_heads,
    self_attention_view,
    upper_triangle_max,
    with_choice,
)

SRC = ["a", "b", "c", "</s>"]
TGT = ["x", "y", "z", "</s>"]
GOLD = "0-2 1-0 2-1"  # target 0 ← source 1, target 1 ← source 2, target 2 ← source 0


def _one_hot_rows(cols: list[int], n: int = 4) -> np.ndarray:
    m = np.zeros((len(cols), n), np.float32)
    m[np.arange(len(cols)), cols] = 1.0
    return m


def _stack(seed: int = 0) -> np.ndarray:
    """2 layers × 3 heads; layer 1 head 1 is the gold alignment, layer 0 head 0 the diagonal,
    the rest random rows that sum to 1."""
    rng = np.random.default_rng(seed)
    stack = rng.dirichlet(np.ones(4), size=(2, 3, 4)).astype(np.float32)
    stack[1, 1] = _one_hot_rows([1, 2, 0, 3])
    stack[0, 0] = _one_hot_rows([0, 1, 2, 3])
    return stack


def _translation(stack: np.ndarray | None = None, **extra) -> Translation:
    stack = _stack() if stack is None else stack
    return Translation(
        SRC,
        TGT,
        np.full(4, 0.5, np.float32),
        stack[-1].mean(axis=0),
        -1.0,
        "x y z",
        cross_attention=stack,
        **extra,
    )


def test_choose_picks_one_head_a_layer_mean_and_the_mean_over_all() -> None:
    stack = _stack()
    np.testing.assert_array_equal(choose(stack, HeadChoice(1, 2)), stack[1, 2])
    np.testing.assert_allclose(choose(stack, HeadChoice(0, None)), stack[0].mean(axis=0), 1e-6)
    np.testing.assert_allclose(choose(stack, HeadChoice()), stack.mean(axis=(0, 1)), 1e-6)
    for choice in (HeadChoice(1, 2), HeadChoice(0, None), HeadChoice()):
        np.testing.assert_allclose(choose(stack, choice).sum(axis=1), 1.0, atol=1e-6)


def test_a_mean_keeps_exact_zeros_of_masked_cells() -> None:
    stack = _stack()
    stack[..., 3] = 0.0  # e.g. padding: no head gives it anything
    assert (choose(stack, HeadChoice())[:, 3] == 0.0).all()
    assert (choose(stack, HeadChoice(1, None))[:, 3] == 0.0).all()


def test_choose_refuses_heads_and_layers_that_do_not_exist() -> None:
    with pytest.raises(ValueError, match="layer 2 does not exist: layers are 0-1"):
        choose(_stack(), HeadChoice(2, None))
    with pytest.raises(ValueError, match="head 3 does not exist: heads are 0-2"):
        choose(_stack(), HeadChoice(0, 3))
    with pytest.raises(ValueError, match="needs its layer"):
        HeadChoice(None, 1)


def test_default_choice_is_what_attention_holds() -> None:
    tr = _translation()
    np.testing.assert_allclose(with_choice(tr, default_choice(2)).attention, tr.attention, 1e-6)
    assert default_choice(3) == HeadChoice(2, None)
    assert HeadChoice(1, 2).label == "layer 1, head 2"
    assert HeadChoice(0, None).short == "L0 mean"


def test_with_choice_replaces_attention_and_leaves_gru_translations_alone() -> None:
    tr = _translation()
    shown = with_choice(tr, HeadChoice(1, 1))
    np.testing.assert_array_equal(shown.attention, _one_hot_rows([1, 2, 0, 3]))
    assert shown.cross_attention is tr.cross_attention and shown.target_tokens == TGT
    gru = Translation(SRC, TGT, tr.token_probs, tr.attention, -1.0, "x y z")
    assert not has_heads(gru) and has_heads(tr)
    assert with_choice(gru, HeadChoice(1, 1)) is gru


def test_head_summaries_name_the_sharp_heads_and_where_they_look() -> None:
    stack = _stack()
    stack[0, 2] = _one_hot_rows([3, 3, 3, 3])  # a head that parks on </s>
    summaries = {s.choice: s for s in head_summaries(_translation(stack))}
    assert len(summaries) == 6
    sharp = summaries[HeadChoice(1, 1)]
    assert sharp.entropy == pytest.approx(0.0, abs=1e-6)
    parked = summaries[HeadChoice(0, 2)]
    assert (parked.top_source, parked.top_token, parked.top_share) == (3, "</s>", 1.0)
    diffuse = summaries[HeadChoice(0, 1)]
    assert diffuse.entropy > 0.3


def test_the_head_that_is_the_gold_alignment_ranks_first_with_aer_zero() -> None:
    ranking = rank_heads(head_aer_counts(_translation(), parse_pharaoh(GOLD)))
    assert len(ranking) == 6 + 2 + 1  # every head, each layer's mean, the mean over all
    assert ranking[0].choice == HeadChoice(1, 1) and ranking[0].aer == 0.0
    # the layer's mean is dominated by the one-hot head: a tie, ranked after the single head
    assert ranking[1].choice == HeadChoice(1, None) and ranking[1].aer == 0.0
    others = [r for r in ranking if r.choice.head is not None and r.choice != HeadChoice(1, 1)]
    assert len(others) == 5 and all(r.aer > 0 for r in others)
    diagonal = next(r for r in ranking if r.choice == HeadChoice(0, 0))
    assert diagonal.aer == 1.0 and ranking[-1].aer == 1.0  # wrong on all 3 links: last
    assert [r.aer for r in ranking] == sorted(r.aer for r in ranking)


def test_corpus_counts_add_links_over_sentences() -> None:
    gold = [parse_pharaoh(GOLD), parse_pharaoh("0-0 1-1 2-2")]
    trs = [_translation(), _translation()]
    total = corpus_head_aer_counts(trs, gold)
    # the gold head gets sentence 1 right (3/3) and sentence 2 wrong (0/3): AER 0.5
    assert total[HeadChoice(1, 1)].aer == pytest.approx(0.5)
    assert total[HeadChoice(0, 0)].aer == pytest.approx(0.5)
    assert total[HeadChoice(1, 1)].s == 6
    with pytest.raises(ValueError, match="2 translations but 1 gold"):
        corpus_head_aer_counts(trs, gold[:1])


def test_self_attention_views_label_rows_and_columns() -> None:
    enc = np.random.default_rng(1).dirichlet(np.ones(4), size=(2, 3, 4)).astype(np.float32)
    dec = np.tril(np.ones((4, 4), np.float32))
    dec = np.broadcast_to(dec / dec.sum(axis=1, keepdims=True), (2, 3, 4, 4)).copy()
    tr = _translation(encoder_self_attention=enc, decoder_self_attention=dec)
    m, rows, cols = self_attention_view(tr, ENCODER, HeadChoice(0, 1))
    np.testing.assert_array_equal(m, enc[0, 1])
    assert rows == cols == SRC
    m, rows, cols = self_attention_view(tr, DECODER, HeadChoice(1, None))
    assert rows == TGT and cols == ["<s>", "x", "y", "z"]
    assert upper_triangle_max(m) == 0.0
    assert self_attention_view(_translation(), ENCODER, HeadChoice()) is None
