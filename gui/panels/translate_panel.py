"""Translate & inspect: a source box (Enter translates, typing translates after a pause), the best
translation, the N-best list, and the attention heatmap of the chosen hypothesis, with export.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.column import column

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
EXPORT_FILTERS = {"png": "PNG image (*.png)", "svg": "SVG image (*.svg)",
                  "csv": "CSV table (*.csv)", "json": "JSON (*.json)"}


def _named(widget, name: str):
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    return widget


class _EnterFilter(QObject):
    """Enter in the source box translates now; Shift+Enter inserts a new line."""

    def __init__(self, on_enter) -> None:
        super().__init__()
        self._on_enter = on_enter

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent) \
                and ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._on_enter()
            return True
        return False


class TranslatePanel(QWidget):
    """Sends text to the Session and shows what comes back; never touches the model itself."""

    exportFinished = Signal(str)     # the path written

    def __init__(self, session, errors, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._errors = errors
        self._settings = settings
        self._results: list = []

        self.model_label = QLabel("No model open. Train one, or open one from the Models tab.")
        self.model_label.setObjectName("modelLabel")
        self.source_edit = _named(QPlainTextEdit(), "sourceTextEdit")
        self.source_edit.setPlaceholderText("Type a sentence to translate — Enter translates, "
                                            "Shift+Enter adds a line")
        self.source_edit.setMaximumHeight(90)
        self._enter = _EnterFilter(self.translate_now)
        self.source_edit.installEventFilter(self._enter)

        self.translate_button = _named(QPushButton("Translate"), "translateButton")
        self.beam_spin = _named(QSpinBox(), "beamSizeSpin")
        self.beam_spin.setRange(1, 32)
        self.beam_spin.setValue(4)
        self.beam_spin.setPrefix("beam ")
        self.beam_spin.setToolTip("Beam size: 1 is greedy search; larger keeps more hypotheses")
        self.nbest_spin = _named(QSpinBox(), "nbestSpin")
        self.nbest_spin.setRange(1, 32)
        self.nbest_spin.setValue(4)
        self.nbest_spin.setPrefix("N-best ")

        self.output = _named(QPlainTextEdit(), "translationOutput")
        self.output.setReadOnly(True)
        self.output.setMaximumHeight(70)
        self.copy_button = _named(QPushButton("Copy"), "copyTranslationButton")
        self.nbest_list = _named(QListWidget(), "nbestList")
        self.nbest_list.setToolTip("Click a hypothesis to see its attention")
        self.heatmap = AttentionHeatmap()
        self.export_button = _named(QToolButton(), "exportAttentionButton")
        self.export_button.setText("Export…")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt, label in (("png", "Heatmap as PNG…"), ("svg", "Heatmap as SVG…"),
                           ("csv", "Matrix as CSV…"), ("json", "Matrix as JSON…")):
            act = QAction(label, menu)
            act.setData(fmt)
            menu.addAction(act)
        menu.triggered.connect(self._on_export_action)
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)

        row = QHBoxLayout()
        row.addWidget(self.source_edit, 1)
        col = QVBoxLayout()
        col.addWidget(self.translate_button)
        col.addWidget(self.beam_spin)
        col.addWidget(self.nbest_spin)
        col.addStretch(1)
        row.addLayout(col)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)

        head = QHBoxLayout()
        head.addWidget(QLabel("Attention — hover a cell; click a word; arrow keys move"))
        head.addStretch(1)
        head.addWidget(self.export_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(column("N-best hypotheses (score):", self.nbest_list))
        split.addWidget(column(head, (self.heatmap, 1)))
        split.setStretchFactor(1, 4)
        split.setSizes([340, 900])      # room for a hypothesis and its score

        lay = QVBoxLayout(self)
        lay.addWidget(self.model_label)
        lay.addLayout(row)
        lay.addWidget(QLabel("Translation:"))
        lay.addLayout(out_row)
        lay.addWidget(split, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.translate_now)
        self.source_edit.textChanged.connect(self._on_text_changed)
        self.translate_button.clicked.connect(self.translate_now)
        self.copy_button.clicked.connect(self.copy_translation)
        self.nbest_list.currentRowChanged.connect(self.show_hypothesis)
        self.beam_spin.valueChanged.connect(self._on_text_changed)
        self.nbest_spin.valueChanged.connect(self._on_text_changed)
        session.translated.connect(self.show_results)
        session.modelLoaded.connect(self.on_model_loaded)
        session.stateChanged.connect(self.on_state_changed)
        self._has_model = False
        self.on_state_changed(session.state)

    # ------------------------------------------------------------------ actions
    @Slot()
    def _on_text_changed(self) -> None:
        if self._has_model:
            self._debounce.start()

    @Slot()
    def translate_now(self) -> None:
        """Translate the source box now (latest request wins in the Session)."""
        self._debounce.stop()
        text = self.source_edit.toPlainText().strip()
        if not text:
            return
        beam = self.beam_spin.value()
        nbest = min(self.nbest_spin.value(), beam)
        self._session.translate(text, beam, nbest)

    def translate_text(self, text: str) -> None:
        """Put ``text`` in the source box and translate it now."""
        self.source_edit.setPlainText(text)
        self.translate_now()

    @property
    def beam(self) -> int:
        return self.beam_spin.value()

    @Slot(object)
    def show_results(self, results: list) -> None:
        self._results = list(results)
        self.nbest_list.blockSignals(True)
        self.nbest_list.clear()
        for i, tr in enumerate(self._results, 1):
            item = QListWidgetItem(f"{i}. {tr.text}   ({tr.score:.3f})")
            item.setToolTip(" ".join(tr.target_tokens))
            self.nbest_list.addItem(item)
        self.nbest_list.blockSignals(False)
        self.output.setPlainText(self._results[0].text if self._results else "")
        if self._results:
            self.nbest_list.setCurrentRow(0)
            self.show_hypothesis(0)

    @Slot(int)
    def show_hypothesis(self, index: int) -> None:
        if not 0 <= index < len(self._results):
            return
        tr = self._results[index]
        if tr.attention.size == 0:
            self.heatmap.clear()
            self.export_button.setEnabled(False)
            return
        self.heatmap.set_translation(tr)
        self.export_button.setEnabled(True)

    @property
    def results(self) -> list:
        return list(self._results)

    @Slot()
    def copy_translation(self) -> None:
        QGuiApplication.clipboard().setText(self.output.toPlainText())

    @Slot(QAction)
    def _on_export_action(self, action: QAction) -> None:
        fmt = action.data()
        start = Path(self._settings.last_folder("export")) / f"attention.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, "Export attention", str(start),
                                              EXPORT_FILTERS[fmt])
        if path:
            if not path.lower().endswith("." + fmt):
                path += "." + fmt
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        try:
            self.heatmap.export(path)
        except Exception as exc:  # noqa: BLE001 — a file problem must not kill the app
            self._errors.report_exception("Export failed", exc)
            return False
        self._settings.set_last_folder("export", path)
        self.exportFinished.emit(str(path))
        return True

    # ------------------------------------------------------------------ session state
    @Slot(object)
    def on_model_loaded(self, info) -> None:
        self._has_model = True
        bleu = f", BLEU {info.bleu:.1f}" if info.bleu is not None else ""
        self.model_label.setText(f"Model: <b>{info.name}</b> ({info.src_lang} → {info.tgt_lang}"
                                 f"{bleu})")
        self._results = []
        self.nbest_list.clear()
        self.output.clear()
        self.heatmap.clear()
        self.export_button.setEnabled(False)
        if self.source_edit.toPlainText().strip():
            self.translate_now()

    @Slot(str)
    def on_state_changed(self, state: str) -> None:
        usable = state != "training" and state != "loading"
        self.translate_button.setEnabled(usable)
        self.translate_button.setToolTip("" if usable else "Not available while a model "
                                         + ("trains" if state == "training" else "loads"))
