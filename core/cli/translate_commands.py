"""``attnscope-cli translate`` and ``evaluate``: text in, translations or scores out."""

from __future__ import annotations

import argparse
import sys

from core.cli.output import print_json
from core.cli.stdin_batches import stdin_batches
from core.data.corpus import read_text_lines
from core.errors import CorpusError


def cmd_translate(args: argparse.Namespace) -> int:
    from core.decoding.translator import Translator

    tr = Translator.load(args.model, args.device, args.precision)
    if args.input:
        lines = [text for _, text in read_text_lines(args.input)]
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115 (closed below; stdout is not)

        def progress(done: int, total: int) -> None:
            print(f"\rtranslated {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

        try:
            if args.nbest > 1:
                for text in lines:
                    out.write(
                        "\t".join(t.text for t in tr.translate(text, args.beam, args.nbest)) + "\n"
                    )
            else:
                for t in tr.translate_batch(
                    lines, beam=args.beam, progress=progress if args.output else None
                ):
                    out.write(t.text + "\n")
        finally:
            if args.output:
                out.close()
                print(file=sys.stderr)
        return 0
    line_no = 1
    for batch in stdin_batches():
        if args.nbest > 1:
            rows = [
                "\t".join(h.text for h in tr.translate(text, args.beam, args.nbest))
                for text in batch
            ]
        else:
            found = tr.translate_batch(batch, beam=args.beam, first_line=line_no)
            rows = [t.text for t in found]
        sys.stdout.write("".join(row + "\n" for row in rows))
        sys.stdout.flush()
        line_no += len(batch)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core.decoding.translator import Translator
    from core.evaluation.metrics import score

    srcs = [t for _, t in read_text_lines(args.src)]
    refs = [t for _, t in read_text_lines(args.ref)]
    if len(srcs) != len(refs):
        raise CorpusError(
            args.src,
            None,
            f"has {len(srcs):,} lines but {args.ref} has {len(refs):,}; "
            "source and reference must be line-aligned",
        )
    tr = Translator.load(args.model, args.device)
    hyps = [t.text for t in tr.translate_batch(srcs, beam=args.beam)]
    s = score(hyps, refs)
    if args.json:
        print_json(
            {
                "bleu": s.bleu,
                "chrf": s.chrf,
                "bleu_signature": s.bleu_signature,
                "chrf_signature": s.chrf_signature,
                "sentences": s.n,
                "beam": args.beam,
            }
        )
    else:
        print(f"BLEU {s.bleu:.2f}  ({s.bleu_signature})")
        print(f"chrF {s.chrf:.2f}  ({s.chrf_signature})")
    return 0
