"""Subword tokenizers: exact round trips on any text, byte fallback instead of ``<unk>``, a
vocabulary of every piece, lowercasing, Moses pre-tokenization, joint and separate models."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import TokenizerConfig
from core.data.subword import SubwordTokenizer, auto_vocab_size, train_tokenizers
from core.data.tokenizer import tokenizers_for
from core.data.vocab import UNK, UNK_ID
from core.errors import CheckpointError, CoreError
from core.training.tokenizer_setup import subword_vocab

SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "corpora" / "en-de.tsv"
UNSEEN = [
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",  # Czech diacritics
    "東京で寿司を食べました。",  # CJK
    "Party time 🎉🥳 with 👩‍👩‍👧 and ✈️",  # emoji, ZWJ sequences, variation selector
    "tabs\tand  double  spaces ",
    "Ｆｕｌｌｗｉｄｔｈ ﬁ ligature",  # NFKC would change these
    "<unk> <s> </s> <pad> <0xE2>",  # specials typed as text are text
]


def sample_texts(n: int = 300) -> tuple[list[str], list[str]]:
    rows = [line.split("\t") for line in SAMPLE.read_text(encoding="utf-8").splitlines()[:n]]
    return [r[0] for r in rows], [r[1] for r in rows]


@pytest.fixture(scope="module")
def joint() -> tuple[SubwordTokenizer, SubwordTokenizer]:
    src, tgt = sample_texts()
    return train_tokenizers(src, tgt, TokenizerConfig("en", "de", joint_vocab=True), 800)


@pytest.mark.parametrize("text", UNSEEN)
def test_unseen_scripts_round_trip_exactly_without_unk(joint, text):
    src_tok, tgt_tok = joint
    vocab = subword_vocab(tgt_tok)
    pieces = tgt_tok.tokenize(text)
    assert tgt_tok.detokenize(pieces) == text
    assert UNK not in pieces
    assert UNK_ID not in vocab.encode(pieces)  # every piece, bytes included, is in the vocabulary
    assert any(p.startswith("<0x") for p in tgt_tok.tokenize("東京"))  # unseen: spelt in bytes


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_round_trips(joint, text):
    src_tok, _ = joint
    vocab = subword_vocab(src_tok)
    pieces = src_tok.tokenize(text)
    assert src_tok.detokenize(pieces) == text
    assert UNK_ID not in vocab.encode(pieces)


def test_seen_words_are_few_pieces_that_start_words(joint):
    src_tok, _ = joint
    pieces = src_tok.tokenize("The woman learns English.")
    assert pieces[0].startswith("\u2581")
    assert "\u2581The" in pieces  # a frequent word of the corpus is one piece
    assert len(pieces) <= len("The woman learns English.") // 2  # pieces, not characters
    assert "".join(pieces).replace("\u2581", " ").strip() == "The woman learns English."


def test_vocabulary_is_specials_then_every_piece(joint):
    src_tok, tgt_tok = joint
    vocab = subword_vocab(src_tok)
    assert vocab.itos[:4] == ["<unk>", "<pad>", "<s>", "</s>"]
    assert len(vocab) == len(src_tok.pieces()) + 4
    assert sum(p.startswith("<0x") for p in vocab.itos) == 256
    assert src_tok.model_proto == tgt_tok.model_proto  # joint: one model for both sides


def test_separate_models_learn_their_own_language():
    src, tgt = sample_texts()
    src_tok, tgt_tok = train_tokenizers(src, tgt, TokenizerConfig("en", "de"), 800)  # default
    assert src_tok.model_proto != tgt_tok.model_proto
    assert len(tgt_tok.tokenize("Die Frau lernt Englisch.")) < len(
        src_tok.tokenize("Die Frau lernt Englisch.")
    )


def test_bpe_also_round_trips():
    src, tgt = sample_texts()
    src_tok, _ = train_tokenizers(src, tgt, TokenizerConfig("en", "de", subword_type="bpe"), 800)
    for text in UNSEEN:
        assert src_tok.detokenize(src_tok.tokenize(text)) == text


def test_lowercase_lowers_before_splitting():
    src, tgt = sample_texts()
    src_tok, _ = train_tokenizers(src, tgt, TokenizerConfig("en", "de", lowercase=True), 800)
    assert src_tok.tokenize("The WOMAN") == src_tok.tokenize("the woman")
    assert src_tok.detokenize(src_tok.tokenize("The WOMAN")) == "the woman"


def test_moses_pretokenization_splits_punctuation_first():
    src, tgt = sample_texts()
    cfg = TokenizerConfig("en", "de", pretokenize="moses")
    src_tok, _ = train_tokenizers(src, tgt, cfg, 800)
    pieces = src_tok.tokenize("It's snowing, isn't it?")
    spelt = "".join(pieces).replace("\u2581", " ")
    assert " , " in spelt and spelt.endswith(" ?")  # sentencepiece saw the Moses tokens
    assert src_tok.detokenize(pieces) == "It's snowing, isn't it?"


def test_saved_models_rebuild_the_same_tokenizers(joint):
    src_tok, tgt_tok = joint
    cfg = TokenizerConfig("en", "de")
    again = tokenizers_for(cfg, (src_tok.model_proto, tgt_tok.model_proto))
    assert again[1].tokenize(UNSEEN[0]) == tgt_tok.tokenize(UNSEEN[0])
    with pytest.raises(CoreError, match="sentencepiece models are missing"):
        tokenizers_for(cfg)
    with pytest.raises(CheckpointError, match="not a sentencepiece model"):
        SubwordTokenizer(b"not a model", "en")


def test_batch_tokenization_equals_one_by_one(joint):
    src_tok, _ = joint
    texts = [*sample_texts(50)[0], *UNSEEN]
    assert src_tok.tokenize_many(texts, 2) == [src_tok.tokenize(t) for t in texts]


def test_too_little_text_is_a_clear_error():
    with pytest.raises(CoreError, match="no text"):
        train_tokenizers(["", ""], ["x"], TokenizerConfig("en", "de"), 800)


def test_automatic_vocabulary_grows_with_the_corpus_and_joint_is_larger():
    sizes = [auto_vocab_size(n, joint=False) for n in (500, 4_000, 29_000, 300_000, 3_000_000)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert auto_vocab_size(29_000, joint=True) > auto_vocab_size(29_000, joint=False)


def test_reading_in_blocks_keeps_and_drops_the_same_pairs(joint, tmp_path, monkeypatch):
    import core.data.corpus.pairs as corpus_pairs
    from core.data.corpus import CorpusSpec, load_pairs

    monkeypatch.setattr(corpus_pairs, "_BATCH", 7)  # several blocks and a partial last one
    src_tok, tgt_tok = joint
    rows = [*(zip(*sample_texts(40))), ("", "Leer."), ("Empty.", ""), ("word " * 80, "Lang."),
            ("東京 😀", "Příliš.")]  # fmt: skip
    path = tmp_path / "p.tsv"
    path.write_text("".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")
    spec = CorpusSpec(tsv_path=str(path))
    one, report_one = load_pairs(spec, src_tok.tokenize, tgt_tok.tokenize, 50)
    batch = (lambda t: src_tok.tokenize_many(t, 2), lambda t: tgt_tok.tokenize_many(t, 2))
    many, report_many = load_pairs(spec, src_tok.tokenize, tgt_tok.tokenize, 50, batch=batch)
    assert many == one and len(one) == 41
    assert report_many.dropped == report_one.dropped and len(report_one.dropped) == 3
