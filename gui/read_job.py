"""A Session job that reads a file on the worker thread, so a large file never freezes the window.

``Session.submit`` runs ``fn(translator, ctx)``; a reader such as
``core.evaluation.dev_set.read_dev_set`` needs neither, so this wraps it (submit it with
``needs_model=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def read_job(read: Callable[..., T], *args: Any) -> Callable[[Any, Any], T]:
    """``read(*args)`` as a job; it checks for a cancel before it starts."""

    def job(translator: Any, ctx: Any) -> T:
        ctx.cancel.raise_if_cancelled()
        return read(*args)

    return job
