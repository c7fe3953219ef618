"""The compiled kernels compute what their PyTorch references compute, and where they cannot be
built the callers fall back to PyTorch with a reason in words."""

from __future__ import annotations

import shutil
import sys

import pytest
import torch

import core.native as native
from core.model.loss import _TINY, _chunk, projected_loss, token_loss
from core.native import build

CAN_BUILD = sys.platform.startswith("linux") and bool(shutil.which("cc") or shutil.which("gcc"))


@pytest.fixture
def fresh(monkeypatch):
    """The module as in a new process: nothing decided, nothing loaded."""
    monkeypatch.setattr(native, "ENABLED", None)
    monkeypatch.setattr(native, "_lib", None)
    monkeypatch.setattr(native, "_why_not", "")
    return native


def _logits(rows: int, vocab: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(rows, vocab, generator=g) * 5
    targets = torch.randint(0, vocab, (rows,), generator=g)
    keep = (torch.rand(rows, generator=g) > 0.3).float()
    return z, targets, keep


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_kernels_build_and_load_where_there_is_a_compiler(fresh):
    assert fresh.available(), fresh.unavailable_reason()
    assert fresh.unavailable_reason() == ""


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("vocab", [37, 1000, 6501])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_smoothed_xent_equals_the_pytorch_chunk(dtype, vocab, smoothing):
    z, targets, keep = _logits(23, vocab, seed=vocab)
    z = z.to(dtype)
    want_loss, want_nll, want_g = _chunk(z.float(), targets, keep, smoothing)
    got = native.smoothed_xent(z, targets, keep, smoothing, grads=True)
    assert got is not None
    loss, nll, g = got
    assert g is not None and g.dtype == dtype and g.shape == z.shape
    torch.testing.assert_close(loss, want_loss, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(nll, want_nll, rtol=1e-5, atol=1e-4)
    # bf16: the same fp32 gradient rounded to bf16 (one rounding either way)
    tol = 1e-6 if dtype == torch.float32 else 8e-3
    torch.testing.assert_close(g.float(), want_g.to(dtype).float(), rtol=tol, atol=tol)
    # the rows kept at 0 get no gradient; every kept row's gradient sums to 0 (softmax − onehot)
    assert torch.all(g.float()[keep == 0] == 0)
    sums = g.float()[keep == 1].sum(1)
    torch.testing.assert_close(
        sums, torch.zeros_like(sums), atol=1e-5 if tol < 1e-3 else 2e-2, rtol=0
    )


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_without_gradients_only_the_sums_are_computed():
    z, targets, keep = _logits(9, 300, seed=1)
    got = native.smoothed_xent(z, targets, keep, 0.1, grads=False)
    assert got is not None and got[2] is None
    want = _chunk(z, targets, keep, 0.1)
    torch.testing.assert_close(got[0], want[0], rtol=1e-5, atol=1e-4)


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_a_gold_token_whose_probability_underflows_counts_as_the_smallest_normal():
    z = torch.zeros(2, 50)
    z[:, 7] = 200.0  # every other token's probability is exp(−200): below fp32's range
    targets = torch.tensor([3, 7])
    got = native.smoothed_xent(z, targets, torch.ones(2), 0.0, grads=True)
    assert got is not None
    _, nll, g = got
    want = -torch.log(torch.tensor(_TINY)) + 0.0  # row 0 at the clamp, row 1 at 0
    torch.testing.assert_close(nll, want, rtol=1e-6, atol=1e-4)
    assert torch.isfinite(g).all()


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_two_threads_give_the_one_thread_result():
    z, targets, keep = _logits(64, 999, seed=3)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = native.smoothed_xent(z, targets, keep, 0.1, grads=True)
        torch.set_num_threads(2)
        two = native.smoothed_xent(z, targets, keep, 0.1, grads=True)
    finally:
        torch.set_num_threads(before)
    assert one is not None and two is not None
    for a, b in zip(one, two):
        assert torch.equal(a, b)


def test_tensors_the_kernel_does_not_take_go_back_to_pytorch():
    z, targets, keep = _logits(4, 30, seed=4)
    assert native.smoothed_xent(z.double(), targets, keep, 0.1, grads=True) is None
    assert native.smoothed_xent(z.t(), targets, keep, 0.1, grads=True) is None  # not contiguous


def test_turned_off_by_the_environment(fresh, monkeypatch):
    monkeypatch.setenv("ATTNSCOPE_NATIVE", "0")
    assert not fresh.available()
    assert "ATTNSCOPE_NATIVE=0" in fresh.unavailable_reason()
    z, targets, keep = _logits(4, 30, seed=5)
    assert fresh.smoothed_xent(z, targets, keep, 0.1, grads=True) is None


def test_a_missing_compiler_is_a_reason_and_the_loss_still_trains(fresh, monkeypatch, tmp_path):
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    monkeypatch.setenv("ATTNSCOPE_HOME", str(tmp_path / "home"))
    assert not fresh.available()
    assert "no-such-cc" in fresh.unavailable_reason()
    # the loss runs its PyTorch code and still equals the reference
    g = torch.Generator().manual_seed(0)
    h = torch.randn(3, 5, 8, generator=g, requires_grad=True)
    w = torch.randn(11, 8, generator=g, requires_grad=True)
    tgt = torch.randint(4, 11, (3, 5), generator=g)
    ref, _ = token_loss(h @ w.t(), tgt, 0.1)
    got, _ = projected_loss(h.reshape(-1, 8), w, tgt.reshape(-1), 0.1)
    torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_the_library_is_built_once_per_source_compiler_and_cpu(tmp_path):
    first = build.build(tmp_path)
    stamp = first.stat().st_mtime_ns
    assert build.build(tmp_path) == first and first.stat().st_mtime_ns == stamp
    assert first.parent == tmp_path / "kernels"
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temporary files left


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_a_source_that_does_not_compile_is_reported(tmp_path, monkeypatch):
    bad = tmp_path / "kernels.c"
    bad.write_text("this is not C\n")
    monkeypatch.setattr(build, "SOURCE", bad)
    with pytest.raises(build.BuildError, match="compiling kernels.c .* failed"):
        build.build(tmp_path / "cache")
    assert not list((tmp_path / "cache" / "kernels").iterdir())


def _recurrence_inputs(dtype: torch.dtype, seed: int = 0):
    """A batch of 5 with padded sources (lengths 6, 6, 4, 2, 1), model sizes unlike each other."""
    g = torch.Generator().manual_seed(seed)
    b, s, t, e, k, h, a = 5, 6, 4, 7, 10, 9, 8

    def r(*shape):
        return (torch.randn(*shape, generator=g) * 0.5).to(dtype).requires_grad_()

    lengths = torch.tensor([6, 6, 4, 2, 1])
    mask = torch.arange(s)[None, :] < lengths[:, None]
    return (r(b, t, e), r(b, h), r(b, s, a), r(b, s, k), mask, r(a, h), r(a),
            r(3 * h, e + k), r(3 * h), r(3 * h, h), r(3 * h))  # fmt: skip


def _run_recurrence(inputs, precision: str):
    from core.model.recurrence import bahdanau_recurrence

    for x in inputs:
        x.grad = None
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
        states, contexts, weights = bahdanau_recurrence(*inputs)
    g = torch.Generator().manual_seed(1)
    (states.float() * torch.randn(states.shape, generator=g)).sum().add(
        (contexts.float() * torch.randn(contexts.shape, generator=g)).sum()
    ).backward()
    grads = [None if x.grad is None else x.grad.clone() for x in inputs]
    return states.detach(), contexts.detach(), weights, grads


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_attention_kernels_run_and_equal_the_pytorch_steps(monkeypatch, precision):
    calls = _counting(monkeypatch, ("attention_forward", "attention_backward"))
    inputs = _recurrence_inputs(torch.float32)
    got = _run_recurrence(inputs, precision)
    assert calls == {"attention_forward": 4, "attention_backward": 4}  # every step, both ways
    monkeypatch.setattr(native, "ENABLED", False)
    want = _run_recurrence(inputs, precision)
    tol = 1e-5 if precision == "fp32" else 2e-2
    for a, b in zip(got[:3], want[:3]):
        torch.testing.assert_close(a, b, rtol=tol, atol=tol)
    weights = got[2]
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:2]))
    assert (weights.transpose(0, 1)[:, ~inputs[4]] == 0).all()  # padding gets no weight
    for i, (a, b) in enumerate(zip(got[3], want[3])):
        if b is None:
            assert a is None
            continue
        scale = b.abs().max()
        torch.testing.assert_close(a, b, rtol=tol, atol=tol * scale, msg=f"input {i}")


