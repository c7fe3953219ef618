"""Translate & inspect: a source box (Enter translates, typing translates after a pause), the best
translation, the N-best list, and the inspector for the chosen hypothesis: attention heatmap (with
export), alignment lines, attention statistics, the beam's search tree and the what-if re-decode.

Two optional boxes steer the request: "Start with" fixes the first words of the output (guided
completion) and "Your translation" is scored by the model token by token (forced decoding); it
then appears in the N-best list, marked ✎, with its own attention and confidence colours.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.panels.inspector import Inspector
from gui.widgets.column import column
from gui.widgets.naming import named as _named
from gui.widgets.splitter_memory import remember_sizes

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
NO_MODEL = "No model open. Train one, or open one from the Models tab (Ctrl+O)."


class _EnterFilter(QObject):
    """Enter in the source box translates now; Shift+Enter inserts a new line."""

    def __init__(self, on_enter) -> None:
        super().__init__()
        self._on_enter = on_enter

    def eventFilter(self, obj, ev) -> bool:
        if (
            ev.type() == QEvent.Type.KeyPress
            and isinstance(ev, QKeyEvent)
            and ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self._on_enter()
            return True
        return False


class TranslatePanel(QWidget):
    """Sends text to the Session and shows what comes back; never touches the model itself."""

    exportFinished = Signal(str)  # the path written
    openModelRequested = Signal(str)  # "Use the model you trained"

    def __init__(self, session, errors, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._errors = errors
        self._settings = settings
        self._results: list = []  # what the N-best list shows (the reference last)
        self._inspection = None
        self._inspected_text = ""  # the source text of the latest request

        self._trained: tuple[str, str, str, str] | None = None  # path, name, src, tgt
        self.model_banner = self._build_banner()
        lines = self._build_inputs()
        self._build_results(session, errors, settings, lines)
        self._build_layout(settings)
        self._connect(session)
        self._has_model = False
        self.on_state_changed(session.state)

    def _build_inputs(self) -> int:
        """The source box, the Translate button, beam/N-best spins and the two steering boxes;
        returns the source box's line height, which sizes the output box too."""
        self.source_edit = _named(QPlainTextEdit(), "sourceTextEdit")
        self.source_edit.setPlaceholderText(
            "Type a sentence to translate — Enter translates, Shift+Enter adds a line"
        )
        lines = self.source_edit.fontMetrics().lineSpacing()
        self.source_edit.setMaximumHeight(3 * lines + 14)  # room below for the heatmap
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
        self.prefix_edit = _named(QLineEdit(), "prefixEdit")
        self.prefix_edit.setPlaceholderText("start the translation with these words (optional)")
        self.prefix_edit.setToolTip(
            "Guided completion: the output begins with these words and "
            "the model continues from there"
        )
        self.prefix_edit.setClearButtonEnabled(True)
        self.reference_edit = _named(QLineEdit(), "referenceEdit")
        self.reference_edit.setPlaceholderText(
            "type your own translation to see how likely the model finds each word (optional)"
        )
        self.reference_edit.setToolTip(
            "Forced decoding: the model scores this translation token by "
            "token; it appears in the list as ✎ with its attention"
        )
        self.reference_edit.setClearButtonEnabled(True)
        return lines

    def _build_results(self, session, errors, settings, lines: int) -> None:
        """The translation box, the N-best list and the inspector with its views."""
        self.output = _named(QPlainTextEdit(), "translationOutput")
        self.output.setReadOnly(True)
        self.output.setMaximumHeight(2 * lines + 14)
        self.copy_button = _named(QPushButton("Copy"), "copyTranslationButton")
        self.nbest_list = _named(QListWidget(), "nbestList")
        self.nbest_list.setToolTip("Click a hypothesis to see its attention")
        self.inspector = Inspector(session, errors, settings)
        self.inspector.exportFinished.connect(self.exportFinished)
        # the inspector's views, by the names tests and scripts reach them
        ins = self.inspector
        self.inspector_tabs, self.heatmap, self.export_button = ins, ins.heatmap, ins.export_button
        self.alignment_view, self.stats_view = ins.alignment_view, ins.stats_view
        self.tree_view, self.tree_heatmap = ins.tree_view, ins.tree_heatmap
        self.confidence, self.model_heatmap = ins.confidence, ins.model_heatmap
        self.your_heatmap, self.what_if_view = ins.your_heatmap, ins.what_if_view

    def _build_layout(self, settings) -> None:
        """Lay out the banner, inputs, steering boxes, output and the list/inspector splitter."""
        row = QHBoxLayout()
        row.addWidget(self.source_edit, 1)
        col = QVBoxLayout()
        col.addWidget(self.translate_button)
        col.addWidget(self.beam_spin)
        col.addWidget(self.nbest_spin)
        col.addStretch(1)
        row.addLayout(col)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("Translation:"), 0, Qt.AlignmentFlag.AlignTop)
        out_row.addWidget(self.output, 1)
        out_row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(column("N-best hypotheses (score):", self.nbest_list))
        split.addWidget(self.inspector)
        split.setStretchFactor(1, 4)
        remember_sizes(split, settings, "translate", [340, 900])  # a hypothesis and its score

        steer = QHBoxLayout()
        steer.addWidget(QLabel("Start with:"))
        steer.addWidget(self.prefix_edit, 2)
        steer.addWidget(QLabel("Your translation:"))
        steer.addWidget(self.reference_edit, 3)

        lay = QVBoxLayout(self)
        lay.addWidget(self.model_banner)
        lay.addLayout(row)
        lay.addLayout(steer)
        lay.addLayout(out_row)
        lay.addWidget(split, 1)

    def _connect(self, session) -> None:
        """Wire typing (debounced), the buttons and the Session's signals."""
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
        self.prefix_edit.textChanged.connect(self._on_text_changed)
        self.reference_edit.textChanged.connect(self._on_text_changed)
        self.prefix_edit.returnPressed.connect(self.translate_now)
        self.reference_edit.returnPressed.connect(self.translate_now)
        session.inspected.connect(self.show_inspection)
        session.modelLoaded.connect(self.on_model_loaded)
        session.stateChanged.connect(self.on_state_changed)

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
        self._inspected_text = text
        self._session.translate(
            text,
            beam,
            nbest,
            prefix=self.prefix_edit.text().strip(),
            reference=self.reference_edit.text().strip(),
        )

    def translate_text(self, text: str) -> None:
        """Put ``text`` in the source box and translate it now."""
        self.source_edit.setPlainText(text)
        self.translate_now()

    def inspect_pair(self, source: str, reference: str = "") -> None:
        """Open a sentence (and a translation to score against it) in the inspector."""
        for edit in (self.reference_edit, self.prefix_edit):
            edit.blockSignals(True)
        self.reference_edit.setText(reference)
        self.prefix_edit.clear()
        for edit in (self.reference_edit, self.prefix_edit):
            edit.blockSignals(False)
        self.translate_text(source)

    @property
    def beam(self) -> int:
        return self.beam_spin.value()

    @Slot(object)
    def show_inspection(self, inspection) -> None:
        """The N-best list (and the user's translation, ✎, last), then every inspector view."""
        self._inspection = inspection
        hyps = list(inspection.hypotheses)
        self._results = hyps + ([inspection.reference] if inspection.reference is not None else [])
        self.nbest_list.blockSignals(True)
        self.nbest_list.clear()
        for i, tr in enumerate(hyps, 1):
            item = QListWidgetItem(f"{i}. {tr.text}   ({tr.score:.3f})")
            item.setToolTip(" ".join(tr.target_tokens))
            self.nbest_list.addItem(item)
        if inspection.reference is not None:
            ref = inspection.reference
            per_token = ref.score / max(1, len(ref.target_tokens))  # as the beam's scores are
            item = QListWidgetItem(f"✎ {ref.text}   ({per_token:.3f})")
            item.setToolTip(
                f"Your translation, scored by the model: log-probability "
                f"{ref.score:.3f}, {per_token:.3f} per token: " + " ".join(ref.target_tokens)
            )
            self.nbest_list.addItem(item)
        self.nbest_list.blockSignals(False)
        self.output.setPlainText(hyps[0].text if hyps else "")
        self.inspector.show_inspection(inspection, self._inspected_text)
        if self._results:
            self.nbest_list.setCurrentRow(0)
            self.show_hypothesis(0)

    @Slot(int)
    def show_hypothesis(self, index: int) -> None:
        if not 0 <= index < len(self._results):
            return
        self.inspector.show_hypothesis(self._results[index])

    @property
    def inspection(self):
        return self._inspection

    @property
    def results(self) -> list:
        return list(self._results)

    @Slot()
    def copy_translation(self) -> None:
        QGuiApplication.clipboard().setText(self.output.toPlainText())

    def export_to(self, path: str) -> bool:
        """Export the shown attention (PNG, SVG, CSV or JSON by the file's suffix)."""
        return self.inspector.export_to(path)

    # ------------------------------------------------------------------ session state
    def _build_banner(self) -> QFrame:
        """The line that names the open model and its languages (and warns when it is not the
        model trained last)."""
        self.model_label = _named(QLabel(NO_MODEL), "modelLabel")
        self.model_label.setWordWrap(True)
        self.use_trained_button = _named(
            QPushButton("Use the model you trained"), "useTrainedModelButton"
        )
        self.use_trained_button.setVisible(False)
        self.use_trained_button.clicked.connect(self._use_trained)
        frame = _named(QFrame(), "modelBanner")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        banner = QHBoxLayout(frame)
        banner.setContentsMargins(8, 3, 8, 3)
        banner.addWidget(self.model_label, 1)
        banner.addWidget(self.use_trained_button)
        self.model_banner = frame
        self._style_banner(warn=False)
        return frame

    @Slot()
    def _use_trained(self) -> None:
        if self._trained:
            self.openModelRequested.emit(self._trained[0])

    def _style_banner(self, warn: bool) -> None:
        colours = ("#fff4d6", "#c98a00") if warn else ("#e8f0fb", "#8fb0dd")
        self.model_banner.setStyleSheet(
            f"#modelBanner {{ background: {colours[0]}; border: 1px solid {colours[1]}; "
            "border-radius: 3px; }"
        )

    def expect_trained(self, path: str, name: str, src_lang: str, tgt_lang: str) -> None:
        """The last training run's model: the banner warns while another model is open."""
        self._trained = (str(path), name, src_lang, tgt_lang)
        self._update_banner()

    def _update_banner(self) -> None:
        info = self._session.model_info
        other = (
            self._trained is not None
            and info is not None
            and Path(info.path) != Path(self._trained[0])
        )
        self.use_trained_button.setVisible(other)
        self._style_banner(warn=other)
        if info is None:
            self.model_label.setText(NO_MODEL)
            return
        bleu = f", BLEU {info.bleu:.1f}" if info.bleu is not None else ""
        text = (
            f"Translating with <b>{info.name}</b>: <b>{info.src_lang} → {info.tgt_lang}</b>{bleu}"
        )
        if other:
            _, name, src, tgt = self._trained
            text += f" — not the model you trained last (“{name}”, {src} → {tgt})"
        self.model_label.setText(text)
        self.model_label.setToolTip(info.path)

    @Slot(object)
    def on_model_loaded(self, info) -> None:
        self._has_model = True
        self._update_banner()
        self._results = []
        self._inspection = None
        self.nbest_list.clear()
        self.output.clear()
        self.inspector.clear()
        if self.source_edit.toPlainText().strip():
            self.translate_now()

    @Slot(str)
    def on_state_changed(self, state: str) -> None:
        usable = state != "training" and state != "loading"
        self.translate_button.setEnabled(usable)
        self.translate_button.setToolTip(
            ""
            if usable
            else "Not available while a model " + ("trains" if state == "training" else "loads")
        )
