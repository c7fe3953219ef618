"""Stand-ins for the app's collaborators in widget tests."""

from __future__ import annotations


class RecordingErrors:
    """Stands in for the app's ErrorReporter and remembers what was reported."""

    def __init__(self) -> None:
        self.reported: list[tuple[str, str]] = []

    def report_exception(self, title: str, exc: BaseException) -> None:
        self.reported.append((title, str(exc)))
