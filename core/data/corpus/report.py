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
MISSING_SOURCE = "source language missing"  # a TMX unit without a <tuv> in the source language
MISSING_TARGET = "target language missing"
MISSING_BOTH = "both languages missing"
DROP_REASONS = (
    EMPTY_PAIR,
    EMPTY_SOURCE,
    EMPTY_TARGET,
    TOO_LONG,
    TOO_FEW_COLUMNS,
    MISSING_SOURCE,
    MISSING_TARGET,
    MISSING_BOTH,
)
# Notes: kept pairs worth telling about (the keys of CorpusReport.notes).
TWO_VARIANTS = "two <tuv> of one language; the exact code, else the first, was used"

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
    notes: dict[str, int] = field(default_factory=dict)
    note_examples: dict[str, list[int]] = field(default_factory=dict)
    duplicates: int | None = None  # kept pairs that repeat an earlier one; None: not counted

    @property
    def pairs_dropped(self) -> int:
        return sum(self.dropped.values())

    def drop(self, reason: str, line: int) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        lines = self.examples.setdefault(reason, [])
        if len(lines) < MAX_EXAMPLES:
            lines.append(line)

    def note(self, reason: str, count: int, lines: list[int]) -> None:
        """Records ``count`` kept units worth a word (``lines``: the first few of them)."""
        if count:
            self.notes[reason] = self.notes.get(reason, 0) + count
            self.note_examples.setdefault(reason, []).extend(lines)
            del self.note_examples[reason][MAX_EXAMPLES:]

    def to_dict(self) -> dict:
        return {
            "files": list(self.files),
            "pairs_read": self.pairs_read,
            "pairs_kept": self.pairs_kept,
            "pairs_dropped": self.pairs_dropped,
            "dropped": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "max_len": self.max_len,
            "notes": dict(self.notes),
            "note_examples": {k: list(v) for k, v in self.note_examples.items()},
            "duplicates": self.duplicates,
        }

    def summary(self) -> str:
        """Multi-line text: a headline, then one line per drop reason with example line numbers."""
        head = f"Read {count_of(self.pairs_read, 'pair')} from {file_names(self.files)}"
        if not self.dropped:
            lines = [f"{head}; kept all {self.pairs_kept:,}."]
        else:
            lines = [f"{head}; kept {self.pairs_kept:,}; dropped {self.pairs_dropped:,}:"]
            lines += [f"  {item}" for item in self._drop_items()]
        for reason, n in self.notes.items():
            where = ", ".join(str(x) for x in self.note_examples.get(reason, []))
            more = ", ..." if n > len(self.note_examples.get(reason, [])) else ""
            lines.append(
                f"  note: {count_of(n, 'unit')} with {reason} "
                f"(line{'s' if n > 1 else ''} {where}{more})"
            )
        if self.duplicates:
            verb = "repeats" if self.duplicates == 1 else "repeat"
            lines.append(
                f"  note: {count_of(self.duplicates, 'pair')} {verb} an earlier pair exactly; all "
                "copies of a pair stay on one side of the automatic dev split"
            )
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
