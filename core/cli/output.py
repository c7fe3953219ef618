"""What the CLI commands print: JSON lines, stdin sentences, the attention matrix as text."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from core.errors import CorpusError
from core.events import Translation


def print_json(obj: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def stdin_lines() -> Iterator[str]:
    """stdin's lines decoded as UTF-8 whatever the locale; a bad byte names the line, like files."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a replaced, already-decoded text stream
        for line in sys.stdin:
            yield line.rstrip("\n").removesuffix("\r")
        return
    for n, raw in enumerate(stream, 1):
        raw = raw.rstrip(b"\n").removesuffix(b"\r")
        if n == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(
                "<stdin>",
                n,
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); send UTF-8 text",
                byte=exc.start + 1,
            ) from None


def attention_table(t: Translation) -> str:
    """The matrix as aligned text: one row per target token, one column per source token."""
    cols = t.source_tokens
    width = max(5, *(len(c) for c in cols)) if cols else 5
    row_label = max(6, *(len(r) for r in t.target_tokens)) if t.target_tokens else 6
    lines = [
        " " * row_label + " " + " ".join(c.rjust(width) for c in cols) + "   p(token)  entropy"
    ]
    entropy = t.entropy
    for r, tok in enumerate(t.target_tokens):
        cells = " ".join(f"{w:.2f}".rjust(width) for w in t.attention[r])
        lines.append(f"{tok.rjust(row_label)} {cells}   {t.token_probs[r]:8.3f}  {entropy[r]:7.2f}")
    lines.append(
        "coverage".rjust(row_label) + " " + " ".join(f"{c:.2f}".rjust(width) for c in t.coverage)
    )
    return "\n".join(lines)
