"""What reading a corpus kept and dropped, and why: the report the app and the CLI show."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.data.corpus.messages import count_of, file_names

# Drop reasons (the keys of CorpusReport.dropped).
EMPTY_SOURCE = "empty source"
EMPTY_TARGET = "empty target"
EMPTY_PAIR = "empty pair"
TOO_LONG = "too long"
TOO_FEW_COLUMNS = "too few columns"
DROP_REASONS = (EMPTY_PAIR, EMPTY_SOURCE, EMPTY_TARGET, TOO_LONG, TOO_FEW_COLUMNS)

MAX_EXAMPLES = 5  # line numbers remembered per drop reason


@dataclass
class CorpusReport:
    """Counts of what was read, kept and dropped (with example line numbers), for the UI and the
    CLI."""

    files: list[str]
    pairs_read: int = 0
    pairs_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    max_len: int | None = None

    @property
    def pairs_dropped(self) -> int:
        return sum(self.dropped.values())

    def drop(self, reason: str, line: int) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        lines = self.examples.setdefault(reason, [])
        if len(lines) < MAX_EXAMPLES:
            lines.append(line)

    def to_dict(self) -> dict:
        return {
            "files": list(self.files),
            "pairs_read": self.pairs_read,
            "pairs_kept": self.pairs_kept,
            "pairs_dropped": self.pairs_dropped,
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "max_len": self.max_len,
        }

    def summary(self) -> str:
        """Multi-line text: a headline, then one line per drop reason with example line numbers."""
        head = f"Read {count_of(self.pairs_read, 'pair')} from {file_names(self.files)}"
        if not self.dropped:
            return f"{head}; kept all {self.pairs_kept:,}."
        lines = [f"{head}; kept {self.pairs_kept:,}; dropped {self.pairs_dropped:,}:"]
        lines += [f"  {item}" for item in self._drop_items()]
        return "\n".join(lines)

    def _drop_items(self) -> list[str]:
        order = {r: i for i, r in enumerate(DROP_REASONS)}
        reasons = sorted(
            self.dropped, key=lambda r: (-self.dropped[r], order.get(r, len(order)), r)
        )
        items = []
        for reason in reasons:
            n = self.dropped[reason]
            shown = self.examples.get(reason, [])
            where = ", ".join(str(x) for x in shown) + (", ..." if n > len(shown) else "")
            label = reason
            if reason == TOO_LONG and self.max_len is not None:
                label = f"too long, over {count_of(self.max_len, 'token')}"
            items.append(
                f"{n:,} {label} ({'line' if len(shown) == 1 and n == 1 else 'lines'} {where})"
            )
        return items
