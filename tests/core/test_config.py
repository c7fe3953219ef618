"""Settings records: lossless dict round trips, helpful refusals, valid presets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core.config import PRESETS, ModelConfig, TokenizerConfig, TrainConfig, preset
from core.errors import ConfigError
from core.model.seq2seq import Seq2Seq

CLASSES = [ModelConfig, TokenizerConfig, TrainConfig]


@pytest.mark.parametrize("cls", CLASSES)
def test_dict_round_trip_of_defaults(cls):
    obj = cls()
    data = obj.to_dict()
    assert set(data) == {f.name for f in dataclasses.fields(cls)}
    assert cls.from_dict(data) == obj
    assert cls.from_dict(json.loads(json.dumps(data))) == obj  # through model.json


def test_dict_round_trip_of_changed_values():
    m = ModelConfig(
        emb_size=16,
        hidden_size=32,
        enc_layers=2,
        dec_layers=3,
        bidirectional=False,
        attention="dot",
        dropout=0.0,
        tie_embeddings=True,
    )
    t = TokenizerConfig(src_lang="pt-BR", tgt_lang="zh", lowercase=True)
    c = TrainConfig(
        batch_size=7,
        time_budget_s=12.5,
        max_steps=99,
        epochs=0,
        probe="hello there",
        num_threads=3,
        device="cpu",
        precision="bf16",
        seed=123,
    )
    for obj in (m, t, c):
        assert type(obj).from_dict(json.loads(json.dumps(obj.to_dict()))) == obj


def test_missing_keys_take_their_defaults():
    assert ModelConfig.from_dict({"hidden_size": 8}) == ModelConfig(hidden_size=8)
    assert TrainConfig.from_dict({}) == TrainConfig()


def test_a_removed_setting_written_by_a_development_build_is_read_past():
    written = {**TrainConfig(batch_size=8).to_dict(), "subword_sampling": 0.0}
    assert TrainConfig.from_dict(written) == TrainConfig(batch_size=8)


@pytest.mark.parametrize("cls", CLASSES)
def test_unknown_key_lists_the_valid_ones(cls):
    with pytest.raises(ConfigError) as info:
        cls.from_dict({"hiden_size": 3, "colour": "red"})
    message = str(info.value)
    assert "hiden_size" in message and "colour" in message
    for f in dataclasses.fields(cls):
        assert f.name in message


@pytest.mark.parametrize(
    "cls,changes,match",
    [
        (ModelConfig, {"attention": "luong"}, "attention"),
        (ModelConfig, {"emb_size": 0}, "emb_size"),
        (ModelConfig, {"hidden_size": -4}, "hidden_size"),
        (ModelConfig, {"enc_layers": 0}, "enc_layers"),
        (ModelConfig, {"dec_layers": 0}, "dec_layers"),
        (ModelConfig, {"dropout": 1.0}, "dropout"),
        (ModelConfig, {"dropout": -0.1}, "dropout"),
        (ModelConfig, {"attention": "dot", "bidirectional": True}, "dot"),
        (TokenizerConfig, {"src_lang": ""}, "src_lang"),
        (TokenizerConfig, {"tgt_lang": "e n"}, "tgt_lang"),
        (TokenizerConfig, {"src_lang": "../../etc"}, "src_lang"),
        (TokenizerConfig, {"src_lang": 5}, "src_lang"),
        (TrainConfig, {"batch_size": 0}, "batch_size"),
        (TrainConfig, {"learning_rate": 0}, "learning_rate"),
        (TrainConfig, {"label_smoothing": 1.0}, "label_smoothing"),
        (TrainConfig, {"epochs": -1}, "epochs"),
        (TrainConfig, {"time_budget_s": 0}, "budget"),
        (TrainConfig, {"epochs": 0}, "never ends"),
        (TrainConfig, {"valid_every": 0}, "valid_every"),
        (TrainConfig, {"max_len": 0}, "max_len"),
        (TrainConfig, {"vocab_size": 7}, "vocab_size"),
        (TrainConfig, {"min_freq": 0}, "min_freq"),
        (TrainConfig, {"dev_fraction": 0.0}, "dev_fraction"),
        (TrainConfig, {"dev_fraction": 0.5}, "dev_fraction"),
        (TrainConfig, {"device": "tpu"}, "device"),
        (TrainConfig, {"precision": "fp8"}, "precision"),
    ],
)
def test_invalid_values_are_config_errors(cls, changes, match):
    with pytest.raises(ConfigError, match=match):
        cls.from_dict(changes)


def test_train_config_replace_validates():
    with pytest.raises(ConfigError, match="batch_size"):
        TrainConfig().replace(batch_size=0)
    assert TrainConfig().replace(batch_size=3).batch_size == 3


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ModelConfig().emb_size = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "cls,changes",
    [
        (ModelConfig, {"emb_size": "big"}),
        (ModelConfig, {"hidden_size": None}),
        (ModelConfig, {"dropout": "0.1"}),
        (TrainConfig, {"batch_size": "32"}),
        (TrainConfig, {"learning_rate": None}),
        (ModelConfig, {"emb_size": 2.5}),  # passes validate(), then nn.Embedding raises TypeError
    ],
    ids=["str-int", "none-int", "str-float", "str-batch", "none-lr", "float-int"],
)
def test_wrongly_typed_values_are_config_errors(cls, changes):
    with pytest.raises(ConfigError):
        cls.from_dict(changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"epochs": 0, "max_steps": 0},  # the loop treats max_steps=0 as 'no limit': trains forever
        {"max_steps": -5},  # stops after one step
        {"keep_last": 0},  # CheckpointStore raises ValueError
        {"lr_decay": 1.5},  # ReduceLROnPlateau raises ValueError
        {"dev_max": 0},  # no dev set: the first validation raises 'nothing to score'
        {"num_threads": -1},  # torch.set_num_threads raises RuntimeError
    ],
    ids=["max_steps=0", "max_steps<0", "keep_last=0", "lr_decay>1", "dev_max=0", "num_threads<0"],
)
def test_train_settings_that_break_training_are_refused(changes):
    with pytest.raises(ConfigError):
        TrainConfig.from_dict(changes)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_valid(name):
    p = preset(name)
    p.model.validate()
    p.train.validate()
    assert p.description
    assert ModelConfig.from_dict(p.model.to_dict()) == p.model
    assert TrainConfig.from_dict(p.train.to_dict()) == p.train
    assert Seq2Seq(p.model, 20, 20).num_parameters() > 0


def test_presets_grow():
    sizes = [Seq2Seq(preset(n).model, 100, 100).num_parameters() for n in ("tiny", "small", "base")]
    assert sizes == sorted(sizes)


def test_unknown_preset_lists_the_choices():
    with pytest.raises(ConfigError, match="tiny.*small.*base"):
        preset("huge")
