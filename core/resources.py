"""Find the data files shipped in the ``resources`` package: icons, sample corpora, the demo model.

Works the same from a source checkout, an installed wheel and a PyInstaller bundle (which collects
``resources/`` as plain files beside the frozen modules, under ``sys._MEIPASS``). No Qt here.
"""

from __future__ import annotations

import importlib.resources
import re
import sys
from pathlib import Path

ICON_NAME = "attnscope"
ICON_SIZES: tuple[int, ...] = (16, 32, 48, 64, 128, 256, 512)  # attnscope-<n>.png in icons/
DEMO_MODEL = "demo-en-de"

_PAIR = re.compile(r"[a-z]{2,3}-[a-z]{2,3}")


def _root() -> Path:
    """The folder of the ``resources`` package on disk."""
    try:
        root = importlib.resources.files("resources")
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path) and root.is_dir():
        return root
    meipass = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle
    if meipass and (Path(meipass) / "resources").is_dir():
        return Path(meipass) / "resources"
    if root is not None:  # e.g. a MultiplexedPath
        candidate = Path(str(root))
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "the Attnscope 'resources' package is not installed as files on disk; "
        "reinstall Attnscope (zipped installs are not supported)"
    )


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>`` (which may not exist), e.g. ``resource_path("icons")``.

    Parts are relative names ("icons", "corpora/en-de.tsv"); ".." and absolute paths are refused.
    """
    for part in parts:
        pure = Path(part)
        if not part or pure.is_absolute() or ".." in pure.parts or "\\" in part:
            raise ValueError(
                f"resource parts must be relative names inside resources/, not {part!r}"
            )
    return _root().joinpath(*parts)


def icon_path(size: int | None = None) -> Path:
    """The app icon: the SVG when ``size`` is None, else the PNG of the smallest size >= ``size``.

    Sizes larger than 512 px get the 512 px PNG.
    """
    if size is None:
        return resource_path("icons", f"{ICON_NAME}.svg")
    if size <= 0:
        raise ValueError(f"icon size must be positive, not {size}")
    best = next((s for s in ICON_SIZES if s >= size), ICON_SIZES[-1])
    return resource_path("icons", f"{ICON_NAME}-{best}.png")


def sample_corpora() -> list[str]:
    """The language pairs of the bundled sample corpora, e.g. ``["en-de"]``."""
    folder = resource_path("corpora")
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.tsv") if _PAIR.fullmatch(p.stem))


def sample_corpus(pair: str = "en-de") -> Path:
    """The bundled sample corpus ``resources/corpora/<pair>.tsv`` (source<TAB>target lines).

    Raises ValueError for a malformed pair and FileNotFoundError when it is not shipped.
    """
    if not _PAIR.fullmatch(pair):
        raise ValueError(f"a language pair looks like 'en-de', not {pair!r}")
    path = resource_path("corpora", f"{pair}.tsv")
    if not path.is_file():
        have = ", ".join(sample_corpora()) or "none"
        raise FileNotFoundError(f"no sample corpus for {pair} (bundled: {have}); expected {path}")
    return path


def demo_model_dir() -> Path | None:
    """The bundled demo model folder (``resources/models/demo-en-de``), or None if not shipped."""
    folder = resource_path("models", DEMO_MODEL)
    return folder if (folder / "model.json").is_file() else None
