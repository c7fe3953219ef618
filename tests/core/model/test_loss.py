"""The chunked training loss equals the whole-batch one it replaces: value, NLL and gradients.

``token_loss`` (one log-softmax over the (B, T, V) logits) is the reference; ``projected_loss``
is what the models train with. Both model families are checked end to end, every parameter's
gradient included.
"""

from __future__ import annotations

import pytest
import torch

from core.data.vocab import PAD_ID
from core.model import row_blocks
from core.model.loss import ROW_MULTIPLE, projected_loss, target_rows, token_loss
from tests.core.model.test_seq2seq import random_batch, tiny_model
from tests.core.model.test_transformer import _batch
from tests.core.model.test_transformer import _model as tiny_transformer

torch.set_num_threads(1)


def _case(seed: int = 0, b: int = 6, t: int = 9, d: int = 16, v: int = 37):
    """States, projection weight and targets with real padding (rows of different lengths)."""
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(b, t, d, generator=g, requires_grad=True)
    w = torch.randn(v, d, generator=g, requires_grad=True)
    tgt = torch.randint(4, v, (b, t), generator=g)
    for i in range(b):
        tgt[i, t - i :] = PAD_ID  # row i has i padding positions
    return h, w, tgt


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("chunk", [8, 13, 512])
def test_chunked_loss_equals_the_whole_batch_loss(monkeypatch, smoothing, chunk):
    monkeypatch.setattr(row_blocks, "BLOCK_ROWS", chunk)
    monkeypatch.setattr(row_blocks, "SMALLEST_ROWS", 2)
    h, w, tgt = _case()
    ref, ref_nll = token_loss(h @ w.t(), tgt, smoothing)
    ref.backward()
    ref_gh, ref_gw = h.grad.clone(), w.grad.clone()
    h.grad, w.grad = None, None

    rows, targets = target_rows(h, tgt)
    got, got_nll = projected_loss(rows, w, targets, smoothing)
    (2.0 * got).backward()  # the incoming gradient is applied, not assumed to be 1
    assert torch.allclose(got, ref, atol=1e-6)
    assert torch.allclose(got_nll, ref_nll, atol=1e-5)
    assert torch.allclose(h.grad, 2.0 * ref_gh, atol=1e-6)
    assert torch.allclose(w.grad, 2.0 * ref_gw, atol=1e-6)
    assert not got_nll.requires_grad


def test_target_rows_keep_real_positions_only_rounded_up_with_ignored_rows():
    h, _, tgt = _case()
    rows, targets = target_rows(h, tgt)
    real = int((tgt != PAD_ID).sum())
    assert rows.size(0) % ROW_MULTIPLE == 0 and real <= rows.size(0) < real + ROW_MULTIPLE
    assert torch.equal(rows[:real], h[tgt != PAD_ID])
    assert torch.equal(targets[:real], tgt[tgt != PAD_ID])
    # the added rows repeat the first position's state and are ignored (PAD_ID targets)
    assert torch.equal(rows[real:], h[0, 0].expand(rows.size(0) - real, -1))
    assert (targets[real:] == PAD_ID).all()


def test_padding_positions_get_no_gradient():
    h, w, tgt = _case()
    rows, targets = target_rows(h, tgt)
    projected_loss(rows, w, targets, 0.1)[0].backward()
    assert (h.grad[tgt == PAD_ID] == 0).all()
    assert (h.grad[tgt != PAD_ID].abs().sum(-1) > 0).all()


def test_under_bf16_autocast_it_follows_the_whole_loss_and_keeps_fp32_gradients():
    h, w, tgt = _case(v=300)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ref, _ = token_loss(torch.nn.functional.linear(h, w), tgt, 0.1)
        rows, targets = target_rows(h, tgt)
        got, _ = projected_loss(rows, w, targets, 0.1)
    ref.backward()
    ref_gw = w.grad.clone()
    w.grad = None
    got.backward()
    assert w.grad.dtype == torch.float32
    assert abs(got.item() - ref.item()) < 0.02 * ref.item()
    assert torch.allclose(w.grad, ref_gw, atol=0.02 * ref_gw.abs().max().item())


def _grads(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def _compare_with_whole(model, batch, logits_fn, smoothing=0.1):
    src, src_len, tgt_in, tgt_out = batch
    ref, ref_nll = token_loss(logits_fn(src, src_len, tgt_in), tgt_out, smoothing)
    ref.backward()
    ref_grads = _grads(model)
    model.zero_grad(set_to_none=True)
    got, got_nll = model.loss(src, src_len, tgt_in, tgt_out, smoothing)
    got.backward()
    got_grads = _grads(model)
    assert torch.allclose(got, ref, atol=1e-5) and torch.allclose(got_nll, ref_nll, atol=1e-4)
    assert ref_grads.keys() == got_grads.keys()
    for name, g in ref_grads.items():
        assert torch.allclose(got_grads[name], g, atol=1e-5), name


@pytest.mark.parametrize("attention", ["bahdanau", "general"])
def test_gru_model_loss_is_the_whole_loss_of_its_logits(attention):
    model = tiny_model(attention=attention)
    src, src_len, tgt_in, tgt_out, _, _ = random_batch()
    _compare_with_whole(model, (src, src_len, tgt_in, tgt_out), lambda s, n, t: model(s, n, t)[0])


def test_transformer_loss_is_the_whole_loss_of_its_training_logits():
    model = tiny_transformer()
    _compare_with_whole(model, _batch(), lambda s, n, t: model.train_logits(s, t))


def test_without_autograd_the_value_is_the_same():
    h, w, tgt = _case()
    with torch.no_grad():
        ref, ref_nll = token_loss(h @ w.t(), tgt, 0.1)
        rows, targets = target_rows(h, tgt)
        got, got_nll = projected_loss(rows, w, targets, 0.1)
    assert torch.allclose(got, ref, atol=1e-6) and torch.allclose(got_nll, ref_nll, atol=1e-5)
