"""What sentencepiece makes of a corpus at several vocabulary sizes: the pieces it learns per
language (a small corpus cannot feed a large request) and pieces per whitespace word.

    .venv/bin/python bench/subword_sizes.py --corpus ../shared/corpora/multi30k --src en --tgt de
    .venv/bin/python bench/subword_sizes.py --tsv resources/corpora/en-de.tsv --src en --tgt de

Corpus files are ``{corpus}/{split}.{lang}`` or ``.gz`` as for ``bench/train.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from common import emit_json, print_table, read_lines

from core.config import TokenizerConfig
from core.data.subword import train_tokenizers


def pieces_per_word(tok, lines: list[str]) -> float:
    return sum(len(tok.tokenize(x)) for x in lines) / max(1, sum(len(x.split()) for x in lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, help="a folder of {split}.{lang} files")
    ap.add_argument("--tsv", type=Path, help="or one source<TAB>target file")
    ap.add_argument("--src", required=True)
    ap.add_argument("--tgt", required=True)
    ap.add_argument("--split", default="train")
    ap.add_argument("--sizes", default="1000,2000,4000,8000")
    ap.add_argument("--subword-type", default="unigram", choices=["unigram", "bpe"])
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()
    if args.tsv:
        rows_tsv = [line.split("\t") for line in args.tsv.read_text(encoding="utf-8").splitlines()]
        src, tgt = [r[0] for r in rows_tsv], [r[1] for r in rows_tsv]
    else:
        src = read_lines(args.corpus, args.split, args.src)
        tgt = read_lines(args.corpus, args.split, args.tgt)
    cfg = TokenizerConfig(args.src, args.tgt, subword_type=args.subword_type)
    rows, out = [], []
    for size in (int(x) for x in args.sizes.split(",")):
        t0 = time.process_time()
        s, g = train_tokenizers(src, tgt, cfg, size)
        cpu = time.process_time() - t0
        row = {
            "asked": size,
            "pieces": [len(s.pieces()), len(g.pieces())],
            "pieces_per_word": [
                round(pieces_per_word(s, src), 3),
                round(pieces_per_word(g, tgt), 3),
            ],
            "train_cpu_s": round(cpu, 2),
        }
        out.append(row)
        rows.append((size, "/".join(map(str, row["pieces"])),
                     "/".join(map(str, row["pieces_per_word"])), row["train_cpu_s"]))  # fmt: skip
    print_table(
        f"{args.tsv or args.corpus} {args.src}/{args.tgt}: {len(src):,} pairs",
        ["asked", "pieces src/tgt", "pieces/word src/tgt", "training CPU s"],
        rows,
    )
    result = {"corpus": str(args.tsv or args.corpus), "pairs": len(src), "sizes": out}
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
