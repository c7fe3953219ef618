"""The command line the Train tab shows says exactly what the app would train: parsed back by
the CLI's own parser it gives the same corpus, folder and configs."""

from __future__ import annotations

import dataclasses
import shlex

import pytest

from core.cli import build_parser
from core.cli.command_line import train_command
from core.cli.train_commands import _train_configs, corpus_spec_from_args
from core.config import PRESETS, TRANSFORMER_PRESETS, ModelConfig, TokenizerConfig, preset
from core.data.corpus import CorpusSpec


def parse_back(command: str, program: list[str]):
    words = shlex.split(command.replace("\\\n", ""))  # a POSIX shell's line continuation
    assert words[: len(program)] == program
    args = build_parser().parse_args(words[len(program) :])
    p = preset(args.preset, args.arch or "gru")
    model, tok, train = _train_configs(args, (p.model, TokenizerConfig(), p.train))
    langs = (args.src_lang, args.tgt_lang)
    spec = corpus_spec_from_args(
        args.train_tsv, args.train_src, args.train_tgt, "train", args.train_tmx, langs
    )
    dev = corpus_spec_from_args(
        args.dev_tsv, args.dev_src, args.dev_tgt, "dev", args.dev_tmx, langs
    )
    return spec, dev, args.out, args.name, model, tok, train


CASES = [
    dict(
        spec=CorpusSpec(src_path="/data/my corpus/train.en", tgt_path="/data/it's/train.de"),
        dev=None,
        model=PRESETS["small"].model,
        tok=TokenizerConfig("en", "de"),
        train=PRESETS["small"].train.replace(time_budget_s=600.0, device="cpu"),
        name="en-de 2026-12-03 1700",
    ),
    dict(
        spec=CorpusSpec(tsv_path="C:\\Users\\me\\pairs $HOME.tsv"),
        dev=CorpusSpec(src_path="dev.en", tgt_path="dev.fr"),
        model=dataclasses.replace(
            PRESETS["tiny"].model,
            hidden_size=96,
            enc_layers=2,
            dec_layers=2,
            bidirectional=False,
            attention="dot",
            decoder="luong",
            dropout=0.15,
        ),
        tok=TokenizerConfig("en", "fr", lowercase=True),
        train=PRESETS["tiny"].train.replace(
            batch_size=48,
            learning_rate=0.0007,
            epochs=0,
            time_budget_s=5400.0,
            valid_every=250,
            patience=3,
            probe='The cat sat.\n  `rm -rf /`; echo "hi"\n--not-an-option',
            seed=7,
            max_len=80,
            device="auto",
        ),
        name=None,
    ),
    dict(
        spec=CorpusSpec(src_path="-a.en", tgt_path="a.de"),
        dev=None,
        model=PRESETS["base"].model,
        tok=TokenizerConfig("en", "de"),
        train=PRESETS["base"].train.replace(epochs=3, max_steps=10_000, precision="bf16"),
        name="x",
    ),
    dict(  # a translation memory, subwords set by hand
        spec=CorpusSpec(tmx_path="/tm/memory.tmx", tmx_src_lang="en", tmx_tgt_lang="cs"),
        dev=CorpusSpec(tmx_path="/tm/dev.tmx", tmx_src_lang="en", tmx_tgt_lang="cs"),
        model=PRESETS["small"].model,
        tok=TokenizerConfig("en", "cs", subword_type="bpe", joint_vocab=True, pretokenize="moses"),
        train=PRESETS["small"].train.replace(vocab_size=6000),
        name=None,
    ),
    dict(  # a Transformer on subwords, its shape and warm-up set by hand
        spec=CorpusSpec(tsv_path="pairs.tsv"),
        dev=None,
        model=dataclasses.replace(
            TRANSFORMER_PRESETS["small"].model,
            emb_size=192,
            hidden_size=192,
            heads=6,
            ff_size=768,
            enc_layers=3,
            positions="learned",
            share_embeddings=True,
        ),
        tok=TokenizerConfig("en", "de"),
        train=TRANSFORMER_PRESETS["small"].train.replace(warmup_steps=250, time_budget_s=60.0),
        name=None,
    ),
    dict(  # the tiny Transformer preset as it is, word-level
        spec=CorpusSpec(tsv_path="pairs.tsv"),
        dev=None,
        model=TRANSFORMER_PRESETS["tiny"].model,
        tok=TokenizerConfig("en", "de", tokenization="words"),
        train=TRANSFORMER_PRESETS["tiny"].train,
        name=None,
    ),
    dict(  # word-level
        spec=CorpusSpec(tsv_path="pairs.tsv"),
        dev=None,
        model=PRESETS["small"].model,
        tok=TokenizerConfig("en", "de", tokenization="words"),
        train=PRESETS["small"].train,
        name=None,
    ),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("form", ["plain", "torchrun", "plain wrapped", "torchrun wrapped"])
def test_the_printed_command_parses_back_to_the_same_run(case, form):
    cmd = train_command(
        case["spec"],
        "/models/en de",
        case["model"],
        case["tok"],
        case["train"],
        dev_spec=case["dev"],
        name=case["name"],
    )
    assert cmd.not_carried == []
    wrap = form.endswith("wrapped")
    if form.startswith("plain"):
        text, program = cmd.plain(wrap), ["attnscope-cli"]
    else:
        text, program = cmd.torchrun(4, wrap), ["torchrun", "--nproc-per-node", "4", "-m", "core"]
    assert ("\n" in text) == wrap
    spec, dev, out, name, model, tok, train = parse_back(text, program)
    assert spec == case["spec"] and dev == case["dev"]
    assert out == "/models/en de" and name == case["name"]
    assert model == case["model"]
    assert tok == case["tok"]
    assert train == case["train"]


def test_settings_without_an_option_are_named_not_dropped():
    model = ModelConfig(tie_embeddings=True)
    train = PRESETS["small"].train.replace(label_smoothing=0.3, min_freq=5)
    cmd = train_command(CorpusSpec(tsv_path="p.tsv"), "out", model, TokenizerConfig(), train)
    assert "model.tie_embeddings = True" in cmd.not_carried
    assert "train.label_smoothing = 0.3" in cmd.not_carried
    assert "train.min_freq = 5" in cmd.not_carried
    assert cmd.plain().startswith("attnscope-cli train --train-tsv p.tsv ")


def test_the_preset_chosen_is_the_one_that_needs_the_fewest_options():
    p = PRESETS["base"]
    cmd = train_command(CorpusSpec(tsv_path="p.tsv"), "out", p.model, TokenizerConfig(), p.train)
    assert cmd.args[cmd.args.index("--preset") + 1] == "base"
    assert "--emb-size" not in cmd.args and "--lr" not in cmd.args
