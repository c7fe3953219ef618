"""core.model.products: fp32 products through oneDNN, the same values as PyTorch's own."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from core.model import products
from core.model.loss import projected_loss, token_loss


@pytest.fixture(params=["onednn", "plain"])
def onednn(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test runs with oneDNN's products where this PyTorch has them, and without."""
    on = request.param == "onednn"
    if on and not products._onednn_works():
        pytest.skip("this PyTorch has no oneDNN linear operation")
    monkeypatch.setattr(products, "ONEDNN_FP32", on)
    return on


def _randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def test_the_check_finds_onednn_in_this_build() -> None:
    # the CPU wheels of PyTorch carry oneDNN: if this fails, every fp32 product has silently
    # fallen back to the plain path
    assert products._onednn_works() is torch.backends.mkldnn.is_available()


@pytest.mark.usefixtures("onednn")
@pytest.mark.parametrize("layout", ["contiguous", "transposed view"])
def test_linear_and_mm_equal_the_plain_products(layout: str) -> None:
    x, b = _randn(37, 48), _randn(29, seed=1)
    w = _randn(29, 48, seed=2) if layout == "contiguous" else _randn(48, 29, seed=2).t()
    torch.testing.assert_close(products.linear(x, w, b), F.linear(x, w, b))
    torch.testing.assert_close(products.linear(x, w), x @ w.t())
    torch.testing.assert_close(products.mm(x, w.t(), b), torch.addmm(b, x, w.t()))
    # an input that is a slice of a wider buffer, a batch of matrices
    wide = _randn(37, 3, 48, seed=3)
    torch.testing.assert_close(products.linear(wide[:, 1], w), wide[:, 1] @ w.t())
    torch.testing.assert_close(
        products.linear(wide.transpose(0, 1), w), wide.transpose(0, 1) @ w.t()
    )


@pytest.mark.usefixtures("onednn")
def test_a_weight_sliced_from_a_wider_matrix_is_still_right() -> None:
    # (oneDNN runs such a weight through a reference kernel ~1,000× slower: it goes to the
    # plain product instead; the value is what matters here)
    x, wide = _randn(16, 20), _randn(30, 50, seed=1)
    w = wide[:, 10:30]
    torch.testing.assert_close(products.linear(x, w), x @ w.t())


def test_a_sliced_weight_never_reaches_onednn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(products, "ONEDNN_FP32", True)
    called = []

    class Spy:
        @staticmethod
        def _linear_pointwise(*args):
            called.append(args)
            raise AssertionError("reached oneDNN")

    monkeypatch.setattr(torch.ops, "mkldnn", Spy)
    x, wide = _randn(4, 6), _randn(8, 12, seed=1)
    products.linear(x, wide[:, 3:9])
    assert called == []
    with pytest.raises(AssertionError, match="reached oneDNN"):
        products.linear(x, wide[:, 3:9].contiguous())


@pytest.mark.usefixtures("onednn")
def test_bf16_fp64_and_autograd_go_to_the_plain_product() -> None:
    x, w = _randn(8, 16), _randn(4, 16, seed=1)
    for dtype in (torch.bfloat16, torch.float64):
        got = products.linear(x.to(dtype), w.to(dtype))
        assert got.dtype == dtype
        assert torch.equal(got, F.linear(x.to(dtype), w.to(dtype)))
    xg = x.clone().requires_grad_()
    products.linear(xg, w).sum().backward()
    torch.testing.assert_close(xg.grad, w.sum(0).expand_as(x))
    # a bias that needs its gradient is enough to keep the product in autograd
    bias = torch.zeros(4, requires_grad=True)
    products.linear(x, w, bias).sum().backward()
    torch.testing.assert_close(bias.grad, torch.full((4,), 8.0))


@pytest.mark.usefixtures("onednn")
def test_the_fused_loss_and_its_gradients_equal_the_reference_in_fp32() -> None:
    rows = _randn(70, 24).requires_grad_()
    weight = (_randn(300, 24, seed=1) * 0.3).requires_grad_()
    targets = torch.randint(4, 300, (70,), generator=torch.Generator().manual_seed(2))
    targets[-5:] = 0  # PAD_ID rows count for nothing
    loss, nll = projected_loss(rows, weight, targets, 0.1)
    loss.backward()
    r2, w2 = rows.detach().clone().requires_grad_(), weight.detach().clone().requires_grad_()
    ref, ref_nll = token_loss((r2 @ w2.t()).unsqueeze(0), targets.unsqueeze(0), 0.1)
    ref.backward()
    torch.testing.assert_close(loss, ref)
    torch.testing.assert_close(nll, ref_nll)
    torch.testing.assert_close(rows.grad, r2.grad)
    torch.testing.assert_close(weight.grad, w2.grad)


def test_by_default_each_shape_goes_where_it_was_measured_faster(monkeypatch) -> None:
    if not products._onednn_works():
        pytest.skip("this PyTorch has no oneDNN linear operation")
    monkeypatch.setattr(products, "ONEDNN_FP32", None)
    monkeypatch.setattr(products, "_faster", {})
    x, w = _randn(33, 40), _randn(50, 40, seed=1)
    torch.testing.assert_close(products.linear(x, w), F.linear(x, w))
    key = (33, 40, 50, torch.get_num_threads())
    assert list(products._faster) == [key]
    # the verdict is kept: a second call of that shape times nothing, and what it says is used
    monkeypatch.setattr(products, "_best_of_three", lambda run: pytest.fail("timed again"))
    products.linear(x, w)
    products._faster[key] = False
    called = []
    real = torch.ops.mkldnn._linear_pointwise

    class Spy:
        @staticmethod
        def _linear_pointwise(*args):
            called.append(args)
            return real(*args)

    monkeypatch.setattr(torch.ops, "mkldnn", Spy)
    products.linear(x, w)
    assert called == []
    products._faster[key] = True
    products.linear(x, w)
    assert len(called) == 1
