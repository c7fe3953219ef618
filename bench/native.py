"""Benchmark: the compiled CPU kernels (``core.native``) against the PyTorch code they replace,
in one process, on and off alternating so that machine drift cancels.

- The loss alone (``core.model.loss`` over 960 rows of a 6,500 vocabulary, forward with its
  gradients), fp32 and bf16 logits;
- the whole base GRU (Bahdanau) training step (loss, backward, clipping, Adam) on a
  Multi30K-like synthetic batch, fp32 and bf16 autocast: same model, weights and batch, the
  kernels switched with ``core.native.ENABLED``;
- with ``--model DIR``: translating a test set (``Translator.translate_batch``, greedy and
  beam 5, the model loaded in each of ``--precisions``), where the search's steps use the
  attention, GRU and row-top kernels (``core.model.search_step``, ``core.decoding.search``).

    .venv/bin/python bench/native.py --threads 2 --rounds 6 --steps 4
    .venv/bin/python bench/native.py --threads 2 --rounds 5 --skip-training --model /tmp/m-de-en \
        --corpus ../shared/corpora/multi30k --src de

Prints tables (medians, and on ÷ off ratios: below 1 is faster) and one JSON line.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    alternate,
    emit_json,
    loadavg,
    machine,
    one_step_parser,
    print_table,
    read_lines,
    synthetic_batch,
    training_step,
)


def main() -> int:
    ap = one_step_parser(__doc__, steps=4)
    ap.add_argument("--rounds", type=int, default=6, help="on/off alternations")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument("--model", type=Path, help="a trained GRU model folder: time translating too")
    ap.add_argument("--corpus", type=Path, help="with --model: the folder of the test set")
    ap.add_argument("--src", default="de", help="with --model: the source language")
    ap.add_argument("--test", default="test_2016_flickr", help="with --model: the test split")
    ap.add_argument("--skip-training", action="store_true", help="only the translation timings")
    args = ap.parse_args()
    if args.model and not args.corpus:
        ap.error("--model needs --corpus (where the test set is)")

    from core import device, native

    device.set_threads(args.threads)
    if not native.available():
        print(f"the compiled kernels are not in use here: {native.unavailable_reason()}")
        return 1
    load0 = loadavg()

    def use(on: bool):
        return lambda: setattr(native, "ENABLED", on)

    variants = {"kernels": use(True), "pytorch": use(False)}
    precisions = args.precisions.split(",")
    results: dict = {"loss": {}, "step": {}, "translate": {}}
    if not args.skip_training:
        _training(args, variants, precisions, results)
    if args.model:
        _translation(args, variants, precisions, results)
    native.ENABLED = True
    emit_json(
        {
            "bench": "native",
            "machine": machine(),
            "threads": args.threads,
            "rounds": args.rounds,
            "steps": args.steps,
            "load_before": load0,
            "load_after": loadavg(),
            **results,
        },
        args.json_out,
    )
    return 0


def _training(args, variants: dict, precisions: list[str], results: dict) -> None:
    import torch

    from core.config import preset
    from core.model import loss
    from core.model.build import build_model
    from core.training.schedule import make_optimizer

    torch.manual_seed(0)
    rows = torch.randn(960, 256)
    weight = torch.randn(6500, 256) * 0.05
    targets = torch.randint(4, 6500, (960,))
    targets[-40:] = 0  # padding rows, as a batch rounded up to ROW_MULTIPLE has
    table = []
    for precision in precisions:
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        x = rows.to(dtype)

        def one_loss(x=x) -> None:
            loss._chunked(x, weight, targets, 0.1, grads=True)

        med = alternate(variants, one_loss, args.rounds, args.steps * 3)
        results["loss"][precision] = med
        table.append([precision, med["pytorch"], med["kernels"], med["kernels"] / med["pytorch"]])
    print_table(
        "the loss, 960 rows × 6,500, with gradients (ms)",
        ["logits", "pytorch", "kernels", "kernels ÷ pytorch"],
        table,
    )

    cfg = preset("base").model
    batch = synthetic_batch(args)
    table = []
    for precision in precisions:
        torch.manual_seed(0)
        model = build_model(cfg, 8000, 6500).train()
        step = training_step(model, make_optimizer(model, cfg, 1e-4), batch, precision)
        med = alternate(variants, step, args.rounds, args.steps)
        results["step"][precision] = med
        table.append([precision, med["pytorch"], med["kernels"], med["kernels"] / med["pytorch"]])
    print_table(
        f"base GRU training step, {args.batch}×{args.src_len}→{args.tgt_len} (ms)",
        ["precision", "pytorch", "kernels", "kernels ÷ pytorch"],
        table,
    )


def _translation(args, variants: dict, precisions: list[str], results: dict) -> None:
    """Each round translates the whole test set once untimed and once timed per variant."""
    from core.decoding.translator import Translator

    sources = read_lines(args.corpus, args.test, args.src)
    table = []
    for precision in precisions:
        translator = Translator.load(args.model, "cpu", precision)
        for beam in (1, 5):

            def translate(beam=beam, translator=translator) -> None:
                translator.translate_batch(sources, beam=beam)

            med = {k: v / 1000 for k, v in alternate(variants, translate, args.rounds, 1).items()}
            results["translate"][f"{precision}_b{beam}"] = med
            table.append(
                [precision, beam, med["pytorch"], med["kernels"], med["kernels"] / med["pytorch"]]
            )
    print_table(
        f"translating {len(sources):,} sentences of {args.corpus.name}/{args.test} (s)",
        ["weights", "beam", "pytorch", "kernels", "kernels ÷ pytorch"],
        table,
    )


if __name__ == "__main__":
    sys.exit(main())
