"""The **Subwords | Words** switch: two exclusive buttons showing and setting a ``WordsMode``.

Each panel with attention puts one in its header; they all drive the same state, so they always
agree. Hidden while the open model is word-level (its tokens are words already).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

from gui.widgets.naming import named
from gui.words_mode import WordsMode

TIP = (
    "Words: each word's pieces merged — a source word's column is the sum of its pieces' "
    "columns, a target word's row the mean of its pieces' rows (rows still sum to 1), its "
    "probability the product of theirs. Hover a cell to see the pieces and their own weights."
)


class WordsSwitch(QWidget):
    """``shown`` says when the switch applies (default: the open model uses subwords)."""

    def __init__(
        self,
        mode: WordsMode,
        name: str,
        parent: QWidget | None = None,
        shown: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, name)
        self._mode = mode
        self._shown = shown or (lambda: mode.available)
        self.subwords_button = named(QToolButton(), f"{name}Subwords")
        self.words_button = named(QToolButton(), f"{name}Words")
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        for button, text in ((self.subwords_button, "Subwords"), (self.words_button, "Words")):
            button.setText(text)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolTip(TIP)
            self._group.addButton(button)
        self.setStyleSheet("QToolButton:checked { font-weight: bold; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(QLabel("Show: "))
        lay.addWidget(self.subwords_button)
        lay.addWidget(self.words_button)
        self.words_button.toggled.connect(self._on_toggled)
        mode.changed.connect(self.refresh)
        mode.availabilityChanged.connect(self.refresh)
        self.refresh()

    def _on_toggled(self, on: bool) -> None:
        self._mode.set_words(on)

    def refresh(self, *_args) -> None:
        """Show the mode's position; hide when there are no pieces to merge."""
        on = self._mode.prefers_words
        (self.words_button if on else self.subwords_button).setChecked(True)
        self.setVisible(self._shown())

    @property
    def mode(self) -> WordsMode:
        return self._mode
