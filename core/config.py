"""Settings as frozen dataclasses: the model's shape, the tokenizer, and the training run.

The same records are written into every model folder (``model.json``) and read back by the CLI and
the app, so a model can always be rebuilt from its folder alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from core.errors import ConfigError

ATTENTION_TYPES = ("bahdanau", "dot", "general")
DECODER_TYPES = ("bahdanau", "luong")  # attention before the decoder RNN (fed in) or after it
ARCHS = ("gru", "transformer")
POSITIONS = ("sinusoidal", "learned")
MAX_POSITIONS = 1024  # learned position table size; sentences are capped far below it
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")  # auto: measured per machine and model shape
MAX_PROBES = 8  # probe sentences recorded at each validation (each costs a decode)
MAX_PROBE_CHARS = 1000  # per probe sentence: probes are for looking at, not for paragraphs
TOKENIZATIONS = ("subwords", "words")
SUBWORD_TYPES = ("unigram", "bpe")
PRETOKENIZERS = ("none", "moses")
WORD_VOCAB_SIZE = 30000  # vocab_size=None for a word-level model

T = TypeVar("T")


def _from_dict(cls: type[T], data: dict[str, Any], what: str) -> T:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(
            f"unknown {what} setting(s): {', '.join(unknown)}; "
            f"valid ones are: {', '.join(sorted(names))}"
        )
    obj = cls(**data)
    obj.validate()  # type: ignore[attr-defined]
    return obj


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ConfigError(message)


def _check_types(obj: Any) -> None:
    """Refuse a wrongly typed value with a ConfigError before any comparison trips over it."""
    hints = {f.name: str(f.type) for f in dataclasses.fields(obj)}
    for name, hint in hints.items():
        value = getattr(obj, name)
        optional = "None" in hint
        if value is None:
            _check(optional, f"{name} needs a value")
            continue
        if hint.startswith("int"):
            ok = isinstance(value, int) and not isinstance(value, bool)
            kind = "a whole number"
        elif hint.startswith("float"):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            kind = "a number"
        elif hint.startswith("bool"):
            ok, kind = isinstance(value, bool), "true or false"
        elif hint.startswith("str"):
            ok, kind = isinstance(value, str), "text"
        else:
            continue
        _check(ok, f"{name} must be {kind}, not {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """The network's shape: anything here changes which weights exist.

    ``arch`` picks the model family: ``gru`` (bi-GRU encoder, attentive GRU decoder) or
    ``transformer`` (pre-norm encoder-decoder Transformer, core/model/transformer.py). Fields the
    two share mean the same: ``enc_layers``/``dec_layers`` (layers), ``dropout``,
    ``tie_embeddings`` (target embedding = output layer). For the Transformer ``hidden_size`` is
    d_model and ``emb_size`` must equal it (embeddings feed the residual stream); ``heads``,
    ``ff_size``, ``positions`` and ``share_embeddings`` (one embedding for source and target: needs
    a joint vocabulary) are read only by it, and ``bidirectional``, ``attention``, ``decoder``
    only by the GRU. A model.json without ``arch`` (every folder written before it) is a GRU.
    """

    emb_size: int = 256
    hidden_size: int = 256
    enc_layers: int = 1
    dec_layers: int = 1
    bidirectional: bool = True
    attention: str = "bahdanau"
    dropout: float = 0.2
    tie_embeddings: bool = False
    decoder: str = "bahdanau"
    arch: str = "gru"
    heads: int = 4
    ff_size: int = 1024
    positions: str = "sinusoidal"
    share_embeddings: bool = False

    def validate(self) -> None:
        _check_types(self)
        _check(self.arch in ARCHS, f"arch must be one of {', '.join(ARCHS)}, not {self.arch!r}")
        if self.arch == "transformer":
            self._validate_transformer()
        _check(
            self.attention in ATTENTION_TYPES,
            f"attention must be one of {', '.join(ATTENTION_TYPES)}, not {self.attention!r}",
        )
        _check(
            self.decoder in DECODER_TYPES,
            f"decoder must be one of {', '.join(DECODER_TYPES)}, not {self.decoder!r}",
        )
        for name in ("emb_size", "hidden_size", "enc_layers", "dec_layers"):
            _check(int(getattr(self, name)) >= 1, f"{name} must be at least 1")
        _check(0.0 <= self.dropout < 1.0, "dropout must be in [0, 1)")
        enc_out = self.hidden_size * (2 if self.bidirectional else 1)
        _check(
            self.arch != "gru" or self.attention != "dot" or enc_out == self.hidden_size,
            "dot attention compares decoder and encoder states directly, so it needs a "
            "unidirectional encoder (or use 'general' attention)",
        )

    def _validate_transformer(self) -> None:
        _check(
            self.positions in POSITIONS,
            f"positions must be one of {', '.join(POSITIONS)}, not {self.positions!r}",
        )
        _check(self.heads >= 1, "heads must be at least 1")
        _check(self.ff_size >= 1, "ff_size must be at least 1")
        _check(
            self.hidden_size % max(1, self.heads) == 0,
            f"d_model (hidden_size {self.hidden_size}) must be divisible by heads ({self.heads})",
        )
        _check(
            self.emb_size == self.hidden_size,
            f"a Transformer's embeddings are d_model wide: emb_size ({self.emb_size}) must equal "
            f"hidden_size ({self.hidden_size}); set both (--d-model)",
        )

    @property
    def is_transformer(self) -> bool:
        return self.arch == "transformer"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        return _from_dict(cls, data, "model")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TokenizerConfig:
    """How raw text becomes tokens; kept with the model so translation tokenizes the same way.

    ``tokenization`` is "subwords" (sentencepiece, trained on the corpus when training starts) or
    "words" (Moses). A model.json without the field was written before subwords existed, so
    ``from_dict`` reads it as "words". ``subword_type``, ``joint_vocab`` and ``pretokenize``
    only matter for subwords (words always use Moses)."""

    src_lang: str = "en"
    tgt_lang: str = "de"
    lowercase: bool = False
    tokenization: str = "subwords"
    subword_type: str = "unigram"
    joint_vocab: bool = False  # separate models measured faster and better (docs/benchmarks.md)
    pretokenize: str = "none"

    @property
    def subwords(self) -> bool:
        return self.tokenization == "subwords"

    def validate(self) -> None:
        _check_types(self)
        for name, allowed in (
            ("tokenization", TOKENIZATIONS),
            ("subword_type", SUBWORD_TYPES),
            ("pretokenize", PRETOKENIZERS),
        ):
            value = getattr(self, name)
            _check(value in allowed, f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        for name in ("src_lang", "tgt_lang"):
            code = getattr(self, name)
            _check(
                isinstance(code, str) and 1 <= len(code) <= 16 and code.replace("-", "").isalnum(),
                f"{name} must be a language code such as 'en' or 'de', not {code!r}",
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenizerConfig:
        return _from_dict(cls, {"tokenization": "words", **data}, "tokenizer")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TrainConfig:
    """How a run trains; none of it changes the weights' shapes."""

    batch_size: int = 64  # sentences per batch (bucketed by length)
    learning_rate: float = 1e-3
    clip_norm: float = 1.0
    label_smoothing: float = 0.1
    epochs: int = 20  # upper limit; 0 means "until the time budget ends"
    time_budget_s: float | None = None
    max_steps: int | None = None
    valid_every: int = 500  # steps between validations
    patience: int = 8  # validations without a better BLEU before stopping
    lr_decay: float = 0.5  # factor applied when validation loss plateaus
    lr_patience: int = 2
    min_lr: float = 1e-5
    warmup_steps: int = 1000  # Transformers: linear warm-up to learning_rate, then 1/sqrt(step)
    max_len: int = 50  # tokens per side; longer pairs are dropped and counted
    vocab_size: int | None = None  # None: words 30000, subwords chosen from the corpus size
    min_freq: int = 2
    dev_fraction: float = 0.05  # held out when no dev files are given
    dev_max: int = 1000
    seed: int = 1
    device: str = "auto"
    precision: str = "auto"
    num_threads: int | None = None  # None: all cores but one when a GUI runs, else all
    num_samples: int = 3  # sample translations shown at each validation
    probe: str | None = None  # probe sentences, one per line (None: the first dev pairs)
    keep_last: int = 2

    def validate(self) -> None:
        _check_types(self)
        _check(self.batch_size >= 1, "batch_size must be at least 1")
        _check(self.max_steps is None or self.max_steps >= 1, "max_steps must be at least 1")
        _check(self.keep_last >= 1, "keep_last must be at least 1")
        _check(0.0 < self.lr_decay <= 1.0, "lr_decay must be in (0, 1]")
        _check(self.dev_max >= 1, "dev_max must be at least 1")
        _check(self.num_threads is None or self.num_threads >= 1, "num_threads must be at least 1")
        for name in ("patience", "lr_patience", "num_samples"):
            _check(getattr(self, name) >= 0, f"{name} must be 0 or more")
        _check(self.min_lr >= 0, "min_lr must be 0 or more")
        _check(self.warmup_steps >= 1, "warmup_steps must be at least 1")
        _check(self.clip_norm > 0, "clip_norm must be positive")
        _check(self.learning_rate > 0, "learning_rate must be positive")
        _check(0.0 <= self.label_smoothing < 1.0, "label_smoothing must be in [0, 1)")
        _check(self.epochs >= 0, "epochs must be 0 or more")
        _check(self.time_budget_s is None or self.time_budget_s > 0, "time budget must be positive")
        _check(
            self.epochs > 0 or self.time_budget_s is not None or self.max_steps is not None,
            "give an epoch limit, a step limit or a time budget, or training never ends",
        )
        _check(self.valid_every >= 1, "valid_every must be at least 1")
        _check(self.max_len >= 1, "max_len must be at least 1")
        _check(self.vocab_size is None or self.vocab_size >= 8, "vocab_size must be at least 8")
        _check(self.min_freq >= 1, "min_freq must be at least 1")
        _check(0.0 < self.dev_fraction < 0.5, "dev_fraction must be in (0, 0.5)")
        _check(self.device in DEVICES, f"device must be one of {', '.join(DEVICES)}")
        _check(self.precision in PRECISIONS, f"precision must be one of {', '.join(PRECISIONS)}")
        self._check_probes()

    def _check_probes(self) -> None:
        sentences = self.probe_sentences()
        _check(
            len(sentences) <= MAX_PROBES,
            f"{len(sentences)} probe sentences given; at most {MAX_PROBES} are recorded",
        )
        for n, sentence in enumerate(sentences, 1):
            _check(
                len(sentence) <= MAX_PROBE_CHARS,
                f"probe sentence {n} has {len(sentence):,} characters; at most "
                f"{MAX_PROBE_CHARS:,} are allowed (a probe is one sentence)",
            )

    def probe_sentences(self) -> list[str]:
        """The probe sentences, one per line of ``probe`` (blank lines ignored); [] means "use the
        first dev pairs". One string, not a list, so model.json files of older versions load."""
        if not self.probe:
            return []
        return [line.strip() for line in self.probe.splitlines() if line.strip()]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        # a development build offered sampled segmentations (measured no better, removed) and
        # wrote its setting; it never changed the weights, so such a folder reads as it is
        data = {k: v for k, v in data.items() if k != "subword_sampling"}
        return _from_dict(cls, data, "training")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> TrainConfig:
        new = dataclasses.replace(self, **changes)
        new.validate()
        return new


