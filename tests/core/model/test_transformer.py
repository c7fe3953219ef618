"""The Transformer: shapes, masks, and the promise that the attention shown is the attention the
model computed (the written-out inspection path against the fused training kernel)."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from core.config import ModelConfig, preset
from core.data.vocab import BOS_ID, EOS_ID, PAD_ID
from core.errors import ConfigError
from core.model.build import build_model
from core.model.transformer import Transformer

CFG = ModelConfig(
    arch="transformer",
    emb_size=32,
    hidden_size=32,
    heads=4,
    ff_size=64,
    enc_layers=2,
    dec_layers=3,
    dropout=0.1,
)


def _model(cfg: ModelConfig = CFG, src_v: int = 30, tgt_v: int = 28) -> Transformer:
    torch.manual_seed(0)
    model = build_model(cfg, src_v, tgt_v)
    assert isinstance(model, Transformer)
    return model.eval()


def _batch() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Two sentences of different lengths, padded: src (2, 6), tgt_in/tgt_out (2, 5)."""
    src = torch.tensor([[5, 6, 7, 8, 9, EOS_ID], [10, 11, EOS_ID, PAD_ID, PAD_ID, PAD_ID]])
    tgt_out = torch.tensor([[5, 6, 7, 8, EOS_ID], [9, 10, EOS_ID, PAD_ID, PAD_ID]])
    tgt_in = torch.tensor([[BOS_ID, 5, 6, 7, 8], [BOS_ID, 9, 10, PAD_ID, PAD_ID]])
    return src, torch.tensor([6, 3]), tgt_in, tgt_out


def test_builds_by_arch_with_the_shapes_asked_for() -> None:
    m = _model()
    assert len(m.encoder.layers) == 2 and len(m.decoder.layers) == 3
    assert m.decoder.layers[0].cross_attn.heads == 4
    assert m.decoder.output.out_features == 28
    assert m.encoder.embed.weight.shape == (30, 32)
    assert torch.equal(m.encoder.embed.weight[PAD_ID], torch.zeros(32))


def test_inspection_shapes_rows_sum_to_one_and_masks_are_exact_zeros() -> None:
    src, src_len, tgt_in, _ = _batch()
    out = _model().inspect(src, src_len, tgt_in, self_attention=True)
    assert out["cross"].shape == (2, 3, 4, 5, 6)  # (B, layers, heads, T, S)
    assert out["encoder_self"].shape == (2, 2, 4, 6, 6)
    assert out["decoder_self"].shape == (2, 3, 4, 5, 5)
    for name in ("cross", "encoder_self", "decoder_self"):
        torch.testing.assert_close(out[name].sum(-1), torch.ones(out[name].shape[:-1]))
    # sentence 1 has 3 real source tokens: no layer or head attends to its padding, at all
    assert torch.all(out["cross"][1, ..., 3:] == 0)
    assert torch.all(out["encoder_self"][1, ..., 3:] == 0)
    assert torch.all(out["cross"][0] > 0)  # nothing is masked in the full-length sentence
    # the decoder never looks ahead: strictly upper triangle exactly 0, the rest positive
    future = torch.ones(5, 5, dtype=torch.bool).triu(1)
    assert torch.all(out["decoder_self"][..., future] == 0)
    assert torch.all(out["decoder_self"][0][..., ~future] > 0)


def test_changing_a_future_target_token_changes_nothing_before_it() -> None:
    src, src_len, tgt_in, _ = _batch()
    m = _model()
    a = m.inspect(src, src_len, tgt_in)
    changed = tgt_in.clone()
    changed[0, 3] = 20
    b = m.inspect(src, src_len, changed)
    torch.testing.assert_close(a["logits"][0, :3], b["logits"][0, :3])
    torch.testing.assert_close(a["cross"][0, :, :, :3], b["cross"][0, :, :, :3])
    assert not torch.allclose(a["logits"][0, 3], b["logits"][0, 3])


