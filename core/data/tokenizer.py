"""Word tokenization with sacremoses, per language, the same way for training and translating.

``escape=False`` everywhere: Moses' default turns ``'`` into ``&apos;``, which would then show up in
vocabularies and on the heatmap's axes.
"""

from __future__ import annotations

from functools import lru_cache

from sacremoses import MosesDetokenizer, MosesTokenizer

from core.config import TokenizerConfig


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


def tokenizers_for(cfg: TokenizerConfig) -> tuple[Tokenizer, Tokenizer]:
    """The (source, target) tokenizers a model was trained with."""
    return Tokenizer(cfg.src_lang, cfg.lowercase), Tokenizer(cfg.tgt_lang, cfg.lowercase)
