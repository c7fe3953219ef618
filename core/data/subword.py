"""Subword tokenization with sentencepiece: an open vocabulary, so no output is ever ``<unk>``.

Why these sentencepiece settings:
- ``byte_fallback``: a character the model never saw becomes its UTF-8 bytes (``<0xE2>``), never
  ``<unk>``; the vocabulary of a subword side is then every piece, so nothing maps to ``<unk>``.
- ``identity`` normalization and no whitespace squeezing: ``detokenize(tokenize(x)) == x`` for any
  text (NFKC would change full-width letters and ligatures; squeezing would change spacing).
- The model is a protobuf file kept in the model folder: loading it cannot run code.

Pieces are sentencepiece's: "▁" (U+2581) starts a word. ``pretokenize="moses"`` runs the Moses
tokenizer first (then detokenizing is Moses' and no longer exact).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from importlib import metadata

import sentencepiece as spm

from core.config import TokenizerConfig
from core.data.tokenizer import Tokenizer
from core.errors import CheckpointError, CoreError

WORD_START = "\u2581"
MAX_TRAIN_SENTENCES = 50_000  # per sentencepiece model: its training time grows with them
MIN_VOCAB = 300  # the 256 byte pieces plus a few dozen merges


def auto_vocab_size(n_pairs: int, joint: bool) -> int:
    """A vocabulary size for a corpus of ``n_pairs`` pairs (measured in docs/benchmarks.md:
    small corpora want few pieces, which are seen often enough to be learnt). A joint vocabulary
    covers both languages, so it gets more pieces than one side of a separate pair."""
    per_side = 1000 if n_pairs < 2_000 else 2000 if n_pairs < 10_000 else 4000
    if n_pairs >= 100_000:
        per_side = 8000
    if n_pairs >= 1_000_000:
        per_side = 16000
    return int(per_side * 1.5) if joint else per_side


class SubwordTokenizer:
    """One language's sentencepiece model behind the word ``Tokenizer``'s interface."""

    def __init__(
        self, model_proto: bytes, lang: str, lowercase: bool = False, pretokenize: str = "none"
    ) -> None:
        self.lang, self.lowercase, self.pretokenize = lang, lowercase, pretokenize
        self.model_proto = bytes(model_proto)
        self._sp = spm.SentencePieceProcessor()
        try:
            self._sp.LoadFromSerializedProto(self.model_proto)
        except (RuntimeError, OSError, TypeError) as exc:
            raise CheckpointError(f"not a sentencepiece model: {exc}") from None
        self._moses = Tokenizer(lang, lowercase) if pretokenize == "moses" else None

    def prepare(self, text: str) -> str:
        """The text sentencepiece sees: lowercased and Moses-tokenized when asked."""
        if self._moses is not None:
            return " ".join(self._moses.tokenize(text))
        return text.lower() if self.lowercase else text

    def tokenize(self, text: str) -> list[str]:
        if not text:
            return []
        return self._sp.EncodeAsPieces(self.prepare(text))

    def tokenize_many(self, texts: Sequence[str], threads: int = 1) -> list[list[str]]:
        """``tokenize`` for many texts at once, on sentencepiece's own ``threads`` (one Python
        call for the block, so it is faster than ``tokenize`` even on one thread)."""
        return self._sp.Encode([self.prepare(t) for t in texts], out_type=str, num_threads=threads)

    def detokenize(self, pieces: Iterable[str]) -> str:
        sp = self._sp  # a special such as </s> is no piece: dropped, never shown as " ⁇ "
        pieces = [p for p in pieces if not sp.IsUnknown(sp.PieceToId(p))]
        text = self._sp.DecodePieces(pieces)
        if self._moses is not None:
            return self._moses.detokenize(text.split())
        return text

    def cache_identity(self) -> str:
        """What decides this tokenizer's pieces, for the corpus cache's key: the model's bytes
        (a retrained model never meets pieces cut by another), its preparation, the library."""
        digest = hashlib.sha256(self.model_proto).hexdigest()
        prep = f"{self.lang} lowercase={self.lowercase} pretokenize={self.pretokenize}"
        moses = f" sacremoses {_version('sacremoses')}" if self._moses is not None else ""
        return f"sentencepiece {spm.__version__} model {digest} {prep}{moses}"

    def pieces(self) -> list[str]:
        """Every piece a text can be split into, in the model's order (bytes first)."""
        sp = self._sp
        return [
            sp.IdToPiece(i)
            for i in range(sp.GetPieceSize())
            if not (sp.IsUnknown(i) or sp.IsControl(i))
        ]


def train_model(
    sentences: Iterable[str], vocab_size: int, model_type: str, threads: int = 1
) -> bytes:
    """A sentencepiece model (protobuf bytes) trained on ``sentences``; ``vocab_size`` is a
    ceiling: a small corpus may yield fewer pieces."""
    out = io.BytesIO()
    try:
        spm.SentencePieceTrainer.Train(
            sentence_iterator=iter(sentences),
            model_writer=out,
            vocab_size=max(MIN_VOCAB, vocab_size),
            model_type=model_type,
            byte_fallback=True,
            character_coverage=0.9995,  # rarer characters are spelled in bytes
            normalization_rule_name="identity",
            remove_extra_whitespaces=False,
            split_digits=False,
            hard_vocab_limit=False,
            bos_id=-1,
            eos_id=-1,
            unk_id=0,
            pad_id=-1,
            input_sentence_size=MAX_TRAIN_SENTENCES,
            shuffle_input_sentence=True,
            max_sentence_length=1 << 16,
            train_extremely_large_corpus=False,
            num_threads=max(1, threads),
            minloglevel=2,
        )
    except RuntimeError as exc:
        raise CoreError(f"training the subword model failed: {exc}") from None
    return out.getvalue()


def train_tokenizers(
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    cfg: TokenizerConfig,
    vocab_size: int,
    threads: int = 1,
) -> tuple[SubwordTokenizer, SubwordTokenizer]:
    """The (source, target) tokenizers for ``cfg``, trained on the corpus' raw texts: one model
    for both sides with ``joint_vocab``, else one per side, each ``vocab_size`` pieces at most."""
    src_pre = _preparer(cfg, cfg.src_lang)
    tgt_pre = _preparer(cfg, cfg.tgt_lang)
    src_lines = [src_pre(t) for t in src_texts if t]
    tgt_lines = [tgt_pre(t) for t in tgt_texts if t]
    if not src_lines or not tgt_lines:
        raise CoreError("no text to train the subword model on")
    if cfg.joint_vocab:
        proto = train_model([*src_lines, *tgt_lines], vocab_size, cfg.subword_type, threads)
        protos = (proto, proto)
    else:
        protos = (
            train_model(src_lines, vocab_size, cfg.subword_type, threads),
            train_model(tgt_lines, vocab_size, cfg.subword_type, threads),
        )
    return subword_tokenizers(cfg, protos)


def subword_tokenizers(
    cfg: TokenizerConfig, protos: tuple[bytes, bytes]
) -> tuple[SubwordTokenizer, SubwordTokenizer]:
    """The (source, target) tokenizers of saved sentencepiece models."""
    return (
        SubwordTokenizer(protos[0], cfg.src_lang, cfg.lowercase, cfg.pretokenize),
        SubwordTokenizer(protos[1], cfg.tgt_lang, cfg.lowercase, cfg.pretokenize),
    )


def _preparer(cfg: TokenizerConfig, lang: str):
    if cfg.pretokenize == "moses":
        moses = Tokenizer(lang, cfg.lowercase)
        return lambda t: " ".join(moses.tokenize(t))
    return str.lower if cfg.lowercase else str


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"