def test_more_padding_does_not_change_the_real_positions() -> None:
    """A wider batch (more padding) gives the same numbers: padding is never looked at."""
    src, src_len, tgt_in, _ = _batch()
    m = _model()
    a = m.inspect(src, src_len, tgt_in)
    wider = torch.cat([src, torch.full((2, 2), PAD_ID)], 1)
    b = m.inspect(wider, src_len, tgt_in)
    torch.testing.assert_close(a["logits"], b["logits"], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(a["cross"], b["cross"][..., :6], atol=1e-6, rtol=1e-5)
    assert torch.all(b["cross"][..., 6:] == 0)


def test_inspection_path_gives_the_training_paths_probabilities() -> None:
    """What is shown is what was computed: the written-out softmax path (weights kept) and the
    fused kernel path (weights never materialised) give the same output distribution."""
    src, src_len, tgt_in, tgt_out = _batch()
    m = _model()
    with torch.no_grad():
        fused = torch.log_softmax(m.train_logits(src, tgt_in), -1)
        shown = torch.log_softmax(m.inspect(src, src_len, tgt_in)["logits"], -1)
    real = tgt_out != PAD_ID
    torch.testing.assert_close(shown[real], fused[real], atol=1e-5, rtol=0)


def test_dropout_only_in_training_mode() -> None:
    src, src_len, tgt_in, tgt_out = _batch()
    m = _model()
    with torch.no_grad():
        e1, _ = m.loss(src, src_len, tgt_in, tgt_out)
        e2, _ = m.loss(src, src_len, tgt_in, tgt_out)
        m.train()
        torch.manual_seed(1)
        t1, _ = m.loss(src, src_len, tgt_in, tgt_out)
        torch.manual_seed(2)
        t2, _ = m.loss(src, src_len, tgt_in, tgt_out)
    assert e1 == e2 and t1 != t2


def test_loss_is_mean_token_cross_entropy_with_label_smoothing() -> None:
    src, src_len, tgt_in, tgt_out = _batch()
    m = _model()
    with torch.no_grad():
        loss, nll = m.loss(src, src_len, tgt_in, tgt_out)
        smoothed, nll2 = m.loss(src, src_len, tgt_in, tgt_out, label_smoothing=0.1)
        logp = torch.log_softmax(m.train_logits(src, tgt_in), -1)
    real = tgt_out != PAD_ID
    gold = logp.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1)[real]
    torch.testing.assert_close(loss, -gold.mean())
    torch.testing.assert_close(nll, -gold.sum())
    torch.testing.assert_close(nll2, nll)
    expected = (0.9 * -gold - 0.1 * logp.mean(-1)[real]).mean()
    torch.testing.assert_close(smoothed, expected)


@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
def test_positions_make_word_order_matter(positions: str) -> None:
    m = _model(dataclasses.replace(CFG, positions=positions))
    a = torch.tensor([[5, 6, 7, EOS_ID]])
    b = torch.tensor([[7, 6, 5, EOS_ID]])
    tgt = torch.tensor([[BOS_ID, 5]])
    with torch.no_grad():
        la, _ = m(a, torch.tensor([4]), tgt)
        lb, _ = m(b, torch.tensor([4]), tgt)
    assert not torch.allclose(la, lb)
    has_table = any("positions.table" in k for k in m.state_dict())
    assert has_table == (positions == "learned")


def test_shared_and_tied_embeddings() -> None:
    cfg = dataclasses.replace(CFG, share_embeddings=True, tie_embeddings=True)
    m = _model(cfg, 30, 30)
    assert m.decoder.embed is m.encoder.embed
    assert m.decoder.output.weight is m.encoder.embed.weight
    plain = _model(CFG, 30, 30)
    assert plain.num_parameters() - m.num_parameters() == 2 * 30 * 32
    with pytest.raises(ConfigError, match="joint vocabulary"):
        build_model(cfg, 30, 28)


def test_config_refuses_shapes_that_cannot_work() -> None:
    with pytest.raises(ConfigError, match="divisible"):
        dataclasses.replace(CFG, heads=5).validate()
    with pytest.raises(ConfigError, match="emb_size"):
        dataclasses.replace(CFG, emb_size=16).validate()
    with pytest.raises(ConfigError, match="positions"):
        dataclasses.replace(CFG, positions="rotary").validate()
    with pytest.raises(ConfigError, match="arch"):
        dataclasses.replace(CFG, arch="lstm").validate()


def test_base_preset_matches_the_peer_benchmark_transformer() -> None:
    p = preset("base", "transformer")
    m = p.model
    assert (m.arch, m.enc_layers, m.dec_layers, m.hidden_size, m.heads, m.ff_size) == (
        "transformer",
        3,
        3,
        256,
        4,
        1024,
    )
    assert m.dropout == 0.1 and p.train.warmup_steps == 1000
    assert p.train.learning_rate == 5e-4 and p.train.label_smoothing == 0.1
    assert p.train.batch_size == 64
    for name in ("tiny", "small"):
        assert preset(name, "transformer").model.arch == "transformer"
    assert preset("base").model.arch == "gru"  # the GRU stays the default


def test_meta_device_build_allocates_nothing() -> None:
    with torch.device("meta"):
        m = build_model(CFG, 30, 28)
    assert all(p.device.type == "meta" for p in m.parameters())
    assert set(m.state_dict()) == set(_model().state_dict())
