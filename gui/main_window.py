"""The main window: composes the Train, Translate and Models panels around one Session.

It owns no logic of its own beyond wiring, menus, the status bar, remembered geometry and a clean
close (asking first while a model trains, then waiting for the saved checkpoint without blocking).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, QTimer, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.paths import AppPaths
from gui.about_dialog import AboutDialog
from gui.app_info import app_icon
from gui.error_dialog import ErrorReporter
from gui.file_translate import FileTranslation
from gui.guide_dialog import GuideDialog
from gui.jobs import Failure
from gui.panels.compare_panel import ComparePanel
from gui.panels.dev_panel import DevSetPanel
from gui.panels.library_panel import LibraryPanel
from gui.panels.timeline_panel import TimelinePanel
from gui.panels.train_panel import TrainPanel
from gui.panels.translate_panel import TranslatePanel
from gui.panels.welcome_panel import WelcomePanel
from gui.session import Session
from gui.settings import AppSettings

log = logging.getLogger(__name__)

TRANSLATE_TAB = "Translate && inspect"
DEFAULT_SIZE = QSize(1360, 860)


def first_window_size(available: QSize, minimum: QSize) -> QSize:
    """The size of a first start (no saved geometry): the default, shrunk to the screen's free
    area so that a 1366×768 laptop shows the whole window, status bar included. A screen smaller
    than the window's minimum keeps the default: the window cannot fit either way."""
    if available.width() < minimum.width() or available.height() < minimum.height():
        return QSize(DEFAULT_SIZE)
    return DEFAULT_SIZE.boundedTo(available)


