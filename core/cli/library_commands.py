"""``attnscope-cli models`` (the model library) and ``cache`` (the tokenized corpora)."""

from __future__ import annotations

import argparse
import dataclasses
import time

from core.cli.output import print_json


def cmd_models(args: argparse.Namespace) -> int:
    from core.paths import AppPaths
    from core.storage.library import list_models

    root = AppPaths.default().models
    models = list_models(root)
    if args.json:
        print_json([dataclasses.asdict(m) for m in models])
        return 0
    if not models:
        print(f"no models yet in {root}")
    for m in models:
        bleu = "" if m.bleu is None else f"BLEU {m.bleu:.1f}"
        print(f"{m.name:30} {m.src_lang}→{m.tgt_lang}  {m.pairs:>8,} pairs  {bleu:10} {m.path}")
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from core.data.corpus_cache import CorpusCache, cache_root
    from core.paths import AppPaths

    cache = CorpusCache(cache_root(AppPaths.default().cache))
    if args.clear:
        removed, freed = cache.clear()
        print(
            f"removed {removed} cached corpus entr{'y' if removed == 1 else 'ies'}, "
            f"{freed / 1e6:,.1f} MB, from {cache.root}"
        )
        return 0
    entries = cache.entries()
    if args.json:
        print_json([dataclasses.asdict(e) for e in entries])
        return 0
    if not entries:
        print(f"no cached corpora in {cache.root}")
    for e in entries:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.last_used))
        print(
            f"{e.description or e.key[:12]:40} {e.pairs:>11,} pairs {e.bytes / 1e6:>10,.1f} MB"
            f"  used {used}  {e.path}"
        )
    if entries:
        print(f"total {sum(e.bytes for e in entries) / 1e6:,.1f} MB")
    return 0
