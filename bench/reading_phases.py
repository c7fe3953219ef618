"""CPU seconds of each step of reading a corpus, subwords against Moses words, in one process.

CPU time (not wall time), one thread, so a busy shared machine changes little: sampling the
corpus for sentencepiece, training the two sentencepiece models, tokenizing every pair in
blocks (and one by one, for comparison), and today's Moses reader on the same files.

    .venv/bin/python bench/reading_phases.py --mb 20

The corpus is ``bench/big_corpus.py``'s synthetic one, generated into a temporary folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit_json, loadavg

from core.config import TokenizerConfig
from core.data.corpus import CorpusSpec, load_pairs, sample_raw_pairs
from core.data.subword import MAX_TRAIN_SENTENCES, auto_vocab_size, train_tokenizers
from core.data.tokenizer import Tokenizer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("big_corpus", ROOT / "bench" / "big_corpus.py")
    big = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(big)
    folder = Path(tempfile.mkdtemp(prefix="attnscope-phases-"))
    counts = big.generate(folder, int(args.mb * 1_000_000), 1)
    corpus = CorpusSpec(str(folder / "train.src"), str(folder / "train.tgt"))
    out: dict = {"mb": args.mb, "pairs": counts["lines"], "loadavg_start": loadavg()}
    clock = time.process_time

    t = clock()
    src, tgt, n = sample_raw_pairs(corpus, MAX_TRAIN_SENTENCES, 1)
    out["sample_cpu_s"] = round(clock() - t, 2)
    t = clock()
    a, b = train_tokenizers(src, tgt, TokenizerConfig("en", "en"), auto_vocab_size(n, False))
    out["sentencepiece_train_cpu_s"] = round(clock() - t, 2)
    batch = (lambda x: a.tokenize_many(x, 1), lambda x: b.tokenize_many(x, 1))
    t = clock()
    load_pairs(corpus, a.tokenize, b.tokenize, 50, batch=batch)
    out["subword_tokenize_blocks_cpu_s"] = round(clock() - t, 2)
    t = clock()
    load_pairs(corpus, a.tokenize, b.tokenize, 50)
    out["subword_tokenize_one_by_one_cpu_s"] = round(clock() - t, 2)
    t = clock()
    load_pairs(corpus, Tokenizer("en").tokenize, Tokenizer("en").tokenize, 50)
    out["moses_cpu_s"] = round(clock() - t, 2)
    subwords = out["sample_cpu_s"] + out["sentencepiece_train_cpu_s"]
    subwords += out["subword_tokenize_blocks_cpu_s"]
    out["subwords_total_cpu_s"] = round(subwords, 2)
    out["subwords_mb_per_cpu_s"] = round(args.mb / subwords, 2)
    out["moses_mb_per_cpu_s"] = round(args.mb / out["moses_cpu_s"], 2)
    out["loadavg_end"] = loadavg()
    for key, value in out.items():
        print(f"  {key:36} {value}")
    emit_json(out, args.json_out)
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
