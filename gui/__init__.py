"""Attnscope's Qt front end. Calls ``core`` for everything that is not a widget."""

import os

if not os.environ.get("ATTNSCOPE_TRAIN_CHILD"):   # the training child process never loads Qt
    from gui import _pyside_fix

    _pyside_fix.apply()
