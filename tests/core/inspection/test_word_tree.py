"""A piece-level beam tree read in words: word nodes, their parents, probabilities, statuses and
partial hypotheses, on a hand-made tree whose search split inside a word."""

from __future__ import annotations

import numpy as np
import pytest

from core.decoding.beam_tree import FINISHED, KEPT, PRUNED, ROOT, BeamTree, TreeNode
from core.decoding.inspection import Inspection
from core.events import Translation
from core.inspection.word_merge import to_words
from core.inspection.word_tree import WordInspection, word_tree, words_inspection

SOURCE = ["▁in", "▁the", "▁gar", "den", "</s>"]
# id: (parent, piece, prob, status); the search split after "▁Gar": "ten" / "▁im" / "s"
PIECES = {
    1: (0, "▁Im", 0.6, KEPT),
    2: (0, "▁Der", 0.3, PRUNED),
    3: (1, "▁Gar", 0.5, KEPT),
    4: (3, "ten", 0.7, KEPT),
    5: (3, "▁im", 0.2, PRUNED),
    6: (4, ".", 0.9, KEPT),
    7: (6, "</s>", 0.95, FINISHED),
    8: (3, "s", 0.05, PRUNED),
}


def _attention(node_id: int) -> np.ndarray:
    row = np.random.default_rng(node_id).random(len(SOURCE)).astype(np.float32)
    return row / row.sum()


def _piece_inspection() -> Inspection:
    nodes = [TreeNode(0, -1, -1, -1, 1.0, 0.0, np.zeros(0, np.float32), ROOT)]
    tokens, texts = ["<s>"], [""]
    logp = {0: 0.0}
    step = {0: -1}
    for i, (parent, piece, prob, status) in PIECES.items():
        logp[i], step[i] = logp[parent] + float(np.log(prob)), step[parent] + 1
        rank, score = (0, logp[i] / 5) if status == FINISHED else (None, None)
        nodes.append(
            TreeNode(i, parent, step[i], 100 + i, prob, logp[i], _attention(i), status, rank, score)
        )
        tokens.append(piece)
        texts.append(f"text of {i}")
    tree = BeamTree(nodes)
    best_path = tree.path(7)
    best = Translation(
        SOURCE,
        [tokens[n.id] for n in best_path],
        tree.probs(7),
        tree.attention(7),
        nodes[7].score,
        "Im Garten.",
    )
    return Inspection([best], tree, tokens, texts)


@pytest.fixture
def ins() -> Inspection:
    return _piece_inspection()


def test_words_are_chains_of_pieces_and_a_split_inside_a_word_gives_sibling_words(ins):
    words = word_tree(ins.tree, ins.node_tokens, ins.node_texts)
    by_text = {t: i for i, t in enumerate(words.tokens)}
    assert set(words.tokens) == {"<s>", "Im", "Der", "Gar", "Garten", ".", "im", "Gars", "</s>"}
    assert words.pieces[by_text["Garten"]] == [3, 4]  # "ten" continues "▁Gar"
    assert words.pieces[by_text["."]] == [6]  # punctuation is a word of its own
    assert words.pieces[by_text["Gars"]] == [3, 8]
    assert words.pieces[by_text["Gar"]] == [3]  # ends where "▁im" starts a new word
    parent = {t: words.tokens[words.tree.nodes[i].parent] for t, i in by_text.items() if i}
    assert parent == {
        "Im": "<s>",
        "Der": "<s>",
        "Gar": "Im",
        "Garten": "Im",
        "Gars": "Im",
        "im": "Gar",
        ".": "Garten",
        "</s>": ".",
    }
    # parents come before children, as the piece tree's layout code expects
    assert all(n.parent < n.id for n in words.tree.nodes[1:])
    steps = {t: words.tree.nodes[i].step for t, i in by_text.items()}
    assert (steps["Im"], steps["Garten"], steps["."], steps["</s>"], steps["im"]) == (0, 1, 2, 3, 2)


def test_a_word_takes_the_product_of_its_pieces_probabilities_and_its_last_pieces_state(ins):
    words = word_tree(ins.tree, ins.node_tokens, ins.node_texts)
    w = words.tokens.index("Garten")
    node = words.tree.nodes[w]
    assert node.prob == pytest.approx(0.5 * 0.7)
    last = ins.tree.nodes[4]
    assert (node.logp, node.status) == (last.logp, last.status)
    np.testing.assert_allclose(
        node.attention, np.mean([_attention(i) for i in (3, 4)], axis=0), atol=1e-6
    )
    end = words.tree.nodes[words.tokens.index("</s>")]
    assert end.status == FINISHED and end.rank == 0 and end.score == ins.tree.nodes[7].score
    assert words.tree.nodes[words.tokens.index("Gars")].status == PRUNED
    assert words.texts[w] == "text of 4"


def test_the_best_path_in_words_is_the_best_hypothesis_in_words(ins):
    win = words_inspection(ins)
    assert isinstance(win, WordInspection)
    best = win.tree.ranked()[0]
    path_words = [win.node_tokens[n.id] for n in win.tree.path(best.id)]
    assert path_words == to_words(ins.hypotheses[0]).target_tokens == ["Im", "Garten", ".", "</s>"]
    part = win.partial(best.id)
    expected = to_words(ins.partial(7))
    assert part.target_tokens == expected.target_tokens
    np.testing.assert_array_equal(part.attention, expected.attention)
    np.testing.assert_allclose(part.attention.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.prod(part.token_probs), np.prod(ins.tree.probs(7)), rtol=1e-5)


def test_piece_nodes_map_to_the_word_that_shows_them(ins):
    words = word_tree(ins.tree, ins.node_tokens, ins.node_texts)
    assert words.word_of(6) == words.tokens.index(".")
    assert words.word_of(4) == words.tokens.index("Garten")  # its last piece
    assert words.word_of(3) == words.tokens.index("Gar")  # where a word ends, that word
    assert words.word_of(0) == 0


def test_an_inspection_without_a_tree_is_left_as_it_is(ins):
    greedy = Inspection(ins.hypotheses)
    assert words_inspection(greedy) is greedy
    win = words_inspection(ins)
    assert words_inspection(win) is win