@dataclass(frozen=True)
class Preset:
    model: ModelConfig
    train: TrainConfig
    description: str


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        ModelConfig(emb_size=32, hidden_size=64, dropout=0.1),
        TrainConfig(
            batch_size=32,
            learning_rate=3e-3,
            epochs=30,
            valid_every=100,
            patience=5,
            min_freq=1,
            label_smoothing=0.0,
        ),
        "a few seconds a run: for tests, demos and toy corpora",
    ),
    "small": Preset(
        ModelConfig(emb_size=128, hidden_size=128, dropout=0.2),
        TrainConfig(batch_size=64, learning_rate=2e-3, epochs=20, valid_every=300),
        "minutes on a laptop CPU: corpora of a few thousand pairs",
    ),
    "base": Preset(
        ModelConfig(emb_size=256, hidden_size=256, dropout=0.2),
        TrainConfig(batch_size=64, learning_rate=1e-3, epochs=20, valid_every=500),
        "the standard benchmark model (bi-GRU 256, Bahdanau): tens of thousands of pairs",
    ),
}


def _transformer(d: int, heads: int, ff: int, layers: int, dropout: float) -> ModelConfig:
    return ModelConfig(
        arch="transformer",
        emb_size=d,
        hidden_size=d,
        heads=heads,
        ff_size=ff,
        enc_layers=layers,
        dec_layers=layers,
        dropout=dropout,
    )


