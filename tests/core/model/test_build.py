"""One builder for every place that makes a network: the config decides the decoder, and under
the meta device nothing is allocated (how loading checks shapes before reading weights)."""

from __future__ import annotations

import dataclasses

import torch

from core.config import preset
from core.model.build import build_model
from core.model.seq2seq import LuongDecoder, Seq2Seq


def test_the_config_decides_the_decoder():
    cfg = preset("tiny").model
    bahdanau = build_model(cfg, 30, 40)
    luong = build_model(dataclasses.replace(cfg, decoder="luong"), 30, 40)
    assert isinstance(bahdanau, Seq2Seq) and not isinstance(bahdanau.decoder, LuongDecoder)
    assert isinstance(luong.decoder, LuongDecoder)
    assert bahdanau.decoder.output.out_features == 40 == luong.decoder.output.out_features
    assert bahdanau.encoder.embed.num_embeddings == 30


def test_under_the_meta_device_only_shapes_exist():
    with torch.device("meta"):
        skeleton = build_model(preset("tiny").model, 30, 40)
    assert all(p.is_meta for p in skeleton.parameters())
    real = build_model(preset("tiny").model, 30, 40)
    assert {k: v.shape for k, v in skeleton.state_dict().items()} == {
        k: v.shape for k, v in real.state_dict().items()
    }
