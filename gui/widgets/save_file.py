"""Asking where to save an export and reporting a failed write, shared by the inspector widgets.

Why one place: every export remembers its folder in the settings and shows a failed write the
same way (through the app's error reporter when the widget has one, a message box otherwise).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

log = logging.getLogger(__name__)


def ask_save_path(
    parent: QWidget, settings, title: str, file_name: str, filters: dict[str, str]
) -> str | None:
    """A save dialog starting in the last export folder; the suffix of the chosen filter is
    added when the user typed none. ``filters`` maps suffixes (``"csv"``) to filter texts."""
    folder = settings.last_folder("export") if settings is not None else str(Path.home())
    path, chosen = QFileDialog.getSaveFileName(
        parent, title, str(Path(folder) / file_name), ";;".join(filters.values())
    )
    if not path:
        return None
    if not Path(path).suffix:
        suffix = next((s for s, f in filters.items() if f == chosen), next(iter(filters)))
        path += "." + suffix
    return path


def remember_folder(settings, path: str | Path) -> None:
    if settings is not None:
        settings.set_last_folder("export", path)


def report_failure(parent: QWidget, errors, title: str, exc: BaseException) -> None:
    """Through ``errors.report_exception`` when given, else a plain warning box."""
    if errors is not None:
        errors.report_exception(title, exc)
        return
    log.error("%s: %s", title, exc)
    QMessageBox.warning(parent, title, str(exc))
