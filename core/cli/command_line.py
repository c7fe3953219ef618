"""The ``attnscope-cli train`` command line that trains with given settings: for users who take a
run from the app to a server (plain, or under ``torchrun``).

Built from the very configs the app would train with, so it stays true: the options are the
preset closest to the settings plus every setting that differs from it, and a test parses the
command back with the CLI's own parser and compares the configs. Settings the command line cannot
carry are listed (``TrainCommand.not_carried``), never silently dropped.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from core.config import PRESETS, TRANSFORMER_PRESETS, ModelConfig, TokenizerConfig, TrainConfig

# config field → option, for the settings ``attnscope-cli train`` takes as values (a GRU's)
MODEL_OPTIONS: dict[str, str] = {
    "emb_size": "--emb-size",
    "hidden_size": "--hidden-size",
    "enc_layers": "--enc-layers",
    "dec_layers": "--dec-layers",
    "attention": "--attention",
    "decoder": "--decoder",
    "dropout": "--dropout",
}
TRAIN_OPTIONS: dict[str, str] = {
    "time_budget_s": "--time-budget",
    "epochs": "--epochs",
    "max_steps": "--max-steps",
    "device": "--device",
    "precision": "--precision",
    "num_threads": "--threads",
    "seed": "--seed",
    "batch_size": "--batch-size",
    "learning_rate": "--lr",
    "valid_every": "--valid-every",
    "patience": "--patience",
    "max_len": "--max-len",
    "vocab_size": "--vocab-size",
}
# a Transformer's (``--arch transformer``): --d-model sets emb_size and hidden_size together;
# --share-embeddings is a flag, written where it is on
TRANSFORMER_MODEL_OPTIONS: dict[str, str] = {
    "hidden_size": "--d-model",
    "enc_layers": "--enc-layers",
    "dec_layers": "--dec-layers",
    "heads": "--heads",
    "ff_size": "--ff-size",
    "positions": "--positions",
    "dropout": "--dropout",
}
TRANSFORMER_TRAIN_OPTIONS: dict[str, str] = {**TRAIN_OPTIONS, "warmup_steps": "--warmup"}
# --src-lang, --tgt-lang, --lowercase, and the subword choices (written where they differ from
# TokenizerConfig's defaults, which are the CLI's)
TOKENIZER_OPTIONS = (
    "src_lang",
    "tgt_lang",
    "lowercase",
    "tokenization",
    "subword_type",
    "joint_vocab",
    "pretokenize",
)
CLI_PROGRAM = "attnscope-cli"


@dataclass(frozen=True)
class TrainCommand:
    """The arguments after the program (``train …``) and what they cannot say."""

    args: list[str]
    not_carried: list[str] = field(default_factory=list)  # "train.clip_norm = 0.5", …

    def plain(self, wrap: bool = False) -> str:
        return _join([CLI_PROGRAM, self.args[0]], self.args[1:], wrap)

    def torchrun(self, processes: int, wrap: bool = False) -> str:
        """The same run with ``processes`` ranks on this node (one per GPU, or CPU processes)."""
        launcher = ["torchrun", "--nproc-per-node", str(processes), "-m", "core", self.args[0]]
        return _join(launcher, self.args[1:], wrap)


def _join(head: list[str], options: list[str], wrap: bool) -> str:
    """Shell-quoted words; ``wrap``: one option (with its values) a line, continued with a
    backslash as POSIX shells read it."""
    if not wrap:
        return shlex.join([*head, *options])
    lines = [shlex.join(head)]
    for word in options:
        if word.startswith("--") or len(lines) == 1:
            lines.append(shlex.quote(word))
        else:
            lines[-1] += " " + shlex.quote(word)
    return " \\\n    ".join(lines)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _fixed_differences(cfg: Any, base: Any, carried: Iterable[str], label: str) -> list[str]:
    """Fields of ``cfg`` that no option carries and that differ from ``base``."""
    carried = set(carried)
    return [
        f"{label}.{f.name} = {getattr(cfg, f.name)!r}"
        for f in fields(cfg)
        if f.name not in carried and getattr(cfg, f.name) != getattr(base, f.name)
    ]


def _options_for(model: ModelConfig) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(model options, train options, model fields carried otherwise) of the model's family."""
    if model.arch == "transformer":
        extra = ["arch", "emb_size", "share_embeddings"]  # --arch, --d-model, the flag
        return TRANSFORMER_MODEL_OPTIONS, TRANSFORMER_TRAIN_OPTIONS, extra
    return MODEL_OPTIONS, TRAIN_OPTIONS, ["bidirectional"]