# The same names for the Transformer; ``base`` matches the peer benchmark's JoeyNMT Transformer
# (pre-norm, 3 + 3 layers, d_model 256, 4 heads, feed-forward 1024, dropout 0.1, label smoothing
# 0.1, 1,000 warm-up steps to 5e-4, batch 64 sentences).
TRANSFORMER_PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        _transformer(64, 4, 128, 2, 0.0),
        TrainConfig(
            batch_size=32,
            learning_rate=2e-3,
            warmup_steps=100,
            epochs=30,
            valid_every=100,
            patience=5,
            min_freq=1,
            label_smoothing=0.0,
        ),
        "a few seconds a run: 2 + 2 layers, d_model 64, for tests and toy corpora",
    ),
    "small": Preset(
        _transformer(128, 4, 512, 2, 0.1),
        TrainConfig(
            batch_size=64, learning_rate=1e-3, warmup_steps=500, epochs=20, valid_every=300
        ),
        "minutes on a laptop CPU: 2 + 2 layers, d_model 128, 4 heads",
    ),
    "base": Preset(
        _transformer(256, 4, 1024, 3, 0.1),
        TrainConfig(
            batch_size=64, learning_rate=5e-4, warmup_steps=1000, epochs=20, valid_every=500
        ),
        "the standard Transformer benchmark model: 3 + 3 layers, d_model 256, 4 heads, ff 1024",
    ),
}


def preset(name: str, arch: str = "gru") -> Preset:
    """The named preset of model family ``arch`` ("gru" or "transformer")."""
    table = TRANSFORMER_PRESETS if arch == "transformer" else PRESETS
    if arch not in ARCHS:
        raise ConfigError(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")
    try:
        return table[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(table)}") from None
