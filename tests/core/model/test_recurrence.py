"""core.model.recurrence: the Bahdanau decoder's recurrence as one operation computes what the
step-by-step decoder computes, values and every gradient, with padding at weight 0."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from core import native
from core.config import ModelConfig
from core.data.vocab import PAD_ID
from core.model import recurrence, seq2seq
from core.model.recurrence import bahdanau_recurrence, gru_layer
from core.model.seq2seq import Seq2Seq

CFG = ModelConfig(emb_size=6, hidden_size=5, dropout=0.0)


def _batch(seed: int = 0, b: int = 3, s: int = 6, t: int = 5, v: int = 17):
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(4, v, (b, s), generator=g)
    src_len = torch.tensor([s, s - 2, 2][:b])
    for i, n in enumerate(src_len.tolist()):
        src[i, n:] = PAD_ID
    tgt_in = torch.randint(4, v, (b, t), generator=g)
    tgt_out = torch.randint(4, v, (b, t), generator=g)
    tgt_out[2, 3:] = PAD_ID
    return src, src_len, tgt_in, tgt_out


def _model(dtype: torch.dtype = torch.float32, **kw) -> Seq2Seq:
    torch.manual_seed(3)
    return Seq2Seq(dataclasses.replace(CFG, **kw), 17, 17).to(dtype).train()


@pytest.fixture(autouse=True, params=["exact", "rounded"])
def _buffer_sizes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test twice: with these tiny shapes every buffer is below ROUNDED_FROM, so the
    second run rounds all of them up to their size class (views of larger storage)."""
    if request.param == "rounded":
        monkeypatch.setattr(recurrence, "ROUNDED_FROM", 1)


def test_whole_sequence_buffers_come_in_four_sizes_per_doubling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recurrence, "ROUNDED_FROM", 1 << 17)
    cpu = torch.device("cpu")
    sizes = set()
    for numel in range(1 << 16, 1 << 17, 97):  # 256 to 512 KiB of fp32
        t = recurrence._empty((numel,), torch.float32, cpu)
        assert t.shape == (numel,) and t.is_contiguous()
        storage = t.untyped_storage().nbytes()
        assert 4 * numel <= storage <= 1.25 * 4 * numel
        sizes.add(storage)
    assert sizes == {(1 << 18) * m // 4 for m in (5, 6, 7, 8)} | {1 << 18}
    small = recurrence._empty((3, 5), torch.bfloat16, cpu)  # below ROUNDED_FROM: exact
    assert small.untyped_storage().nbytes() == 30


def _stepwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seq2seq, "FUSED_RECURRENCE", False)


def _loss_and_grads(model: Seq2Seq, batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    model.zero_grad()
    loss, _ = model.loss(*batch, label_smoothing=0.1)
    loss.backward()
    return loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters()}


def test_training_on_the_cpu_uses_it_and_evaluation_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    import core.model.seq2seq as seq2seq

    real = seq2seq.bahdanau_recurrence
    monkeypatch.setattr(seq2seq, "bahdanau_recurrence", lambda *a: calls.append(1) or real(*a))
    model = _model()
    model.loss(*_batch())
    assert calls == [1]
    with torch.no_grad():
        model.loss(*_batch())
    model.eval()
    model.loss(*_batch())
    assert calls == [1]
    for kw in ({"decoder": "luong"}, {"dec_layers": 2}, {"attention": "general"}):
        _model(**kw).loss(*_batch())
    assert calls == [1]


@pytest.mark.parametrize("block_rows", [1024, 6])
def test_loss_and_every_gradient_equal_the_stepwise_decoder(
    monkeypatch: pytest.MonkeyPatch, block_rows: int
) -> None:
    # 6 rows: blocks of 2 steps for a batch of 3 (5 steps: 2 + 2 + 1), as a long batch has
    monkeypatch.setattr(recurrence, "BLOCK_ROWS", block_rows)
    batch = _batch()
    model = _model(torch.float64)
    fused_loss, fused = _loss_and_grads(model, batch)
    _stepwise(monkeypatch)
    ref_loss, ref = _loss_and_grads(model, batch)
    torch.testing.assert_close(fused_loss, ref_loss, rtol=1e-12, atol=0)
    assert fused.keys() == ref.keys()
    # the stepwise decoder takes its softmax in fp32 even here, so agreement is to fp32's
    # precision; gradcheck below checks this operation's own backward in fp64
    for name in ref:
        scale = ref[name].abs().max()
        torch.testing.assert_close(fused[name], ref[name], rtol=1e-5, atol=1e-5 * scale)
    # the decoder's weights did get a gradient (not all zero), through every path
    for name in ("decoder.cells.0.weight_hh", "decoder.attention.query_layer.weight",
                 "decoder.attention.energy.weight", "encoder.embed.weight"):  # fmt: skip
        assert fused[name].abs().sum() > 0, name


