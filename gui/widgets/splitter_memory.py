"""Splitters that remember where the user left them (saved in the settings on every move)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QSplitter


def remember_sizes(splitter: QSplitter, settings, key: str, default: list[int]) -> QSplitter:
    """Restore ``splitter`` from ``splitters/<key>`` (else ``default``) and save it when moved."""
    splitter.setObjectName(splitter.objectName() or f"{key}Splitter")
    state = settings.value(f"splitters/{key}") if settings is not None else None
    if not (isinstance(state, QByteArray) and not state.isEmpty() and splitter.restoreState(state)):
        splitter.setSizes(default)
    if settings is not None:
        splitter.splitterMoved.connect(
            lambda *_: settings.set_value(f"splitters/{key}", splitter.saveState())
        )
    return splitter
