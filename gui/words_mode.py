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
        self._words = True  # the user's choice; Words until they pick Subwords

    @property
    def available(self) -> bool:
        return self._available

    @property
    def words(self) -> bool:
        """True when the views merge pieces into words (never for a word-level model)."""
        return self._available and self._words

    @property
    def prefers_words(self) -> bool:
        """The switch's position, whatever the open model: the compare panel applies it to the
        models it compares, which need not be the open one."""
        return self._words

    def set_words(self, on: bool) -> None:
        if on == self._words:
            return
        self._words = on
        self.changed.emit(self.words)

    def set_model(self, info) -> None:
        """A model was opened (a ``ModelInfo``): a subword model starts in Words; for a
        word-level one the switch hides (the choice is kept for the compare panel)."""
        available = bool(getattr(info, "subwords", False))
        before = self.words
        self._available = available
        if available:
            self._words = True
        self.availabilityChanged.emit(available)
        if self.words != before:
            self.changed.emit(self.words)


def words_mode_of(session, owner: QObject) -> WordsMode:
    """The session's shared state; a panel built on a stand-in session (widget tests) gets its
    own, which stays hidden until told a subword model is open."""
    mode = getattr(session, "words_mode", None)
    return mode if isinstance(mode, WordsMode) else WordsMode(owner)
