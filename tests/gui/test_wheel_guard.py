"""The mouse wheel over an unfocused spin or combo box scrolls the page and leaves the value; once
the field has focus (a click, Tab) the wheel changes it as usual. Everywhere in the app."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.widgets.wheel_guard import install_wheel_guard


def _wheel(widget: QWidget, notches: int = 1) -> None:
    """One real QWheelEvent (a mouse notch is 120) delivered through QApplication to ``widget``."""
    pos = QPointF(widget.rect().center())
    ev = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, ev)


def _page(qtbot) -> tuple[QScrollArea, QSpinBox, QComboBox]:
    install_wheel_guard()
    inner = QWidget()
    lay = QVBoxLayout(inner)
    spin, combo = QSpinBox(), QComboBox()
    spin.setRange(0, 100)
    spin.setValue(30)
    combo.addItems(["one", "two", "three"])
    combo.setCurrentIndex(1)
    for w in (spin, combo):
        lay.addWidget(w)
    lay.addSpacing(2000)
    area = QScrollArea()
    area.setWidget(inner)
    area.resize(300, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    return area, spin, combo


def test_unfocused_fields_ignore_the_wheel_and_focused_ones_take_it(qtbot):
    area, spin, combo = _page(qtbot)
    area.setFocus()
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel cannot focus them
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    _wheel(spin)
    _wheel(combo, -1)
    assert spin.value() == 30 and combo.currentIndex() == 1 and not spin.hasFocus()

    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    _wheel(spin)  # the same event, now with focus: it counts
    assert spin.value() == 31
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    _wheel(combo, -1)
    assert combo.currentIndex() == 2


def test_every_spin_and_combo_box_of_the_window_is_guarded(window, qtbot):
    """Including the Train tab's Epochs (the one the wheel used to change) and the widgets of
    tabs not yet shown: the guard acts on every polish, not on a list made at start."""
    panel = window.train_panel
    window.tabs.setCurrentWidget(panel)
    panel.form.advanced.set_expanded(True)
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        qtbot.wait(10)
    boxes = window.findChildren(QAbstractSpinBox) + window.findChildren(QComboBox)
    assert len(boxes) > 15
    wheel_focus = [
        b.objectName() or type(b).__name__
        for b in boxes
        if b.isVisibleTo(window) and b.focusPolicy() == Qt.FocusPolicy.WheelFocus
    ]
    assert wheel_focus == []
    window.tabs.setCurrentWidget(panel)
    panel.epochs_spin.setValue(30)
    panel.start_button.setFocus()
    _wheel(panel.epochs_spin, -1)
    _wheel(panel.preset_combo, -1)
    assert panel.epochs_spin.value() == 30 and panel.preset_combo.currentIndex() == 0
