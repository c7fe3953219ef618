"""Our Adam and plateau schedule against torch's: the same updates bit for bit, each other's state
dicts, and a training run that never imports torch._dynamo (what building torch.optim's classes
cost: ~70 MB of the trainer's peak)."""

from __future__ import annotations

import io
import math

import pytest
import torch

import core.training.adam as adam_module
from core.config import preset
from core.model.build import build_model
from core.training.adam import Adam
from core.training.schedule import PlateauSchedule
from tests.fresh_interpreter import imported_after


def _model(arch: str = "gru", seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model(preset("tiny", arch).model, 40, 50)


def _grads(model: torch.nn.Module, step: int) -> None:
    g = torch.Generator().manual_seed(1000 + step)
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=g) * (step + 1)


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(x, y), name


@pytest.mark.parametrize(
    ("arch", "betas", "fused"),
    [("gru", (0.9, 0.999), True), ("transformer", (0.9, 0.98), True), ("gru", (0.9, 0.999), False)],
    ids=["gru-fused", "transformer-fused", "gru-per-tensor"],
)
def test_updates_are_torchs_bit_for_bit(arch, betas, fused, monkeypatch) -> None:
    if not fused:  # the path for a device without the fused kernel: torch's single-tensor Adam
        monkeypatch.setattr(adam_module, "FUSED_DEVICES", ())
    ours_model, torch_model = _model(arch), _model(arch)
    ours = Adam(ours_model.parameters(), lr=3e-3, betas=betas)
    theirs = torch.optim.Adam(
        torch_model.parameters(), lr=3e-3, betas=betas, fused=fused, foreach=False
    )
    for step in range(6):
        for m in (ours_model, torch_model):
            _grads(m, step)
        ours.step()
        theirs.step()
        ours.param_groups[0]["lr"] = theirs.param_groups[0]["lr"] = 3e-3 / (step + 2)
    _same_weights(ours_model, torch_model)


def test_parameters_without_gradients_are_left_alone() -> None:
    model = _model()
    frozen = next(model.parameters())
    before = frozen.detach().clone()
    opt = Adam(model.parameters(), lr=1e-2)
    _grads(model, 0)
    frozen.grad = None
    opt.step()
    assert torch.equal(frozen, before) and frozen not in opt.state
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def _saved(state: dict) -> dict:
    """Through torch.save and a weights-only load, as a checkpoint goes."""
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def test_a_torch_adam_checkpoint_resumes_in_ours_and_ours_reads_back_in_torch() -> None:
    """A checkpoint written before this optimizer existed continues exactly; and our state dict
    has torch's layout (torch's own optimizer loads it)."""
    a, b = _model(seed=3), _model(seed=3)
    first = torch.optim.Adam(a.parameters(), lr=2e-3, fused=True)
    for step in range(3):
        _grads(a, step)
        first.step()
    b.load_state_dict(a.state_dict())
    ours = Adam(b.parameters(), lr=0.0)
    ours.load_state_dict(_saved(first.state_dict()))
    assert ours.param_groups[0]["lr"] == 2e-3
    for step in range(3, 6):
        _grads(a, step)
        _grads(b, step)
        first.step()
        ours.step()
    _same_weights(a, b)

    c = _model(seed=3)
    c.load_state_dict(b.state_dict())
    back = torch.optim.Adam(c.parameters(), lr=0.0, fused=True)
    back.load_state_dict(_saved(ours.state_dict()))
    for m in (b, c):
        _grads(m, 9)
    ours.step()
    back.step()
    _same_weights(b, c)


def test_a_state_dict_of_another_model_is_refused() -> None:
    small = Adam(_model().parameters(), lr=1e-3)
    other = Adam(_model("transformer").parameters(), lr=1e-3)
    with pytest.raises(ValueError, match="different number of parameter tensors"):
        small.load_state_dict(other.state_dict())


LOSSES = [5.0, 4.0, 4.0, 3.9996, 4.1, 4.2, 3.0, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 3.9]


def test_the_plateau_schedule_decays_as_reduce_lr_on_plateau() -> None:
    cfg = preset("base").train.replace(lr_patience=2, lr_decay=0.5, min_lr=1e-4)
    ours_opt = Adam(_model().parameters(), lr=1e-3)
    torch_opt = torch.optim.Adam(_model().parameters(), lr=1e-3)
    ours = PlateauSchedule(ours_opt, cfg)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch_opt, mode="min", factor=0.5, patience=2, min_lr=1e-4
    )
    rates = []
    for loss in LOSSES:
        ours.after_validation(loss)
        theirs.step(loss)
        rates.append(ours_opt.param_groups[0]["lr"])
        assert rates[-1] == torch_opt.param_groups[0]["lr"]
    assert rates[0] == 1e-3 and rates[-1] == 1e-4 and len(set(rates)) > 2  # it did decay


def test_the_plateau_schedule_resumes_from_reduce_lr_on_plateaus_state() -> None:
    cfg = preset("base").train.replace(lr_patience=1, lr_decay=0.5, min_lr=1e-6)
    torch_opt = torch.optim.Adam(_model().parameters(), lr=1e-3)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch_opt, mode="min", factor=0.5, patience=1, min_lr=1e-6
    )
    for loss in LOSSES[:5]:
        theirs.step(loss)
    ours_opt = Adam(_model().parameters(), lr=torch_opt.param_groups[0]["lr"])
    ours = PlateauSchedule(ours_opt, cfg)
    ours.load_state_dict(_saved(theirs.state_dict()))
    for loss in LOSSES[5:]:
        theirs.step(loss)
        ours.after_validation(loss)
        assert ours_opt.param_groups[0]["lr"] == torch_opt.param_groups[0]["lr"]
    again = PlateauSchedule(ours_opt, cfg)
    again.load_state_dict(_saved(ours.state_dict()))
    assert (again.best, again.num_bad_epochs) == (ours.best, ours.num_bad_epochs)
    assert math.isfinite(again.best)


def test_training_imports_no_compiler_stack(tmp_path) -> None:
    """A fresh interpreter trains a few updates (GRU and Transformer) and checkpoints them:
    torch._dynamo and sympy stay unimported."""
    code = f"""
from core.config import TokenizerConfig, preset
from core.training.run import train
from tests.toy import toy_spec
tok = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")
spec = toy_spec(__import__("pathlib").Path({str(tmp_path)!r}) / "data", 200)
for arch in ("gru", "transformer"):
    p = preset("tiny", arch)
    cfg = p.train.replace(num_threads=1, device="cpu", max_steps=6, valid_every=3, epochs=0)
    train(spec, {str(tmp_path)!r} + "/" + arch, p.model, tok, cfg)
"""
    assert imported_after(code, ("torch._dynamo", "sympy")) == []
