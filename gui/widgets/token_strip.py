"""Tokens as coloured chips: by the model's confidence (forced decoding), or marked as changed.

``TokenStrip`` is one wrapped row of tokens; ``ConfidenceComparison`` stacks the model's own
translation over the user's, each with its total log-probability, so one sees at a glance which
words the model finds unlikely in the user's version. Colours come from ``confidence_colours``
(lightness rises with probability, so the order reads without colour vision too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.widgets.confidence_colours import confidence_colour, format_prob, text_colour
from gui.widgets.flow_layout import FlowLayout
from gui.widgets.naming import named as _named

CHANGED = QColor("#ffd166")  # what-if: the first changed token and everything after it
UNCHANGED = QColor("#ffffff")
OUTLINE = QColor(255, 64, 160)  # the what-if step (the heatmap's selection colour)
NO_REFERENCE = (
    "Type your own translation to see how the model scores it, token by token (forced decoding)."
)


def log_prob(probs: np.ndarray) -> float:
    """Sum of the tokens' log-probabilities: the score of the whole sentence, in nats."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 1e-30, 1.0)
    return float(np.log(p).sum())


def summary(probs: np.ndarray, tokens: Sequence[str]) -> str:
    """ "log-prob −3.41 · mean p 0.86 · least sure: ‘trinkt’ (0.03)"."""
    p = np.asarray(probs, dtype=np.float64)
    if p.size == 0:
        return ""
    low = int(np.argmin(p))
    total = f"{log_prob(p):.2f}".replace("-", "\u2212")
    return (
        f"log-prob {total} · mean p {p.mean():.2f} · "
        f"least sure: ‘{tokens[low]}’ ({format_prob(float(p[low]))})"
    )


class TokenStrip(QWidget):
    """A caption and a wrapped row of token chips; hover a chip for its probability."""

    def __init__(self, parent: QWidget | None = None, name: str = "tokenStrip") -> None:
        super().__init__(parent)
        _named(self, name)
        self._tokens: list[str] = []
        self._colours: list[QColor] = []
        self._outlined: int | None = None
        self._chips: list[QLabel] = []
        self._caption = QLabel()
        self._caption.setObjectName(f"{name}Caption")
        self._caption.setTextFormat(Qt.TextFormat.RichText)
        self._caption.setWordWrap(True)
        self._caption.setVisible(False)
        self._box = QWidget()
        self._flow = FlowLayout(self._box, spacing=4)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(self._caption)
        lay.addWidget(self._box)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    # ------------------------------------------------------------------ data in
    def set_tokens(
        self, tokens: Sequence[str], probs: Sequence[float] | np.ndarray, label: str = ""
    ) -> None:
        """One chip per token, coloured by its probability (tooltip "p = 0.93")."""
        p = [float(v) for v in np.asarray(probs, dtype=np.float64).reshape(-1)]
        if len(p) != len(tokens):
            raise ValueError(f"{len(tokens)} tokens but {len(p)} probabilities")
        self._fill(
            list(tokens),
            [confidence_colour(v) for v in p],
            [text_colour(v) for v in p],
            [f"p = {format_prob(v)}" for v in p],
            label,
        )

    def set_marked(
        self,
        tokens: Sequence[str],
        first_marked: int | None,
        label: str = "",
        tips: Sequence[str] | None = None,
        outlined: int | None = None,
    ) -> None:
        """Chips in a neutral colour, those from ``first_marked`` on (None: none) highlighted;
        chip ``outlined`` gets a coloured frame."""
        n = len(tokens)
        start = n if first_marked is None else max(0, first_marked)
        colours = [UNCHANGED if i < start else CHANGED for i in range(n)]
        tips = (
            list(tips)
            if tips is not None
            else ["unchanged" if i < start else "changed from here on" for i in range(n)]
        )
        self._fill(list(tokens), colours, [QColor("black")] * n, tips, label, outlined)

    def clear(self, label: str = "") -> None:
        self._fill([], [], [], [], label)

    def _fill(
        self,
        tokens: list[str],
        colours: list[QColor],
        fg: list[QColor],
        tips: list[str],
        label: str,
        outlined: int | None = None,
    ) -> None:
        for chip in self._chips:
            self._flow.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        self._tokens, self._colours, self._outlined = tokens, colours, outlined
        for i, (tok, bg, ink, tip) in enumerate(zip(tokens, colours, fg, tips)):
            chip = QLabel(tok, self._box)
            chip.setObjectName(f"tokenChip{i}")
            chip.setAccessibleName(f"{tok}: {tip}")
            chip.setTextFormat(Qt.TextFormat.PlainText)
            chip.setToolTip(f"{tok}\n{tip}" if tip else tok)
            frame = (
                f"2px solid {OUTLINE.name()}"
                if i == outlined
                else f"1px solid {bg.darker(118).name()}"
            )
            chip.setStyleSheet(
                f"QLabel {{ background: {bg.name()}; color: {ink.name()}; "
                f"border: {frame}; border-radius: 4px; padding: 2px 6px; }}"
            )
            self._flow.addWidget(chip)
            self._chips.append(chip)
        self._caption.setText(label)
        self._caption.setVisible(bool(label))
        self._box.updateGeometry()
        self.updateGeometry()

    # ------------------------------------------------------------------ accessors (tests)
    @property
    def tokens(self) -> list[str]:
        return list(self._tokens)

    @property
    def caption(self) -> str:
        return self._caption.text()

    def chips(self) -> list[QLabel]:
        return list(self._chips)

    def chip_colour(self, index: int) -> QColor:
        """The background colour of chip ``index``."""
        return QColor(self._colours[index])

    def chip_tooltip(self, index: int) -> str:
        return self._chips[index].toolTip()

    @property
    def outlined(self) -> int | None:
        """The index of the framed chip, if any."""
        return self._outlined


