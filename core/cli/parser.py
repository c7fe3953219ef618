"""``attnscope-cli``: train, translate, inspect attention and evaluate without the desktop app.

It reads and writes the same model folders as the app. Anything the user must fix ends with a
one-paragraph message and exit status 2; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from core import __version__
from core.cli.heads import add_head_options, add_transformer_train_options
from core.errors import CoreError

EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130

DESCRIPTION = """\
Train an attention-based translation model on your own parallel text, translate with it,
and see which source words each output word attends to.

Typical use:
  attnscope-cli train --train-tsv pairs.tsv --src-lang en --tgt-lang de --out my-model \\
      --time-budget 600
  echo "The cat sleeps." | attnscope-cli translate --model my-model
  attnscope-cli attention --model my-model "The cat sleeps."
  attnscope-cli align my-model --source test.en --target test.de --gold test.wa
  attnscope-cli agreement --model my-model --src test.en --method integrated-gradients
  attnscope-cli evaluate --model my-model --src test.en --ref test.de
  attnscope-cli doctor          # what is missing on this machine, and the fix
"""


# ---- argument parsing ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="attnscope-cli",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"attnscope {__version__}")
    p.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_train(sub)
    _add_translate(sub)
    _add_attention(sub)
    _add_align(sub)
    _add_agreement(sub)
    _add_evaluate(sub)
    _add_models(sub)
    _add_cache(sub)
    _add_demo(sub)
    sub.add_parser(
        "doctor",
        help="check this machine: Python, PyTorch, Qt, display, folders",
        description="One line per check — ok or PROBLEM, what was found and the fix: "
        "Python, PyTorch (build, device, bfloat16), the Qt platform "
        "plugin and its system libraries, the display, fonts, the "
        "model/config/log folders and free disk space. Exit status 0 "
        "when all is well, 1 otherwise.",
    )
    return p


def _add_train(sub: Any) -> None:
    t = sub.add_parser(
        "train",
        help="train a model on parallel text",
        description="Train a model into a new model folder (or continue one with --resume). "
        "Give either two line-aligned files (--train-src/--train-tgt), one "
        "tab-separated file (--train-tsv: source<TAB>target per line), or one TMX "
        "translation memory (--train-tmx; --src-lang and --tgt-lang choose its two "
        "languages). Without dev files, a few percent of the pairs are held out for "
        "validation, all copies of a repeated pair on the same side. The tokenized corpus is "
        "kept in the user cache folder and trained from there through memory maps, so a corpus "
        "larger than memory trains, and the next run on the same files, tokenizer settings and "
        "subword models does not read them again (attnscope-cli cache). Every event is also "
        "appended to the model folder's events.jsonl (the app's File > Attach to a training... "
        "follows it); a file named STOP in the folder stops the run with a checkpoint. On "
        "several GPUs or machines, run the same command under torchrun: torchrun "
        "--nproc-per-node N [--nnodes M --rdzv-backend c10d --rdzv-endpoint HOST:PORT] -m core "
        "train ... (--batch-size is then per process; see the README).",
    )
    _add_train_data(t.add_argument_group("data"))
    t.add_argument("--out", metavar="DIR", help="the new model folder to create")
    t.add_argument("--resume", metavar="DIR", help="continue the run saved in this model folder")
    t.add_argument("--name", help="a display name for the model (default: the folder's name)")
    _add_train_run(t.add_argument_group("run"))
    _add_train_model(t.add_argument_group("model (overrides the preset)"))
    t.add_argument(
        "--json-progress",
        action="store_true",
        help="print one JSON object per line (types: report, progress, validation, "
        "checkpoint, done, error) instead of text",
    )


def _add_train_data(data: Any) -> None:
    """train's corpus options: the training and dev files, languages, lowercasing, length."""
    data.add_argument(
        "--train-src", metavar="FILE", help="source-language file, one sentence a line"
    )
    data.add_argument(
        "--train-tgt", metavar="FILE", help="target-language file, line-aligned with --train-src"
    )
    data.add_argument("--train-tsv", metavar="FILE", help="one file of source<TAB>target lines")
    data.add_argument(
        "--train-tmx",
        metavar="FILE",
        help="a TMX translation memory (as CAT tools export); the units' <tuv> in "
        "--src-lang and --tgt-lang are read (en also reads en-US, en-GB...)",
    )
    data.add_argument("--dev-src", metavar="FILE", help="validation source file (optional)")
    data.add_argument("--dev-tgt", metavar="FILE", help="validation target file (optional)")
    data.add_argument(
        "--dev-tsv", metavar="FILE", help="validation pairs as one TSV file (optional)"
    )
    data.add_argument("--dev-tmx", metavar="FILE", help="validation pairs as a TMX file (optional)")
    data.add_argument(
        "--src-lang", metavar="L", help="source language code, e.g. en (for tokenization)"
    )
    data.add_argument("--tgt-lang", metavar="L", help="target language code, e.g. de")
    data.add_argument("--lowercase", action="store_true", help="lowercase all text")
    data.add_argument(
        "--tokenization",
        choices=["subwords", "words"],
        help="subwords (default): sentencepiece pieces learnt from the corpus when training "
        "starts, so no word is ever <unk>; words: Moses words, rare ones become <unk>",
    )
    data.add_argument(
        "--vocab-size",
        type=int,
        metavar="N",
        help="vocabulary size (default: for subwords chosen from the corpus size, for words 30000)",
    )
    data.add_argument(
        "--subword-type",
        choices=["unigram", "bpe"],
        help="the sentencepiece algorithm (default unigram)",
    )
    joint = data.add_mutually_exclusive_group()
    joint.add_argument(
        "--joint-vocab",
        dest="joint_vocab",
        action="store_true",
        default=None,
        help="one subword model for both languages",
    )
    joint.add_argument(
        "--separate-vocab",
        dest="joint_vocab",
        action="store_false",
        help="one subword model per language (default: measured faster and better)",
    )
    data.add_argument(
        "--pretokenize",
        choices=["none", "moses"],
        help="none (default): sentencepiece reads the raw text and detokenizing is exact; "
        "moses: split words with the Moses tokenizer first",
    )
    data.add_argument(
        "--max-len",
        type=int,
        metavar="N",
        help="drop pairs with a side longer than N tokens: subword pieces, or words with "
        "--tokenization words (default 50)",
    )


