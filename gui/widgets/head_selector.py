"""Which attention head the views show: one shared choice, and a layer × head selector for it.

Why a shared object: the heatmap, the alignment lines, the statistics, the self-attention view and
the what-if all show "the chosen head"; several selectors (one per tab) bind to one
:class:`HeadState`, so choosing a head anywhere (a selector, a thumbnail of the head grid, a row of
the AER ranking) moves every view together. A GRU model has no heads: the state's shape is
(0, 0) and every selector hides itself.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from core.inspection.heads import HeadChoice, default_choice
from gui.widgets.naming import named

ALL_LAYERS = -1  # the layer combo's data for "all layers"
MEAN = -1  # the head combo's data for "mean over heads"


class HeadState(QObject):
    """The model's (layers, heads) and the chosen :class:`HeadChoice`; None for a GRU model."""

    changed = Signal(object)  # HeadChoice | None
    shapeChanged = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._shape = (0, 0)
        self._choice: HeadChoice | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape

    @property
    def choice(self) -> HeadChoice | None:
        return self._choice

    def set_shape(self, n_layers: int, n_heads: int) -> None:
        """A translation of another shape (another model): back to the default view, the last
        layer's mean; the same shape keeps the user's choice from one sentence to the next."""
        shape = (int(n_layers), int(n_heads))
        if shape == self._shape:
            return
        self._shape = shape
        self.shapeChanged.emit(*shape)
        self.set_choice(default_choice(shape[0]) if shape[0] else None)

    def set_choice(self, choice: HeadChoice | None) -> None:
        if choice == self._choice:
            return
        self._choice = choice
        self.changed.emit(choice)


class HeadSelector(QWidget):
    """The "Layer [n | all] Head [mean | n]" combos bound to a :class:`HeadState`; hidden for a
    model without heads."""

    def __init__(self, state: HeadState, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name)
        self._state = state
        self.layer_combo = named(QComboBox(), name + "Layer")
        self.head_combo = named(QComboBox(), name + "Head")
        self.layer_combo.setToolTip("Which decoder layer's cross-attention to show")
        self.head_combo.setToolTip(
            "One head, or the mean over the layer's heads (the default view is the last "
            "layer's mean)"
        )
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Layer"))
        lay.addWidget(self.layer_combo)
        lay.addWidget(QLabel("Head"))
        lay.addWidget(self.head_combo)
        self.layer_combo.currentIndexChanged.connect(self._on_combo)
        self.head_combo.currentIndexChanged.connect(self._on_combo)
        state.shapeChanged.connect(self._fill)
        state.changed.connect(self._show_choice)
        self._fill(*state.shape)

    @Slot(int, int)
    def _fill(self, n_layers: int, n_heads: int) -> None:
        with QSignalBlocker(self.layer_combo), QSignalBlocker(self.head_combo):
            self.layer_combo.clear()
            for layer in range(n_layers):
                self.layer_combo.addItem(f"{layer}", layer)
            self.layer_combo.addItem("all (mean over all)", ALL_LAYERS)
            self.head_combo.clear()
            self.head_combo.addItem("mean over heads", MEAN)
            for head in range(n_heads):
                self.head_combo.addItem(f"{head}", head)
        self.setVisible(n_layers > 0)
        self._show_choice(self._state.choice)

    @Slot(object)
    def _show_choice(self, choice: HeadChoice | None) -> None:
        if choice is None:
            return
        layer = ALL_LAYERS if choice.layer is None else choice.layer
        head = MEAN if choice.head is None else choice.head
        with QSignalBlocker(self.layer_combo), QSignalBlocker(self.head_combo):
            self.layer_combo.setCurrentIndex(max(0, self.layer_combo.findData(layer)))
            self.head_combo.setCurrentIndex(max(0, self.head_combo.findData(head)))
        self.head_combo.setEnabled(layer != ALL_LAYERS)

    @Slot()
    def _on_combo(self) -> None:
        layer, head = self.layer_combo.currentData(), self.head_combo.currentData()
        if layer is None or head is None:
            return
        if layer == ALL_LAYERS:
            self._state.set_choice(HeadChoice())
        else:
            self._state.set_choice(HeadChoice(layer, None if head == MEAN else head))
        self._show_choice(self._state.choice)
