"""A captioned column of widgets with no margins, the building block of the panels' splitters."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget


def column(*items: QWidget | QLayout | str | tuple[QWidget, int]) -> QWidget:
    """Stack ``items`` top to bottom: text becomes a label, ``(widget, n)`` gets stretch ``n``."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if isinstance(item, str):
            lay.addWidget(QLabel(item))
        elif isinstance(item, tuple):
            lay.addWidget(item[0], item[1])
        elif isinstance(item, QLayout):
            lay.addLayout(item)
        else:
            lay.addWidget(item)
    return box