def _native(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """The compiled attention and loss kernels (core.native) in use where they build, or not."""
    if not on:
        monkeypatch.setattr(native, "ENABLED", False)


@pytest.mark.parametrize("native_on", [True, False])
@pytest.mark.parametrize("onednn", [True, False])
def test_every_gradient_equals_the_stepwise_decoder_in_fp32(
    monkeypatch: pytest.MonkeyPatch, onednn: bool, native_on: bool
) -> None:
    # fp32 products go through oneDNN where this PyTorch has it (core.model.products)
    from core.model import products

    monkeypatch.setattr(products, "ONEDNN_FP32", onednn)
    _native(monkeypatch, native_on)
    batch = _batch(seed=5)
    model = _model()
    fused_loss, fused = _loss_and_grads(model, batch)
    _stepwise(monkeypatch)
    ref_loss, ref = _loss_and_grads(model, batch)
    torch.testing.assert_close(fused_loss, ref_loss, rtol=1e-5, atol=0)
    for name in ref:
        scale = ref[name].abs().max()
        torch.testing.assert_close(fused[name], ref[name], rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("native_on", [True, False])
def test_features_and_attention_equal_the_stepwise_decoder_in_fp32(
    monkeypatch: pytest.MonkeyPatch, native_on: bool
) -> None:
    _native(monkeypatch, native_on)
    src, src_len, tgt_in, _ = _batch(seed=4)
    model = _model()
    features, attn = model.teacher_forced(src, src_len, tgt_in)
    _stepwise(monkeypatch)
    ref_features, ref_attn = model.teacher_forced(src, src_len, tgt_in)
    torch.testing.assert_close(features, ref_features, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(attn, ref_attn, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(attn.sum(-1), torch.ones(attn.shape[:2]))
    padding = (src == PAD_ID).unsqueeze(1).expand_as(attn)
    assert (attn[padding] == 0).all()


@pytest.mark.parametrize("block_rows", [1024, 4])
def test_gradcheck_of_the_operation_itself(
    monkeypatch: pytest.MonkeyPatch, block_rows: int
) -> None:
    monkeypatch.setattr(recurrence, "BLOCK_ROWS", block_rows)  # 4: blocks of 2 steps, then 1
    g = torch.Generator().manual_seed(7)
    b, s, t, e, k, h, a = 2, 4, 3, 3, 4, 3, 2

    def r(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)

    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    inputs = (r(b, t, e), r(b, h), r(b, s, a), r(b, s, k), mask, r(a, h), r(a),
              r(3 * h, e + k), r(3 * h), r(3 * h, h), r(3 * h))  # fmt: skip

    def states_and_contexts(*x):
        states, contexts, _ = bahdanau_recurrence(*x, release=False)
        return states, contexts

    assert torch.autograd.gradcheck(states_and_contexts, inputs)


@pytest.mark.parametrize("native_on", [True, False])
def test_bf16_autocast_stays_close_to_the_stepwise_decoder(
    monkeypatch: pytest.MonkeyPatch, native_on: bool
) -> None:
    _native(monkeypatch, native_on)
    batch = _batch(seed=2)
    model = _model(hidden_size=16, emb_size=16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        fused_loss, fused = _loss_and_grads(model, batch)
    _stepwise(monkeypatch)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ref_loss, ref = _loss_and_grads(model, batch)
    torch.testing.assert_close(fused_loss, ref_loss, rtol=2e-2, atol=0)
    for name in ref:
        cos = torch.nn.functional.cosine_similarity(
            fused[name].flatten(), ref[name].flatten(), dim=0
        )
        assert cos > 0.99, (name, cos.item())
        assert fused[name].dtype == torch.float32


def test_gradcheck_of_gru_layers_over_padded_sentences() -> None:
    g = torch.Generator().manual_seed(11)
    d, b, s, h = 2, 3, 5, 3

    def r(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)

    mask = torch.arange(s) < torch.tensor([5, 3, 1]).unsqueeze(1)
    masks = torch.stack([mask, mask.flip(1)])  # the second one's padding comes first
    inputs = (r(d, b, s, 3 * h), r(d, b, h), r(d, 3 * h, h), r(d, 3 * h), masks)
    assert torch.autograd.gradcheck(gru_layer, inputs)
    out, final = gru_layer(*inputs)
    assert (out[~masks] == 0).all()
    # the final state is the one after the last real position
    torch.testing.assert_close(final[0, 1], out[0, 1, 2])
    torch.testing.assert_close(final[1, 1], out[1, 1, 4])


def test_positions_past_every_sentence_take_no_step_and_get_no_gradient() -> None:
    """A rounded-up width: the last positions are padding in every row (both directions, as
    the encoder lays the reverse one out), so the layer stops before them."""
    g = torch.Generator().manual_seed(12)
    d, b, s, h = 2, 3, 7, 3

    def r(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)

    mask = torch.arange(s) < torch.tensor([4, 3, 1]).unsqueeze(1)
    masks = torch.stack([mask, torch.cat([mask[:, :4].flip(1), mask[:, 4:]], 1)])
    inputs = (r(d, b, s, 3 * h), r(d, b, h), r(d, 3 * h, h), r(d, 3 * h), masks)
    assert recurrence._live_steps(masks) == 4
    assert torch.autograd.gradcheck(gru_layer, inputs)
    out, final = gru_layer(*inputs)
    assert (out[:, :, 4:] == 0).all() and torch.isfinite(out).all()
    out.sum().backward()
    assert (inputs[0].grad[:, :, 4:] == 0).all()
    # the same sentences without the extra width give the same states and final states
    short = tuple(x.detach()[:, :, :4] if i in (0,) else x.detach() for i, x in enumerate(inputs))
    out4, final4 = gru_layer(*short[:4], masks[:, :, :4])
    torch.testing.assert_close(out[:, :, :4], out4)
    torch.testing.assert_close(final, final4)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])  # fp32: the compiled steps
def test_the_encoder_over_a_rounded_up_width_equals_the_packed_gru_with_gradients(
    monkeypatch: pytest.MonkeyPatch, dtype: torch.dtype
) -> None:
    src, src_len, _, _ = _batch(seed=6)
    src = torch.cat([src, torch.full((src.size(0), 3), PAD_ID)], 1)  # 3 columns of padding
    model = _model(dtype, enc_layers=2)
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == torch.float64 else {"rtol": 1e-5, "atol": 1e-6}

    def run() -> tuple[torch.Tensor, list[torch.Tensor]]:
        model.zero_grad()
        states, final = model.encoder(src, src_len)
        (states.square().sum() + final.sum()).backward()
        return states.detach(), [p.grad.clone() for p in model.encoder.parameters()]

    fused, fused_grads = run()
    _stepwise(monkeypatch)
    ref, ref_grads = run()
    torch.testing.assert_close(fused, ref, **tol)
    for a, e in zip(fused_grads, ref_grads, strict=True):
        torch.testing.assert_close(a, e, **tol)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_the_encoder_equals_the_packed_gru_with_two_layers_and_dropout_between(
    monkeypatch: pytest.MonkeyPatch, bidirectional: bool
) -> None:
    src, src_len, _, _ = _batch(seed=5)
    model = _model(torch.float64, enc_layers=2, bidirectional=bidirectional)
    fused_states, fused_final = model.encoder(src, src_len)
    _stepwise(monkeypatch)
    ref_states, ref_final = model.encoder(src, src_len)
    torch.testing.assert_close(fused_states, ref_states, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(fused_final, ref_final, rtol=1e-12, atol=1e-12)
    monkeypatch.undo()
    torch.manual_seed(0)
    dropped, _ = _model(enc_layers=2, dropout=0.5).encoder(src, src_len)
    assert (dropped[src == PAD_ID] == 0).all()


def test_a_second_backward_pass_needs_release_false() -> None:
    g = torch.Generator().manual_seed(3)
    args = [torch.randn(*shape, generator=g, requires_grad=True) for shape in
            ((2, 3, 3), (2, 3), (2, 4, 2), (2, 4, 4))]  # fmt: skip
    weights = [torch.randn(*shape, generator=g, requires_grad=True) for shape in
               ((2, 3), (2,), (9, 7), (9,), (9, 3), (9,))]  # fmt: skip
    mask = torch.ones(2, 4, dtype=torch.bool)
    for release in (False, True):
        states, _, _ = bahdanau_recurrence(*args, mask, *weights, release=release)
        first = torch.autograd.grad(states.sum(), args[0], retain_graph=True)[0]
        if release:
            with pytest.raises(RuntimeError, match="release=False"):
                torch.autograd.grad(states.sum(), args[0])
        else:
            torch.testing.assert_close(torch.autograd.grad(states.sum(), args[0])[0], first)


def test_evaluation_under_autocast_runs_the_recurrence_without_dropout_and_as_the_packed_gru(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bf16 run's validation: the encoder in eval mode under autocast steps through gru_layer
    (a few product shapes), drops nothing between its layers, and computes what the packed
    ``nn.GRU`` does; without autocast (fp32 translation) it keeps the packed call."""
    src, src_len, _, _ = _batch(seed=7)
    src = torch.cat([src, torch.full((src.size(0), 5), PAD_ID)], 1)  # a rounded-up width
    model = _model(enc_layers=2, dropout=0.5).eval()
    calls = []
    layer = seq2seq.gru_layer

    def counting_layer(*args):
        calls.append(args[0].shape)
        return layer(*args)

    monkeypatch.setattr(seq2seq, "gru_layer", counting_layer)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        fused, fused_final = model.encoder(src, src_len)
        assert len(calls) == 2  # one call per layer, both directions at once
        model.encoder(src, src_len)
        assert len(calls) == 4  # no dropout: the same states twice
        again, _ = model.encoder(src, src_len)
        torch.testing.assert_close(again, fused, rtol=0, atol=0)
    with torch.inference_mode():
        plain, plain_final = model.encoder(src, src_len)
    assert len(calls) == 6  # without autocast: the packed call, not gru_layer
    torch.testing.assert_close(fused.float(), plain, rtol=0.05, atol=0.02)
    torch.testing.assert_close(fused_final.float(), plain_final, rtol=0.05, atol=0.02)
    assert (fused[src == PAD_ID] == 0).all()
