"""One way to name widgets: the object name finds them in tests, the accessible name gives screen
readers and UI automation the same handle."""

from __future__ import annotations

from typing import TypeVar

W = TypeVar("W")


def named(widget: W, name: str) -> W:
    widget.setObjectName(name)  # type: ignore[attr-defined]
    widget.setAccessibleName(name)  # type: ignore[attr-defined]
    return widget
