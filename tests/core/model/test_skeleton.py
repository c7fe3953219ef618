"""Reading a model folder checks shapes on a skeleton: the same names and shapes as the real
network, nothing allocated, and no torch._dynamo/sympy imported (~70 MB and a second of start-up
that the window and every translate command would pay)."""

from __future__ import annotations

import dataclasses

import pytest

from core.config import preset
from core.model.build import build_model
from core.model.skeleton import build_skeleton
from tests.fresh_interpreter import imported_after

COMPILER_STACK = ("torch._dynamo", "sympy")


@pytest.mark.parametrize(
    "cfg",
    [
        preset("base").model,
        dataclasses.replace(preset("base").model, decoder="luong", attention="general"),
        preset("base", "transformer").model,
        dataclasses.replace(preset("tiny", "transformer").model, positions="learned"),
    ],
    ids=["bahdanau", "luong", "transformer", "transformer-learned"],
)
def test_the_skeleton_has_the_real_networks_shapes_and_no_storage(cfg) -> None:
    skeleton = build_skeleton(cfg, 300, 400)
    real = build_model(cfg, 300, 400)
    assert all(p.is_meta for p in skeleton.parameters())
    assert {k: v.shape for k, v in skeleton.state_dict().items()} == {
        k: v.shape for k, v in real.state_dict().items()
    }


def test_building_a_real_model_after_a_skeleton_still_initialises_it() -> None:
    cfg = preset("tiny").model
    build_skeleton(cfg, 30, 40)
    real = build_model(cfg, 30, 40)
    assert all(p.abs().sum() > 0 for name, p in real.named_parameters() if "weight" in name)


def test_opening_a_model_imports_no_compiler_stack() -> None:
    """A fresh interpreter opens the demo model and checks both families' skeletons: neither
    imports torch._dynamo (the meta device's initialisers used to)."""
    code = (
        "from core.config import preset\n"
        "from core.decoding.translator import Translator\n"
        "from core.model.skeleton import build_skeleton\n"
        "from core.resources import demo_model_dir\n"
        "Translator.load(demo_model_dir(), device='cpu').translate('a small house')\n"
        "for arch in ('gru', 'transformer'):\n"
        "    build_skeleton(preset('base', arch).model, 100, 100)\n"
    )
    assert imported_after(code, COMPILER_STACK, timeout=120) == []
