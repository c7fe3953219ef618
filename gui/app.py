"""Application start-up: logging to a file, exception hooks, the QApplication, the main window.

A windowed launch has no console, so nothing here prints: everything goes to the log file in
``AppPaths.default().logs`` from the first line on.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path

from gui import _pyside_fix  # noqa: F401  (applied on import of the gui package)

log = logging.getLogger("attnscope")
_reporter = None          # the ErrorReporter the hooks show dialogs through


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
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: "
                                           "%(message)s"))
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
    log.error("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
              exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    if _reporter is not None and args.exc_value is not None:
        _reporter.report_exception("Unexpected error in a background task", args.exc_value)


def install_excepthooks(reporter) -> None:
    """Route uncaught exceptions (any thread) to the log and to ``reporter``'s dialog."""
    global _reporter
    _reporter = reporter
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def ensure_app(argv: list[str] | None = None):
    """The QApplication (created once), with organisation/application names set for QSettings."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from gui.settings import APP_NAME, ORG_NAME

    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName("Attnscope")
    app.setDesktopFileName("attnscope")
    return app


def create_window(model_path: str | Path | None = None):
    """Build (and return) the main window without starting the event loop.

    Opens ``model_path`` if given, else the last model used (if it still exists).
    """
    ensure_app()
    setup_logging()
    from gui.main_window import MainWindow

    window = MainWindow()
    if model_path:
        window.open_model(str(model_path))
    else:
        window.open_last_model()
    return window


def main(argv: list[str] | None = None) -> int:
    """``attnscope [MODEL_FOLDER]``: start the app, optionally opening a model."""
    argv = list(sys.argv if argv is None else argv)
    if "--train-worker" in argv[1:]:          # a bundled app re-runs itself as the trainer
        from gui.train_process import main as train_main
        return train_main()
    app = ensure_app(argv)
    log_file = setup_logging()
    log.info("starting Attnscope; log file %s", log_file)
    if _pyside_fix.apply():
        log.warning("this PySide6 build drops references to None/True on Python 3.11; "
                    "the gui._pyside_fix workaround is active")
    args = [a for a in app.arguments()[1:] if not a.startswith("-")]
    window = create_window(args[0] if args else None)
    install_excepthooks(window.errors)
    window.show()
    status = app.exec()
    log.info("event loop ended with status %s", status)
    window.deleteLater()
    del window
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
