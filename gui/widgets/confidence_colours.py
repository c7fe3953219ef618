"""The colour scale for "how sure was the model of this token": low = dark red, high = pale green.

Why this scale: it is built in OKLCh (a perceptually uniform space) with lightness rising
steadily from 0.50 to 0.92 while the hue turns red → orange → yellow → green. Because lightness
alone already orders the colours, the scale reads the same for colour-blind viewers and in grey
print; the hue is only a second cue. Dark (low-probability) chips get white text, light ones black.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QColor

L_LOW, L_HIGH = 0.50, 0.92  # OKLab lightness at p = 0 and p = 1
HUE_LOW, HUE_HIGH = 25.0, 138.0  # degrees: red … green
CHROMA = 0.16  # wanted chroma; lowered where sRGB cannot show it
_STEPS = 256


def _lin_to_srgb(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _oklch_to_linear(lightness: float, chroma: float, hue_deg: float) -> tuple[float, float, float]:
    """OKLCh → linear sRGB (Björn Ottosson's matrices); may fall outside 0..1."""
    a = chroma * math.cos(math.radians(hue_deg))
    b = chroma * math.sin(math.radians(hue_deg))
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    r = 4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_
    g = -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_
    bl = -0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_
    return r, g, bl


def _scale_entry(p: float) -> tuple[tuple[int, int, int], float]:
    """Lightness rises linearly; the hue turns faster near the top (orange at 0.5, yellow at
    0.75); chroma eases off towards the top and shrinks (bisection) until the colour fits in
    sRGB, so the hue is kept."""
    lightness = L_LOW + (L_HIGH - L_LOW) * p
    hue = HUE_LOW + (HUE_HIGH - HUE_LOW) * p * p
    lo, hi = 0.0, CHROMA * (1.0 - 0.45 * p * p)  # pale, not neon, at the top
    if (
        min(_oklch_to_linear(lightness, hi, hue)) < 0
        or max(_oklch_to_linear(lightness, hi, hue)) > 1
    ):
        for _ in range(30):
            mid = (lo + hi) / 2
            rgb = _oklch_to_linear(lightness, mid, hue)
            lo, hi = (mid, hi) if min(rgb) >= 0 and max(rgb) <= 1 else (lo, mid)
        hi = lo
    rgb = _oklch_to_linear(lightness, hi, hue)
    return tuple(round(255 * _lin_to_srgb(v)) for v in rgb), lightness  # type: ignore[return-value]


_TABLE = [_scale_entry(i / (_STEPS - 1)) for i in range(_STEPS)]


def _entry(p: float) -> tuple[tuple[int, int, int], float]:
    p = 0.0 if not math.isfinite(p) else min(1.0, max(0.0, p))
    return _TABLE[round(p * (_STEPS - 1))]


def confidence_colour(p: float) -> QColor:
    """The background colour for a token the model gave probability ``p`` (clamped to 0..1)."""
    return QColor(*_entry(p)[0])


def _luminance(rgb: tuple[int, int, int]) -> float:
    def lin(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(p: float) -> QColor:
    """Black or white, whichever has the higher WCAG contrast on ``confidence_colour(p)``."""
    y = _luminance(_entry(p)[0])
    on_white, on_black = 1.05 / (y + 0.05), (y + 0.05) / 0.05
    return QColor("white") if on_white > on_black else QColor("black")


def format_prob(p: float) -> str:
    """Two decimals, or one significant digit for tiny values ("3e-4"), never a bare "0.00"."""
    if p >= 0.01 or p <= 0.0:
        return f"{p:.2f}"
    mantissa, exponent = f"{p:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"
