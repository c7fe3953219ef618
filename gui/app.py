"""Application start-up: logging to a file, exception hooks, the QApplication, the main window.

A windowed launch has no console, so nothing here prints (``--version``/``--help``/``--doctor``
print only where a stdout exists): everything goes to the log file in ``AppPaths.default().logs``.
Before the ``QApplication`` exists, ``gui.startup_check`` asks whether Qt can start here; when it
cannot, the reason and the fix go to stderr, the log and the desktop's notifier, and the exit
status is 3 instead of Qt's abort.

First run: with no model folder on the command line, the last model used is opened; failing that,
when the model library is empty, the demo model shipped in ``resources/models`` (read in place:
never copied, never written). The welcome panel shows until the user picks "Don't show again".

Automation (only when these environment variables are set; used by tests and benchmarks):

- ``ATTNSCOPE_AUTOCLOSE_MS=N``: close the main window N ms after it is shown, answering "yes" to
  "stop and quit?" questions; with ``ATTNSCOPE_AUTOTRAIN``, N ms after training's first progress.
- ``ATTNSCOPE_AUTOTRAIN=PRESET``: start training on the bundled en-de sample corpus with that
  preset (tiny, small, base) as soon as the window is up.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gui import _pyside_fix

if TYPE_CHECKING:
    from core.system.qt_platform import Verdict
    from gui.startup_check import StartupFailure

log = logging.getLogger("attnscope")
_reporter = None  # the ErrorReporter the hooks show dialogs through
_T_IMPORT = time.monotonic()

USAGE = """usage: attnscope [MODEL_FOLDER]

{description}

  MODEL_FOLDER   a model folder to open (default: the last model used; with an empty
                 model library, the English-German demo model)
  --doctor       check this machine (Python, PyTorch, Qt and its libraries, display,
                 fonts, folders, disk space): one line each with the fix; exit 1 on a problem
  --version      print the version and exit
  -h, --help     print this help and exit

When Qt cannot start (a missing system library, no display), it says why and how to fix it
and exits with status 3.

Models, settings and logs live in the user's data folders, or under $ATTNSCOPE_HOME if set.
The command-line tool is attnscope-cli (attnscope-cli --help).
"""


def _say(text: str) -> None:
    """Print where there is a console; a windowed launch on Windows has no stdout (None)."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.write(text + ("" if text.endswith("\n") else "\n"))
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


def process_age_s() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere since gui.app loaded)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat, counted after "(comm)"
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _T_IMPORT


def setup_logging(level: int = logging.INFO) -> Path:
    """Log to ``<logs>/attnscope.log`` (rotated); idempotent. Returns the log file."""
    from core.paths import AppPaths

    logs = AppPaths.default().logs
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / "attnscope.log"
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path:
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path