def _counting(monkeypatch, names: tuple[str, ...]) -> dict[str, int]:
    """Counts the calls of these kernels that ran (returned True)."""
    calls = dict.fromkeys(names, 0)
    for name in names:
        real = getattr(native, name)

        def call(*args, _real=real, _name=name, **kw):
            done = _real(*args, **kw)
            calls[_name] += bool(done)
            return done

        monkeypatch.setattr(native, name, call)
    return calls


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_gru_kernels_run_and_equal_the_pytorch_steps_over_padded_sentences(
    monkeypatch, precision
):
    from core.model.recurrence import gru_layer

    g = torch.Generator().manual_seed(11)
    d, b, s, h = 2, 4, 6, 5

    def r(*shape):
        return (torch.randn(*shape, generator=g) * 0.7).requires_grad_()

    mask = torch.arange(s) < torch.tensor([6, 3, 1, 5]).unsqueeze(1)
    masks = torch.stack([mask, mask.flip(1)])  # the second one's padding comes first
    inputs = (r(d, b, s, 3 * h), r(d, b, h), r(d, 3 * h, h), r(d, 3 * h), masks)
    weights = torch.randn(d, b, s, h, generator=g), torch.randn(d, b, h, generator=g)

    def run():
        for x in inputs[:4]:
            x.grad = None
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            out, final = gru_layer(*inputs)
        ((out * weights[0]).sum() + (final * weights[1]).sum()).backward()
        return out.detach(), final.detach(), [x.grad.clone() for x in inputs[:4]]

    calls = _counting(monkeypatch, ("gru_forward", "gru_backward"))
    got = run()
    assert calls == {"gru_forward": s, "gru_backward": s}
    monkeypatch.setattr(native, "ENABLED", False)
    want = run()
    tol = 1e-5 if precision == "fp32" else 2e-2
    torch.testing.assert_close(got[0], want[0], rtol=tol, atol=tol)
    torch.testing.assert_close(got[1], want[1], rtol=tol, atol=tol)
    assert (got[0][~masks] == 0).all()  # padding positions stay zero
    for i, (a, b_) in enumerate(zip(got[2], want[2])):
        torch.testing.assert_close(a, b_, rtol=tol, atol=tol * b_.abs().max(), msg=f"input {i}")


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_a_cache_folder_that_cannot_be_written_is_a_reason_not_a_crash(
    fresh, monkeypatch, tmp_path
):
    blocked = tmp_path / "home"
    blocked.mkdir()
    (blocked / "cache").write_text("a file where the cache folder would be\n")
    monkeypatch.setenv("ATTNSCOPE_HOME", str(blocked))
    assert not fresh.available()
    assert "cannot write the compiled kernels" in fresh.unavailable_reason()


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("width", [1, 10, 37])
def test_row_top_equals_topk_and_logsumexp(dtype, width):
    g = torch.Generator().manual_seed(width)
    z = (torch.randn(29, 37 if width == 37 else 1003, generator=g) * 4).to(dtype)
    got = native.row_top(z, width)
    assert got is not None
    values, ids, lse = got
    want_values, _ = z.float().topk(width, dim=-1)
    torch.testing.assert_close(values, want_values, rtol=0, atol=0)
    torch.testing.assert_close(lse, torch.logsumexp(z.float(), -1), rtol=1e-6, atol=1e-5)
    # each id names its value, every id of a row is different, and values fall
    assert torch.equal(z.float().gather(1, ids), values)
    assert all(len(set(row)) == width for row in ids.tolist())
    assert bool((values[:, :-1] >= values[:, 1:]).all())


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_row_top_breaks_ties_by_the_lower_id_and_takes_impossible_tokens():
    z = torch.full((2, 300), -1.0)
    z[0, [250, 7, 120]] = 3.0  # a three-way tie
    z[1] = float("-inf")
    z[1, 299] = 0.5  # one possible token: the others' log-probability is -inf
    values, ids, lse = native.row_top(z, 4)
    assert ids[0].tolist()[:3] == [7, 120, 250] and values[0, 3] == -1.0
    assert ids[1, 0] == 299 and lse[1] == 0.5
    assert (values[1, 1:] == float("-inf")).all()


