"""Self-attention of the same sentence: the encoder's (source × source) or the decoder's
(target × target), for the chosen layer and head.

Why a switch and not two maps: the two matrices have different axes and usually very different
sizes; one big heatmap with its labels readable beats two cramped ones. The decoder's map says in
words what its masking guarantees (every weight above the diagonal is exactly 0: a step never
sees a later token), measured on the matrix shown, not assumed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from core.events import Translation
from core.inspection.heads import (
    DECODER,
    ENCODER,
    HeadChoice,
    self_attention_view,
    upper_triangle_max,
)
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.head_selector import HeadSelector, HeadState
from gui.widgets.naming import named

NOT_CARRIED = (
    "This translation carries no self-attention: a GRU model has none, and a Transformer's "
    "is recorded when a sentence is translated in the app."
)
EMPTY = "Translate a sentence to see how its words attend to each other."


class SelfAttentionView(QWidget):
    """An Encoder | Decoder switch, the shared layer × head selector and one heatmap."""

    def __init__(self, state: HeadState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "selfAttentionView")
        self._state = state
        self._tr: Translation | None = None
        self.encoder_button = named(QRadioButton("Encoder (source × source)"), "encoderSelfButton")
        self.decoder_button = named(QRadioButton("Decoder (target × target)"), "decoderSelfButton")
        self.encoder_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.encoder_button)
        group.addButton(self.decoder_button)
        self.selector = HeadSelector(state, "selfAttentionHeadSelector")
        self.note = named(QLabel(EMPTY), "selfAttentionNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # tokens such as <s> are text
        self.heatmap = named(AttentionHeatmap(placeholder=EMPTY), "selfAttentionHeatmap")
        top = QHBoxLayout()
        top.addWidget(self.encoder_button)
        top.addWidget(self.decoder_button)
        top.addStretch(1)
        top.addWidget(self.selector)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.note)
        lay.addWidget(self.heatmap, 1)
        group.buttonToggled.connect(self._refresh)
        state.changed.connect(self._refresh)

    @property
    def side(self) -> str:
        return DECODER if self.decoder_button.isChecked() else ENCODER

    def set_translation(self, tr: Translation | None) -> None:
        self._tr = tr
        self._refresh()

    def clear(self) -> None:
        self.set_translation(None)

    @Slot()
    def _refresh(self, *_args) -> None:
        tr, choice = self._tr, self._state.choice or HeadChoice()
        try:
            view = (
                None
                if tr is None or not tr.target_tokens
                else self_attention_view(tr, self.side, choice)
            )
        except ValueError as exc:  # e.g. a decoder layer the encoder does not have
            self.heatmap.clear()
            self.note.setText(f"The {self.side} cannot show {choice.label}: {exc}.")
            return
        if view is None:
            self.heatmap.clear()
            self.note.setText(EMPTY if tr is None or not tr.target_tokens else NOT_CARRIED)
            return
        matrix, rows, cols = view
        self.heatmap.set_matrix(matrix, cols, rows)
        if self.side == ENCODER:
            self.note.setText(
                f"Encoder self-attention, {choice.label}: row = a source token, column = the "
                "source token it attends to (every row sums to 1)."
            )
        else:
            above = upper_triangle_max(matrix)
            mask = (
                "every weight above the diagonal is exactly 0 (a step never sees a later token)"
                if above == 0.0
                else f"weights above the diagonal up to {above:.3g}: the mask is broken"
            )
            self.note.setText(
                f"Decoder self-attention, {choice.label}: row = the step producing that token, "
                f"column = the decoder's input at each position (<s>, then the tokens produced "
                f"before); {mask}."
            )

    @property
    def translation(self) -> Translation | None:
        return self._tr
