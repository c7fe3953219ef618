"""The mouse wheel scrolls the page, not the setting under the pointer.

A spin box or combo box takes the wheel only once it has keyboard focus (a click or Tab): scrolling
a form must never change *Epochs* from 30 to 17 on its way down. One event filter on the
QApplication covers every such widget, including those created later (dialogs, rebuilt lists):
it gives them ``Qt.StrongFocus`` when they are polished (so the wheel cannot focus them either)
and, while they are unfocused, ignores the wheel event so Qt passes it on to the scroll area
behind them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QAbstractSpinBox, QComboBox)
_WHEEL, _POLISH = QEvent.Type.Wheel, QEvent.Type.Polish


def guard_widget(widget: QWidget) -> None:
    """What the filter does at polish time, for a widget that already exists."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """Application-wide filter: unfocused spin and combo boxes let the wheel pass through."""

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        kind = ev.type()
        if kind == _WHEEL:
            if isinstance(obj, GUARDED) and not obj.hasFocus():
                ev.ignore()  # unhandled: QApplication passes it to the parent (scrolling)
                return True
        elif kind == _POLISH and isinstance(obj, GUARDED):
            guard_widget(obj)
        return False


_guard: WheelGuard | None = None


def install_wheel_guard(app: QApplication | None = None) -> WheelGuard:
    """Install the guard once on the application (idempotent); also guards existing widgets."""
    global _guard
    app = app or QApplication.instance()
    if _guard is None:
        _guard = WheelGuard()
        app.installEventFilter(_guard)
        for widget in app.allWidgets():
            if isinstance(widget, GUARDED):
                guard_widget(widget)
    return _guard
