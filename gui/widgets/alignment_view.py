"""The alignment view: source words in a row on top, target words in a row at the bottom, joined
by a line for every attention weight at or above a threshold — thicker and darker for more weight.

Why it is built this way: words keep their natural width and sit side by side, so nothing can
overlap; a long sentence makes the canvas wider and the scroll area scrolls sideways. Lines are
drawn lightest first so strong links stay on top. Hard links for export and AER come from
``core.inspection.alignment`` (the same code the CLI uses), never from what happens to be drawn.
The canvas that draws the words and lines is ``gui.widgets.alignment_canvas``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
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
    AlignmentError,
    Link,
    aer_counts,
    check_bounds,
    hard_alignment,
    parse_pharaoh,
    to_pharaoh,
    word_count,
)
from gui.widgets.alignment_canvas import DEFAULT_THRESHOLD, AlignmentCanvas
from gui.widgets.naming import named as _named
from gui.widgets.save_file import ask_save_path, remember_folder, report_failure

MIN_THRESHOLD = 0.05


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
