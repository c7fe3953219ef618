"""The alignment view: source words in a row on top, target words in a row at the bottom, joined
by a line for every attention weight at or above a threshold — thicker and darker for more weight.

Why it is built this way: words keep their natural width and sit side by side, so nothing can
overlap; a long sentence makes the canvas wider and the scroll area scrolls sideways. Lines are
drawn lightest first so strong links stay on top. Hard links for export and AER come from
``core.inspection.alignment`` (the same code the CLI uses), never from what happens to be drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core.errors import CoreError
from core.events import Translation
from core.inspection.alignment import (
    EOS,
    AlignmentError,
    Link,
    aer_counts,
    check_bounds,
    hard_alignment,
    parse_pharaoh,
    to_pharaoh,
    word_count,
)
from gui.widgets.naming import named as _named
from gui.widgets.save_file import ask_save_path, remember_folder, report_failure

DEFAULT_THRESHOLD = 0.1
MIN_THRESHOLD = 0.05
MAX_LABEL_CHARS = 18  # longer tokens are elided ("…"); hover shows them whole
LINK_COLOUR = QColor(30, 90, 200)
HIGHLIGHT = QColor(255, 64, 160)
WORD_FILL = QColor(238, 242, 250)
WORD_HOVER_FILL = QColor(255, 222, 238)
MARGIN, GAP, PAD_X, PAD_Y = 12, 10, 8, 5
MIN_HEIGHT = 170


def _elide(token: str) -> str:
    return token if len(token) <= MAX_LABEL_CHARS else token[: MAX_LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class _Word:
    side: str  # "source" or "target"
    index: int
    rect: QRectF


class AlignmentCanvas(QWidget):
    """Paints the two rows of words and the links; reports the word under the mouse."""

    hoveredChanged = Signal(str, int)  # side ("source"/"target"/""), index (-1: none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "alignmentCanvas")
        self.setMouseTracking(True)
        self._src: list[str] = []
        self._tgt: list[str] = []
        self._weights = np.zeros((0, 0), dtype=np.float32)
        self._threshold = DEFAULT_THRESHOLD
        self._hover: tuple[str, int] | None = None
        self._words: list[_Word] = []
        self._font = QFont(self.font())
        self._fm = QFontMetrics(self._font)
        self._index_font = QFont(self._font)
        self._index_font.setPointSizeF(max(6.5, self._font.pointSizeF() * 0.75))
        self._index_h = QFontMetrics(self._index_font).height()
        self.setMinimumHeight(MIN_HEIGHT)

    # ------------------------------------------------------------------ state
    def set_data(
        self, weights: np.ndarray, source_tokens: list[str], target_tokens: list[str]
    ) -> None:
        self._weights = np.asarray(weights, dtype=np.float32)
        self._src, self._tgt = list(source_tokens), list(target_tokens)
        self.set_hovered(None)
        self._update_geometry()

    def set_threshold(self, value: float) -> None:
        self._threshold = float(value)
        self.update()

    def set_hovered(self, side: str | None, index: int = -1) -> None:
        """Highlight one word's links (``side`` None clears); what hovering does."""
        hover = (side, index) if side in ("source", "target") and index >= 0 else None
        if hover != self._hover:
            self._hover = hover
            self.hoveredChanged.emit(*(hover or ("", -1)))
            self.update()

    @property
    def hovered(self) -> tuple[str, int] | None:
        return self._hover

    def links(self) -> list[tuple[int, int, float]]:
        """(target i, source j, weight) for every weight ≥ threshold, lightest first."""
        rows, cols = np.nonzero(self._weights >= self._threshold)
        out = [(int(i), int(j), float(self._weights[i, j])) for i, j in zip(rows, cols)]
        return sorted(out, key=lambda link: (link[2], link[0], link[1]))

    def highlighted_links(self) -> list[tuple[int, int, float]]:
        """The drawn links that touch the hovered word (empty when nothing is hovered)."""
        if self._hover is None:
            return []
        side, index = self._hover
        pos = 0 if side == "target" else 1
        return [link for link in self.links() if link[pos] == index]

    def word_rect(self, side: str, index: int) -> QRectF:
        """Where a word's box is drawn, in canvas coordinates."""
        return next(w.rect for w in self._words if w.side == side and w.index == index)

    # ------------------------------------------------------------------ geometry
    def _widths(self, tokens: list[str]) -> list[float]:
        return [max(28.0, self._fm.horizontalAdvance(_elide(t)) + 2 * PAD_X) for t in tokens]

    def _row_width(self, tokens: list[str]) -> float:
        return sum(self._widths(tokens)) + GAP * max(0, len(tokens) - 1)

    def _row(self, tokens: list[str], side: str, y: float, span: float) -> list[_Word]:
        """Boxes centred in the canvas; the shorter row is spread to the longer one's ``span``
        (wider gaps) so that monotone alignments draw as near-vertical lines."""
        widths = self._widths(tokens)
        gap = GAP
        if len(widths) > 1:
            gap = max(GAP, (span - sum(widths)) / (len(widths) - 1))
        total = sum(widths) + gap * max(0, len(widths) - 1)
        x = max(MARGIN, (self.width() - total) / 2)
        h = self._fm.height() + 2 * PAD_Y
        out = []
        for i, w in enumerate(widths):
            out.append(_Word(side, i, QRectF(x, y, w, h)))
            x += w + gap
        return out

    def _update_geometry(self) -> None:
        need = max(self._row_width(self._src), self._row_width(self._tgt)) + 2 * MARGIN
        self.setMinimumWidth(int(need))
        self._layout_words()
        self.updateGeometry()
        self.update()

    def _layout_words(self) -> None:
        """Source boxes under their index numbers at the top, target boxes above theirs."""
        h = self._fm.height() + 2 * PAD_Y
        span = max(self._row_width(self._src), self._row_width(self._tgt))
        bottom = self.height() - MARGIN - self._index_h - h
        self._words = self._row(self._src, "source", MARGIN + self._index_h, span) + self._row(
            self._tgt, "target", bottom, span
        )

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), 240)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._layout_words()

    # ------------------------------------------------------------------ mouse
    def _word_at(self, pos: QPointF) -> _Word | None:
        return next((w for w in self._words if w.rect.contains(pos)), None)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        word = self._word_at(ev.position())
        if word is None:
            self.set_hovered(None)
            self.setToolTip("")
        else:
            self.set_hovered(word.side, word.index)
            tokens = self._src if word.side == "source" else self._tgt
            self.setToolTip(f"{word.side} token {word.index}: {tokens[word.index]}")
        super().mouseMoveEvent(ev)

    def leaveEvent(self, ev) -> None:
        self.set_hovered(None)
        super().leaveEvent(ev)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, ev: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        if not self._tgt:
            p.setPen(QColor(110, 110, 110))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No translation yet.")
            p.end()
            return
        src_rects = {w.index: w.rect for w in self._words if w.side == "source"}
        tgt_rects = {w.index: w.rect for w in self._words if w.side == "target"}
        lit = set(map(tuple, self.highlighted_links()))
        for i, j, w in self.links():
            if j not in src_rects or i not in tgt_rects:
                continue
            on = (i, j, w) in lit
            colour = QColor(HIGHLIGHT if on else LINK_COLOUR)
            alpha = 255 * w if (on or self._hover is None) else 60 * w
            colour.setAlpha(max(18, int(alpha)))
            pen = QPen(colour, max(0.6, 8.0 * w))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            a, b = src_rects[j], tgt_rects[i]
            p.drawLine(QPointF(a.center().x(), a.bottom()), QPointF(b.center().x(), b.top()))
        for word in self._words:
            self._paint_word(p, word)
        p.end()

    def _paint_word(self, p: QPainter, word: _Word) -> None:
        tokens = self._src if word.side == "source" else self._tgt
        token = tokens[word.index]
        hovered = self._hover == (word.side, word.index)
        p.setPen(QPen(HIGHLIGHT if hovered else QColor(150, 160, 185), 1.5 if hovered else 1.0))
        p.setBrush(WORD_HOVER_FILL if hovered else WORD_FILL)
        p.drawRoundedRect(word.rect, 5, 5)
        font = QFont(self._font)
        font.setItalic(token == EOS)
        font.setBold(hovered)
        p.setFont(font)
        p.setPen(QColor(120, 120, 120) if token == EOS else QColor(20, 20, 20))
        p.drawText(word.rect, Qt.AlignmentFlag.AlignCenter, _elide(token))
        if token != EOS or word.index < len(tokens) - 1:  # Pharaoh indices: words only
            r = word.rect
            y = r.top() - self._index_h if word.side == "source" else r.bottom()
            p.setFont(self._index_font)
            p.setPen(QColor(130, 130, 130))
            p.drawText(
                QRectF(r.left(), y, r.width(), self._index_h),
                Qt.AlignmentFlag.AlignCenter,
                str(word.index),
            )


