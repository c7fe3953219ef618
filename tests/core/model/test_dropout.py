"""core.model.dropout: the same dropout as nn.Dropout, with its CPU mask cut from 64-bit draws."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import core.native as native
from core.model.dropout import Dropout, dropout


@pytest.fixture(params=["kernels", "pytorch"], autouse=True)
def mask_source(request, monkeypatch):
    """Every test twice: the mask drawn in one pass by the compiled kernels, and cut from
    PyTorch's 64-bit draws (where there are no kernels)."""
    if request.param == "pytorch":
        monkeypatch.setattr(native, "ENABLED", False)
    elif not native.available():
        pytest.skip(f"no compiled kernels here: {native.unavailable_reason()}")
    return request.param


def test_eval_and_zero_p_return_the_input_itself() -> None:
    x = torch.randn(4, 5)
    assert Dropout(0.3).eval()(x) is x
    assert dropout(x, 0.0, True) is x


def test_training_drops_about_p_and_scales_the_rest_exactly() -> None:
    torch.manual_seed(0)
    x = torch.randn(400, 500)
    y = Dropout(0.3).train()(x)
    dropped = y == 0
    assert abs(dropped.float().mean().item() - 0.3) < 0.01
    torch.testing.assert_close(y[~dropped], x[~dropped] / 0.7, rtol=1e-6, atol=0)


def test_the_gradient_is_the_same_mask_and_scale() -> None:
    torch.manual_seed(1)
    x = torch.randn(300, 200, requires_grad=True)
    y = dropout(x, 0.25, True)
    y.backward(torch.ones_like(y))
    kept = y.detach() != 0
    torch.testing.assert_close(x.grad[kept], torch.full_like(x.grad[kept], 1 / 0.75))
    assert (x.grad[~kept] == 0).all()


def test_bf16_stays_bf16_forward_and_backward() -> None:
    x = torch.randn(64, 512, dtype=torch.bfloat16, requires_grad=True)
    y = dropout(x, 0.3, True)
    y.sum().backward()
    assert y.dtype == torch.bfloat16 and x.grad.dtype == torch.bfloat16


def test_a_seeded_run_repeats_its_masks() -> None:
    x = torch.randn(50, 60)
    torch.manual_seed(7)
    a = dropout(x, 0.5, True)
    torch.manual_seed(7)
    b = dropout(x, 0.5, True)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_p_one_drops_everything_and_bad_p_is_refused() -> None:
    assert (dropout(torch.randn(3, 3), 1.0, True) == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        Dropout(1.5)


def test_the_models_use_it_and_have_no_torch_dropout_left() -> None:
    from core.config import preset
    from core.model.build import build_model

    for arch in ("gru", "transformer"):
        model = build_model(preset("tiny", arch).model, 30, 30)
        kinds = {type(m) for m in model.modules()}
        assert Dropout in kinds and nn.Dropout not in kinds, arch


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_every_16_bit_lane_of_a_draw_drops_at_rate_p(p: float) -> None:
    """Each mask element comes from one of four 16-bit lanes of a 64-bit draw: a lane whose
    bits were not uniform (the sign bit of a bounded draw is always 0) would drop at another
    rate than the others, so every lane is checked on its own."""
    torch.manual_seed(3)
    y = dropout(torch.ones(4096, 64), p, True)
    for lane in range(4):
        dropped = (y.view(-1, 4)[:, lane] == 0).float().mean().item()
        assert abs(dropped - p) < 0.01, (lane, dropped)


def test_an_odd_number_of_elements_gets_a_whole_mask() -> None:
    torch.manual_seed(4)
    x = torch.ones(3, 7, 5)  # 105 elements: not a whole number of 64-bit draws
    y = dropout(x, 0.5, True)
    assert y.shape == x.shape and set(y.unique().tolist()) <= {0.0, 2.0}


def test_nothing_is_kept_for_the_backward_pass_where_the_kernels_draw_the_mask(mask_source):
    x = torch.randn(64, 300, requires_grad=True)
    y = dropout(x, 0.3, True)
    saved = y.grad_fn.saved_tensors if hasattr(y.grad_fn, "saved_tensors") else ()
    assert (len(saved) == 0) == (mask_source == "kernels")


def test_a_view_that_is_not_contiguous_is_dropped_like_its_copy():
    x = torch.randn(40, 30).t()  # not contiguous
    torch.manual_seed(5)
    a = dropout(x, 0.4, True)
    torch.manual_seed(5)
    b = dropout(x.contiguous(), 0.4, True)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
