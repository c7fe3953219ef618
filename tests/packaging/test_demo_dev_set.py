"""The shipped demo model carries its held-out pairs as dev.tsv, for the app's dev set browser."""

from __future__ import annotations

from core.evaluation.dev_set import DEV_TSV, read_dev_set
from core.resources import demo_model_dir, sample_corpus

HELD_OUT_EVERY = 10  # packaging/train_demo_model.py holds out every tenth pair


def test_demo_dev_tsv_is_exactly_the_held_out_pairs():
    demo = demo_model_dir()
    assert demo is not None, "resources/models/demo-en-de/model.json is not shipped"
    lines = sample_corpus("en-de").read_text(encoding="utf-8").splitlines()
    held_out = [
        tuple(line.split("\t"))
        for i, line in enumerate(lines)
        if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
    ]
    assert read_dev_set(demo / DEV_TSV) == held_out
    assert len(held_out) == len(lines) // HELD_OUT_EVERY
