"""A titled section that folds away: the rarely changed settings stay one click off the screen.

Whether it is open is remembered in the settings under ``key`` so the form looks the same at the
next start.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget


class CollapsibleSection(QWidget):
    toggled = Signal(bool)

    def __init__(
        self,
        title: str,
        content: QWidget,
        settings=None,
        key: str = "",
        expanded: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings, self._key = settings, key
        self.content = content
        self.button = QToolButton()
        self.button.setText(title)
        self.button.setCheckable(True)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setAutoRaise(True)
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = self.button.font()
        font.setBold(True)
        self.button.setFont(font)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.button)
        lay.addWidget(content)
        if settings is not None and key:
            stored = settings.value(key, None)
            if stored is not None:
                expanded = stored is True or str(stored).lower() in ("true", "1")
        self.button.toggled.connect(self._on_toggled)
        self.set_expanded(expanded)

    @property
    def expanded(self) -> bool:
        return self.button.isChecked()

    def set_expanded(self, on: bool) -> None:
        self.button.setChecked(on)
        self._apply(on)

    def _apply(self, on: bool) -> None:
        self.button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.content.setVisible(on)

    def _on_toggled(self, on: bool) -> None:
        self._apply(on)
        if self._settings is not None and self._key:
            self._settings.set_value(self._key, bool(on))
        self.toggled.emit(on)
