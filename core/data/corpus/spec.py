"""Where a parallel corpus comes from (two line-aligned files or one TSV file) and one raw pair."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Union

from core.data.corpus.messages import file_names
from core.errors import CorpusError

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class CorpusSpec:
    """Where a parallel corpus comes from: two line-aligned files, or one TSV file."""

    src_path: str | None = None
    tgt_path: str | None = None
    tsv_path: str | None = None

    def validate(self) -> None:
        """Exactly one form must be given; empty strings (blank GUI fields) count as not given."""
        src, tgt, tsv = self.src_path, self.tgt_path, self.tsv_path
        if tsv and (src or tgt):
            raise CorpusError(
                None, None, "give either a source file and a target file, or one TSV file, not both"
            )
        if tsv:
            return
        if not src and not tgt:
            raise CorpusError(
                None,
                None,
                "no corpus chosen: pick a source file and a target file, "
                "or one TSV file (source<TAB>target per line)",
            )
        if not tgt:
            raise CorpusError(src, None, "a source file needs a matching target file")
        if not src:
            raise CorpusError(tgt, None, "a target file needs a matching source file")
        if os.path.abspath(os.fspath(src)) == os.path.abspath(os.fspath(tgt)):
            raise CorpusError(
                src, None, "the source and the target are the same file; pick one file per language"
            )

    def files(self) -> list[str]:
        """The file paths to read, in order (source, target) or (tsv,); validates first."""
        self.validate()
        if self.tsv_path:
            return [os.fspath(self.tsv_path)]
        return [os.fspath(self.src_path), os.fspath(self.tgt_path)]  # type: ignore[arg-type]

    def describe(self) -> str:
        """Short name for messages and the UI, e.g. ``train.de + train.en``; never raises."""
        if self.tsv_path and not (self.src_path or self.tgt_path):
            return file_names([os.fspath(self.tsv_path)])
        given = [os.fspath(p) for p in (self.src_path, self.tgt_path, self.tsv_path) if p]
        return file_names(given) if given else "no corpus"


@dataclass(frozen=True)
class RawPair:
    """One aligned line pair, decoded and stripped, before tokenization."""

    line: int  # 1-based line number in the file(s)
    src: str
    tgt: str
