"""Help → Guide (F1): the short user guide shipped in ``resources/guide.md``, shown in the app.

In the app rather than a browser: the guide must work in a bundle and on a machine without a
Markdown viewer, and it stays beside the window it explains (modeless).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from gui.widgets.naming import named


def guide_text() -> str:
    from core.resources import resource_path

    return resource_path("guide.md").read_text(encoding="utf-8")


class GuideDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        named(self, "guideDialog")
        self.setWindowTitle("Guide")
        self.browser = named(QTextBrowser(), "guideText")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(guide_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)
        self.resize(720, 640)
