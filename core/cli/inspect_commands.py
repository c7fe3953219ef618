"""``attnscope-cli attention`` and ``align``: what the model attends to, as numbers and links."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.cli.attribution_commands import (
    attribution_for,
    check_attribution_args,
    print_attribution,
)
from core.cli.heads import viewed
from core.cli.output import attention_table, print_json
from core.data.corpus import read_text_lines
from core.errors import ConfigError, CorpusError


def cmd_attention(args: argparse.Namespace) -> int:
    from core.decoding.translator import Translator
    from core.inspection.attention_export import (
        translation_record,
        word_record,
        write_attention_csv,
    )
    from core.inspection.word_merge import in_view, uses_subwords

    if args.attribution is not None:
        check_attribution_args(args)
    if args.tree and (not args.json or args.beam < 2 or args.reference is not None):
        raise ConfigError(
            "--tree prints the beam's search tree as JSON: it needs --json and "
            "--beam 2 or more, and does not combine with --reference"
        )
    tr = Translator.load(args.model, args.device)
    tree = None
    if args.reference is not None:
        if args.prefix or args.nbest > 1:
            raise ConfigError(
                "--reference scores one given translation; it does not combine "
                "with --prefix or --nbest"
            )
        hyps = [tr.score(args.sentence, args.reference, args.self_attention)]
    else:
        if args.nbest > max(1, args.beam):
            raise ConfigError(
                f"--nbest {args.nbest} needs a beam at least that wide (--beam {args.nbest})"
            )
        inspection = tr.inspect(
            args.sentence,
            args.beam,
            args.nbest,
            prefix=args.prefix,
            tree=args.tree,
            self_attention=args.self_attention,
        )
        hyps, tree = inspection.hypotheses, tree_json(inspection) if args.tree else None
    subwords = uses_subwords(tr.meta)
    shown = [viewed(h, args.layer, args.head) for h in hyps]  # --layer/--head, else as is
    if args.csv:  # the chosen head first, then (--words) merged into words
        t = in_view(shown[0], subwords and args.words)
        write_attention_csv(Path(args.csv), t.source_tokens, t.target_tokens, t.attention)
    attribution = attribution_for(tr, hyps[0], args) if args.attribution else None
    if args.json:
        dicts = [translation_record(h) for h in hyps]
        if subwords:
            for d, h in zip(dicts, hyps):
                d.update(word_record(h))
        if args.layer is not None or args.head is not None:
            for d, v in zip(dicts, shown):
                d["view"] = view_record(v, args.layer, args.head, subwords)
        if attribution is not None:
            from core.inspection.attribution import attribution_record, attribution_word_record

            dicts[0].update(attribution_record(attribution))
            if subwords:
                dicts[0].update(attribution_word_record(attribution))
        result = dicts if args.nbest > 1 else dicts[0]
        print_json({"hypotheses": dicts, "tree": tree} if tree is not None else result)
        return 0
    for i, t in enumerate(shown):
        if len(hyps) > 1:
            print(f"#{i + 1}  score {t.score:.3f}")
        print(t.text)
        print()
        print(attention_table(in_view(t, subwords and args.words)))
        print()
    if attribution is not None and attribution.target_tokens:
        from core.inspection.attribution import in_words

        print_attribution(in_words(attribution) if subwords and args.words else attribution)
    return 0


def view_record(t, layer: int | None, head: int | None, subwords: bool = False) -> dict[str, Any]:
    """The --layer/--head choice and its (T, S) weights, for --json; for a subword model also
    that choice merged into words (``word_weights``)."""
    from core.inspection.attention_export import short_floats
    from core.inspection.word_merge import to_words

    n_layers = 0 if t.cross_attention is None else t.cross_attention.shape[0]
    record = {
        "layer": n_layers - 1 if layer is None else layer,
        "head": "mean" if head is None else head,
        "weights": short_floats(t.attention),
    }
    if subwords:
        record["word_weights"] = short_floats(to_words(t).attention)
    return record


def tree_json(inspection) -> list[dict[str, Any]]:
    """The beam tree's nodes as plain JSON objects (the root first)."""
    tree, words = inspection.tree, inspection.node_tokens
    if tree is None or words is None:
        return []
    return [
        {
            "id": n.id,
            "parent": n.parent,
            "step": n.step,
            "token": words[n.id],
            "prob": n.prob,
            "logp": n.logp,
            "status": n.status,
            "rank": n.rank,
            "score": n.score,
            "weights": [float(w) for w in n.attention],
        }
        for n in tree.nodes
    ]


