"""``attnscope-cli attention --attribution`` and ``agreement``: attribution beside attention."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli.output import print_json
from core.errors import ConfigError, CorpusError


def check_attribution_args(args: argparse.Namespace) -> None:
    """Refuse what --attribution cannot do before any model is loaded."""
    if args.ig_steps is not None and args.ig_steps < 1:
        raise ConfigError(f"--ig-steps must be at least 1, not {args.ig_steps}")
    if args.ig_steps is not None and args.attribution != "integrated-gradients":
        raise ConfigError("--ig-steps applies to integrated-gradients only")
    if getattr(args, "nbest", 1) > 1 or getattr(args, "tree", False):
        raise ConfigError(
            "--attribution explains one shown translation; it does not combine with "
            "--nbest or --tree"
        )


def attribution_for(translator, shown, args: argparse.Namespace):
    from core.inspection.attribution import attribute

    return attribute(translator, shown, args.attribution, args.ig_steps)


def print_attribution(a) -> None:
    """The attribution matrix in the attention table's layout, then each row's agreement."""
    print(f"attribution ({a.method}; |raw|, each row sums to 1)")
    print()
    print(attribution_table(a))
    print()
    print(agreement_line(a.agreement.mean_rank_correlation, a.agreement.top_match_rate))
    if a.completeness_error is not None:
        print(f"completeness error {a.completeness_error:.2%} with {a.steps} steps")


def attribution_table(a) -> str:
    """One row per target token: its attribution, its rank correlation with the attention row
    and whether both have the same top source word."""
    cols = a.source_tokens
    width = max(5, *(len(c) for c in cols))
    label = max(6, *(len(r) for r in a.target_tokens))
    head = " " * label + " " + " ".join(c.rjust(width) for c in cols) + "     rho  same top"
    lines = [head]
    for tok, row, ag in zip(a.target_tokens, a.normalised, a.agreement.tokens):
        cells = " ".join(f"{w:.2f}".rjust(width) for w in row)
        rho = "   -  " if ag.rank_correlation is None else f"{ag.rank_correlation:6.2f}"
        lines.append(f"{tok.rjust(label)} {cells}  {rho}  {'yes' if ag.same_top else 'no'}")
    return "\n".join(lines)


def agreement_line(rho: float | None, top: float | None, extra: str = "") -> str:
    rho_text = "undefined" if rho is None else f"{rho:.3f}"
    top_text = "undefined" if top is None else f"{top:.1%}"
    return f"agreement: mean rank correlation {rho_text}, top-1 match rate {top_text}{extra}"


def _lines(path: str) -> list[str]:
    from core.data.corpus import read_text_lines

    lines = [text for _, text in read_text_lines(path)]
    for n, text in enumerate(lines, 1):
        if not text.strip():
            raise CorpusError(path, n, "empty line; every line needs a sentence")
    if not lines:
        raise CorpusError(path, None, "holds no sentences")
    return lines


def cmd_agreement(args: argparse.Namespace) -> int:
    from core.decoding.translator import Translator
    from core.inspection.agreement import corpus_agreement
    from core.inspection.attribution_runs import attribute_sentences

    check_attribution_args(args)
    sources = _lines(args.src)
    refs = _lines(args.ref) if args.ref else None
    if refs is not None and len(refs) != len(sources):
        raise CorpusError(
            args.src,
            None,
            f"has {len(sources):,} lines but {args.ref} has {len(refs):,}; "
            "source and reference must be line-aligned",
        )
    tr = Translator.load(args.model, args.device)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            print(f"\rattributed {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    results = attribute_sentences(tr, sources, refs, args.attribution, args.ig_steps, progress)
    if tty:
        print(file=sys.stderr)
    total = corpus_agreement([r.agreement for r in results if r.agreement is not None])
    if args.json:
        record: dict[str, Any] = {"method": args.attribution, **total.to_dict()}
        record["per_sentence"] = [_sentence_json(r) for r in results]
        print_json(record)
        return 0
    print(
        agreement_line(
            total.mean_rank_correlation,
            total.top_match_rate,
            f" ({args.attribution}; {total.sentences:,} sentences, {total.tokens:,} target tokens)",
        )
    )
    return 0


def _sentence_json(r) -> dict[str, Any]:
    a = r.agreement
    return {
        "line": r.index + 1,
        "mean_rank_correlation": None if a is None else a.mean_rank_correlation,
        "top_match_rate": None if a is None else a.top_match_rate,
        "completeness_error": r.completeness_error,
    }
