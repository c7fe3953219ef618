"""The welcome banner shown above the tabs until dismissed: three ways to start.

Not a dialog: it never blocks, and the window stays usable around it. ✕ hides it for this session;
*Don't show again* hides it for good (``welcome/dismissed`` in the settings); Help → Welcome shows
it again either way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout

from gui.widgets.naming import named as _named

# English with a time adverb first: German puts the verb second ("Heute schläft der Hund…"), so
# the heatmap shows the verb looking back past the subject.
SUGGESTED_SENTENCE = "Today the dog sleeps in the garden."
DISMISSED_KEY = "welcome/dismissed"


class WelcomePanel(QFrame):
    translateSuggestedRequested = Signal(str)
    trainSampleRequested = Signal()
    trainOwnFilesRequested = Signal()
    dismissed = Signal()

    def __init__(self, settings, parent=None) -> None:
        super().__init__(parent)
        self._settings = settings
        _named(self, "welcomePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        # Title and text share a line: on a laptop screen every pixel of height goes to the tabs.
        self.text_label = _named(
            QLabel(
                "<b>Welcome to Attnscope.</b> Try the English→German demo model: translate a "
                "sentence and see which English words each German word attends to. Then train a "
                "model of your own, on the sample corpus or on your own parallel text."
            ),
            "welcomeText",
        )
        self.text_label.setWordWrap(True)
        self.translate_button = _named(
            QPushButton("Translate a suggested sentence"), "welcomeTranslateButton"
        )
        self.translate_button.setToolTip(
            f"“{SUGGESTED_SENTENCE}” with the demo model: the "
            "heatmap shows German putting the verb second"
        )
        self.sample_button = _named(
            QPushButton("Train on the sample corpus"), "welcomeSampleButton"
        )
        self.sample_button.setToolTip(
            "Fill the Train tab with the bundled English–German corpus and the Small preset"
        )
        self.own_button = _named(QPushButton("Train on your own files…"), "welcomeOwnFilesButton")
        self.own_button.setToolTip("Choose a TSV file, or a source and a target file")
        self.close_button = _named(QToolButton(), "welcomeDismissButton")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(
            "Hide the welcome until the next start (Help → Welcome shows it again)"
        )
        self.dont_show_button = _named(QPushButton("Don't show again"), "welcomeDontShowButton")
        self.dont_show_button.setFlat(True)
        self.dont_show_button.setToolTip(
            "Hide the welcome for good (Help → Welcome shows it again)"
        )

        head = QHBoxLayout()
        head.addWidget(self.text_label, 1)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        for b in (self.translate_button, self.sample_button, self.own_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.dont_show_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 4, 6, 6)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addLayout(buttons)

        self.translate_button.clicked.connect(
            lambda: self.translateSuggestedRequested.emit(SUGGESTED_SENTENCE)
        )
        self.sample_button.clicked.connect(self.trainSampleRequested)
        self.own_button.clicked.connect(self.trainOwnFilesRequested)
        self.close_button.clicked.connect(self.hide)
        self.dont_show_button.clicked.connect(self.dismiss)

    @staticmethod
    def was_dismissed(settings) -> bool:
        value = settings.value(DISMISSED_KEY, False)
        return value is True or str(value).lower() in ("true", "1")

    def dismiss(self) -> None:
        """Hide, and remember not to show it at the next starts ("Don't show again")."""
        self.hide()
        self._settings.set_value(DISMISSED_KEY, True)
        self._settings.sync()
        self.dismissed.emit()

    def show_again(self) -> None:
        self._settings.set_value(DISMISSED_KEY, False)
        self.show()
