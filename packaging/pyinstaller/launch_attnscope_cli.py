"""Entry point of the frozen command line, ``attnscope-cli`` (a console program, also on Windows).

``attnscope-cli --self-test`` runs the bundle checks of bundle_selftest.py with visible output.
``attnscope-cli --train-worker`` is the app's training child (core.training.child_process: JSON
lines on stdin/stdout, no Qt). A frozen app should start the child through this console program: the
windowed ``attnscope.exe`` has no stdout on Windows, and QProcess starts a console child of a
windowless parent with CREATE_NO_WINDOW, so no console window appears.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if sys.argv[1:] == ["--self-test"]:
        from bundle_selftest import run

        raise SystemExit(run())
    if sys.argv[1:] == ["--train-worker"]:
        from core.training.child_process import main as train_worker

        raise SystemExit(train_worker())
    from core.cli import main

    raise SystemExit(main())