def _add_train_run(run: Any) -> None:
    """train's run options: preset, limits, device, precision, optimiser, probes."""
    run.add_argument(
        "--preset",
        choices=["tiny", "small", "base"],
        default="small",
        help="model size and training defaults: tiny (seconds, for demos), small "
        "(default), base (the standard bi-GRU 256 benchmark model; with --arch "
        "transformer the 3+3-layer d_model 256 one)",
    )
    run.add_argument(
        "--time-budget",
        type=float,
        metavar="SECONDS",
        help="stop after this much wall-clock time (with --resume: this much more)",
    )
    run.add_argument(
        "--epochs", type=int, metavar="N", help="stop after N passes over the data (0: no limit)"
    )
    run.add_argument("--max-steps", type=int, metavar="N", help="stop after N updates")
    run.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda", "mps"],
        default=None,
        help="where to train (default auto: CUDA, then Apple MPS, then CPU)",
    )
    run.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16", "fp16"],
        default=None,
        help="number format (default auto: on a CPU, a few steps are timed in fp32 and bf16 and "
        "the faster is kept, remembered per machine and model shape; on a GPU, bf16 where it "
        "has it, else fp16 with a gradient scaler; fp16 needs a GPU)",
    )
    run.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: all cores)")
    run.add_argument("--seed", type=int, metavar="N", help="random seed (default 1)")
    run.add_argument(
        "--batch-size",
        type=int,
        metavar="N",
        help="sentences per batch (per process under torchrun)",
    )
    run.add_argument("--lr", type=float, metavar="X", help="learning rate")
    run.add_argument("--valid-every", type=int, metavar="N", help="validate every N updates")
    run.add_argument(
        "--patience", type=int, metavar="N", help="stop after N validations without a better BLEU"
    )
    run.add_argument(
        "--probe",
        metavar="TEXT",
        action="append",
        help="a sentence whose attention is recorded at each validation (into the "
        "model's probes.jsonl); repeat for several, up to 8 (default: the first "
        "3 dev pairs, scored on their references)",
    )