def _closest_preset(model: ModelConfig, train: TrainConfig) -> tuple[str, list[str]]:
    """The preset (of the model's family) that leaves the fewest settings uncarried, then needs
    the fewest options."""
    model_options, train_options, extra = _options_for(model)
    presets = TRANSFORMER_PRESETS if model.arch == "transformer" else PRESETS
    ranked = []
    for name, p in presets.items():
        left = _fixed_differences(model, p.model, [*model_options, *extra], "model")
        if model.arch == "transformer" and model.emb_size != model.hidden_size:
            left.append(f"model.emb_size = {model.emb_size!r}")  # --d-model sets both
        left += _fixed_differences(train, p.train, [*train_options, "probe"], "train")
        options = len(_option_values(model, p.model, model_options)[0])
        options += len(_option_values(train, p.train, train_options)[0])
        ranked.append((len(left), options, name, left))
    _, _, name, left = min(ranked)
    return name, left


def _option_values(cfg: Any, base: Any, options: dict[str, str]) -> tuple[list[str], list[str]]:
    args: list[str] = []
    missing: list[str] = []
    for key, option in options.items():
        value, default = getattr(cfg, key), getattr(base, key)
        if value == default:
            continue
        if value is None:  # an option can set a limit, not take the preset's away
            missing.append(f"{key} = None")
            continue
        args += _option(option, _text(value))
    return args, missing


def _option(option: str, value: str) -> list[str]:
    """``--opt value``, or ``--opt=value`` when the value looks like an option itself."""
    return [f"{option}={value}"] if value.startswith("-") else [option, value]


def train_command(
    spec: Any,
    out_dir: str,
    model: ModelConfig,
    tok: TokenizerConfig,
    train: TrainConfig,
    *,
    dev_spec: Any = None,
    name: str | None = None,
) -> TrainCommand:
    """``train …`` arguments that make ``attnscope-cli`` train exactly these settings."""
    preset_name, not_carried = _closest_preset(model, train)
    model_options, train_options, _ = _options_for(model)
    transformer = model.arch == "transformer"
    p = (TRANSFORMER_PRESETS if transformer else PRESETS)[preset_name]
    args = ["train", *_corpus_args(spec, "train"), *_corpus_args(dev_spec, "dev")]
    args += [*_option("--src-lang", tok.src_lang), *_option("--tgt-lang", tok.tgt_lang)]
    if tok.lowercase:
        args.append("--lowercase")
    args += _tokenizer_args(tok)
    args += _option("--out", str(out_dir))
    if name:
        args += _option("--name", name)
    args += ["--preset", preset_name]
    if transformer:
        args += ["--arch", "transformer"]
    train_args, missing = _option_values(train, p.train, train_options)
    if train.time_budget_s is not None and "--epochs" not in train_args:
        train_args += ["--epochs", str(train.epochs)]  # a budget alone would mean epochs 0
    for line in train.probe.split("\n") if train.probe else []:
        train_args += _option("--probe", line)  # verbatim: the CLI joins them with newlines
    model_args, model_missing = _option_values(model, p.model, model_options)
    if not transformer and not model.bidirectional:
        model_args.append("--unidirectional")
    if transformer and model.share_embeddings:
        model_args.append("--share-embeddings")
    args += train_args + model_args
    not_carried += [f"train.{m}" for m in missing] + [f"model.{m}" for m in model_missing]
    not_carried += _fixed_differences(tok, TokenizerConfig(), TOKENIZER_OPTIONS, "tokenizer")
    return TrainCommand(args, not_carried)


def _tokenizer_args(tok: TokenizerConfig) -> list[str]:
    default = TokenizerConfig()
    args: list[str] = []
    for key in ("tokenization", "subword_type", "pretokenize"):
        if getattr(tok, key) != getattr(default, key):
            args += _option("--" + key.replace("_", "-"), str(getattr(tok, key)))
    if tok.joint_vocab != default.joint_vocab:
        args.append("--joint-vocab" if tok.joint_vocab else "--separate-vocab")
    return args


def _corpus_args(spec: Any, what: str) -> list[str]:
    if spec is None:
        return []
    if getattr(spec, "tmx_path", None):  # its languages are --src-lang/--tgt-lang
        return _option(f"--{what}-tmx", str(spec.tmx_path))
    if spec.tsv_path:
        return _option(f"--{what}-tsv", str(spec.tsv_path))
    return [
        *_option(f"--{what}-src", str(spec.src_path)),
        *_option(f"--{what}-tgt", str(spec.tgt_path)),
    ]
