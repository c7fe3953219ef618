"""Confidence chips: one per token, coloured so that a likelier token is always lighter (and
greener), readable text on every colour, and the user's translation scored beside the model's."""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor

from gui.widgets.confidence_colours import confidence_colour, format_prob, text_colour
from gui.widgets.token_strip import CHANGED, ConfidenceComparison, TokenStrip

DEMO = Path(__file__).resolve().parents[2] / "resources" / "models" / "demo-en-de"
TEXT = "I know that the woman drinks coffee."
REFERENCE = "Ich weiß, dass die Frau Kaffee trinkt."


def _linear(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def oklab_lightness(colour: QColor) -> float:
    """OKLab L (perceived lightness), computed here independently of the widget's code."""
    r, g, b = (_linear(v) for v in (colour.red(), colour.green(), colour.blue()))
    lms = (
        0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
        0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
        0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
    )
    ll, mm, ss = (math.copysign(abs(v) ** (1 / 3), v) for v in lms)
    return 0.2104542553 * ll + 0.7936177850 * mm - 0.0040720468 * ss


def contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        return 0.2126 * _linear(c.red()) + 0.7152 * _linear(c.green()) + 0.0722 * _linear(c.blue())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture
def strip(qtbot):
    s = TokenStrip()
    qtbot.addWidget(s)
    s.resize(500, 120)
    s.show()
    return s


def test_colours_are_monotone_in_probability(strip):
    probs = np.linspace(0.0, 1.0, 41)
    tokens = [f"t{i}" for i in range(len(probs))]
    strip.set_tokens(tokens, probs)
    light = [oklab_lightness(strip.chip_colour(i)) for i in range(len(probs))]
    assert all(b > a + 0.005 for a, b in pairwise(light)), light
    low, high = strip.chip_colour(0), strip.chip_colour(len(probs) - 1)
    assert low.hslHue() < 30 or low.hslHue() > 330  # red-ish
    assert 70 < high.hslHue() < 160  # green-ish
    assert low.red() > low.green() and high.green() > high.red()


def test_text_is_readable_on_every_colour():
    for p in np.linspace(0.0, 1.0, 101):
        assert contrast(text_colour(p), confidence_colour(p)) >= 4.5, p


def test_chips_show_the_tokens_and_their_probability(strip):
    tokens, probs = ["Ich", "trinkt", "</s>"], np.array([0.93, 0.0312, 0.00042], np.float32)
    strip.set_tokens(tokens, probs, label="Yours")
    assert [c.text() for c in strip.chips()] == tokens
    assert strip.chip_tooltip(0).endswith("p = 0.93")
    assert strip.chip_tooltip(1).endswith("p = 0.03")
    assert strip.chip_tooltip(2).endswith("p = 4e-4")
    assert strip.chip_colour(1) == confidence_colour(float(probs[1]))
    assert strip.caption == "Yours"
    with pytest.raises(ValueError, match="3 tokens but 2"):
        strip.set_tokens(tokens, probs[:2])
    strip.clear()
    assert strip.chips() == [] and strip.tokens == []


def test_format_prob():
    assert [format_prob(p) for p in (0.934, 0.01, 0.0096, 0.00031, 0.0, 1.0)] == [
        "0.93",
        "0.01",
        "1e-2",
        "3e-4",
        "0.00",
        "1.00",
    ]


def test_marked_chips_from_the_first_change(strip):
    strip.set_marked(["a", "b", "c", "d"], 2, outlined=1)
    colours = [strip.chip_colour(i) for i in range(4)]
    assert colours[2] == colours[3] == CHANGED
    assert CHANGED not in colours[:2]
    assert strip.outlined == 1


def test_long_rows_wrap_inside_the_width(strip, qtbot):
    tokens = [f"Wort{i}" for i in range(40)]
    strip.set_tokens(tokens, np.linspace(0, 1, 40))
    strip.resize(300, strip.heightForWidth(300) if strip.hasHeightForWidth() else 400)
    qtbot.wait(10)
    rects = [c.geometry() for c in strip.chips()]
    assert len({r.y() for r in rects}) > 3  # several lines
    assert all(r.right() < 300 for r in rects)
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b)


@pytest.fixture(scope="module")
def inspection():
    from core.decoding.translator import Translator

    return Translator.load(DEMO).inspect(TEXT, beam=4, nbest=4, reference=REFERENCE)


def test_comparison_scores_your_translation(qtbot, inspection):
    w = ConfidenceComparison()
    qtbot.addWidget(w)
    model, yours = inspection.hypotheses[0], inspection.reference
    w.set_pair(model, yours)
    assert w.model_strip.tokens == model.target_tokens
    assert w.your_strip.tokens == yours.target_tokens
    for strip, tr in ((w.model_strip, model), (w.your_strip, yours)):
        for i, p in enumerate(tr.token_probs):
            assert strip.chip_colour(i) == confidence_colour(float(p))
        total = float(np.log(tr.token_probs.astype(np.float64)).sum())
        assert "log-prob " + f"{total:.2f}".replace("-", "\u2212") in strip.caption
        low = int(np.argmin(tr.token_probs))
        assert f"least sure: ‘{tr.target_tokens[low]}’" in strip.caption
    diff = float(
        np.log(model.token_probs.astype(np.float64)).sum()
        - np.log(yours.token_probs.astype(np.float64)).sum()
    )
    which = "less" if diff > 0 else "more"
    assert f"{which} likely than its own ({abs(diff):.2f} nats)" in w.verdict
    assert not w.placeholder_visible

    w.set_pair(model, None)
    assert w.placeholder_visible and w.your_strip.isHidden()
    assert w.model_strip.tokens == model.target_tokens