def test_row_top_declines_what_it_does_not_take():
    z = torch.randn(4, 50)
    assert native.row_top(z.t(), 3) is None  # not contiguous
    assert native.row_top(z.double(), 3) is None
    assert native.row_top(z, 51) is None


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("n", [4099, 64 * 14 * 512])
def test_dropout_keeps_1_minus_p_scales_exactly_and_repeats_from_its_seed(dtype, n):
    x = (torch.rand(n) + 0.5).to(dtype)  # no zeros of its own
    threshold, scale = round(0.3 * 65536), 1 / 0.7
    y = native.dropout(x, 12345, threshold, scale)
    assert y is not None and y.dtype == dtype
    kept = y != 0
    assert abs(kept.float().mean().item() - 0.7) < 0.01
    torch.testing.assert_close(y[kept], (x[kept].float() * scale).to(dtype), rtol=0, atol=0)
    # the same seed, the same mask (the backward pass relies on it); another seed, another
    again = native.dropout(torch.ones(n, dtype=dtype), 12345, threshold, scale)
    assert torch.equal(again != 0, kept)
    other = native.dropout(x, 12346, threshold, scale)
    assert (other != 0).ne(kept).float().mean() > 0.3
    # every 16-bit lane of a draw drops at the same rate
    if n % 4 == 0:
        for lane in range(4):
            assert abs(kept.view(-1, 4)[:, lane].float().mean().item() - 0.7) < 0.02


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_dropout_gives_the_same_mask_on_one_thread_and_two():
    x = torch.randn(10001)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = native.dropout(x, 7, 20000, 2.0)
        torch.set_num_threads(2)
        two = native.dropout(x, 7, 20000, 2.0)
    finally:
        torch.set_num_threads(before)
    assert one is not None and torch.equal(one, two)


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
def test_smoothed_xent_in_place_writes_the_same_gradient_over_the_logits():
    for dtype in (torch.float32, torch.bfloat16):
        z, targets, keep = _logits(9, 500, seed=5)
        z = z.to(dtype)
        want = native.smoothed_xent(z.clone(), targets, keep, 0.1, grads=True)
        got = native.smoothed_xent(z, targets, keep, 0.1, grads=True, in_place=True)
        assert want is not None and got is not None
        assert got[2] is z and torch.equal(z, want[2])
        assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])


@pytest.mark.skipif(not CAN_BUILD, reason="needs Linux and a C compiler")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_accumulate_adds_in_fp32_as_pytorch_does(dtype):
    g = torch.Generator().manual_seed(8)
    acc = torch.randn(301, 17, generator=g)
    x = torch.randn(301, 17, generator=g).to(dtype)
    want = acc + x.float()
    assert native.accumulate(acc, x)
    assert torch.equal(acc, want)


def test_accumulate_declines_what_it_does_not_take():
    acc = torch.zeros(4, 6)
    before = acc.clone()
    assert not native.accumulate(acc, torch.ones(6, 4).t())  # not contiguous
    assert not native.accumulate(acc, torch.ones(4, 5))  # another shape
    assert not native.accumulate(acc.double(), torch.ones(4, 6, dtype=torch.float64))
    assert not native.accumulate(acc.bfloat16(), torch.ones(4, 6))  # the sum must be fp32
    assert torch.equal(acc, before)
