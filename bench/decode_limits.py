"""Benchmark: batched translation with the same maximum output length on both sides, and the
output counted on both sides.

Our search stops a sentence at 1.5 × its source length + 10 tokens
(``core.decoding.search.max_output_length``); the peer's runner at its config's
``max_output_length`` (80 tokens). A sceptic asks whether ours is faster because it stops sooner,
or because it writes shorter output. This translates the test set with our trained model under
its own limit and under the peer's (alternating rounds in one process, oneDNN's cache bounded as
in ``bench/train.py``'s process, where run_all's in-process figures come from), counts the outputs
that stopped at the limit instead of at ``</s>`` and the output tokens, and sets them beside the
peer's translation of the same sentences in its run folder (its logged "Generation took" seconds,
its hypotheses). Output is counted in each model's own tokens and in Moses words (the peer's
word-level tokens; ours' detokenized text tokenized as run.sh tokenizes): one unit for both.

    .venv/bin/python bench/decode_limits.py --model OURS_RUN --peer-out PEER_RUN \\
        --corpus ../shared/corpora/multi30k --src de --tgt en --rounds 3 --threads 2

OURS_RUN and PEER_RUN are run_all's ``--work`` folders ``ours-SRC-TGT`` and ``peer-SRC-TGT``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import DEFAULT_CORPUS, emit_json, loadavg, machine, print_table, read_lines
from run_all import peer_generation_seconds


def peer_limit(peer_out: Path, beam: int) -> int:
    """The ``max_output_length`` the peer translated with (run.sh's config for that beam)."""
    text = (peer_out / f"config.b{beam}.yaml").read_text(encoding="utf-8")
    m = re.search(r"^\s*max_output_length:\s*(\d+)", text, re.MULTILINE)
    if not m:
        sys.exit(f"{peer_out}/config.b{beam}.yaml: no max_output_length line")
    return int(m.group(1))


def peer_output(peer_out: Path, beam: int, limit: int) -> dict:
    lines = (peer_out / f"hyp.b{beam}.tok").read_text(encoding="utf-8").splitlines()
    counts = [len(line.split()) for line in lines]
    gen = peer_generation_seconds(peer_out).get(f"generation_s_b{beam}")
    return {
        "seconds": gen,
        "tokens": sum(counts),
        "words": sum(counts),
        "at_limit": sum(c >= limit for c in counts),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="our trained run's folder")
    ap.add_argument("--peer-out", type=Path, required=True, help="the peer's run folder")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", required=True)
    ap.add_argument("--tgt", required=True)
    ap.add_argument("--split", default="test_2016_flickr")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="bf16", choices=("fp32", "bf16"))
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    from core import device

    device.bound_kernel_caches()  # before oneDNN first runs, as in a training process
    import torch
    from sacremoses import MosesTokenizer

    import core.decoding.search as search
    from core.data.vocab import EOS
    from core.decoding.translator import Translator

    torch.set_num_threads(args.threads)
    texts = read_lines(args.corpus, args.split, args.src)
    tr = Translator.load(args.model, "cpu", args.precision)
    moses = MosesTokenizer(lang=args.tgt)
    own_rule = search.max_output_length
    tr.translate_batch(texts, beam=1)  # the encoder's and greedy's kernels, before timing

    def fixed(n: int):
        return lambda src_len: torch.full_like(src_len, n, dtype=torch.long)

    load_before = loadavg()
    result: dict = {}
    rows = []
    for beam in (1, 5):
        limit = peer_limit(args.peer_out, beam)
        variants = {"ours, its own limit (1.5 × source + 10)": own_rule}
        variants[f"ours, the peer's limit ({limit})"] = fixed(limit)
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        outputs: dict[str, list] = {}
        names = list(variants)
        for r in range(args.rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                search.max_output_length = variants[name]
                t0 = time.perf_counter()
                outputs[name] = tr.translate_batch(texts, beam=beam)
                seconds[name].append(time.perf_counter() - t0)
        search.max_output_length = own_rule
        beam_result = {}
        for name in names:
            outs = outputs[name]
            body = [
                t.target_tokens[:-1] if t.target_tokens[-1:] == [EOS] else t.target_tokens
                for t in outs
            ]
            words = sum(len(moses.tokenize(t.text, escape=False)) for t in outs)
            med = statistics.median(seconds[name])
            beam_result[name] = {
                "seconds": [round(s, 3) for s in seconds[name]],
                "median_s": round(med, 3),
                "tokens": sum(len(b) for b in body),
                "words": words,
                "at_limit": sum(t.target_tokens[-1:] != [EOS] for t in outs),
                "words_per_s": round(words / med),
            }
            got = beam_result[name]
            rows.append(
                [
                    f"beam {beam}: {name}",
                    med,
                    got["at_limit"],
                    got["tokens"],
                    words,
                    got["words_per_s"],
                ]
            )
        texts_same = [t.text for t in outputs[names[0]]] == [t.text for t in outputs[names[1]]]
        peer = peer_output(args.peer_out, beam, limit)
        if peer["seconds"]:
            peer["words_per_s"] = round(peer["words"] / peer["seconds"])
        rows.append(
            [
                f"beam {beam}: the peer ({limit})",
                peer["seconds"],
                peer["at_limit"],
                peer["tokens"],
                peer["words"],
                peer.get("words_per_s"),
            ]
        )
        same = beam_result[names[1]]
        beam_result["peer"] = peer
        beam_result["identical_under_both_limits"] = texts_same
        if peer["seconds"]:
            beam_result["peer_s_over_ours_s_same_limit"] = round(
                peer["seconds"] / same["median_s"], 2
            )
            beam_result["ours_words_per_s_over_peer"] = round(
                same["words_per_s"] / peer["words_per_s"], 2
            )
        result[f"beam{beam}"] = beam_result

    print_table(
        f"{len(texts)} sentences, {args.precision}, {args.threads} threads, "
        f"median of {args.rounds} rounds (the peer: its one logged run)",
        ["translation", "seconds", "stopped at the limit", "own tokens", "Moses words", "words/s"],
        rows,
    )
    for beam in (1, 5):
        b = result[f"beam{beam}"]
        print(
            f"  beam {beam}: ours identical under both limits: "
            f"{b['identical_under_both_limits']}; with the same limit the peer's seconds ÷ ours "
            f"{b.get('peer_s_over_ours_s_same_limit')}, ours words/s ÷ the peer's "
            f"{b.get('ours_words_per_s_over_peer')}"
        )
    emit_json(
        {
            "bench": "decode_limits",
            "machine": machine(),
            "args": {k: str(v) for k, v in vars(args).items()},
            "sentences": len(texts),
            **result,
            "loadavg_before": load_before,
            "loadavg_after": loadavg(),
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
