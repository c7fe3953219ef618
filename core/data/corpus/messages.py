"""How corpus messages name files and counts ("a.en + b.de", "1 line", "3 lines")."""

from __future__ import annotations

import os


def short_file_names(paths: list[str]) -> list[str]:
    """Basenames; with the parent folder when two basenames would be the same (de/x.txt,
    en/x.txt)."""
    base = [os.path.basename(p) or p for p in paths]
    if len(set(base)) < len(base):
        base = [
            os.path.join(os.path.basename(os.path.dirname(p)), os.path.basename(p)) for p in paths
        ]
    return base


def file_names(paths: list[str]) -> str:
    return " + ".join(short_file_names(paths))


def count_of(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
