"""A search step through the compiled kernels (core.model.search_step) computes what the
PyTorch step computes, and a search finds the same translations with and without them."""

from __future__ import annotations

import shutil
import sys

import pytest
import torch

import core.native as native
from core.decoding.search import beam_search, greedy
from core.model import search_step
from tests.core.model.test_seq2seq import random_batch, tiny_model

pytestmark = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and (shutil.which("cc") or shutil.which("gcc"))),
    reason="needs Linux and a C compiler",
)


def _encoded(model, lengths=(2, 9, 5, 1)):
    src, src_len, *_ = random_batch(src_lengths=lengths, tgt_lengths=(3,) * len(lengths))
    with torch.no_grad():
        memory, hidden = model.encode(src, src_len)
    return src_len, memory, hidden


def _reference(monkeypatch, fn):
    """``fn()`` with the kernels turned off: the PyTorch step."""
    with monkeypatch.context() as m:
        m.setattr(native, "ENABLED", False)
        return fn()


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_the_attention_equals_the_pytorch_step_and_padding_gets_zero(monkeypatch, dtype):
    model = tiny_model(seed=1, attention="bahdanau").eval()
    src_len, memory, hidden = _encoded(model)
    if dtype == torch.bfloat16:  # a bf16 translator's weights; the reference stays fp32
        reference = model.decoder.attention
        model = tiny_model(seed=1, attention="bahdanau").eval().to(dtype)
        src_len, memory, hidden = _encoded(model)
        with torch.no_grad():
            f32 = type(memory)(memory.values.float(), memory.keys.float(), memory.mask)
            want_c, want_w = _reference(monkeypatch, lambda: reference(hidden[-1].float(), f32))
    else:
        with torch.no_grad():
            want_c, want_w = _reference(
                monkeypatch, lambda: model.decoder.attention(hidden[-1], memory)
            )
    with torch.no_grad():
        got = search_step.additive_attention(model.decoder.attention, hidden[-1], memory)
    assert got is not None, native.unavailable_reason()
    context, weights = got
    assert context.dtype == dtype and weights.dtype == torch.float32
    tol = 1e-5 if dtype == torch.float32 else 3e-2
    torch.testing.assert_close(weights, want_w, rtol=tol, atol=tol)
    torch.testing.assert_close(context.float(), want_c, rtol=tol, atol=tol)
    torch.testing.assert_close(weights.sum(-1), torch.ones(len(src_len)), rtol=0, atol=1e-6)
    for row, n in enumerate(src_len.tolist()):
        assert (weights[row, n:] == 0).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_the_cell_equals_torch_gru_cell(dtype):
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(12, 8).to(dtype)
    x, h = torch.randn(5, 12).to(dtype), torch.randn(5, 8).to(dtype)
    with torch.no_grad():
        got = search_step.gru_cell(cell, x, h)
        want = torch.nn.GRUCell(12, 8)
        want.load_state_dict({k: v.float() for k, v in cell.state_dict().items()})
        want = want(x.float(), h.float())
    assert got is not None and got.dtype == dtype
    tol = 1e-6 if dtype == torch.float32 else 2e-2
    torch.testing.assert_close(got.float(), want, rtol=tol, atol=tol)


def test_steps_that_want_gradients_run_pytorch():
    model = tiny_model(seed=1, attention="bahdanau")
    _, memory, hidden = _encoded(model)
    query = hidden[-1].detach().requires_grad_()
    assert search_step.additive_attention(model.decoder.attention, query, memory) is None
    cell = model.decoder.cells[0]
    assert search_step.gru_cell(cell, torch.randn(4, cell.input_size), query) is None


@pytest.mark.parametrize("beam", [1, 4])
def test_a_search_finds_the_same_translations_with_and_without_the_kernels(monkeypatch, beam):
    model = tiny_model(seed=5, attention="bahdanau").eval()
    src, src_len, *_ = random_batch(src_lengths=(6, 3, 8, 1, 5), tgt_lengths=(3,) * 5)

    def search():
        if beam == 1:
            return greedy(model, src, src_len)
        return beam_search(model, src, src_len, beam=beam)

    want = _reference(monkeypatch, search)
    got = search()
    for g, w in zip(got, want):
        g, w = (g[0], w[0]) if beam > 1 else (g, w)
        assert g.ids == w.ids
        assert g.score == pytest.approx(w.score, abs=1e-4)
        torch.testing.assert_close(torch.as_tensor(g.attention), torch.as_tensor(w.attention))
