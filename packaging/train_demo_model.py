"""Train the demo model that ships in resources/models/demo-en-de, reproducibly.

    .venv/bin/python packaging/train_demo_model.py            # writes resources/models/demo-en-de
    .venv/bin/python packaging/train_demo_model.py --check    # only scores the shipped model
    .venv/bin/python packaging/train_demo_model.py --write-dev  # only (re)writes its dev.tsv

Every tenth pair of resources/corpora/en-de.tsv is held out as a test set the model never sees;
the script reports BLEU/chrF on it and records them in the model's metrics and in
resources/models/README.md. The held-out pairs are also saved as the model's ``dev.tsv``, so the
app's dev set browser shows exactly the sentences the model never saw. One thread and a fixed seed
make the run repeatable on one machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import ModelConfig, TokenizerConfig, TrainConfig  # noqa: E402
from core.data.corpus import CorpusSpec  # noqa: E402
from core.decoding.translator import Translator  # noqa: E402
from core.evaluation.dev_set import write_dev_set  # noqa: E402
from core.evaluation.metrics import score  # noqa: E402
from core.storage.model_folder import CHECKPOINTS, read_meta, write_meta  # noqa: E402
from core.training.event_log import EVENTS_FILE  # noqa: E402
from core.training.run import train  # noqa: E402

CORPUS = ROOT / "resources" / "corpora" / "en-de.tsv"
TARGET = ROOT / "resources" / "models" / "demo-en-de"
HELD_OUT_EVERY = 10
MODEL = ModelConfig(emb_size=128, hidden_size=256, dropout=0.2)
TRAIN = TrainConfig(
    batch_size=32,
    learning_rate=2e-3,
    epochs=40,
    valid_every=200,
    patience=6,
    min_freq=1,
    label_smoothing=0.1,
    seed=7,
    num_threads=1,
    keep_last=1,
    probe="I know that the woman drinks coffee.",
)


def split(corpus: Path, work: Path) -> tuple[Path, list[str], list[str]]:
    """(training TSV, held-out sources, held-out references)."""
    lines = corpus.read_text(encoding="utf-8").splitlines()
    train_lines = [x for i, x in enumerate(lines) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1]
    test = [x.split("\t") for i, x in enumerate(lines) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    path = work / "train.tsv"
    path.write_text("\n".join(train_lines) + "\n", encoding="utf-8")
    return path, [t[0] for t in test], [t[1] for t in test]


def evaluate(
    model_dir: Path, sources: list[str], refs: list[str], beams: tuple[int, ...] = (1, 5)
) -> dict[str, float]:
    tr = Translator.load(model_dir, "cpu")
    out: dict[str, float] = {}
    for beam in beams:
        s = score([t.text for t in tr.translate_batch(sources, beam=beam)], refs)
        out[f"heldout_bleu_b{beam}"] = round(s.bleu, 2)
        out[f"heldout_chrf_b{beam}"] = round(s.chrf, 2)
    out["heldout_pairs"] = len(sources)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--check", action="store_true", help="score the shipped model, train nothing")
    ap.add_argument(
        "--write-dev",
        action="store_true",
        help="write the held-out pairs as the shipped model's dev.tsv, train nothing",
    )
    ap.add_argument("--out", type=Path, default=TARGET)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="attnscope-demo-"))
    train_tsv, sources, refs = split(CORPUS, work)
    if args.check:
        print(json.dumps(evaluate(args.out, sources, refs)))
        return 0
    if args.write_dev:
        if not (args.out / "model.json").is_file():
            ap.error(f"{args.out} is not a model folder: train it first")
        path = write_dev_set(args.out, sources, refs)
        print(json.dumps({"dev_tsv": str(path), "pairs": len(sources)}))
        return 0
    t0 = time.monotonic()
    staging = work / "demo-en-de"
    done = train(
        CorpusSpec(tsv_path=str(train_tsv)),
        staging,
        MODEL,
        TokenizerConfig("en", "de"),
        TRAIN,
        name="Demo English→German",
    )
    metrics = evaluate(staging, sources, refs)
    meta = read_meta(staging)
    meta.corpus.update(
        {
            "description": "Attnscope sample corpus en-de.tsv (every 10th pair held out)",
            "spec": {"tsv_path": "resources/corpora/en-de.tsv"},
        }
    )
    meta.metrics.update(metrics)
    meta.metrics["train_seconds"] = round(time.monotonic() - t0, 1)
    write_meta(staging, meta)
    shutil.rmtree(staging / CHECKPOINTS)  # resume state is not needed to translate
    (staging / EVENTS_FILE).unlink(missing_ok=True)  # the run's log, for following it live
    write_dev_set(staging, sources, refs)  # the held-out pairs, not the run's own dev split
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(staging, args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(
        json.dumps(
            {
                "status": done.status,
                "steps": done.step,
                "best_dev_bleu": done.best_bleu,
                **metrics,
                "size_mb": round(size / 1e6, 2),
                "params": meta.params,
            }
        )
    )
    shutil.rmtree(work, ignore_errors=True)
    write_readme(args.out, metrics, done.step, size, meta.params, vocab_sizes(args.out))
    return 0


def vocab_sizes(folder: Path) -> tuple[int, int]:
    """(source, target) vocabulary sizes of the model in ``folder``."""
    tr = Translator.load(folder, "cpu")
    return len(tr.src_vocab), len(tr.tgt_vocab)


def write_readme(
    folder: Path,
    metrics: dict[str, float],
    steps: int,
    size: int,
    params: int,
    vocabs: tuple[int, int],
) -> None:
    model = (
        f"bi-GRU encoder, Bahdanau attention, GRU decoder; embeddings {MODEL.emb_size}, "
        f"hidden {MODEL.hidden_size}"
    )
    tokens = (
        f"subwords: sentencepiece unigram, byte fallback, {vocabs[0]:,} English / "
        f"{vocabs[1]:,} German entries"
    )
    text = f"""# Models shipped with Attnscope

## demo-en-de — Demo English→German

Trained by `packaging/train_demo_model.py` (seeded, one thread) on the project's own sample corpus
`resources/corpora/en-de.tsv`, with every tenth pair held out as a test set it never saw. It is a
subword model, so the first run already offers the inspector's Subwords | Words switch.

| | |
| --- | --- |
| model | {model} |
| tokenization | {tokens} |
| parameters | {params:,} |
| size on disk | {size / 1e6:.1f} MB |
| training updates | {steps:,} |
| held-out pairs | {metrics["heldout_pairs"]} |
| held-out BLEU greedy / beam 5 | {metrics["heldout_bleu_b1"]} / {metrics["heldout_bleu_b5"]} |
| held-out chrF greedy / beam 5 | {metrics["heldout_chrf_b1"]} / {metrics["heldout_chrf_b5"]} |

`tests/e2e/test_demo_model.py` checks that the shipped model still reaches the recorded greedy
BLEU (minus a small margin). Re-train with `.venv/bin/python packaging/train_demo_model.py`.
The model and its corpus are original work of this project, under the project's licence.
"""
    (folder.parent / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