class AlignmentView(QWidget):
    """Lines view of one translation's attention, its hard alignment, export and AER.

    ``settings`` and ``errors`` are the app's (export folder, failure dialogs); both may be None.
    """

    exported = Signal(str)  # the path written

    def __init__(self, settings=None, errors=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "alignmentView")
        self._settings = settings
        self._errors = errors
        self._tr: Translation | None = None

        self.canvas = AlignmentCanvas()
        self.scroll = _named(QScrollArea(), "alignmentScroll")
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self.threshold_slider = _named(
            QSlider(Qt.Orientation.Horizontal), "alignmentThresholdSlider"
        )
        self.threshold_slider.setRange(int(MIN_THRESHOLD * 100), 100)
        self.threshold_spin = _named(QDoubleSpinBox(), "alignmentThresholdSpin")
        self.threshold_spin.setRange(MIN_THRESHOLD, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(2)
        for w in (self.threshold_slider, self.threshold_spin):
            w.setToolTip("Draw a line for every attention weight at least this large")
        self.method_combo = _named(QComboBox(), "alignmentMethodCombo")
        self.method_combo.addItem("peak per target word", "argmax")
        self.method_combo.addItem("weights ≥ threshold", "threshold")
        self.method_combo.setToolTip(
            "How hard links are read off the attention, for the "
            "Pharaoh export and the AER (</s> is never linked)"
        )
        self.export_button = _named(QPushButton("Export Pharaoh…"), "exportPharaohButton")
        self.export_button.setToolTip(
            "Save the hard alignment as one line of source-target word indices (i-j)"
        )
        self.hard_label = _named(QLabel(), "hardAlignmentLabel")
        self.hard_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hard_label.setWordWrap(True)
        self.hover_label = _named(QLabel(" "), "alignmentHoverLabel")
        self.gold_edit = _named(QLineEdit(), "goldAlignmentEdit")
        self.gold_edit.setPlaceholderText(
            "paste this sentence's gold alignment, e.g. 0-0 1-1 2?3 (i?j: possible link)"
        )
        self.gold_edit.setToolTip(
            "Source-target word indices (the small numbers), 0-based: "
            "i-j sure, i?j or ipj possible; shows the AER of the hard links"
        )
        self.gold_edit.setClearButtonEnabled(True)
        self.aer_label = _named(QLabel(" "), "aerLabel")
        self.aer_label.setWordWrap(True)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Show weights ≥"))
        controls.addWidget(self.threshold_slider, 1)
        controls.addWidget(self.threshold_spin)
        hard = QHBoxLayout()
        hard.addWidget(QLabel("Hard links:"))
        hard.addWidget(self.method_combo)
        hard.addWidget(self.hard_label, 1)
        hard.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        gold = QHBoxLayout()
        gold.addWidget(QLabel("Gold:"))
        gold.addWidget(self.gold_edit, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(controls)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.hover_label)
        lay.addLayout(hard)
        lay.addLayout(gold)
        lay.addWidget(self.aer_label)

        self.threshold_slider.valueChanged.connect(self._on_slider)
        self.threshold_spin.valueChanged.connect(self.set_threshold)
        self.method_combo.currentIndexChanged.connect(self._refresh_hard)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.gold_edit.textChanged.connect(self._refresh_aer)
        self.canvas.hoveredChanged.connect(self._on_hovered)
        self.set_threshold(DEFAULT_THRESHOLD)
        self.clear()

    # ------------------------------------------------------------------ content
    @Slot(object)
    def set_translation(self, tr: Translation | None) -> None:
        """Show ``tr`` (None or an empty output clears the view); the gold text is kept, so one
        gold line can be tried against several hypotheses of the same sentence."""
        if tr is None or not tr.target_tokens or tr.attention.size == 0:
            self.clear()
            return
        self._tr = tr
        self.canvas.set_data(tr.attention, tr.source_tokens, tr.target_tokens)
        self.export_button.setEnabled(True)
        self._refresh_hard()

    @Slot()
    def clear(self) -> None:
        self._tr = None
        self.canvas.set_data(np.zeros((0, 0), np.float32), [], [])
        self.export_button.setEnabled(False)
        self.hard_label.setText("—")
        self.hover_label.setText(" ")
        self._refresh_aer()

    @property
    def translation(self) -> Translation | None:
        return self._tr

    @property
    def threshold(self) -> float:
        return self.threshold_spin.value()

    @Slot(float)
    def set_threshold(self, value: float) -> None:
        value = min(1.0, max(MIN_THRESHOLD, float(value)))
        if abs(self.threshold_spin.value() - value) > 1e-9:
            self.threshold_spin.setValue(value)  # comes back here through the signal
            return
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(round(value * 100))
        self.threshold_slider.blockSignals(False)
        self.canvas.set_threshold(value)
        if self.method == "threshold":
            self._refresh_hard()

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        self.set_threshold(value / 100)

    @property
    def method(self) -> str:
        return self.method_combo.currentData()

    def drawn_links(self) -> list[tuple[int, int, float]]:
        """(target i, source j, weight) of every line drawn now (``</s>`` rows and columns too)."""
        return self.canvas.links()

    def hard_links(self) -> list[Link]:
        """(source i, target j) word links by the chosen method: what is exported and scored."""
        if self._tr is None:
            return []
        return hard_alignment(
            self._tr.attention,
            self._tr.source_tokens,
            self._tr.target_tokens,
            self.method,
            self.threshold,
        )

    def pharaoh(self) -> str:
        return to_pharaoh(self.hard_links())

    # ------------------------------------------------------------------ hover
    @Slot(str, int)
    def _on_hovered(self, side: str, index: int) -> None:
        if self._tr is None or index < 0:
            self.hover_label.setText(" ")
            return
        w = self._tr.attention
        if side == "target":
            row = w[index]
            order = [j for j in np.argsort(-row) if row[j] >= self.threshold]
            words = ", ".join(f"{self._tr.source_tokens[j]} ({row[j]:.2f})" for j in order)
            words = words or "nothing above the threshold"
            text = f"“{self._tr.target_tokens[index]}” attends to: {words}"
        else:
            col = w[:, index]
            order = [i for i in np.argsort(-col) if col[i] >= self.threshold]
            words = ", ".join(f"{self._tr.target_tokens[i]} ({col[i]:.2f})" for i in order)
            text = (
                f"“{self._tr.source_tokens[index]}” is attended by: "
                f"{words or 'nothing above the threshold'}"
            )
        self.hover_label.setText(text)

    # ------------------------------------------------------------------ hard links and AER
    @Slot()
    def _refresh_hard(self) -> None:
        if self._tr is not None:
            self.hard_label.setText(self.pharaoh() or "(none)")
        self._refresh_aer()

    @Slot()
    def _refresh_aer(self) -> None:
        text = self.gold_edit.text().strip()
        if not text:
            self._show_aer("", error=False)
            return
        if self._tr is None:
            self._show_aer("Translate a sentence to compare with the gold alignment.", error=False)
            return
        try:
            gold = parse_pharaoh(text)
            check_bounds(
                gold, word_count(self._tr.source_tokens), word_count(self._tr.target_tokens)
            )
        except AlignmentError as exc:
            self._show_aer(exc.reason, error=True)
            return
        c = aer_counts(self.hard_links(), gold.sure, gold.possible)
        self._show_aer(
            f"AER {c.aer:.3f}  (precision {c.precision:.2f}, recall {c.recall:.2f}; "
            f"{c.a} predicted, {c.s} sure, {len(gold.possible)} possible links)",
            error=False,
        )
        self._aer = c.aer

    def _show_aer(self, text: str, error: bool) -> None:
        self._aer = None
        self.aer_label.setText(text or " ")
        self.aer_label.setStyleSheet("color: #b00020;" if error else "")

    @property
    def aer(self) -> float | None:
        """The AER shown now, or None when no valid gold line is given."""
        return self._aer

    # ------------------------------------------------------------------ export
    @Slot()
    def _on_export_clicked(self) -> None:
        path = ask_save_path(
            self,
            self._settings,
            "Export alignment",
            "alignment.wa",
            {"wa": "Pharaoh alignment (*.wa *.align *.txt)"},
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str | Path) -> bool:
        """Write the hard alignment as one Pharaoh line; a failure is reported, never raised."""
        try:
            if self._tr is None:
                raise ValueError("there is no translation to export yet")
            from core.storage.atomic_io import atomic_write_text

            atomic_write_text(path, self.pharaoh() + "\n")
        except (OSError, ValueError, CoreError) as exc:
            report_failure(self, self._errors, "Export failed", exc)
            return False
        remember_folder(self._settings, path)
        self.exported.emit(str(path))
        return True
