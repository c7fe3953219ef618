"""Typed errors that the CLI and the app turn into one clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path


class CoreError(Exception):
    """Base of every error that is the user's to fix (bad file, bad setting, bad model)."""


class ConfigError(CoreError):
    """A setting is out of range or names an unknown choice."""


class CorpusError(CoreError):
    """A corpus file cannot be used; names the file, the line (1-based) and the problem."""

    def __init__(
        self, path: str | Path | None, line: int | None, reason: str, byte: int | None = None
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.byte = byte
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.byte is not None:
                where += f":{self.byte}"
        return f"{where}: {self.reason}"


class CheckpointError(CoreError):
    """A model folder or checkpoint is missing, damaged, incompatible or unsafe."""


class Cancelled(CoreError):
    """Raised inside long work when the user asked it to stop."""