class MainWindow(QMainWindow):
    def __init__(self, paths: AppPaths | None = None) -> None:
        """``paths``: where the model library and logs live (``AppPaths.default()`` if None),
        built once here and handed to the panels that need them (AppSettings finds its own INI)."""
        super().__init__()
        self.paths = paths or AppPaths.default()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Attnscope")
        self.setWindowIcon(app_icon())
        self.auto_confirm = False  # automation (ATTNSCOPE_AUTOCLOSE_MS): answer "yes"
        self.settings = AppSettings()
        self.errors = ErrorReporter(self, paths=self.paths)
        self.session = Session(self)
        self._closing = False
        self._closed = False
        self._tab_at_load = -1

        self.train_panel = TrainPanel(self.session, self.errors, self.settings, paths=self.paths)
        self.translate_panel = TranslatePanel(self.session, self.errors, self.settings)
        self.library_panel = LibraryPanel(self.errors, self.settings, paths=self.paths)
        self.dev_panel = DevSetPanel(self.session, self.errors, self.settings)
        self.timeline_panel = TimelinePanel(self.session, self.errors, self.settings)
        self.compare_panel = ComparePanel(
            self.session, self.errors, self.settings, paths=self.paths
        )
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.train_panel, "Train")
        self.tabs.addTab(self.translate_panel, TRANSLATE_TAB)
        self.tabs.addTab(self.dev_panel, "Dev set")
        self.tabs.addTab(self.timeline_panel, "Timeline")
        self.tabs.addTab(self.compare_panel, "Compare")
        self.tabs.addTab(self.library_panel, "Models")
        self.welcome = WelcomePanel(self.settings)
        self.welcome.setVisible(False)  # create_window shows it on a first run
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
        self.file_translation = FileTranslation(
            self.session,
            self.errors,
            self.settings,
            self.statusBar(),
            beam_source=lambda: self.translate_panel.beam,
            parent=self,
        )
        self.about_dialog: AboutDialog | None = None
        self.guide_dialog: GuideDialog | None = None
        self.train_panel.opens_new_models = True
        self._build_menus()

        self.session.failed.connect(self.on_failed)
        self.session.modelLoaded.connect(self.on_model_loaded)
        self.session.stateChanged.connect(self.on_state_changed)
        self.train_panel.modelTrained.connect(self.on_model_trained)
        self.train_panel.openModelRequested.connect(self.translate_with)
        self.train_panel.showInLibraryRequested.connect(self.show_in_library)
        self.train_panel.attached.validationShown.connect(self.timeline_panel.follow_folder)
        self.translate_panel.openModelRequested.connect(self.translate_with)
        self.library_panel.openRequested.connect(self.open_model)
        self.dev_panel.openInInspector.connect(self.inspect_sentence)
        self.library_panel.resumeRequested.connect(self.resume_training)
        self.welcome.translateSuggestedRequested.connect(self.translate_suggested)
        self.welcome.trainSampleRequested.connect(self.train_on_sample)
        self.welcome.trainOwnFilesRequested.connect(self.train_on_own_files)

        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(self._first_size())
        self.session.request_devices()

    def _first_size(self) -> QSize:
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return DEFAULT_SIZE
        return first_window_size(screen.availableGeometry().size(), self.minimumSizeHint())

    def _action(self, menu: QMenu, text: str, slot, name: str, keys=()) -> QAction:
        """A menu entry; its shortcuts show in the menu beside it."""
        act = QAction(text, self)
        act.setObjectName(name)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(
            file_menu,
            "&Open model folder…",
            self._choose_model_folder,
            "openModelAction",
            [QKeySequence.StandardKey.Open],
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        self._action(file_menu, "&Import model…", self.library_panel._import, "importAction")
        self.translate_file_action = self._action(
            file_menu,
            "&Translate a file…",
            self.file_translation.choose_and_start,
            "translateFileAction",
        )
        self._action(file_menu, "&Attach to a training…", self.choose_training, "attachAction")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, "quitAction", [QKeySequence.StandardKey.Quit])
        train_menu = bar.addMenu("T&rain")
        self.train_action = self._action(
            train_menu,
            "&Start or stop training",
            self.start_or_stop_training,
            "startStopTrainingAction",
            ["Ctrl+Shift+T"],
        )
        self._action(
            train_menu, "&Preview && validate the corpus", self.preview_corpus, "previewAction"
        )
        translate_menu = bar.addMenu("&Translate")
        self.translate_action = self._action(
            translate_menu,
            "&Translate now",
            self.translate_now,
            "translateNowAction",
            ["Ctrl+Return", "Ctrl+Enter"],
        )
        help_menu = bar.addMenu("&Help")
        self.guide_action = self._action(
            help_menu, "&Guide", self.show_guide, "guideAction", ["F1"]
        )
        self._action(help_menu, "&Welcome", self.welcome.show_again, "welcomeAction")
        self._action(
            help_menu,
            "Open &log folder",
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.logs))),
            "logFolderAction",
        )
        self.about_action = self._action(
            help_menu, "&About Attnscope", self.show_about, "aboutAction"
        )

    @Slot()
    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_models()
        for i, path in enumerate(recent, 1):
            act = menu.addAction(f"&{i} {Path(path).name}")
            act.setToolTip(path)
            act.setData(path)
            act.triggered.connect(lambda _=False, p=path: self.open_model(p))
        if recent:
            menu.addSeparator()
            menu.addAction("&Clear the list", self.settings.clear_recent_models)
        else:
            menu.addAction("No models opened yet").setEnabled(False)

    # ------------------------------------------------------------------ shortcuts
    @Slot()
    def translate_now(self) -> None:
        """Ctrl+Enter: the Translate tab, its source box translated now."""
        self.tabs.setCurrentWidget(self.translate_panel)
        self.translate_panel.source_edit.setFocus()
        self.translate_panel.translate_now()

    @Slot()
    def start_or_stop_training(self) -> None:
        """Ctrl+Shift+T: start training from the form, or stop (and save) the run."""
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.start_or_stop()

    @Slot()
    def preview_corpus(self) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.request_preview()

    @Slot()
    def show_guide(self) -> GuideDialog:
        """F1: the guide, beside the window (modeless)."""
        if self.guide_dialog is None:
            try:
                self.guide_dialog = GuideDialog(self)
            except OSError as exc:
                self.errors.report_exception("Cannot open the guide", exc)
                raise
        self.guide_dialog.show()
        self.guide_dialog.raise_()
        self.guide_dialog.activateWindow()
        return self.guide_dialog

    @Slot()
    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self)
        self.about_dialog.show()  # modeless: the window stays usable
        self.about_dialog.raise_()
        self.about_dialog.activateWindow()
        return self.about_dialog

    # ------------------------------------------------------------------ models
    @Slot(str)
    def open_model(self, path: str, switch_tab: bool = True) -> None:
        """Open a model; with ``switch_tab``, show Translate when it is loaded (unless the user
        went to another tab meanwhile)."""
        try:
            self.session.load_model(str(path))
        except Exception as exc:  # noqa: BLE001
            self.errors.report_exception("Cannot open the model", exc)
            return
        self._tab_at_load = self.tabs.currentIndex() if switch_tab else -1
        self.statusBar().showMessage(f"Opening {path}…")

    @Slot(str)
    def translate_with(self, path: str) -> None:
        """The finish line's "Translate with this model": the Translate tab, with ``path`` open
        (opened if needed)."""
        info = self.session.model_info
        if info is not None and Path(info.path) == Path(path) and self.session.state != "loading":
            self.tabs.setCurrentWidget(self.translate_panel)
            self.translate_panel.source_edit.setFocus()
        else:
            self.open_model(path)

    @Slot(str)
    def show_in_library(self, path: str) -> None:
        self.library_panel.refresh(select=path)
        self.tabs.setCurrentWidget(self.library_panel)

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
        self.statusBar().showMessage(
            "The sample English–German corpus is ready: press Start training", 10000
        )

    @Slot()
    def train_on_own_files(self) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.choose_own_files()

    @Slot(str)
    def resume_training(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.train_panel)
        self.train_panel.resume_model(path)

    def choose_training(self) -> None:
        """Follow a run that trains in another process (the CLI, or a server's mounted folder)."""
        folder = QFileDialog.getExistingDirectory(
            self, "Attach to a training: its model folder", self.settings.last_folder("attach")
        )
        if folder:
            self.settings.set_last_folder("attach", Path(folder).parent)
            self.attach_training(folder)

    def attach_training(self, folder: str) -> bool:
        self.tabs.setCurrentWidget(self.train_panel)
        return self.train_panel.attach_run(folder)

    def _choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a model folder", self.settings.last_folder("model")
        )
        if folder:
            self.settings.set_last_folder("model", folder)
            self.open_model(folder)

    @Slot(object)
    def on_model_loaded(self, info) -> None:
        self.settings.last_model = info.path
        self.settings.add_recent_model(info.path)
        self.tabs.setTabText(
            self.tabs.indexOf(self.translate_panel),
            f"{TRANSLATE_TAB} ({info.src_lang} → {info.tgt_lang})",
        )
        self.statusBar().showMessage(
            f"Opened “{info.name}” ({info.src_lang} → {info.tgt_lang})", 8000
        )
        self.setWindowTitle(info.name)  # Qt appends " — Attnscope" (the display name)
        self.library_panel.select_path(info.path)
        if self.tabs.currentIndex() == self._tab_at_load:  # the user stayed where they were
            self.tabs.setCurrentWidget(self.translate_panel)

    @Slot(str)
    def on_model_trained(self, path: str) -> None:
        """A run ended with weights: it is in the library, and it becomes the open model (the
        user stays on the Train tab; its finish line offers the way to Translate)."""
        self.library_panel.refresh(select=path)
        info = self.library_panel.selected_info()  # read by the refresh, not again
        if info is not None and Path(info.path) == Path(path):
            self.translate_panel.expect_trained(path, info.name, info.src_lang, info.tgt_lang)
        self.welcome.hide()  # it speaks of the demo; the user has a model of their own
        if not self._closing:
            self.open_model(path, switch_tab=False)
        self.statusBar().showMessage(f"The new model is open and in the library: {path}", 10000)

    # ------------------------------------------------------------------ status and errors
    @Slot(object)
    def on_failed(self, failure: Failure) -> None:
        self.errors.report(failure.title, failure.message, failure.details)

    @Slot(str)
    def on_state_changed(self, state: str) -> None:
        self.state_label.setText(state)
        self.translate_file_action.setEnabled(state != "training")
        if self._closing and state not in ("training", "translating a file"):
            QTimer.singleShot(0, self.close)  # the work stopped cleanly: close now

    # ------------------------------------------------------------------ closing
    def confirm_stop_training(self) -> bool:
        """Ask before closing while a model trains (tests replace this)."""
        return self._ask_to_quit(
            "Training is running", "A model is training. Stop it, save a checkpoint, and quit?"
        )

    def confirm_stop_file_translation(self) -> bool:
        """Ask before closing while a file is translated (tests replace this)."""
        return self._ask_to_quit(
            "A file is being translated",
            "A file is being translated. Stop it and quit? Nothing will be written.",
        )

    def _ask_to_quit(self, title: str, question: str) -> bool:
        if self.auto_confirm:
            return True
        answer = QMessageBox.question(
            self,
            title,
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.translating_file:
            if not self._closing and self.confirm_stop_file_translation():
                self._closing = True  # closed again when the worker has stopped
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
