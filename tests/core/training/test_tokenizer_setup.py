"""Tokenizers for a corpus before and at the start of training, and the reading bar's shares."""

from __future__ import annotations

from core.config import TokenizerConfig
from core.data.subword import SubwordTokenizer
from core.data.tokenizer import Tokenizer
from core.events import ReadingEvent
from core.training.tokenizer_setup import corpus_tokenizers, share_progress
from tests.toy import toy_spec


def test_the_preview_trains_subword_models_on_the_corpus(tmp_path):
    spec = toy_spec(tmp_path, 200)
    src, tgt = corpus_tokenizers(spec, TokenizerConfig("en", "en"))
    assert isinstance(src, SubwordTokenizer) and isinstance(tgt, SubwordTokenizer)
    assert tgt.detokenize(tgt.tokenize("W3 W11 W0")) == "W3 W11 W0"
    assert "\u2581W" in tgt.pieces()  # learnt from the corpus: the target words start so
    words = corpus_tokenizers(spec, TokenizerConfig("en", "en", tokenization="words"))
    assert all(isinstance(t, Tokenizer) for t in words)


def test_shares_of_the_reading_bar_map_onto_the_whole_corpus():
    events: list[ReadingEvent] = []
    rest = share_progress(events.append, 0.25, 0.75)
    rest(0, 1000)
    rest(500, 1000)
    rest(1000, 1000)
    assert [(e.bytes_read, e.total_bytes) for e in events] == [
        (250, 1000),
        (625, 1000),
        (1000, 1000),
    ]
