"""``attnscope-cli doctor``: what this machine lacks for Attnscope, and the fix."""

from __future__ import annotations

import argparse


def cmd_doctor(args: argparse.Namespace) -> int:
    from core.system import doctor

    return doctor.main()
