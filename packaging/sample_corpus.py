"""Generate Attnscope's bundled sample corpora: original English→German and English→French text.

    .venv/bin/python packaging/sample_corpus.py           # (re)write resources/corpora/*
    .venv/bin/python packaging/sample_corpus.py --check   # exit 1 if those files are out of date

Why a generator and not a downloaded corpus: the app ships a corpus so a first-time user can train
something in minutes, and shipping third-party text means shipping its licence. Everything here is
written from a small synchronous grammar and a bilingual lexicon, so the corpus is original and
licensed like the project (MIT). A fixed seed makes the output byte-identical on every run.

Why this grammar: an attention model is only interesting to watch when the alignment is not the
diagonal. The grammar therefore leans on constructions where German and French reorder, merge or
split words: verb-final subordinate clauses, V2 inversion after a fronted adverbial, separable
verbs, modal + infinitive and perfect participles at the end of the clause, compounds, case and
gender (der/den/dem, adjective endings), multi-word ↔ one-word translations (every day → täglich,
go for a walk → spazieren gehen), French adjective placement, ne…pas, partitives and elision.

How it works: sentences are built as small *meaning* records (a Clause: subject, verb, objects,
place, time, tense, negation…) and each language has its own realiser that turns the same record
into a sentence. The lexicon is plain data tables; every grammar rule is a small function. When a
construction is hard to inflect correctly it is simply not generated: correctness beats breadth.

Where things are (the package ``sample_grammar`` beside this script): the lexicon in ``nouns``,
``adjectives``, ``places_times`` and ``verbs``; ``morphology`` and ``noun_phrases``; the meaning
record in ``clause`` and ``clause_types``; one realiser per language (``english``, ``german``,
``french``); ``frames`` and ``sentences``; sampling in ``draws``, ``templates`` and ``relatives``;
the files of resources/corpora in ``corpus_files``. This script is only the command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sample_grammar.corpus_files import build

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "corpora"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the files on disk differ from what would be generated",
    )
    ap.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR})")
    args = ap.parse_args(argv)
    files = build()
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (args.out / name).is_file()
            or (args.out / name).read_bytes() != text.encode("utf-8")
        ]
        if stale:
            print(
                f"out of date in {args.out}: {', '.join(stale)}; "
                f"run python packaging/sample_corpus.py",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out}: up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_bytes(text.encode("utf-8"))
    print(f"wrote {', '.join(files)} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