class ConfidenceLegend(QWidget):
    """The colour scale, p = 0 … 1, so a chip's colour can be read as a number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confidenceLegend")
        self.setFixedSize(230, 18)
        self.setToolTip("Token colour = the model's probability of that token")

    def paintEvent(self, ev) -> None:
        painter = QPainter(self)
        fm = painter.fontMetrics()
        left_text, right_text = "p = 0", "1"
        bar = QRectF(
            fm.horizontalAdvance(left_text) + 6,
            3,
            self.width() - fm.horizontalAdvance(left_text) - fm.horizontalAdvance(right_text) - 12,
            self.height() - 6,
        )
        grad = QLinearGradient(bar.left(), 0, bar.right(), 0)
        for i in range(11):
            grad.setColorAt(i / 10, confidence_colour(i / 10))
        painter.fillRect(bar, grad)
        painter.setPen(QColor("#333333"))
        painter.drawText(
            QRectF(0, 0, bar.left() - 4, self.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            left_text,
        )
        painter.drawText(
            QRectF(bar.right() + 4, 0, 20, self.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            right_text,
        )
        painter.end()


class ConfidenceComparison(QWidget):
    """The model's translation above the user's, both coloured by per-token probability."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "confidenceComparison")
        self.model_strip = TokenStrip(name="modelTokenStrip")
        self.your_strip = TokenStrip(name="yourTokenStrip")
        self._verdict = QLabel(" ")
        self._verdict.setObjectName("confidenceVerdict")
        self._verdict.setWordWrap(True)
        self._placeholder = QLabel(NO_REFERENCE)
        self._placeholder.setObjectName("confidencePlaceholder")
        self._placeholder.setWordWrap(True)
        self._placeholder.setStyleSheet("color: #666666;")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("Token colour = the model's probability of it (hover for the number)")
        hint.setWordWrap(True)
        top.addWidget(hint, 1)
        top.addWidget(ConfidenceLegend())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(10)
        lay.addLayout(top)
        lay.addWidget(self.model_strip)
        lay.addWidget(self.your_strip)
        lay.addWidget(self._placeholder)
        lay.addWidget(self._verdict)
        lay.addStretch(1)
        self.clear()

    def set_pair(self, model, yours=None) -> None:
        """Show ``model`` (a Translation) and, if given, the user's force-decoded ``yours``."""
        self.model_strip.set_tokens(
            model.target_tokens, model.token_probs, self._caption("Model's translation", model)
        )
        if yours is None:
            self.your_strip.clear()
            self.your_strip.setVisible(False)
            self._placeholder.setVisible(True)
            self._verdict.setText(" ")
            return
        self.your_strip.set_tokens(
            yours.target_tokens, yours.token_probs, self._caption("Your translation", yours)
        )
        self.your_strip.setVisible(True)
        self._placeholder.setVisible(False)
        self._verdict.setText(self._compare(model, yours))

    def clear(self) -> None:
        self.model_strip.clear()
        self.your_strip.clear()
        self.your_strip.setVisible(False)
        self._placeholder.setVisible(True)
        self._verdict.setText(" ")

    @staticmethod
    def _caption(title: str, tr) -> str:
        stats = summary(tr.token_probs, tr.target_tokens)
        return f"<b>{title}</b> &nbsp; <span style='color:#555555'>{stats}</span>"

    @staticmethod
    def _compare(model, yours) -> str:
        a, b = log_prob(model.token_probs), log_prob(yours.token_probs)
        if math.isclose(a, b, abs_tol=0.005):
            return "The model finds both translations equally likely."
        which = "less" if b < a else "more"
        ratio = math.exp(abs(a - b))
        times = f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
        return (
            f"The model finds your translation {times} {which} likely than its own "
            f"({abs(a - b):.2f} nats)."
        )

    # ------------------------------------------------------------------ accessors (tests)
    @property
    def verdict(self) -> str:
        return self._verdict.text()

    @property
    def placeholder_visible(self) -> bool:
        return not self._placeholder.isHidden()
