"""Entry point of the frozen desktop app: ``attnscope [MODEL_FOLDER]``.

``attnscope --self-test`` checks the bundle without a display (see bundle_selftest.py); on Windows
this program has no console, so use ``attnscope-cli --self-test`` there to see the output.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if "--self-test" in sys.argv[1:]:
        from bundle_selftest import run

        raise SystemExit(run())
    from gui.app import main

    raise SystemExit(main())
