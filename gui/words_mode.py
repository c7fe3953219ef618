"""Subwords | Words: whether the views show a subword model's pieces or the words they make up.

Why one state for the whole window: every view (heatmap, statistics, alignment, beam tree, your
translation, what-if, timeline, compare) reads the same ``WordsMode``, so switching in one place
switches them all and no two views disagree about what a row is. Words is the default when the
open model uses subwords; for a word-level model there is nothing to merge and the switch hides.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class WordsMode(QObject):
    """``words``: show words (merged pieces); ``available``: the open model uses subwords."""

    changed = Signal(bool)  # words
    availabilityChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._available = False
        self._words = False

    @property
    def available(self) -> bool:
        return self._available

    @property
    def words(self) -> bool:
        """True when the views merge pieces into words (never for a word-level model)."""
        return self._available and self._words

    def set_words(self, on: bool) -> None:
        if on == self._words:
            return
        self._words = on
        if self._available:
            self.changed.emit(self.words)

    def set_model(self, info) -> None:
        """A model was opened (a ``ModelInfo``): Words for a subword model, hidden otherwise."""
        available = bool(getattr(info, "subwords", False))
        before = self.words
        self._available, self._words = available, available
        self.availabilityChanged.emit(available)
        if self.words != before:
            self.changed.emit(self.words)