def _add_train_model(model: Any) -> None:
    """train's network shape options, each overriding the preset's value."""
    model.add_argument("--emb-size", type=int, metavar="N")
    model.add_argument("--hidden-size", type=int, metavar="N")
    model.add_argument("--enc-layers", type=int, metavar="N")
    model.add_argument("--dec-layers", type=int, metavar="N")
    model.add_argument("--unidirectional", action="store_true", help="a one-directional encoder")
    model.add_argument("--attention", choices=["bahdanau", "dot", "general"])
    model.add_argument(
        "--decoder",
        choices=["bahdanau", "luong"],
        help="bahdanau: attention fed into the decoder RNN (the classic model); "
        "luong: attention after the RNN, which trains faster",
    )
    model.add_argument("--dropout", type=float, metavar="X")
    add_transformer_train_options(model)


def _add_translate(sub: Any) -> None:
    t = sub.add_parser(
        "translate",
        help="translate text, one sentence per line",
        description="Translate stdin to stdout, one line each, or --input to --output. "
        "A pipe or a redirected file is read ahead and translated in batches (order kept, "
        "output flushed per batch); a terminal is translated line by line.",
    )
    t.add_argument("--model", required=True, metavar="DIR", help="a model folder")
    t.add_argument("--beam", type=int, default=1, metavar="N", help="beam size (1: greedy)")
    t.add_argument(
        "--nbest",
        type=int,
        default=1,
        metavar="N",
        help="print the N best translations per line, tab-separated",
    )
    t.add_argument("--input", metavar="FILE", help="read sentences from FILE instead of stdin")
    t.add_argument(
        "--precision",
        choices=["fp32", "bf16"],
        default="fp32",
        help="bf16 decodes faster on CPUs with bfloat16 units (slightly different numbers)",
    )
    t.add_argument(
        "--output", metavar="FILE", help="write translations to FILE (with progress on stderr)"
    )
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _add_attention_heads(t: Any) -> None:
    """attention's Transformer options: which layer and head, and the self-attention."""
    add_head_options(t, "the table and --csv show")
    t.add_argument(
        "--self-attention",
        action="store_true",
        help="with --json, Transformer models: also encoder_self_attention[layer][head][s][s] "
        "and decoder_self_attention[layer][head][t][t]",
    )


