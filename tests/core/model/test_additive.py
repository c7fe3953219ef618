"""Additive attention scores with recomputed energies: the same values and gradients as the plain
expression, and a training step that no longer keeps tanh(q + keys) for each decoder step."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import core.model.additive as additive
from core.config import preset
from core.model.additive import additive_scores
from core.model.seq2seq import Seq2Seq


def _plain(q, keys, v):
    return torch.tanh(q.unsqueeze(2) + keys.unsqueeze(1)) @ v


def _inputs(dtype=torch.float64, b=3, t=5, s=7, a=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(
        torch.randn(*shape, generator=g, dtype=dtype, requires_grad=True)
        for shape in ((b, t, a), (b, s, a), (a,))
    )


def test_gradients_pass_gradcheck():
    assert torch.autograd.gradcheck(additive_scores, _inputs())


@pytest.mark.parametrize("chunk", [1, 2, 1 << 22])  # one step, ragged chunks, all at once
def test_values_and_gradients_equal_the_plain_expression(chunk, monkeypatch):
    monkeypatch.setattr(additive, "CHUNK_ELEMENTS", chunk * 3 * 7 * 4)
    ours, plain = _inputs(torch.float32), _inputs(torch.float32)
    out = additive_scores(*ours)
    ref = _plain(*plain)
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
    ref = _plain(q.detach().float(), keys.detach().float(), v32.detach())
    torch.testing.assert_close(out.float(), ref, rtol=0.05, atol=0.05)


def _saved_bytes(model: Seq2Seq, batch) -> int:
    """Bytes of the distinct tensors autograd keeps for the backward pass of one loss."""
    storages: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model.loss(*batch)
    return sum(storages.values())


@pytest.mark.parametrize("decoder", ["bahdanau", "luong"])
def test_a_training_step_keeps_no_energies(decoder, monkeypatch):
    cfg = dataclasses.replace(preset("tiny").model, decoder=decoder, dropout=0.0)
    torch.manual_seed(0)
    model = Seq2Seq(cfg, 50, 50)
    b, s, t = 16, 30, 25
    src = torch.randint(4, 50, (b, s))
    tgt = torch.randint(4, 50, (b, t + 1))
    batch = (src, torch.full((b,), s), tgt[:, :-1], tgt[:, 1:])
    recomputed = _saved_bytes(model, batch)
    monkeypatch.setattr("core.model.seq2seq.additive_scores", _plain)
    kept = _saved_bytes(model, batch)
    energies = b * s * t * cfg.hidden_size * 4  # every step's tanh(q + keys), fp32
    # the plain expression keeps them all; ours keeps each step's query (B × A) instead
    assert kept - recomputed >= 0.9 * energies
