"""Moses tokenization without HTML escaping, with an optional lowercase, undone by detokenize."""

from __future__ import annotations

import pytest

from core.config import TokenizerConfig
from core.data.tokenizer import Tokenizer, tokenizers_for


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_no_html_escaping(lang):
    tokens = Tokenizer(lang).tokenize('Tom & "Jerry" <b> it\'s | [x]')
    joined = " ".join(tokens)
    for entity in ("&amp;", "&quot;", "&apos;", "&lt;", "&gt;", "&#124;", "&#91;", "&#93;"):
        assert entity not in joined
    assert "&" in tokens and '"' in tokens


def test_english_splits_clitics_and_punctuation():
    assert Tokenizer("en").tokenize("I don't know, it's Tom's.") == [
        "I",
        "don",
        "'t",
        "know",
        ",",
        "it",
        "'s",
        "Tom",
        "'s",
        ".",
    ]


def test_lowercase_option():
    assert Tokenizer("en", lowercase=True).tokenize("The CAT Sat.") == ["the", "cat", "sat", "."]
    assert Tokenizer("en").tokenize("The CAT Sat.") == ["The", "CAT", "Sat", "."]
    assert Tokenizer("de", lowercase=True).tokenize("ÄPFEL Über") == ["äpfel", "über"]


@pytest.mark.parametrize(
    "lang,text",
    [
        ("en", "The cat sat on the mat."),
        ("en", "I don't know, it's Tom's & Jerry's."),
        ("en", 'She said "hello" (twice) - and left!'),
        ("en", "It costs $5.50, or 3 euros; fine?"),
        ("de", "Das ist „gut“, oder?"),
        ("de", "Die Katze saß auf der Matte."),
        ("de", "Er hat 3,5 Äpfel gegessen!"),
        ("fr", "L'homme qu'il a vu est là."),
        ("fr", "Le chat est sur le tapis."),
        ("fr", "C'est l'été, n'est-ce pas."),
    ],
)
def test_detokenize_undoes_tokenize(lang, text):
    tok = Tokenizer(lang)
    tokens = tok.tokenize(text)
    assert len(tokens) > 1
    assert tok.detokenize(tokens) == text


def test_empty_and_blank_text():
    tok = Tokenizer("en")
    assert tok.tokenize("") == []
    assert tok.tokenize("   ") == []
    assert tok.detokenize([]) == ""


def test_tokenizers_for_config():
    src, tgt = tokenizers_for(
        TokenizerConfig(src_lang="fr", tgt_lang="de", lowercase=True, tokenization="words")
    )
    assert (src.lang, tgt.lang, src.lowercase, tgt.lowercase) == ("fr", "de", True, True)
