"""The network's shapes and wiring: dropout, tied embeddings, layer counts, config checks, the loss.

The helpers at the top (``tiny_model``, ``random_batch``) are shared with test_attention.py and
test_search.py.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from core.config import ModelConfig
from core.data.batching import pad
from core.data.vocab import BOS_ID, EOS_ID, PAD_ID
from core.errors import ConfigError
from core.model.seq2seq import Seq2Seq

torch.set_num_threads(1)

SRC_V, TGT_V = 11, 13


def tiny_model(seed: int = 0, src_vocab: int = SRC_V, tgt_vocab: int = TGT_V, **cfg) -> Seq2Seq:
    """A seeded, tiny model (emb 8, hidden 16, no dropout unless asked), in eval mode."""
    settings = {"emb_size": 8, "hidden_size": 16, "dropout": 0.0}
    settings.update(cfg)
    torch.manual_seed(seed)
    return Seq2Seq(ModelConfig(**settings), src_vocab, tgt_vocab).eval()


def random_sentences(lengths, vocab: int = SRC_V, seed: int = 0) -> list[list[int]]:
    """Id lists of the given word counts, each followed by </s> (so len = n + 1)."""
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(4, vocab, (n,), generator=g).tolist() + [EOS_ID] for n in lengths]


def random_batch(src_lengths=(3, 7, 5), tgt_lengths=(4, 2, 6), seed: int = 0):
    """(src, src_len, tgt_in, tgt_out, srcs, tgts) with real padding on both sides."""
    srcs = random_sentences(src_lengths, SRC_V, seed)
    tgts = random_sentences(tgt_lengths, TGT_V, seed + 1)
    src = pad(srcs)
    src_len = torch.tensor([len(s) for s in srcs])
    tgt_out = pad(tgts)
    tgt_in = pad([t[:-1] for t in tgts], prefix=[BOS_ID])
    return src, src_len, tgt_in, tgt_out, srcs, tgts


# ---- shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,bidirectional", [("bahdanau", True), ("general", True), ("dot", False)]
)
def test_forward_shapes(kind, bidirectional):
    m = tiny_model(attention=kind, bidirectional=bidirectional)
    src, src_len, tgt_in, _, _, _ = random_batch()
    logits, attn = m(src, src_len, tgt_in)
    b, s = src.shape
    t = tgt_in.size(1)
    assert logits.shape == (b, t, TGT_V)
    assert attn.shape == (b, t, s)
    assert torch.isfinite(logits).all()


def test_encode_shapes_and_mask():
    m = tiny_model(hidden_size=16, bidirectional=True)
    src, src_len, *_ = random_batch()
    memory, hidden = m.encode(src, src_len)
    b, s = src.shape
    assert memory.values.shape == (b, s, 32)  # 2H for a bidirectional encoder
    assert memory.keys.shape == (b, s, 16)  # projected to the decoder's size
    assert hidden.shape == (1, b, 16)
    assert memory.mask.dtype == torch.bool
    assert memory.mask.sum(1).tolist() == src_len.tolist()
    # padded encoder states are zeros (pad_packed_sequence), the mask is what hides them
    for i, n in enumerate(src_len.tolist()):
        assert not memory.mask[i, n:].any()
        assert torch.equal(memory.values[i, n:], torch.zeros_like(memory.values[i, n:]))


# ---- dropout -------------------------------------------------------------------------------------


def test_eval_mode_is_deterministic_and_train_mode_is_not():
    m = tiny_model(dropout=0.5)
    src, src_len, tgt_in, *_ = random_batch()
    m.eval()
    a, _ = m(src, src_len, tgt_in)
    torch.manual_seed(123)  # a different RNG state must not matter in eval mode
    b, _ = m(src, src_len, tgt_in)
    assert torch.equal(a, b)
    m.train()
    c, _ = m(src, src_len, tgt_in)
    d, _ = m(src, src_len, tgt_in)
    assert not torch.allclose(c, d), "dropout 0.5 in train mode should change the output"
    m.eval()
    e, _ = m(src, src_len, tgt_in)
    assert torch.equal(a, e)


# ---- tied embeddings -----------------------------------------------------------------------------


def test_tie_embeddings_shares_the_tensor():
    m = tiny_model(tie_embeddings=True, emb_size=8)
    dec = m.decoder
    assert dec.output.weight is dec.embed.weight
    assert dec.output.weight.data_ptr() == dec.embed.weight.data_ptr()
    # counted once
    assert m.num_parameters() == sum(p.numel() for p in {id(p): p for p in m.parameters()}.values())
    # a gradient step changes both views identically
    src, src_len, tgt_in, tgt_out, *_ = random_batch()
    opt = torch.optim.SGD(m.parameters(), lr=0.5)
    m.train()
    loss, _ = m.loss(src, src_len, tgt_in, tgt_out)
    loss.backward()
    opt.step()
    assert torch.equal(dec.output.weight, dec.embed.weight)
    # the sharing survives a save/load through the state dict
    m2 = tiny_model(seed=9, tie_embeddings=True, emb_size=8)
    m2.load_state_dict(m.state_dict())
    assert m2.decoder.output.weight is m2.decoder.embed.weight
    assert torch.equal(m2.decoder.output.weight, dec.embed.weight)


def test_untied_embeddings_are_separate():
    m = tiny_model(tie_embeddings=False)
    assert m.decoder.output.weight.data_ptr() != m.decoder.embed.weight.data_ptr()


# ---- layer counts and directions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "enc_layers,dec_layers,bidirectional",
    [(2, 1, True), (1, 3, True), (2, 2, False), (3, 2, False)],
)
def test_layers_and_directions(enc_layers, dec_layers, bidirectional):
    m = tiny_model(
        enc_layers=enc_layers, dec_layers=dec_layers, bidirectional=bidirectional, dropout=0.2
    )
    src, src_len, tgt_in, tgt_out, *_ = random_batch()
    memory, hidden = m.encode(src, src_len)
    assert hidden.shape == (dec_layers, src.size(0), 16)
    assert memory.values.size(-1) == 16 * (2 if bidirectional else 1)
    assert len(m.decoder.cells) == dec_layers
    assert m.encoder.rnn.num_layers == enc_layers
    m.train()
    loss, nll = m.loss(src, src_len, tgt_in, tgt_out)
    loss.backward()
    no_grad = [n for n, p in m.named_parameters() if p.grad is None]
    assert not no_grad, f"parameters that get no gradient: {no_grad}"
    assert torch.isfinite(loss) and float(nll) > 0


def test_dot_attention_with_bidirectional_encoder_is_a_config_error():
    with pytest.raises(ConfigError, match="dot"):
        Seq2Seq(
            ModelConfig(emb_size=8, hidden_size=16, attention="dot", bidirectional=True),
            SRC_V,
            TGT_V,
        )
    Seq2Seq(
        ModelConfig(emb_size=8, hidden_size=16, attention="dot", bidirectional=False), SRC_V, TGT_V
    )


def test_unknown_attention_is_a_config_error():
    with pytest.raises(ConfigError, match="attention"):
        Seq2Seq(ModelConfig(emb_size=8, hidden_size=16, attention="luong"), SRC_V, TGT_V)


# ---- loss ----------------------------------------------------------------------------------------


def test_loss_ignores_padding_and_nll_is_the_summed_cross_entropy():
    m = tiny_model()
    src, src_len, tgt_in, tgt_out, _, tgts = random_batch()
    with torch.no_grad():
        loss, nll = m.loss(src, src_len, tgt_in, tgt_out)
        logits, _ = m(src, src_len, tgt_in)
    logp = torch.log_softmax(logits, -1)
    manual = [-logp[i, t, tgt_out[i, t]] for i in range(len(tgts)) for t in range(len(tgts[i]))]
    n_real = sum(len(t) for t in tgts)
    assert len(manual) == n_real < tgt_out.numel()  # the batch does hold padding
    assert float(nll) == pytest.approx(float(sum(manual)), rel=1e-5)
    assert float(loss) == pytest.approx(float(sum(manual)) / n_real, rel=1e-5)
    # changing what sits in padded target positions changes nothing
    garbage = tgt_in.clone()
    garbage[tgt_out == PAD_ID] = 5
    with torch.no_grad():
        _, nll2 = m.loss(src, src_len, garbage, tgt_out)
    assert float(nll2) == pytest.approx(float(nll), rel=1e-6)


@torch.no_grad()
def test_label_smoothing_changes_only_the_optimised_loss():
    m = tiny_model()
    src, src_len, tgt_in, tgt_out, *_ = random_batch()
    loss0, nll0 = m.loss(src, src_len, tgt_in, tgt_out, label_smoothing=0.0)
    loss1, nll1 = m.loss(src, src_len, tgt_in, tgt_out, label_smoothing=0.3)
    assert float(nll0) == pytest.approx(float(nll1), rel=1e-6)
    assert float(loss0) != pytest.approx(float(loss1), rel=1e-4)
    flat_logits = m(src, src_len, tgt_in)[0].reshape(-1, TGT_V)
    ref = F.cross_entropy(
        flat_logits, tgt_out.reshape(-1), ignore_index=PAD_ID, label_smoothing=0.3
    )
    assert float(loss1) == pytest.approx(float(ref), rel=1e-5)


def test_padding_embeddings_are_zero_and_stay_zero():
    m = tiny_model()
    assert torch.equal(m.encoder.embed.weight[PAD_ID], torch.zeros(8))
    assert torch.equal(m.decoder.embed.weight[PAD_ID], torch.zeros(8))
    src, src_len, tgt_in, tgt_out, *_ = random_batch()
    m.train()
    loss, _ = m.loss(src, src_len, tgt_in, tgt_out)
    loss.backward()
    assert torch.equal(m.encoder.embed.weight.grad[PAD_ID], torch.zeros(8))


# ---- rounded source widths (fewer shapes for the kernel caches) ----------------------------------


@pytest.mark.parametrize("decoder", ["bahdanau", "luong"])
def test_a_source_padded_to_the_training_multiple_changes_nothing(decoder):
    m = tiny_model(decoder=decoder)
    _, src_len, tgt_in, tgt_out, srcs, _ = random_batch(src_lengths=(3, 9, 5))
    exact = pad(srcs)
    wide = pad(srcs, multiple=Seq2Seq.SOURCE_WIDTH_MULTIPLE)
    assert exact.size(1) == 10 and wide.size(1) == 16  # 9 words + </s>, rounded up to 8s
    with torch.no_grad():
        logits, attn = m(exact, src_len, tgt_in)
        logits_wide, attn_wide = m(wide, src_len, tgt_in)
        loss = m.loss(exact, src_len, tgt_in, tgt_out)
        loss_wide = m.loss(wide, src_len, tgt_in, tgt_out)
    torch.testing.assert_close(logits_wide, logits, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(attn_wide[:, :, :10], attn, atol=1e-6, rtol=1e-5)
    assert (attn_wide[:, :, 10:] == 0).all()  # the added padding gets exactly zero weight
    torch.testing.assert_close(attn_wide.sum(-1), torch.ones(attn_wide.shape[:2]))
    for a, b in zip(loss, loss_wide, strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)
