"""Additive attention scores with recomputed energies: the same values and gradients as the plain
expression, and a training step that no longer keeps tanh(q + keys) for each decoder step."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import core.model.additive as additive
from core.config import preset
from core.model.additive import additive_scores, kept_additive_scores
from core.model.seq2seq import Seq2Seq


def _inputs(dtype=torch.float64, b=3, t=5, s=7, a=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(
        torch.randn(*shape, generator=g, dtype=dtype, requires_grad=True)
        for shape in ((b, t, a), (b, s, a), (a,))
    )


def test_gradients_pass_gradcheck():
    assert torch.autograd.gradcheck(additive_scores, _inputs())


@pytest.mark.parametrize("chunk", [1, 2, 1 << 22])  # one step, ragged chunks, all at once
def test_values_and_gradients_equal_thekept_additive_scores_expression(chunk, monkeypatch):
    monkeypatch.setattr(additive, "CHUNK_ELEMENTS", chunk * 3 * 7 * 4)
    ours, plain = _inputs(torch.float32), _inputs(torch.float32)
    out = additive_scores(*ours)
    ref = kept_additive_scores(*plain)
    torch.testing.assert_close(out, ref)
    weights = torch.randn_like(ref)
    (out * weights).sum().backward()
    (ref * weights).sum().backward()
    for a, b in zip(ours, plain):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-6)


def test_bf16_inputs_give_bf16_scores_and_gradients_in_their_dtypes():
    q, keys, v = (x.detach().requires_grad_() for x in _inputs(torch.bfloat16))
    v32 = v.detach().float().requires_grad_()
    out = additive_scores(q, keys, v32)
    assert out.dtype == torch.bfloat16
    out.float().sum().backward()
    assert (q.grad.dtype, keys.grad.dtype, v32.grad.dtype) == (
        torch.bfloat16,
        torch.bfloat16,
        torch.float32,
    )
    ref = kept_additive_scores(q.detach().float(), keys.detach().float(), v32.detach())
    torch.testing.assert_close(out.float(), ref, rtol=0.05, atol=0.05)


def _saved(model: Seq2Seq, batch, autocast: bool = False) -> dict[int, torch.Tensor]:
    """The distinct storages autograd keeps for the backward pass of one loss, one tensor each."""
    storages: dict[int, torch.Tensor] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storages.setdefault(t.untyped_storage().data_ptr(), t)
        return t

    with (
        torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast),
        torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t),
    ):
        model.loss(*batch)
    return storages


def _model_and_batch(decoder: str, b: int = 16, s: int = 30, t: int = 25):
    cfg = dataclasses.replace(preset("tiny").model, decoder=decoder, dropout=0.0)
    torch.manual_seed(0)
    model = Seq2Seq(cfg, 50, 50)
    src = torch.randint(4, 50, (b, s))
    tgt = torch.randint(4, 50, (b, t + 1))
    return model, (src, torch.full((b,), s), tgt[:, :-1], tgt[:, 1:]), cfg


def _nbytes(storages: dict[int, torch.Tensor]) -> int:
    return sum(t.untyped_storage().nbytes() for t in storages.values())


def test_a_luong_training_step_keeps_no_energies(monkeypatch):
    model, batch, cfg = _model_and_batch("luong")
    recomputed = _nbytes(_saved(model, batch))
    monkeypatch.setattr("core.model.seq2seq.additive_scores", kept_additive_scores)
    kept = _nbytes(_saved(model, batch))
    (b, s), t = batch[0].shape, batch[2].size(1)
    energies = b * t * s * cfg.hidden_size * 4  # tanh(q + keys) of every step, fp32
    assert kept - recomputed >= 0.75 * energies  # ours keeps the (B, T, A) queries instead


def test_a_bahdanau_step_under_autocast_keeps_the_encoder_states_once():
    model, batch, _ = _model_and_batch("bahdanau")
    saved = _saved(model, batch, autocast=True)
    shape = (batch[0].size(1), model.encoder.output_size)  # (S, K)
    states = [x for x in saved.values() if x.dim() == 3 and x.shape[1:] == shape]
    # the (B, S, K) encoder states: once as the context's operand (not cast anew per step)
    assert [x.dtype for x in states] == [torch.float32], [(x.shape, x.dtype) for x in states]
