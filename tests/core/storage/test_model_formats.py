"""Model folders of format 1 (every folder written before subwords;
``tests/fixtures/format1-en-de`` was written by that code) still open, translate and inspect as
word models; a subword folder needs its sentencepiece models; a word model's literal ``<unk>``
scores as the unknown-word token."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.data.vocab import UNK, UNK_ID
from core.decoding.translator import Translator
from core.errors import CheckpointError
from core.storage.model_folder import FORMAT_VERSION, MODEL_JSON, read_meta, read_tokenizers
from tests.fixtures import WORD_MODEL

OLD = WORD_MODEL


@pytest.fixture(scope="module")
def old_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("old") / "format1"
    shutil.copytree(OLD, folder)
    return folder


@pytest.fixture(scope="module")
def old(old_folder) -> Translator:
    return Translator.load(old_folder, "cpu")


def test_a_format_1_folder_is_read_as_words(old_folder):
    data = json.loads((old_folder / MODEL_JSON).read_text(encoding="utf-8"))
    assert data["format_version"] == 1 and "tokenization" not in data["tokenizer"]
    meta = read_meta(old_folder)
    assert meta.format_version == 1 and meta.tokenizer.tokenization == "words"
    assert FORMAT_VERSION == 2
    src_tok, _ = read_tokenizers(old_folder)
    assert src_tok.tokenize("The woman's dog.") == ["The", "woman", "'s", "dog", "."]


def test_a_format_1_folder_translates_and_inspects(old):
    t = old.translate("The woman learns English.", beam=3)[0]
    assert t.text and t.target_tokens[-1] == "</s>"
    inspection = old.inspect("The woman learns English.", beam=3, reference=t.text)
    assert inspection.reference is not None
    assert inspection.reference.target_tokens == t.target_tokens
    np.testing.assert_allclose(inspection.reference.token_probs, t.token_probs, atol=1e-5)


def test_a_literal_unk_scores_as_the_unknown_word_token(old):
    source = "The xylophonist learns English."
    scored = old.score(source, "Der <unk> lernt Englisch.")
    assert scored.target_tokens == ["Der", UNK, "lernt", "Englisch", ".", "</s>"]
    assert "<" not in scored.target_tokens and "unk" not in scored.target_tokens
    src, src_len = old._tensors([old.src_tok.tokenize(source)])
    from core.decoding.search import forced

    ids = old.tgt_vocab.encode(["Der", UNK, "lernt", "Englisch", "."])
    assert ids[1] == UNK_ID
    expected = forced(old.model, src, src_len, [ids])[0].probs
    np.testing.assert_allclose(scored.token_probs, expected, atol=1e-6)


def test_a_word_output_with_unk_pasted_back_scores_the_same_in_a_new_translator(old_folder):
    tr = Translator.load(old_folder, "cpu")
    source = "The xylophonist learns Quechua."
    t = tr.translate(source)[0]
    fresh = Translator.load(old_folder, "cpu")
    scored = fresh.score(source, t.text)
    if UNK in t.target_tokens:  # a word model cannot spell these rare words
        assert UNK in scored.target_tokens
    assert scored.target_tokens == t.target_tokens
    np.testing.assert_allclose(scored.token_probs, t.token_probs, atol=1e-5)


def test_a_subword_folder_without_its_models_is_refused_clearly(old_folder, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(old_folder, folder)
    data = json.loads((folder / MODEL_JSON).read_text(encoding="utf-8"))
    data["format_version"] = 2
    data["tokenizer"]["tokenization"] = "subwords"
    (folder / MODEL_JSON).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"subwords\.src\.model .*is missing"):
        Translator.load(folder, "cpu")


def test_a_newer_format_is_refused(old_folder, tmp_path):
    folder = tmp_path / "newer"
    shutil.copytree(old_folder, folder)
    data = json.loads((folder / MODEL_JSON).read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION + 1
    (folder / MODEL_JSON).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CheckpointError, match="newer Attnscope"):
        read_meta(folder)
