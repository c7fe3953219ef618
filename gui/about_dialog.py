"""Help → About: name, version, what the app is for, the licences, and the versions in use."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from gui.app_info import APP_DISPLAY_NAME, DESCRIPTION, LICENCES, app_icon, runtime_versions


def about_text() -> str:
    """The dialog's body as plain text (also what "Copy" puts on the clipboard)."""
    lines = [f"{APP_DISPLAY_NAME} {__version__}", DESCRIPTION, "", "Licences:"]
    lines += [f"  {name}: {licence}" for name, licence in LICENCES]
    lines += [
        "",
        "Running on: "
        + ", ".join(f"{k} {v}" for k, v in runtime_versions().items() if k != "Attnscope"),
    ]
    return "\n".join(lines)


def _html() -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(name)}</td><td>&nbsp;&nbsp;{esc(lic)}</td></tr>" for name, lic in LICENCES
    )
    versions = " · ".join(
        f"{esc(k)} {esc(v)}" for k, v in runtime_versions().items() if k != "Attnscope"
    )
    return (
        f"<p>{esc(DESCRIPTION)}</p>"
        f"<p><b>Licences</b></p><table>{rows}</table>"
        f"<p><b>Running on</b><br>{versions}</p>"
    )


class AboutDialog(QDialog):
    """Modeless (``show()``): it never blocks the event loop, the window or a test."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_DISPLAY_NAME}")
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<h2>{APP_DISPLAY_NAME} {__version__}</h2>")
        title.setObjectName("aboutTitle")
        self.body = QLabel(_html())
        self.body.setObjectName("aboutBody")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setMinimumWidth(460)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(self.body)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy")
        copy.setToolTip("Copy the version and licence information")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(about_text()))
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(buttons)

    def text(self) -> str:
        """Everything the dialog shows, as plain text (for tests and the clipboard)."""
        return about_text()
