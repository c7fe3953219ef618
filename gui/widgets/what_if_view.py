"""What-if: put all of one decoding step's attention on one source word and see what follows.

Why it is split this way: the view only *asks* (``whatIfRequested(step, source_index)``) and
*shows* (``show_result``); the re-decoding is ``core.decoding.inspection.what_if``, run by the owner
on the session's worker thread. The user picks the step and the word by clicking a cell of the
hypothesis's heatmap (row = step, column = source word); the result is shown as the two outputs with
everything from the first changed token on highlighted, plus the new attention, whose row
``step`` is the one-hot override. Steps are 0-based in the signal and the core call (rows of
the attention matrix) and 1-based on screen ("step 8" is the eighth output token).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.inspection.word_merge import in_view, spread_override, to_words
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.column import column
from gui.widgets.token_strip import TokenStrip

INSTRUCTIONS = (
    "Click a cell: row = the decoding step, column = the source word to put all the "
    "weight on. Then re-decode from that step (or double-click the cell)."
)
INSTRUCTIONS_WORDS = (
    "Click a cell: row = the output word (re-decoded from its first piece), column = the source "
    "word to put all the weight on — spread over that word's pieces in the proportions the "
    "model gave them at that step. Then re-decode (or double-click the cell)."
)
AFTER_PIECES = "After the override (the step's row is one-hot)"
AFTER_WORDS = "After the override (the word's first piece attends only to the chosen word)"
PICK_A_CELL = "Re-decode… (click a cell first)"
NO_TRANSLATION = "Translate a sentence to try changing where the model looks."
RESULT_PLACEHOLDER = "The re-decoded translation's attention appears here."


def first_difference(a: Sequence[str], b: Sequence[str]) -> int | None:
    """Index of the first token where ``a`` and ``b`` differ (a length change counts); None
    when they are equal."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


