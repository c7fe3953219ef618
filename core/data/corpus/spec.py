"""Where a parallel corpus comes from (two line-aligned files, one TSV file or one TMX file) and
one raw pair."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Union

from core.data.corpus.messages import file_names
from core.errors import CorpusError

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class CorpusSpec:
    """Where a parallel corpus comes from: two line-aligned files, one TSV file, or one TMX file
    with the two languages to read from it."""

    src_path: str | None = None
    tgt_path: str | None = None
    tsv_path: str | None = None
    tmx_path: str | None = None
    tmx_src_lang: str | None = None  # the <tuv> languages read from tmx_path
    tmx_tgt_lang: str | None = None

    def validate(self) -> None:
        """Exactly one form must be given; empty strings (blank GUI fields) count as not given."""
        src, tgt, tsv, tmx = self.src_path, self.tgt_path, self.tsv_path, self.tmx_path
        if sum(bool(x) for x in (src or tgt, tsv, tmx)) > 1:
            raise CorpusError(
                None,
                None,
                "give either a source file and a target file, or one TSV file, or one TMX file, "
                "not several",
            )
        if tmx:
            from core.data.corpus.tmx import check_tmx_langs

            check_tmx_langs(os.fspath(tmx), self.tmx_src_lang, self.tmx_tgt_lang)
            return
        if tsv:
            return
        if not src and not tgt:
            raise CorpusError(
                None,
                None,
                "no corpus chosen: pick a source file and a target file, "
                "or one TSV file (source<TAB>target per line), or one TMX file",
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
        """The file paths to read, in order (source, target), (tsv,) or (tmx,); validates first."""
        self.validate()
        if self.tmx_path:
            return [os.fspath(self.tmx_path)]
        if self.tsv_path:
            return [os.fspath(self.tsv_path)]
        return [os.fspath(self.src_path), os.fspath(self.tgt_path)]  # type: ignore[arg-type]

    def describe(self) -> str:
        """Short name for messages and the UI, e.g. ``train.de + train.en``; never raises."""
        single = self.tsv_path or self.tmx_path
        if single and not (self.src_path or self.tgt_path):
            name = file_names([os.fspath(single)])
            if self.tmx_path and self.tmx_src_lang and self.tmx_tgt_lang:
                name += f" ({self.tmx_src_lang} → {self.tmx_tgt_lang})"
            return name
        given = [
            os.fspath(p) for p in (self.src_path, self.tgt_path, self.tsv_path, self.tmx_path) if p
        ]
        return file_names(given) if given else "no corpus"


@dataclass(frozen=True)
class RawPair:
    """One aligned line pair, decoded and stripped, before tokenization."""

    line: int  # 1-based line number in the file(s)
    src: str
    tgt: str