def _add_attention(sub: Any) -> None:
    t = sub.add_parser(
        "attention",
        help="show the attention matrix of one translation",
        description="Translate one sentence and print its attention: rows are "
        "target tokens, columns source tokens, each row sums to 1.",
    )
    t.add_argument("sentence", help="the source sentence (quote it)")
    t.add_argument("--model", required=True, metavar="DIR")
    t.add_argument("--beam", type=int, default=1, metavar="N")
    t.add_argument(
        "--nbest",
        type=int,
        default=1,
        metavar="N",
        help="show the N best hypotheses (needs --beam N or more); with --json, a list",
    )
    t.add_argument(
        "--reference",
        metavar="TEXT",
        help="score this translation instead (forced decoding): the model's probability "
        "of each of its tokens and the attention it pays while producing them",
    )
    t.add_argument(
        "--prefix",
        metavar="WORDS",
        help="fix the first words of the translation; the model continues from there",
    )
    t.add_argument(
        "--json",
        action="store_true",
        help='print {"source_tokens", "target_tokens", "weights", "token_probs", '
        '"score", "text", "entropy", "coverage", "peak", "alignment"} as JSON (a '
        "list of them with --nbest); peak is each target token's largest weight, "
        'alignment the argmax token alignment as Pharaoh "i-j" links. For a subword '
        'model these are pieces, and it adds the words: "source_words", "target_words", '
        '"word_weights" (source columns summed over pieces, target rows averaged: rows '
        'still sum to 1), "word_token_probs" (product of the pieces\' probabilities) '
        'and "word_alignment". For a Transformer, weights is the last decoder layer\'s '
        "mean over heads (what the app shows by default) and "
        "cross_attention[layer][head][t][s] every layer's and head's; with "
        '--layer/--head, "view" holds that choice\'s weights (for a subword model also '
        '"word_weights": that choice merged into words)',
    )
    t.add_argument(
        "--words",
        action="store_true",
        help="for a subword model, print the tables (attention, and --attribution's) and "
        "write --csv in words instead of pieces, merged as in --json; a word-level model's "
        "tables are in words already",
    )
    _add_attention_heads(t)
    t.add_argument(
        "--tree",
        action="store_true",
        help='with --json and --beam 2 or more: print {"hypotheses": [...], "tree": '
        "[...]}, the beam's search tree, one node per scored candidate: id, parent, "
        "step, token, prob, logp, status (root, prefix, kept, finished, pruned), "
        "rank (N-best place of a finished node), score, weights",
    )
    t.add_argument(
        "--csv",
        metavar="FILE",
        help="also write the matrix as CSV to FILE (the app's format: target rows, "
        "source columns, each weight the shortest decimal of its float32)",
    )
    _add_attribution_options(
        t,
        "--attribution",
        None,
        "also attribute the shown translation (forced decoding) to the "
        "source tokens by METHOD and compare with its attention; with "
        "--json adds attribution (|raw|, rows sum to 1), attribution_raw, "
        "agreement (per target token: Spearman rank correlation, same top "
        "source word), for integrated-gradients completeness_error, and for a subword "
        "model the same merged into words: word_attribution, word_attribution_raw, "
        "word_agreement",
    )
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _add_attribution_options(t: Any, flag: str, default: str | None, text: str) -> None:
    from core.inspection.attribution_methods import METHODS

    t.add_argument(
        flag,
        dest="attribution",
        choices=METHODS,
        default=default,
        metavar="METHOD",
        help=f"{text}. METHOD: {', '.join(METHODS)}",
    )
    t.add_argument(
        "--ig-steps",
        type=int,
        default=None,
        metavar="N",
        help="integrated gradients' interpolation steps (default: from 64, doubled "
        "until the completeness error is under 5 %%, at most 512)",
    )


