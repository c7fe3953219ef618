"""``attnscope-cli models``: the model library as a table or JSON."""

from __future__ import annotations

import argparse
import dataclasses

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
