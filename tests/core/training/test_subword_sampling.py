"""Subword sampling (regularisation): each epoch a new sampled segmentation of the training pairs
(the same again for the same epoch in one process) that still spells the same text, never <unk>,
falling back to the best segmentation where sampling makes a pair too long; the batch order
stays the best segmentation's; the dev set keeps the best segmentation; the setting is checked,
refused for words, and recorded in model.json. (Every rank training on rank 0's segmentation:
tests/core/training/test_distributed.py.)"""

from __future__ import annotations

import copy

import pytest

from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig, TrainConfig, check_together
from core.data.vocab import UNK_ID
from core.errors import ConfigError
from core.storage.model_folder import read_meta
from core.training import subword_sampling
from core.training.distributed import World
from core.training.run import TrainingRun, train
from core.training.subword_sampling import EpochSampler
from tests.toy import toy_spec, train_config

TOK = TokenizerConfig("en", "en")  # subwords, unigram, separate vocabularies
MODEL = ModelConfig(emb_size=16, hidden_size=32, dropout=0.1)
ALPHA = 0.5


@pytest.fixture(scope="module")
def sampled_run(tmp_path_factory) -> TrainingRun:
    """A run read, with vocabularies and examples, but not trained (rank 0's set-up)."""
    base = tmp_path_factory.mktemp("sampling")
    spec = toy_spec(base / "data", 400)
    cfg = train_config(subword_sampling=ALPHA, vocab_size=300)
    run = TrainingRun(spec, base / "model", MODEL, TOK, cfg, None, lambda e: None,
                      CancelToken(), None)  # fmt: skip
    run.read_data()
    run.build_vocabs()
    run.encode_data()
    return run


def _text(run: TrainingRun, ids: list[int], side: int) -> str:
    vocab, tok = (run.src_vocab, run.src_tok) if side == 0 else (run.tgt_vocab, run.tgt_tok)
    return tok.detokenize(vocab.decode(list(ids)))


def test_the_same_epoch_gives_the_same_ids_and_another_epoch_others(sampled_run):
    sampler = sampled_run.sampler
    first = sampler.epoch(3)
    sampler.epoch(4)  # the sampler's state in between must not matter
    assert sampler.epoch(3) == first
    other = sampler.epoch(4)
    assert other != first
    changed = sum(a != b for a, b in zip(first, other, strict=True))
    assert changed > len(first) // 4  # most sentences are cut another way, not one or two


def test_a_fresh_sampler_in_the_same_process_gives_the_same_ids(sampled_run):
    run = sampled_run
    fresh = EpochSampler.for_run(run)
    assert fresh is not run.sampler
    assert fresh.epoch(2) == run.sampler.epoch(2)


def test_sampled_pairs_spell_their_own_text_without_unk_and_differ_from_the_best(sampled_run):
    run = sampled_run
    examples = run.sampler.epoch(0)
    best = run.sampler.best
    assert len(examples) == len(best) == len(run.sampler.texts[0])
    differ = 0
    for i, (src, tgt) in enumerate(examples):
        assert UNK_ID not in src and UNK_ID not in tgt  # every piece is in the vocabulary
        assert src[-1] == tgt[-1] == best.pair(i)[0][-1]  # each ends in </s> as the best does
        best_src, best_tgt = best.pair(i)
        assert _text(run, src, 0) == _text(run, best_src.tolist(), 0)  # index i stays pair i
        assert _text(run, tgt, 1) == _text(run, best_tgt.tolist(), 1)
        differ += src != best_src.tolist()
    assert differ > len(examples) // 4


def test_a_sampled_pair_longer_than_max_len_keeps_its_best_segmentation(sampled_run):
    run = sampled_run
    best = run.sampler.best
    limit = int(best.lengths().max()) - 1  # every stored pair fits (lengths count </s>)
    tight = copy.copy(run.sampler)
    tight.max_len = limit
    examples = tight.epoch(0)
    assert 0 < tight.fallbacks < len(examples)
    kept = 0
    for i, (src, tgt) in enumerate(examples):
        best_src, best_tgt = (a.tolist() for a in best.pair(i))
        assert len(src) - 1 <= limit and len(tgt) - 1 <= limit, i
        kept += (src, tgt) == (best_src, best_tgt)
        assert _text(run, src, 0) == _text(run, best_src, 0)
    assert kept >= tight.fallbacks


def test_the_dev_set_keeps_the_best_segmentation(sampled_run):
    run = sampled_run
    for (src, tgt), (s_pieces, t_pieces) in zip(run.dev_examples, run.dev_pairs, strict=True):
        assert src == run.src_vocab.encode(run.src_tok.tokenize(run.src_tok.detokenize(s_pieces)))
        assert tgt == run.tgt_vocab.encode(t_pieces)


def test_the_setting_is_checked_and_refused_for_words():
    for bad in (-0.1, 1.5):
        with pytest.raises(ConfigError, match="subword_sampling"):
            TrainConfig(subword_sampling=bad).validate()
    TrainConfig(subword_sampling=1).validate()  # a whole number from JSON is fine
    assert TrainConfig.from_dict({"seed": 3}).subword_sampling == 0.0  # older model.json
    words = TokenizerConfig("en", "de", tokenization="words")
    check_together(words, TrainConfig())  # off: fine for words
    with pytest.raises(ConfigError, match="subword_sampling.*words"):
        check_together(words, TrainConfig(subword_sampling=0.5))


def test_train_refuses_sampling_with_words_before_reading(tmp_path):
    spec = toy_spec(tmp_path / "data", 50)
    words = TokenizerConfig("en", "en", tokenization="words")
    with pytest.raises(ConfigError, match="--subword-sampling"):
        train(spec, tmp_path / "m", MODEL, words, train_config(subword_sampling=0.5))
    assert not (tmp_path / "m").exists()


def test_a_sampled_run_trains_on_each_epochs_segmentation_and_records_alpha(tmp_path, monkeypatch):
    seen: list[int] = []
    original = EpochSampler.epoch

    def spy(self, epoch):
        seen.append(epoch)
        return original(self, epoch)

    monkeypatch.setattr(subword_sampling.EpochSampler, "epoch", spy)
    lengths: list = []
    original_batches = World.batches

    def batches(self, table, batch_size, seed):
        lengths.append(table)
        return original_batches(self, table, batch_size, seed)

    monkeypatch.setattr(World, "batches", batches)
    spec = toy_spec(tmp_path / "data", 300)
    cfg = train_config(subword_sampling=ALPHA, batch_size=32, max_steps=30, valid_every=15)
    done = train(spec, tmp_path / "model", MODEL, TOK, cfg)
    assert done.status == "finished" and done.step == 30
    assert seen[:3] == [0, 1, 2]  # ~9 batches an epoch: three epochs, each sampled anew
    assert all(t is lengths[0] for t in lengths)  # the order: the best segmentation's lengths
    meta = read_meta(tmp_path / "model")
    assert meta.train.subword_sampling == ALPHA
    assert meta.tokenizer.tokenization == "subwords"