def _nonempty_lines(path: str) -> list[tuple[int, str]]:
    """Every line of ``path``; a blank one is refused (a pair cannot be aligned without text)."""
    lines = list(read_text_lines(path))
    for n, text in lines:
        if not text.strip():
            raise CorpusError(
                path,
                n,
                "empty line; every line needs a sentence, and the source "
                "and target files must be line-aligned",
            )
    return lines


def cmd_align(args: argparse.Namespace) -> int:
    from core.decoding.translator import Translator
    from core.inspection.alignment import (
        check_bounds,
        corpus_aer_counts,
        hard_alignment,
        read_gold,
        to_pharaoh,
        word_count,
    )
    from core.inspection.heads import add_head_counts, rank_heads, ranking_lines
    from core.storage.atomic_io import atomic_write_text

    if bool(args.model) == bool(args.model_option):
        raise ConfigError("give the model folder once: attnscope-cli align MODEL (or --model DIR)")
    if args.threshold is not None and args.method != "threshold":
        raise ConfigError("--threshold applies to --method threshold only")
    threshold = 0.3 if args.threshold is None else args.threshold
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"--threshold must be above 0 and at most 1, not {threshold}")
    srcs, tgts = _nonempty_lines(args.source), _nonempty_lines(args.target)
    if len(srcs) != len(tgts):
        raise CorpusError(
            args.source,
            None,
            f"has {len(srcs):,} lines but {args.target} has "
            f"{len(tgts):,}; source and target must be line-aligned",
        )
    gold = read_gold(args.gold) if args.gold else None
    if gold is not None and len(gold) != len(srcs):
        raise CorpusError(
            args.gold,
            None,
            f"has {len(gold):,} lines but {args.source} has "
            f"{len(srcs):,}; give one gold line per sentence pair",
        )
    from core.inspection.word_merge import in_view, uses_subwords

    if args.rank_heads and gold is None:
        raise ConfigError("--rank-heads ranks the heads against --gold: give a gold file")
    tr = Translator.load(args.model or args.model_option, args.device)
    if args.rank_heads and not tr.is_transformer:
        raise ConfigError("--rank-heads ranks a Transformer's heads; this model (a GRU) has one")
    subwords = uses_subwords(tr.meta)
    predicted, lines, per_head = [], [], {}
    for (n, source), (_, target) in zip(srcs, tgts):
        # the chosen head first, then links between words, not pieces (every head is merged
        # into words too, for the ranking)
        scored = tr.score(source, target)
        t = in_view(viewed(scored, args.layer, args.head), subwords)
        links = hard_alignment(
            t.attention, t.source_tokens, t.target_tokens, args.method, threshold
        )
        if gold is not None:
            check_bounds(
                gold[n - 1], word_count(t.source_tokens), word_count(t.target_tokens), args.gold, n
            )
        if args.rank_heads:
            in_words = in_view(scored, subwords)
            add_head_counts(per_head, in_words, gold[n - 1], args.method, threshold)
        predicted.append(links)
        lines.append(to_pharaoh(links))
        if args.out:
            print(f"\raligned {n:,}/{len(srcs):,}", end="", file=sys.stderr, flush=True)
        else:
            print(lines[-1], flush=True)
    if args.out:
        print(file=sys.stderr)
        atomic_write_text(args.out, "".join(line + "\n" for line in lines))
    if gold is not None:
        c = corpus_aer_counts(predicted, gold)
        print(
            f"AER {c.aer:.4f}  (precision {c.precision:.4f}, recall {c.recall:.4f}; "
            f"{len(lines):,} sentence pairs, {c.a:,} predicted links, {c.s:,} sure gold links)",
            file=sys.stdout if args.out else sys.stderr,
            flush=True,
        )
    for line in ranking_lines(rank_heads(per_head)) if args.rank_heads else []:
        print(line, file=sys.stdout if args.out else sys.stderr, flush=True)
    return 0
