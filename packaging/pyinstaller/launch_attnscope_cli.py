"""Entry point of the frozen command line, ``attnscope-cli`` (a console program, also on Windows)."""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from core.cli import main

    raise SystemExit(main())
