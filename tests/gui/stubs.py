"""Stand-ins for the app's collaborators in widget tests."""

from __future__ import annotations


class RecordingErrors:
    """Stands in for the app's ErrorReporter and remembers what was reported."""

    def __init__(self) -> None:
        self.reported: list[tuple[str, str]] = []

    def report_exception(self, title: str, exc: BaseException) -> None:
        self.reported.append((title, str(exc)))


def wait_for_job(qtbot, session, key: str, trigger, *, status: str = "done", timeout: int = 60000):
    """Call ``trigger()`` and wait until a job of ``key`` submitted after it has ended; check it
    ended with ``status`` (done, failed, cancelled) and return its handle."""
    before = session.latest_job(key)
    trigger()

    def ended():
        job = session.latest_job(key)
        return job is not None and job is not before and not job.active

    qtbot.waitUntil(ended, timeout=timeout)
    job = session.latest_job(key)
    assert job.status == status, f"{job!r}: expected {status}"
    return job