def _excepthook(exc_type, exc, tb) -> None:
    """Uncaught exception on the GUI thread (including in a slot): log it and show a dialog."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
    if _reporter is not None and exc is not None:
        exc.__traceback__ = tb
        _reporter.report_exception("Unexpected error", exc)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    log.error(
        "uncaught exception in thread %s",
        getattr(args.thread, "name", "?"),
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
    if _reporter is not None and args.exc_value is not None:
        _reporter.report_exception("Unexpected error in a background task", args.exc_value)


def install_excepthooks(reporter) -> None:
    """Route uncaught exceptions (any thread) to the log and to ``reporter``'s dialog."""
    global _reporter
    _reporter = reporter
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def ensure_app(argv: list[str] | None = None):
    """The QApplication (created once): names for QSettings, version, desktop entry, icon."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from core import __version__
    from gui.app_info import APP_DISPLAY_NAME, DESKTOP_FILE_NAME, app_icon
    from gui.settings import APP_NAME, ORG_NAME

    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    # on Wayland the compositor takes the window icon from the desktop entry of this name
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setWindowIcon(app_icon())
    from gui.widgets.wheel_guard import install_wheel_guard

    install_wheel_guard(app)  # the wheel scrolls pages, not the setting under it
    return app


def startup_model(
    model_path: str | Path | None, last_model: str, models: Path | None = None
) -> str | None:
    """Which model to open at start: the argument; else the last one used if it still exists;
    else, when the model library (``models``, by default ``AppPaths.default().models``) is
    empty, the shipped demo model; else none."""
    if model_path:
        return str(model_path)
    if last_model and (Path(last_model) / "model.json").is_file():
        return last_model
    from core.paths import AppPaths

    root = models if models is not None else AppPaths.default().models
    has_models = root.is_dir() and any((p / "model.json").is_file() for p in root.iterdir())
    if not has_models:
        from core.resources import demo_model_dir

        demo = demo_model_dir()
        if demo is not None:
            return str(demo)
    return None


def create_window(model_path: str | Path | None = None, *, first_run: bool = True):
    """Build (and return) the main window without starting the event loop.

    Opens ``model_path`` if given, else the last model used (if it still exists). With
    ``first_run`` (the app itself; tests that need a bare window pass False), an empty library
    opens the demo model and the welcome panel shows unless it was dismissed.
    """
    ensure_app()
    setup_logging()
    from core.paths import AppPaths
    from gui.main_window import MainWindow
    from gui.panels.welcome_panel import WelcomePanel

    window = MainWindow(AppPaths.default())  # the one AppPaths the window hands its panels
    if first_run:
        path = startup_model(model_path, window.settings.last_model, window.paths.models)
        if path:
            log.info("opening %s", path)
            window.open_at_start(path)
        window.welcome.setVisible(not WelcomePanel.was_dismissed(window.settings))
    elif model_path:
        window.open_at_start(str(model_path))
    else:
        window.open_last_model()
    return window


class _FirstPaint:
    """Logs once how long after the process started the main window was first painted."""

    def __init__(self, window) -> None:
        from PySide6.QtCore import QEvent, QObject

        outer = self

        class _Filter(QObject):
            def eventFilter(self, obj, ev) -> bool:
                if ev.type() == QEvent.Type.Paint and outer.seconds is None:
                    outer.seconds = process_age_s()
                    log.info("main window visible %.2f s after the process started", outer.seconds)
                    obj.removeEventFilter(self)
                return False

        self.seconds: float | None = None
        self._filter = _Filter(window)
        window.installEventFilter(self._filter)


def install_automation(window, env=None) -> bool:
    """Honour ATTNSCOPE_AUTOCLOSE_MS / ATTNSCOPE_AUTOTRAIN (see the module docstring)."""
    from PySide6.QtCore import QTimer

    env = os.environ if env is None else env
    close_ms, preset = env.get("ATTNSCOPE_AUTOCLOSE_MS"), env.get("ATTNSCOPE_AUTOTRAIN")
    if not close_ms and not preset:
        return False
    window.auto_confirm = True
    delay = int(close_ms) if close_ms else None
    log.info("automation: close after %s ms, train with preset %s", delay, preset)
    if preset:
        from core.resources import sample_corpus

        window.train_panel.use_sample_corpus(sample_corpus("en-de"), "en", "de", preset=preset)
        window.train_panel.name_edit.setText(f"automatic {preset} run")
        window.tabs.setCurrentWidget(window.train_panel)
        if delay is not None:

            def on_event(ev, fired=[]) -> None:  # noqa: B006 — fire once
                if getattr(ev, "type", "") == "progress" and not fired:
                    fired.append(True)
                    log.info(
                        "automation: first progress at step %s; closing in %s ms", ev.step, delay
                    )
                    QTimer.singleShot(delay, window.close)

            window.session.trainEvent.connect(on_event)
        QTimer.singleShot(0, window.train_panel.start_training)
    elif delay is not None:
        QTimer.singleShot(delay, window.close)
    return True


def refuse_to_start(failure: StartupFailure, *, desktop: bool | None = None) -> int:
    """Qt cannot start: log the reason and fix, tell the user (stderr, desktop) and exit 3."""
    from gui import startup_check

    try:
        log_file: Path | None = setup_logging()
        log.error("%s", failure.message())
    except OSError:
        log_file = None
    startup_check.tell(failure, log_file, desktop=desktop)
    return startup_check.EXIT_QT_CANNOT_START


def main(
    argv: list[str] | None = None, *, platform_check: Callable[[], Verdict] | None = None
) -> int:
    """``attnscope [MODEL_FOLDER]``: start the app, optionally opening a model.

    ``platform_check`` replaces ``core.system.qt_platform.verdict`` (tests inject a failing one).
    """
    argv = list(sys.argv if argv is None else argv)
    if "--train-worker" in argv[1:]:  # a bundled app re-runs itself as the trainer
        from core.training.child_process import main as train_main

        return train_main()
    if "--version" in argv[1:]:  # before any QApplication: no window, no display
        from core import __version__

        _say(f"attnscope {__version__}")
        return 0
    if "--help" in argv[1:] or "-h" in argv[1:]:
        import textwrap

        from gui.app_info import DESCRIPTION

        _say(USAGE.format(description=textwrap.fill(DESCRIPTION, 79)))
        return 0
    if "--doctor" in argv[1:]:  # no QApplication: it must work where Qt cannot
        from core.system import doctor

        return doctor.main(say=_say)
    from gui import startup_check

    failure = startup_check.platform_failure(platform_check)
    if failure is not None:
        return refuse_to_start(failure)
    try:
        app = ensure_app(argv)
    except ImportError as exc:
        return refuse_to_start(startup_check.import_failure(exc))
    log_file = setup_logging()
    log.info("starting Attnscope; log file %s", log_file)
    if _pyside_fix.apply():
        log.warning(
            "this PySide6 build drops references to None/True on Python 3.11; "
            "the gui._pyside_fix workaround is active"
        )
    args = [a for a in app.arguments()[1:] if not a.startswith("-")]
    window = create_window(args[0] if args else None)
    install_excepthooks(window.errors)
    first_paint = _FirstPaint(window)
    window.show()
    install_automation(window)
    status = app.exec()
    del first_paint
    log.info("event loop ended with status %s", status)
    window.deleteLater()
    del window
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
