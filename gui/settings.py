"""Remembered UI state (geometry, last folders, last model) in an INI file under the config dir.

Why an INI file and not the native store: AppPaths honours ``ATTNSCOPE_HOME``, so every test (and a
portable install) gets its own settings, and a user can read or delete the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from core.paths import AppPaths

ORG_NAME = "Attnscope"
APP_NAME = "attnscope"
MAX_RECENT = 8


def settings_path() -> Path:
    return AppPaths.default().config / "attnscope.ini"


class AppSettings:
    """Typed accessors over one QSettings object; values are read and written immediately."""

    def __init__(self, path: str | Path | None = None) -> None:
        path = Path(path) if path is not None else settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def _str(self, key: str, default: str = "") -> str:
        value = self.qsettings.value(key, default)
        return str(value) if value is not None else default

    def last_folder(self, kind: str) -> str:
        """The folder last used for ``kind`` (corpus, export, import...), or the home folder."""
        folder = self._str(f"folders/{kind}")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_last_folder(self, kind: str, path: str | Path) -> None:
        p = Path(path)
        self.qsettings.setValue(f"folders/{kind}", str(p if p.is_dir() else p.parent))

    @property
    def last_model(self) -> str:
        return self._str("models/last")

    @last_model.setter
    def last_model(self, path: str) -> None:
        self.qsettings.setValue("models/last", str(path))

    def recent_models(self) -> list[str]:
        """Model folders opened lately, newest first; folders that no longer exist are left out."""
        try:
            paths = json.loads(self._str("models/recent", "[]"))
        except ValueError:
            return []
        return [p for p in paths if isinstance(p, str) and (Path(p) / "model.json").is_file()]

    def add_recent_model(self, path: str) -> None:
        paths = [str(path)] + [p for p in self.recent_models() if Path(p) != Path(path)]
        self.qsettings.setValue("models/recent", json.dumps(paths[:MAX_RECENT]))

    def clear_recent_models(self) -> None:
        self.qsettings.setValue("models/recent", "[]")

    def geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, data: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", data)

    def value(self, key: str, default=None):
        return self.qsettings.value(key, default)

    def set_value(self, key: str, value) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()