class WhatIfView(QWidget):
    """The chosen hypothesis's heatmap, a "re-decode" button, and the changed output."""

    whatIfRequested = Signal(int, int)  # (step, source_index)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("whatIfView")
        self.setAccessibleName("whatIfView")
        self._text = ""
        self._pieces = None  # the hypothesis as the model made it
        self._words = False  # show (and pick) words: pieces merged
        self._tr = None  # the hypothesis as shown
        self._changed = None
        self._cell: tuple[int, int] | None = None
        self._pending: tuple[int, int] | None = None
        self._busy = False

        self._instructions = QLabel(INSTRUCTIONS)
        self._instructions.setObjectName("whatIfInstructions")
        self._instructions.setWordWrap(True)
        self.original_heatmap = AttentionHeatmap(placeholder=NO_TRANSLATION)
        self.original_heatmap.setObjectName("whatIfOriginalHeatmap")
        self.original_heatmap.setAccessibleName("whatIfOriginalHeatmap")
        self.changed_heatmap = AttentionHeatmap(placeholder=RESULT_PLACEHOLDER)
        self.changed_heatmap.setObjectName("whatIfChangedHeatmap")
        self.changed_heatmap.setAccessibleName("whatIfChangedHeatmap")

        self.redecode_button = QPushButton(PICK_A_CELL)
        self.redecode_button.setObjectName("whatIfRedecodeButton")
        self.redecode_button.setAccessibleName("whatIfRedecodeButton")
        self.redecode_button.setEnabled(False)
        self.redecode_button.clicked.connect(self.request)
        self._progress = QProgressBar()
        self._progress.setObjectName("whatIfProgress")
        self._progress.setRange(0, 0)  # indeterminate: one short greedy decode
        self._progress.setMaximumWidth(120)
        self._progress.setTextVisible(False)
        self._busy_label = QLabel("Re-decoding…")
        self._busy_label.setObjectName("whatIfBusyLabel")
        for w in (self._progress, self._busy_label):
            w.setVisible(False)

        self.original_strip = TokenStrip(name="whatIfOriginalStrip")
        self.changed_strip = TokenStrip(name="whatIfChangedStrip")
        self._summary = QLabel(" ")
        self._summary.setObjectName("whatIfSummary")
        self._summary.setWordWrap(True)
        self._summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(
            column("Attention of the translation (pick a cell)", (self.original_heatmap, 1))
        )
        self._after_caption = QLabel(AFTER_PIECES)
        split.addWidget(column(self._after_caption, (self.changed_heatmap, 1)))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.redecode_button)
        buttons.addWidget(self._progress)
        buttons.addWidget(self._busy_label)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._instructions)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.original_strip)
        lay.addWidget(self.changed_strip)
        lay.addWidget(self._summary)

        self.original_heatmap.selectionChanged.connect(self._on_cell)
        self.original_heatmap.graphics_view.scene().sigMouseClicked.connect(self._on_scene_click)

    # ------------------------------------------------------------------ data in
    def set_translation(self, source_text: str, tr, words: bool = False) -> None:
        """Show ``tr`` (the hypothesis to change, a ``core.events.Translation``) for
        ``source_text``, in words when ``words``; any earlier result is cleared."""
        self._text, self._pieces, self._words = source_text, tr, words
        self._tr = in_view(tr, words)
        self._instructions.setText(INSTRUCTIONS_WORDS if words else INSTRUCTIONS)
        self._after_caption.setText(AFTER_WORDS if words else AFTER_PIECES)
        self._cell = self._pending = None
        self.original_heatmap.set_translation(self._tr)
        self._clear_result()
        self.busy(False)
        self._update_button()

    def set_words(self, words: bool) -> None:
        """The Subwords | Words switch moved: show the same hypothesis in the other mode (a
        picked cell and a result belong to the old rows and columns, so they go)."""
        if self._pieces is not None and words != self._words:
            self.set_translation(self._text, self._pieces, words)

    def clear(self) -> None:
        self._text, self._tr, self._pieces = "", None, None
        self._cell = self._pending = None
        self.original_heatmap.clear()
        self._clear_result()
        self.busy(False)
        self._update_button()

    def _clear_result(self) -> None:
        self._changed = None
        self.changed_heatmap.clear()
        self.original_strip.clear()
        self.changed_strip.clear()
        self._summary.setText(" ")

    def busy(self, on: bool) -> None:
        """While re-decoding: a spinner and "Re-decoding…", and no second request."""
        self._progress.setVisible(on)
        self._busy_label.setVisible(on)
        self._busy = on
        self._update_button()

    def show_result(self, changed) -> bool:
        """Show the re-decoded translation; False (nothing shown) when it does not belong to
        the translation on screen (the user moved on while it ran)."""
        self.busy(False)
        if self._pieces is None or list(changed.source_tokens) != list(self._pieces.source_tokens):
            return False
        step, col = self._pending if self._pending is not None else (self._cell or (0, 0))
        self._changed = changed = in_view(changed, self._words)
        new_step = self._result_step(changed, step)
        orig, new = list(self._tr.target_tokens), list(changed.target_tokens)
        diff = first_difference(orig, new)
        word = self._tr.source_tokens[col]
        tip = f"step {step + 1}: all attention on ‘{word}’"
        self.original_strip.set_marked(
            orig, diff, "<b>Original</b>", self._tips(len(orig), diff, step, tip), outlined=step
        )
        self.changed_strip.set_marked(
            new, diff, "<b>What-if</b>", self._tips(len(new), diff, new_step, tip), new_step
        )
        self.changed_heatmap.set_translation(changed)
        if new_step < len(new):
            self.changed_heatmap.select(new_step, None)
        at = f"At step {step + 1} (‘{self._step_token(step)}’), with all the attention on ‘{word}’"
        at += self._spread_note(step, col)
        if diff is None:
            self._summary.setText(f"{at}, the output did not change.")
        else:
            first = f" (‘{new[diff]}’)" if diff < len(new) else ""
            self._summary.setText(
                f"{at}, the output changes from token {diff + 1}{first} on: “{changed.text}”"
            )
        return True

    def _result_step(self, changed, step: int) -> int:
        """The row of the overridden step in the result: in words, the word holding the piece
        that was re-decoded (a new piece there may continue the word before it)."""
        if not self._words:
            return step
        piece = to_words(self._pieces).target_groups.spans[step][0]
        groups = to_words(changed).target_groups
        return groups.word_of(piece) if piece < len(groups.pieces) else len(groups) - 1

    def _spread_note(self, step: int, col: int) -> str:
        """In words: how the one-hot was shared over the source word's pieces."""
        if not self._words:
            return ""
        pieces = to_words(self._pieces).source_groups.pieces_of(col)
        if len(pieces) < 2:
            return ""
        _, weights = spread_override(self._pieces, step, col)
        start = to_words(self._pieces).source_groups.spans[col][0]
        shares = ", ".join(f"{p} {weights[start + i]:.2f}" for i, p in enumerate(pieces))
        return f" (spread over its pieces in their original proportions: {shares})"

    @staticmethod
    def _tips(n: int, diff: int | None, step: int, tip: str) -> list[str]:
        start = n if diff is None else diff
        return [tip if i == step else ("unchanged" if i < start else "changed") for i in range(n)]

    # ------------------------------------------------------------------ picking a cell
    def _on_cell(self, row: int, col: int) -> None:
        self._cell = (row, col) if row >= 0 and col >= 0 else None
        self._update_button()

    def _on_scene_click(self, ev) -> None:
        """A double-click on a cell re-decodes at once (the first click already selected it)."""
        if not ev.double() or ev.button() != Qt.MouseButton.LeftButton or self._tr is None:
            return
        pos = self.original_heatmap.image_item.mapFromScene(ev.scenePos())
        rows, cols = self._tr.attention.shape
        row, col = math.floor(pos.y()), math.floor(pos.x())
        if 0 <= row < rows and 0 <= col < cols:
            self.original_heatmap.select(row, col)
            self.request()

    def _step_token(self, step: int) -> str:
        tokens = self._tr.target_tokens if self._tr is not None else []
        return tokens[step] if 0 <= step < len(tokens) else "?"

    def _update_button(self) -> None:
        if self._tr is None or self._cell is None:
            self.redecode_button.setText(PICK_A_CELL)
            self.redecode_button.setEnabled(False)
            return
        step, col = self._cell
        word = self._tr.source_tokens[col]
        self.redecode_button.setText(
            f"Re-decode from step {step + 1} "
            f"(‘{self._step_token(step)}’) with the weight on ‘{word}’"
        )
        self.redecode_button.setEnabled(not self._busy)

    def request(self) -> None:
        """Emit ``whatIfRequested`` for the selected cell (the button's action)."""
        if self._tr is None or self._cell is None or self._busy:
            return
        self._pending = self._cell
        self.whatIfRequested.emit(*self._cell)

    # ------------------------------------------------------------------ for the owner
    def job_kwargs(self, step: int, source_index: int) -> dict:
        """The keyword arguments of ``core.decoding.inspection.what_if`` for a request:
        ``partial(what_if, **view.job_kwargs(step, source_index))``."""
        if self._tr is None or self._pieces is None:
            raise ValueError("no translation shown")
        kwargs = {"text": self._text, "target_tokens": list(self._pieces.target_tokens)}
        if not self._words:
            return {**kwargs, "step": step, "source_index": source_index}
        piece_step, weights = spread_override(self._pieces, step, source_index)
        first = to_words(self._pieces).source_groups.spans[source_index][0]
        return {
            **kwargs,
            "step": piece_step,
            "source_index": first,
            "source_weights": weights.tolist(),
        }

    @property
    def source_text(self) -> str:
        return self._text

    @property
    def translation(self):
        return self._tr

    @property
    def result(self):
        return self._changed

    @property
    def selected_cell(self) -> tuple[int, int] | None:
        return self._cell

    @property
    def summary_text(self) -> str:
        return self._summary.text()

    @property
    def is_busy(self) -> bool:
        return self._busy
