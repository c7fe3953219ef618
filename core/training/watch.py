"""What a run leaves for those who watch it from outside its process: every event appended to
the model folder's event log, and a watcher for stop requests (``STOP`` in the folder).

Only the main process of a run does either (``core.training.rank.is_main_process``): under
torchrun, rank 0 writes and decides, and the other ranks hear its decision.

``watched_run`` decorates ``core.training.run.train``, so the CLI, the app's training process,
the demo and tests all get it, and the trainer's body stays as it was.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from core.cancel import CancelToken
from core.errors import CoreError
from core.events import Event, EventCallback, to_json_dict
from core.training.event_log import EventLog
from core.training.rank import is_main_process
from core.training.stop_request import StopWatcher

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def watching(
    out: Path, emit: EventCallback, cancel: CancelToken, *, resume: bool
) -> Iterator[EventCallback]:
    """Yields the callback the run should emit through: ``emit`` plus the event log.

    A failure that escapes the run is logged as an ``error`` event (the message the CLI or the
    app shows), but only once the run has written its folder: a refused start (folder not empty,
    bad corpus) must not touch a folder it does not own.
    """
    if not is_main_process():
        yield emit
        return
    events = EventLog(out)

    def both(event: Event) -> None:
        events.write(to_json_dict(event))
        emit(event)

    try:
        with StopWatcher(out, cancel, clear_stale=resume):
            yield both
    except Exception as exc:
        message = str(exc) if isinstance(exc, CoreError) else f"{type(exc).__name__}: {exc}"
        events.write_if_started({"type": "error", "message": message})
        raise
    finally:
        events.close()


def watched_run(train: F) -> F:
    """``train`` (arguments ``out_dir``, ``on_event``, ``cancel``, ``resume``) run inside
    ``watching``: same signature, same result."""
    signature = inspect.signature(train)

    @functools.wraps(train)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        a = bound.arguments
        a["cancel"] = a["cancel"] or CancelToken()
        emit = a["on_event"] or (lambda e: None)
        with watching(Path(a["out_dir"]), emit, a["cancel"], resume=bool(a["resume"])) as both:
            a["on_event"] = both
            return train(*bound.args, **bound.kwargs)

    return wrapper  # type: ignore[return-value]
