"""``attnscope-cli`` with whitespace tokenization instead of Moses, for corpus-size runs.

    python bench/split_tokenizer_train.py train --train-src ... (the CLI's own arguments)

Why: Moses reads ~1.7 MB/s on one core, so a 2 GB corpus takes the better part of an hour before
the first update. ``bench/big_corpus.py``'s synthetic text is lower/upper-case letters and single
spaces, for which Moses gives exactly the whitespace tokens; this launcher swaps the tokenizer
(only in this process) so the rest of the run (reading, the corpus cache, batching, training) is
what the CLI does. Words only (``--tokenization words``): subword runs keep sentencepiece.
``big_corpus.py --tokenizer split`` uses it; say so next to its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import core.training.tokenizer_setup
from core.cli.parser import main
from core.config import TokenizerConfig


class SplitTokenizer:
    """Tokens are the whitespace-separated words; detokenizing joins them with spaces."""

    def tokenize(self, text: str) -> list[str]:
        return text.split()

    def detokenize(self, tokens: list[str]) -> str:
        return " ".join(tokens)


_moses_or_subwords = core.training.tokenizer_setup.tokenizers_for


def _tokenizers(cfg: TokenizerConfig, protos: tuple[bytes, bytes] | None = None) -> tuple:
    """Whitespace words instead of Moses; subword runs are left as they are."""
    if cfg.subwords:
        return _moses_or_subwords(cfg, protos)
    return SplitTokenizer(), SplitTokenizer()


core.training.tokenizer_setup.tokenizers_for = _tokenizers

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
