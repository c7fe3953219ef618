"""The beam tree holds exactly the beam's hypotheses: walking up from each N-best leaf gives that
hypothesis's ids, probabilities, attention and score."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.data.batching import pad
from core.decoding.beam_tree import FINISHED, KEPT, PREFIX, PRUNED, ROOT
from core.decoding.search import beam_search, greedy
from core.storage.model_folder import read_model
from tests.core.decoding.test_search import TOY_SENTENCES, _toy_batch
from tests.core.model.test_seq2seq import random_sentences, tiny_model
from tests.core.training.test_run import trained_toy_model


@pytest.fixture(scope="module")
def toy_model(tmp_path_factory):
    model, src_vocab, tgt_vocab, _ = read_model(trained_toy_model(tmp_path_factory)["dir"])
    return model, src_vocab


def _cases(toy_model):
    m, sv = toy_model
    src, src_len, _ = _toy_batch(sv, TOY_SENTENCES)
    yield m, src, src_len
    rnd = tiny_model(seed=3)
    sents = random_sentences((3, 7, 5), seed=3)
    yield rnd, pad(sents), torch.tensor([len(s) for s in sents])


@pytest.mark.parametrize("beam,nbest", [(2, 2), (4, 3), (5, 5)])
def test_tree_leaves_are_exactly_the_nbest_hypotheses(toy_model, beam, nbest):
    for model, src, src_len in _cases(toy_model):
        hyps, trees = beam_search(model, src, src_len, beam, nbest, trees=True)
        plain = beam_search(model, src, src_len, beam, nbest)
        for sent, (hs, tree, ph) in enumerate(zip(hyps, trees, plain)):
            ranked = tree.ranked()
            assert [n.rank for n in ranked] == list(range(len(hs)))
            assert len(hs) == len(ph)
            for node, h, p in zip(ranked, hs, ph):
                assert node.status == FINISHED
                assert tree.ids(node.id) == h.ids == p.ids
                np.testing.assert_allclose(tree.probs(node.id), h.probs, rtol=1e-6)
                np.testing.assert_allclose(tree.attention(node.id), h.attention, rtol=1e-6)
                assert node.score == pytest.approx(h.score, rel=1e-6)
                # the cumulative log-probability is the sum of the path's log-probabilities
                assert node.logp == pytest.approx(float(np.log(h.probs).sum()), abs=1e-3)
                assert tree.attention(node.id).shape[1] == int(src_len[sent])


def test_tree_structure_is_a_beam(toy_model):
    model, src, src_len = next(_cases(toy_model))
    _, trees = beam_search(model, src, src_len, 3, 3, trees=True)
    for tree in trees:
        assert tree.root.status == ROOT and tree.root.parent == -1
        by_step: dict[int, list] = {}
        for n in tree.nodes[1:]:
            parent = tree.nodes[n.parent]
            assert parent.status in (ROOT, KEPT, PREFIX)  # only open hypotheses grow
            assert n.step == parent.step + 1
            assert 0.0 < n.prob <= 1.0
            np.testing.assert_allclose(n.attention.sum(), 1.0, atol=1e-5)
            by_step.setdefault(n.step, []).append(n)
        for nodes in by_step.values():
            assert len(nodes) <= 2 * 3  # the 2K shortlist of each step
            assert sum(n.status == KEPT for n in nodes) <= 3  # at most K stay in the beam
        assert any(n.status == PRUNED for n in tree.nodes)
        best = tree.on_best_path()
        assert tree.ranked()[0].id in best and 0 in best


def test_prefix_steps_are_one_chain(toy_model):
    model, sv = toy_model
    src, src_len, _ = _toy_batch(sv, TOY_SENTENCES[:1])
    prefix = greedy(model, src, src_len)[0].ids[:2]
    hyps, trees = beam_search(model, src, src_len, 3, 3, prefix=prefix, trees=True)
    tree = trees[0]
    chain = [n for n in tree.nodes if n.status == PREFIX]
    assert [n.token_id for n in chain] == prefix
    assert [n.parent for n in chain] == [0, chain[0].id]
    for node, h in zip(tree.ranked(), hyps[0]):
        assert tree.ids(node.id) == h.ids
        assert h.ids[:2] == prefix
