"""Vocabularies: specials first, unknown words never raise, reproducible builds, safe loading."""

from __future__ import annotations

import json
import random

import pytest

from core.data.vocab import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    PAD,
    PAD_ID,
    SPECIALS,
    UNK,
    UNK_ID,
    Vocab,
)
from core.errors import CheckpointError

SENTS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat"], ["the", "end"]]
# counts: the 3, cat 2, sat 2, a 1, dog 1, end 1


def test_specials_come_first_with_fixed_ids():
    assert SPECIALS == (UNK, PAD, BOS, EOS) == ("<unk>", "<pad>", "<s>", "</s>")
    assert (UNK_ID, PAD_ID, BOS_ID, EOS_ID) == (0, 1, 2, 3)
    v = Vocab.build(SENTS, max_size=100)
    assert v.itos[:4] == list(SPECIALS)
    assert [v.stoi[s] for s in SPECIALS] == [0, 1, 2, 3]


def test_build_orders_by_frequency_then_alphabetically():
    v = Vocab.build(SENTS, max_size=100)
    assert v.itos[4:] == ["the", "cat", "sat", "a", "dog", "end"]
    assert len(v) == 10


def test_build_is_independent_of_sentence_order():
    rng = random.Random(0)
    ref = Vocab.build(SENTS, max_size=100).itos
    for _ in range(5):
        shuffled = [list(s) for s in SENTS]
        rng.shuffle(shuffled)
        for s in shuffled:
            rng.shuffle(s)
        assert Vocab.build(shuffled, max_size=100).itos == ref


def test_min_freq_and_max_size():
    assert Vocab.build(SENTS, max_size=100, min_freq=2).itos[4:] == ["the", "cat", "sat"]
    assert Vocab.build(SENTS, max_size=100, min_freq=3).itos[4:] == ["the"]
    assert Vocab.build(SENTS, max_size=100, min_freq=4).itos == list(SPECIALS)
    assert Vocab.build(SENTS, max_size=6).itos == [
        *SPECIALS,
        "the",
        "cat",
    ]  # max_size counts specials
    assert Vocab.build(SENTS, max_size=4).itos == list(SPECIALS)
    assert Vocab.build(SENTS, max_size=2).itos == list(SPECIALS)  # never drops a special
    assert Vocab.build([], max_size=10).itos == list(SPECIALS)


def test_specials_in_the_text_are_not_added_twice():
    v = Vocab.build([["<unk>", "</s>", "x", "<pad>", "<s>"]], max_size=100)
    assert v.itos == [*SPECIALS, "x"]


def test_unknown_words_map_to_unk_and_never_raise():
    v = Vocab.build(SENTS, max_size=100)
    assert v.encode(["the", "zebra", "", "😀", "The"]) == [
        4,
        UNK_ID,
        UNK_ID,
        UNK_ID,
        UNK_ID,
        EOS_ID,
    ]
    assert v.encode(["cat"], add_eos=False) == [5]
    assert v.encode([]) == [EOS_ID]


def test_decode():
    v = Vocab.build(SENTS, max_size=100)
    assert v.decode([4, 5, EOS_ID, 6]) == ["the", "cat"]
    assert v.decode([4, 5, EOS_ID, 6], strip_eos=False) == ["the", "cat", EOS, "sat"]
    assert v.decode([4, 999, -1]) == ["the", UNK, UNK]  # out of range never raises
    assert v.decode(v.encode(["the", "cat", "sat"])) == ["the", "cat", "sat"]


def test_json_round_trip(tmp_path):
    v = Vocab.build(
        SENTS + [["Äpfel", "naïve", "日本", "😀", 'quote"d', "back\\slash"]], max_size=100
    )
    text = v.save(tmp_path / "v.json")
    assert text == v.to_json() == (tmp_path / "v.json").read_text(encoding="utf-8")
    assert "Äpfel" in text  # human-readable, not \u-escaped
    assert json.loads(text) == v.itos
    w = Vocab.load(tmp_path / "v.json")
    assert w.itos == v.itos and w.stoi == v.stoi


@pytest.mark.parametrize(
    "content",
    [
        b"",  # empty file
        b"{not json",  # damaged
        b'{"tokens": ["<unk>", "<pad>", "<s>", "</s>"]}',  # not a list
        b'["<unk>", "<pad>", "<s>", "</s>", 5]',  # not all strings
        b'["<unk>", "<pad>", "<s>", "</s>", null]',
        b'["<pad>", "<unk>", "<s>", "</s>", "a"]',  # specials out of order
        b'["a", "b", "c"]',  # no specials
        b"[]",
        b'["<unk>", "<pad>", "<s>", "\xff\xfe"]',  # not UTF-8
        b"\xff\xfe[\x00]\x00",  # UTF-16
        b"null",
    ],
)
def test_loading_a_bad_file_is_a_checkpoint_error(tmp_path, content):
    path = tmp_path / "vocab.json"
    path.write_bytes(content)
    with pytest.raises(CheckpointError):
        Vocab.load(path)


def test_loading_a_missing_file_or_a_folder_is_a_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="cannot read"):
        Vocab.load(tmp_path / "missing.json")
    with pytest.raises(CheckpointError):
        Vocab.load(tmp_path)
