"""The main window: composes the Train, Translate and Models panels around one Session.

It owns no logic of its own beyond wiring, menus, the status bar, remembered geometry and a clean
close (asking first while a model trains, then waiting for the saved checkpoint without blocking).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from core.paths import AppPaths
from gui.about_dialog import AboutDialog
from gui.app_info import app_icon
from gui.error_dialog import ErrorReporter
from gui.file_translate import FileTranslation
from gui.jobs import Failure
from gui.panels.compare_panel import ComparePanel
from gui.panels.dev_panel import DevSetPanel
from gui.panels.library_panel import LibraryPanel
from gui.panels.timeline_panel import TimelinePanel
from gui.panels.train_panel import TrainPanel
from gui.panels.translate_panel import TranslatePanel
from gui.panels.welcome_panel import WelcomePanel
from gui.settings import AppSettings
from gui.workers import Session

log = logging.getLogger(__name__)

TITLES = {"load": "Cannot open the model", "translate": "Translation failed",
          "train": "Training failed", "preview": "Cannot read the corpus",
          "devices": "Cannot list devices", "file": "Cannot translate the file",
          "compare": "Cannot compare", "what-if": "Cannot re-decode",
          "dev": "Cannot translate the dev set", "dev-read": "Cannot read the dev file",
          "timeline-read": "Cannot read the probe timeline",
          "attribution": "Cannot compute the attribution",
          "dev-agreement": "Cannot compare attention with attribution"}


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Attnscope")
        self.setWindowIcon(app_icon())
        self.auto_confirm = False          # automation (ATTNSCOPE_AUTOCLOSE_MS): answer "yes"
        self.settings = AppSettings()
        self.errors = ErrorReporter(self)
        self.session = Session(self)
        self._closing = False
        self._closed = False
        self._tab_at_load = -1

        self.train_panel = TrainPanel(self.session, self.errors, self.settings)
        self.translate_panel = TranslatePanel(self.session, self.errors, self.settings)
        self.library_panel = LibraryPanel(self.errors, self.settings)
        self.dev_panel = DevSetPanel(self.session, self.errors, self.settings)
        self.timeline_panel = TimelinePanel(self.session, self.errors, self.settings)
        self.compare_panel = ComparePanel(self.session, self.errors, self.settings)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.train_panel, "Train")
        self.tabs.addTab(self.translate_panel, "Translate && inspect")
        self.tabs.addTab(self.dev_panel, "Dev set")
        self.tabs.addTab(self.timeline_panel, "Timeline")
        self.tabs.addTab(self.compare_panel, "Compare")
        self.tabs.addTab(self.library_panel, "Models")
        self.welcome = WelcomePanel(self.settings)
        self.welcome.setVisible(False)           # create_window shows it on a first run
        central = QWidget()
        central_lay = QVBoxLayout(central)
        central_lay.setContentsMargins(0, 0, 0, 0)
        central_lay.setSpacing(0)
        central_lay.addWidget(self.welcome)
        central_lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.state_label = QLabel("idle")
        self.state_label.setObjectName("sessionStateLabel")
        self.statusBar().addPermanentWidget(self.state_label)
        self.file_translation = FileTranslation(self.session, self.errors, self.settings,
                                                self.statusBar(),
                                                beam_source=lambda: self.translate_panel.beam,
                                                parent=self)
        self.about_dialog: AboutDialog | None = None
        self._build_menus()

        self.session.failed.connect(self.on_failed)
        self.session.modelLoaded.connect(self.on_model_loaded)
        self.session.stateChanged.connect(self.on_state_changed)
        self.train_panel.modelTrained.connect(self.on_model_trained)
        self.train_panel.openModelRequested.connect(self.open_model)
        self.library_panel.openRequested.connect(self.open_model)
        self.dev_panel.openInInspector.connect(self.inspect_sentence)
        self.library_panel.resumeRequested.connect(self.resume_training)
        self.welcome.translateSuggestedRequested.connect(self.translate_suggested)
        self.welcome.trainSampleRequested.connect(self.train_on_sample)
        self.welcome.trainOwnFilesRequested.connect(self.train_on_own_files)

        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1360, 860)
        self.session.request_devices()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_act = QAction("&Open model folder…", self)
        open_act.setShortcut(QKeySequence.StandardKey.Open)
        open_act.triggered.connect(self._choose_model_folder)
        file_menu.addAction(open_act)
        import_act = QAction("&Import model…", self)
        import_act.triggered.connect(self.library_panel._import)
        file_menu.addAction(import_act)
        self.translate_file_action = QAction("&Translate a file…", self)
        self.translate_file_action.setObjectName("translateFileAction")
        self.translate_file_action.triggered.connect(self.file_translation.choose_and_start)
        file_menu.addAction(self.translate_file_action)
        file_menu.addSeparator()
        quit_act = QAction("&Quit", self)
        quit_act.setShortcut(QKeySequence.StandardKey.Quit)
        quit_act.triggered.connect(self.close)
        file_menu.addAction(quit_act)
        help_menu = self.menuBar().addMenu("&Help")
        welcome_act = QAction("&Welcome", self)
        welcome_act.triggered.connect(self.welcome.show_again)
        help_menu.addAction(welcome_act)
        logs_act = QAction("Open &log folder", self)
        logs_act.triggered.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(AppPaths.default().logs))))
        help_menu.addAction(logs_act)
        self.about_action = QAction("&About Attnscope", self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    @Slot()
    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self)
        self.about_dialog.show()                  # modeless: the window stays usable
        self.about_dialog.raise_()
        self.about_dialog.activateWindow()
        return self.about_dialog

    # ------------------------------------------------------------------ models
    @Slot(str)
    def open_model(self, path: str) -> None:
        try:
            self.session.load_model(str(path))
        except Exception as exc:  # noqa: BLE001
            self.errors.report_exception("Cannot open the model", exc)
            return
        self._tab_at_load = self.tabs.currentIndex()
        self.statusBar().showMessage(f"Opening {path}…")

    def open_at_start(self, path: str) -> None:
        """Open a model as the app starts, on the Translate tab from the first frame (a welcome
        button pressed while it loads then keeps its own tab)."""
        self.tabs.setCurrentWidget(self.translate_panel)
        self.open_model(path)

    def open_last_model(self) -> None:
        last = self.settings.last_model
        if last and (Path(last) / "model.json").is_file():
            self.open_at_start(last)

    def open_demo_model(self) -> bool:
        """Open the demo model shipped in resources (read in place, never copied or written)."""
        from core.resources import demo_model_dir
        demo = demo_model_dir()
        if demo is None:
            return False
        self.open_model(str(demo))
        return True

    # ------------------------------------------------------------------ welcome
    @Slot(str)
    def translate_suggested(self, text: str) -> None:
        """The suggested sentence is English: use the demo model unless an English one is open."""
        info = self.session.model_info
        if self.session.state != "loading" and (info is None or info.src_lang != "en"):
            self.open_demo_model()
        self.tabs.setCurrentWidget(self.translate_panel)
        self.translate_panel.translate_text(text)

    @Slot(str, str)
    def inspect_sentence(self, source: str, reference: str) -> None:
        """A dev sentence, opened in the inspector with its reference scored beside the output."""
        self.tabs.setCurrentWidget(self.translate_panel)
        self.translate_panel.inspect_pair(source, reference)

    @Slot()
    def train_on_sample(self) -> None:
        from core.resources import sample_corpus
        try:
            tsv = sample_corpus("en-de")
        except Exception as exc:  # noqa: BLE001
            self.errors.report_exception("The sample corpus is missing", exc)
            return
        self.train_panel.use_sample_corpus(tsv, "en", "de", preset="small")
        self.tabs.setCurrentWidget(self.train_panel)
        self.statusBar().showMessage("The sample English–German corpus is ready: press "
                                     "Start training", 10000)

    @Slot()
    def train_on_own_files(self) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.choose_own_files()

    @Slot(str)
    def resume_training(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.resume_model(path)

    def _choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a model folder",
                                                  self.settings.last_folder("model"))
        if folder:
            self.settings.set_last_folder("model", folder)
            self.open_model(folder)

    @Slot(object)
    def on_model_loaded(self, info) -> None:
        self.settings.last_model = info.path
        self.statusBar().showMessage(f"Opened “{info.name}” ({info.src_lang} → {info.tgt_lang})",
                                     8000)
        self.setWindowTitle(info.name)          # Qt appends " — Attnscope" (the display name)
        self.library_panel.select_path(info.path)
        if self.tabs.currentIndex() == self._tab_at_load:   # the user stayed where they were
            self.tabs.setCurrentWidget(self.translate_panel)

    @Slot(str)
    def on_model_trained(self, path: str) -> None:
        self.library_panel.refresh(select=path)
        self.statusBar().showMessage(f"The new model is in the library: {path}", 10000)

    # ------------------------------------------------------------------ status and errors
    @Slot(object)
    def on_failed(self, failure: Failure) -> None:
        self.errors.report(TITLES.get(failure.operation, "Error"), failure.message,
                           failure.details)

    @Slot(str)
    def on_state_changed(self, state: str) -> None:
        self.state_label.setText(state)
        self.translate_file_action.setEnabled(state != "training")
        if self._closing and state not in ("training", "translating a file"):
            QTimer.singleShot(0, self.close)     # the work stopped cleanly: close now

    # ------------------------------------------------------------------ closing
    def confirm_stop_training(self) -> bool:
        """Ask before closing while a model trains (tests replace this)."""
        return self._ask_to_quit("Training is running",
                                 "A model is training. Stop it, save a checkpoint, and quit?")

    def confirm_stop_file_translation(self) -> bool:
        """Ask before closing while a file is translated (tests replace this)."""
        return self._ask_to_quit("A file is being translated", "A file is being translated. "
                                 "Stop it and quit? Nothing will be written.")

    def _ask_to_quit(self, title: str, question: str) -> bool:
        if self.auto_confirm:
            return True
        answer = QMessageBox.question(
            self, title, question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.session.translating_file:
            if not self._closing and self.confirm_stop_file_translation():
                self._closing = True               # closed again when the worker has stopped
                self.file_translation.cancel()
                if self.session.training:
                    self.session.stop()
            event.ignore()
            return
        if self.session.training:
            if not self._closing and self.confirm_stop_training():
                # Do not block in wait(): stop, and close again when the trainer has exited.
                self._closing = True
                self.session.stop()
                self.statusBar().showMessage("Stopping training and saving a checkpoint…")
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self.settings.set_geometry(self.saveGeometry())
            self.settings.sync()
            self.errors.close_all()
            self.session.shutdown()
        event.accept()
