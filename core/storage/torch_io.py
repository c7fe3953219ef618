"""Saving and loading torch state safely: only plain data is written, only tensors are unpickled.

Why this module exists: ``torch.load`` without ``weights_only=True`` runs whatever code a
downloaded file carries, and a checkpoint that saves fine but is refused at resume loses the whole
run. Saving checks the state first and writes it atomically (``core.storage.atomic_io``); loading
uses
``weights_only=True`` only and turns every failure into a sentence. Imports torch: keep it off the
app's GUI thread.
"""

from __future__ import annotations

import io
import pickle
import re
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch

from core.errors import CheckpointError
from core.storage.atomic_io import atomic_write_bytes

__all__ = ["atomic_torch_save", "ensure_plain_state", "safe_torch_load", "serialize_state"]

_UNSAFE_GLOBAL_RE = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")
_CODE_OBJECT_RE = re.compile(r"GLOBAL|allowlist|safe_globals|unsupported class", re.IGNORECASE)

_PLAIN_SCALARS = (
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    bytearray,
    type(None),
    torch.dtype,
    torch.device,
)
_PLAIN_CONTAINERS = (dict, OrderedDict, list, tuple, set, torch.Size)
_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)


def ensure_plain_state(obj: Any, where: str = "state") -> None:
    """Refuse, before anything is written, a value that ``weights_only=True`` could not load back.

    Why: a checkpoint that saves fine but is refused at resume loses the whole run. Types are
    checked exactly (a numpy array, numpy scalar, named tuple or custom class is refused), and the
    message names where the value sits, e.g. ``state['rng']['numpy'] is a numpy.ndarray``.
    """
    stack: list[tuple[Any, str]] = [(obj, where)]
    seen: set[int] = set()
    while stack:
        value, at = stack.pop()
        kind = type(value)
        if kind in _PLAIN_SCALARS or kind in _TENSOR_TYPES:
            continue
        if kind not in _PLAIN_CONTAINERS:
            name = f"{kind.__module__}.{kind.__qualname__}"
            raise CheckpointError(
                f"cannot save a checkpoint: {at} is a {name}; only tensors, numbers, "
                "strings, bools, None, lists, tuples, sets and dicts can be stored "
                "(convert it to plain data)"
            )
        if id(value) in seen:  # shared (or cyclic) container: already checked
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, f"{at} key {key!r}"))
                stack.append((item, f"{at}[{key!r}]"))
        else:
            for index, item in enumerate(value):
                stack.append((item, f"{at}[{index}]"))


def serialize_state(obj: Any) -> bytes:
    """The bytes ``torch.save`` writes for ``obj``, after checking it loads back safely."""
    ensure_plain_state(obj)
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def atomic_torch_save(obj: Any, path: str | Path) -> None:
    """torch.save that never leaves a half-written file and only writes what loads safely back."""
    atomic_write_bytes(path, serialize_state(obj))


_DAMAGE_ERRORS = (
    RuntimeError,
    EOFError,
    ValueError,
    zipfile.BadZipFile,
    pickle.UnpicklingError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    UnicodeDecodeError,
)


def safe_torch_load(path: str | Path) -> Any:
    """Load on the CPU with ``weights_only=True``: a file carrying code is refused, never run.

    Every failure becomes a CheckpointError that says what is wrong in words: not found, refused
    as unsafe, or damaged/truncated (a cut-off zip reads as "failed finding central directory").
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise CheckpointError(f"{path} is not a file")
        raise CheckpointError(f"{path} not found")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise CheckpointError(f"{path} not found") from exc
    except OSError as exc:
        raise CheckpointError(f"could not read {path}: {exc.strerror or exc}") from exc
    except pickle.UnpicklingError as exc:
        text = str(exc)
        if _asks_for_code(text):
            found = _UNSAFE_GLOBAL_RE.search(text)
            detail = f" (it asks for {found.group(1)})" if found else ""
            raise CheckpointError(
                f"refused to load {path}: it contains Python objects other than tensors and plain "
                f"data, which could run code{detail}. Only open model files you trust, such as "
                "those Attnscope saved itself."
            ) from exc
        raise CheckpointError(f"{path} is damaged or truncated ({_first_line(exc)})") from exc
    except _DAMAGE_ERRORS as exc:
        raise CheckpointError(f"{path} is damaged or truncated ({_first_line(exc)})") from exc


def _asks_for_code(text: str) -> bool:
    """Whether the weights-only unpickler stopped at a Python object (a global or a class), the
    sign of a file that could run code; other refusals ("Unsupported operand 205", "String is too
    long") are what random or cut-off bytes produce, so those count as damage."""
    if "Weights only load failed" not in text and "Unsupported global" not in text:
        return False
    detail = text.split("WeightsUnpickler error:", 1)[-1]
    return bool(_CODE_OBJECT_RE.search(detail))


def _first_line(exc: BaseException) -> str:
    """The error's gist, without torch's advice to retry with ``weights_only=False`` (which would
    run whatever code the file carries)."""
    text = str(exc)
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    first = first.split(" In PyTorch 2.6", 1)[0].strip()
    if len(first) > 100 and ". " in first:  # torch's long advice after the first sentence
        first = first.split(". ", 1)[0] + "."
    if len(first) < 8:  # e.g. a KeyError's bare "101": say what kind of error it was
        first = f"{type(exc).__name__} {first}".strip()
    return first
