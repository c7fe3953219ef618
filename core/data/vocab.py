"""Token ↔ id maps with the four specials first; an unknown word maps to ``<unk>``, never raises."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from core.errors import CheckpointError

UNK, PAD, BOS, EOS = "<unk>", "<pad>", "<s>", "</s>"
SPECIALS = (UNK, PAD, BOS, EOS)
UNK_ID, PAD_ID, BOS_ID, EOS_ID = range(4)


class Vocab:
    def __init__(self, tokens: Iterable[str]) -> None:
        self.itos: list[str] = list(tokens)
        if tuple(self.itos[:4]) != SPECIALS:
            raise CheckpointError("vocabulary must start with " + " ".join(SPECIALS))
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            raise CheckpointError("vocabulary lists a token twice")

    @classmethod
    def build(cls, sentences: Iterable[list[str]], max_size: int, min_freq: int = 1) -> Vocab:
        """Most frequent first, ties broken alphabetically so a build is reproducible."""
        counts: Counter[str] = Counter()
        for tokens in sentences:
            counts.update(tokens)
        return cls.from_counts(counts, max_size, min_freq)

    @classmethod
    def from_counts(cls, counts: dict[str, int], max_size: int, min_freq: int = 1) -> Vocab:
        counts = dict(counts)
        for special in SPECIALS:
            counts.pop(special, None)
        ranked = sorted(
            (t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t)
        )
        return cls([*SPECIALS, *ranked[: max(0, max_size - len(SPECIALS))]])

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str], add_eos: bool = True) -> list[int]:
        ids = [self.stoi.get(t, UNK_ID) for t in tokens]
        if add_eos:
            ids.append(EOS_ID)
        return ids

    def decode(self, ids: Iterable[int], strip_eos: bool = True) -> list[str]:
        out = []
        for i in ids:
            if strip_eos and i == EOS_ID:
                break
            out.append(self.itos[i] if 0 <= i < len(self.itos) else UNK)
        return out

    def save(self, path: Path) -> str:
        text = json.dumps(self.itos, ensure_ascii=False, indent=0)
        path.write_text(text, encoding="utf-8")
        return text

    def to_json(self) -> str:
        return json.dumps(self.itos, ensure_ascii=False, indent=0)

    @classmethod
    def load(cls, path: Path) -> Vocab:
        try:
            tokens = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"cannot read vocabulary {path}: {exc}") from exc
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise CheckpointError(f"{path} is not a vocabulary (expected a JSON list of strings)")
        try:
            return cls(tokens)
        except CheckpointError as exc:
            raise CheckpointError(f"{path}: {exc}") from None