def _add_agreement(sub: Any) -> None:
    t = sub.add_parser(
        "agreement",
        help="how often attention agrees with gradient attribution, over a file",
        description="For every line of --src, attribute the model's translation (or, with "
        "--ref, the reference: forced decoding) to the source tokens and compare "
        "with the attention, per target token: Spearman rank correlation and "
        "whether both put most weight on the same source word. Prints the mean "
        "rank correlation and the top-1 match rate pooled over every target token.",
    )
    t.add_argument("--model", required=True, metavar="DIR")
    t.add_argument("--src", required=True, metavar="FILE", help="source sentences, one a line")
    t.add_argument("--ref", metavar="FILE", help="reference translations, line-aligned")
    _add_attribution_options(
        t, "--method", "grad-x-input", "the attribution method (default grad-x-input)"
    )
    t.add_argument(
        "--json",
        action="store_true",
        help='print {"method", "sentences", "tokens", "mean_rank_correlation", '
        '"top_match_rate", "per_sentence": [...]} as JSON',
    )
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _add_align(sub: Any) -> None:
    t = sub.add_parser(
        "align",
        help="word alignments from attention, as Pharaoh i-j lines (AER with --gold)",
        description="Score each line of --target as the translation of the same line of "
        "--source (forced decoding) and read a word alignment off the attention: one "
        "line of source-target index pairs 'i-j' per sentence pair (0-based indices "
        "of the tokenized words — for a subword model, of the words its pieces make up, "
        "their attention merged; </s> is never linked). With --gold, also print the "
        "alignment error rate over all sentences (counts summed, not averaged).",
    )
    t.add_argument("model", nargs="?", metavar="MODEL", help="a model folder (or give --model)")
    t.add_argument(
        "--model",
        dest="model_option",
        metavar="DIR",
        help="the model folder, as in the other commands",
    )
    t.add_argument("--source", required=True, metavar="FILE", help="source sentences, one a line")
    t.add_argument(
        "--target",
        required=True,
        metavar="FILE",
        help="their translations, line-aligned with --source",
    )
    t.add_argument(
        "--gold",
        metavar="FILE",
        help="gold alignments, one Pharaoh line per pair: i-j sure, i?j or ipj "
        "possible; prints 'AER ...' (on stderr when the links go to stdout)",
    )
    t.add_argument("--out", metavar="FILE", help="write the alignments to FILE (default stdout)")
    t.add_argument(
        "--method",
        choices=["argmax", "threshold"],
        default="argmax",
        help="argmax (default): each target word to the source word it attends to "
        "most; threshold: every link whose weight is at least --threshold",
    )
    t.add_argument(
        "--threshold",
        type=float,
        default=None,
        metavar="X",
        help="the weight a link needs with --method threshold (default 0.3)",
    )
    add_head_options(t, "the links are read from")
    t.add_argument(
        "--rank-heads",
        action="store_true",
        help="Transformer models, with --gold: also rank every head, every layer's mean and "
        "the mean over all by corpus AER (links read as --method says), best first",
    )
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _add_evaluate(sub: Any) -> None:
    t = sub.add_parser(
        "evaluate",
        help="BLEU and chrF on a test set",
        description="Translate --src and score it against --ref with sacrebleu.",
    )
    t.add_argument("--model", required=True, metavar="DIR")
    t.add_argument("--src", required=True, metavar="FILE")
    t.add_argument("--ref", required=True, metavar="FILE")
    t.add_argument("--beam", type=int, default=1, metavar="N")
    t.add_argument("--json", action="store_true", help="print the scores as JSON")
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _add_models(sub: Any) -> None:
    t = sub.add_parser(
        "models",
        help="list the models in the library",
        description="List the model folders in the app's library.",
    )
    t.add_argument("--json", action="store_true")


def _add_cache(sub: Any) -> None:
    t = sub.add_parser(
        "cache",
        help="list or clear the tokenized corpora kept between training runs",
        description="Training keeps each corpus it read, tokenized, in the cache folder, so the "
        "next run on the same files, tokenizer settings and subword models starts without "
        "reading them again. "
        "Entries unused for 30 days, and the least recently used beyond 20 GB, are removed "
        "after each new one. Without options: list the entries.",
    )
    what = t.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list the entries (the default)")
    what.add_argument("--clear", action="store_true", help="remove every entry")
    t.add_argument("--json", action="store_true", help="print the list as JSON")


def _add_demo(sub: Any) -> None:
    t = sub.add_parser(
        "demo",
        help="train a tiny model in seconds and show one translation",
        description="Train a tiny model on a generated reordering task and print a "
        "translation with its attention table.",
    )
    t.add_argument("--out", metavar="DIR", help="keep the model here (default: a temporary folder)")
    t.add_argument(
        "--steps", type=int, default=600, metavar="N", help="training updates (default 600)"
    )
    t.add_argument(
        "--time-budget",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="stop earlier if this much time has passed (default 120)",
    )


# ---- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s: %(message)s"
    )
    from core.cli.commands import COMMANDS

    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except CoreError as exc:
        if args.debug:
            raise
        print(f"attnscope-cli {args.command}: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
