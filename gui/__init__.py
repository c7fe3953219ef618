"""Attnscope's Qt front end. Calls ``core`` for everything that is not a widget."""

from gui import _pyside_fix

_pyside_fix.apply()
