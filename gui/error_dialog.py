"""One way to tell the user something failed: a short message, with the details one click away.

Dialogs are opened non-modally (``open()``, never ``exec()``) so a failure in a worker or a slot
never blocks the event loop, and identical messages are not stacked.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from core.errors import CoreError
from core.paths import AppPaths

log = logging.getLogger(__name__)


def describe_exception(exc: BaseException) -> tuple[str, str]:
    """(short message for the user, full details): a CoreError's text is already for users."""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, CoreError):
        return str(exc), details
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}", details
    return f"{type(exc).__name__}: {exc}", details


class ErrorReporter(QObject):
    """Shows error dialogs from any thread (``report`` is queued to the GUI thread)."""

    reported = Signal(str, str, str)  # title, message, details — emitted from any thread

    def __init__(
        self, parent_widget: QWidget | None = None, *, paths: AppPaths | None = None
    ) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._paths = paths or AppPaths.default()  # the log folder the dialog offers to open
        self._open: dict[str, QMessageBox] = {}
        self.history: list[tuple[str, str, str]] = []
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def set_parent_widget(self, widget: QWidget | None) -> None:
        self._parent_widget = widget

    def report(self, title: str, message: str, details: str = "") -> None:
        """Thread-safe: log now, show the dialog on the GUI thread."""
        log.error("%s: %s\n%s", title, message, details)
        self.reported.emit(title, message, details)

    def report_exception(self, title: str, exc: BaseException) -> None:
        message, details = describe_exception(exc)
        self.report(title, message, details)

    @Slot(str, str, str)
    def _show(self, title: str, message: str, details: str) -> None:
        self.history.append((title, message, details))
        key = f"{title}\n{message}"
        if key in self._open:
            return
        box = QMessageBox(self._parent_widget)
        box.setObjectName("errorDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(title)  # Qt appends the application display name
        box.setText(message)
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        box.addButton(copy, QMessageBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{message}\n\n{details}"))
        logs = QPushButton("Open log folder")
        box.addButton(logs, QMessageBox.ButtonRole.ActionRole)
        logs.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._paths.logs)))
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _=0, k=key: self._open.pop(k, None))
        self._open[key] = box
        box.open()

    def open_dialogs(self) -> list[QMessageBox]:
        return list(self._open.values())

    def close_all(self) -> None:
        for box in list(self._open.values()):
            box.close()
        self._open.clear()
