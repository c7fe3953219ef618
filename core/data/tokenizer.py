"""Word tokenization with sacremoses, per language, the same way for training and translating.

``escape=False`` everywhere: Moses' default turns ``'`` into ``&apos;``, which would then show up in
vocabularies and on the heatmap's axes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sacremoses import MosesDetokenizer, MosesTokenizer

from core.config import TokenizerConfig
from core.errors import CoreError


@lru_cache(maxsize=16)
def _moses(lang: str) -> MosesTokenizer:
    return MosesTokenizer(lang=lang)


@lru_cache(maxsize=16)
def _demoses(lang: str) -> MosesDetokenizer:
    return MosesDetokenizer(lang=lang)


class Tokenizer:
    """Tokenizes one language's text; ``detokenize`` undoes it for display and scoring."""

    def __init__(self, lang: str, lowercase: bool = False) -> None:
        self.lang = lang
        self.lowercase = lowercase
        self._tok = _moses(lang)
        self._detok = _demoses(lang)

    def tokenize(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        return self._tok.tokenize(text, escape=False, aggressive_dash_splits=False)

    def detokenize(self, tokens: list[str]) -> str:
        return self._detok.detokenize(list(tokens), unescape=False)


def tokenizers_for(
    cfg: TokenizerConfig, subword_models: tuple[bytes, bytes] | None = None
) -> tuple[Any, Any]:
    """The (source, target) tokenizers a model was trained with: Moses words, or for a subword
    model its two sentencepiece models (``subword_models``, the protobuf bytes from its folder;
    ``core.storage.model_folder.read_tokenizers`` reads them). Both kinds share one interface:
    ``tokenize(text) -> list[str]`` and ``detokenize(tokens) -> str``."""
    if not cfg.subwords:
        return Tokenizer(cfg.src_lang, cfg.lowercase), Tokenizer(cfg.tgt_lang, cfg.lowercase)
    if subword_models is None:
        raise CoreError(
            "this model uses subwords, but its sentencepiece models are missing; "
            "they are trained from the corpus when training starts"
        )
    from core.data.subword import subword_tokenizers  # imports this module

    return subword_tokenizers(cfg, subword_models)
