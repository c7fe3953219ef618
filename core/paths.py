"""Where models, logs and settings live: the platform's user folders, or one root for tests.

``ATTNSCOPE_HOME`` (or ``AppPaths.under(root)``) puts everything under one folder, so tests and
portable runs never touch a user's real library.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "attnscope"
APP_AUTHOR = "Attnscope"


@dataclass(frozen=True)
class AppPaths:
    models: Path
    logs: Path
    config: Path
    cache: Path

    @classmethod
    def under(cls, root: str | Path) -> AppPaths:
        root = Path(root)
        return cls(
            models=root / "models", logs=root / "logs", config=root / "config", cache=root / "cache"
        )

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("ATTNSCOPE_HOME")
        if home:
            return cls.under(home)
        dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
        return cls(
            models=Path(dirs.user_data_dir) / "models",
            logs=Path(dirs.user_log_dir),
            config=Path(dirs.user_config_dir),
            cache=Path(dirs.user_cache_dir),
        )

    def ensure(self) -> AppPaths:
        for p in (self.models, self.logs, self.config, self.cache):
            p.mkdir(parents=True, exist_ok=True)
        return self
