"""``attnscope-cli attention --attribution`` and ``agreement`` on the shipped demo model: the
JSON holds core's own numbers, rows sum to 1, and the corpus figures pool the sentences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main
from core.decoding.translator import Translator
from core.inspection.agreement import corpus_agreement
from core.inspection.attribution import attribute
from core.resources import demo_model_dir

MODEL = str(demo_model_dir())
SENTENCE = "The old man reads a book."
SENTENCES = ["The old man reads a book.", "My sister drinks coffee.", "We play in the park."]


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(MODEL, "cpu")


@pytest.mark.parametrize("method", ["saliency", "grad-x-input", "integrated-gradients"])
def test_attention_json_adds_attribution_and_agreement(capsys, translator, method):
    assert (
        main(
            [
                "attention",
                "--model",
                MODEL,
                "--device",
                "cpu",
                "--json",
                "--attribution",
                method,
                SENTENCE,
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    shape = (len(data["target_tokens"]), len(data["source_tokens"]))
    norm, raw = np.array(data["attribution"]), np.array(data["attribution_raw"])
    assert norm.shape == raw.shape == shape
    np.testing.assert_allclose(norm.sum(1), 1.0, atol=1e-5)
    expected = attribute(translator, translator.translate(SENTENCE)[0], method)
    np.testing.assert_allclose(norm, expected.normalised, atol=1e-6)
    np.testing.assert_allclose(raw, expected.raw, rtol=1e-5, atol=1e-7)
    got, want = data["agreement"], expected.agreement.to_dict()
    assert got["mean_rank_correlation"] == pytest.approx(want["mean_rank_correlation"])
    assert got["top_match_rate"] == pytest.approx(want["top_match_rate"])
    assert len(got["per_token"]) == shape[0]
    for g, w in zip(got["per_token"], want["per_token"]):
        assert g["same_top"] == w["same_top"]
        assert (g["attention_top"], g["attribution_top"]) == (
            w["attention_top"],
            w["attribution_top"],
        )
        assert g["rank_correlation"] == pytest.approx(w["rank_correlation"])
    if method == "integrated-gradients":
        assert data["completeness_error"] < 0.05
        assert data["ig_steps"] == expected.steps
    else:
        assert "completeness_error" not in data


def test_attention_with_reference_attributes_that_reference(capsys, translator):
    ref = "Der alte Mann liest ein Buch."
    assert (
        main(
            [
                "attention",
                "--model",
                MODEL,
                "--device",
                "cpu",
                "--json",
                "--reference",
                ref,
                "--attribution",
                "integrated-gradients",
                "--ig-steps",
                "40",
                SENTENCE,
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["ig_steps"] == 40
    expected = attribute(translator, translator.score(SENTENCE, ref), "integrated-gradients", 40)
    np.testing.assert_allclose(data["attribution"], expected.normalised, atol=1e-6)
    assert data["completeness_error"] == pytest.approx(expected.completeness_error, rel=1e-4)


def test_attention_table_prints_the_agreement(capsys):
    assert (
        main(
            [
                "attention",
                "--model",
                MODEL,
                "--device",
                "cpu",
                "--attribution",
                "saliency",
                SENTENCE,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "attribution (saliency; |raw|, each row sums to 1)" in out
    assert "agreement: mean rank correlation" in out


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--nbest", "2", "--beam", "2"], "does not combine with --nbest"),
        (["--ig-steps", "10"], "--ig-steps applies to integrated-gradients only"),
    ],
)
def test_attribution_refuses_what_it_cannot_do(capsys, extra, message):
    assert main(["attention", "--model", MODEL, "--attribution", "saliency", *extra, SENTENCE]) == 2
    assert message in capsys.readouterr().err


def test_agreement_pools_every_target_token(capsys, tmp_path, translator):
    src = tmp_path / "s.en"
    src.write_text("".join(s + "\n" for s in SENTENCES), encoding="utf-8")
    assert (
        main(["agreement", "--model", MODEL, "--device", "cpu", "--src", str(src), "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    sentences = [
        attribute(translator, t, "grad-x-input").agreement
        for t in translator.translate_batch(SENTENCES)
    ]
    expected = corpus_agreement(sentences)
    assert data["method"] == "grad-x-input"
    assert (data["sentences"], data["tokens"]) == (3, expected.tokens)
    assert data["mean_rank_correlation"] == pytest.approx(expected.mean_rank_correlation)
    assert data["top_match_rate"] == pytest.approx(expected.top_match_rate)
    assert [s["top_match_rate"] for s in data["per_sentence"]] == pytest.approx(
        [s.top_match_rate for s in sentences]
    )
    assert main(["agreement", "--model", MODEL, "--device", "cpu", "--src", str(src)]) == 0
    line = capsys.readouterr().out.strip()
    assert line == (
        f"agreement: mean rank correlation {expected.mean_rank_correlation:.3f}, "
        f"top-1 match rate {expected.top_match_rate:.1%} (grad-x-input; "
        f"3 sentences, {expected.tokens} target tokens)"
    )


def test_agreement_with_references_scores_them(capsys, tmp_path, translator):
    src, ref = tmp_path / "s.en", tmp_path / "s.de"
    src.write_text("The old man reads a book.\n", encoding="utf-8")
    ref.write_text("Der alte Mann liest ein Buch.\n", encoding="utf-8")
    assert (
        main(
            [
                "agreement",
                "--model",
                MODEL,
                "--device",
                "cpu",
                "--src",
                str(src),
                "--ref",
                str(ref),
                "--method",
                "saliency",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    shown = translator.score("The old man reads a book.", "Der alte Mann liest ein Buch.")
    assert data["tokens"] == len(shown.target_tokens)
    expected = attribute(translator, shown, "saliency").agreement
    assert data["top_match_rate"] == pytest.approx(expected.top_match_rate)


def test_agreement_names_the_file_and_line_of_a_problem(capsys, tmp_path):
    src, ref = tmp_path / "s.en", tmp_path / "s.de"
    src.write_text("one\n\nthree\n", encoding="utf-8")
    assert main(["agreement", "--model", MODEL, "--src", str(src)]) == 2
    assert f"{src}:2: empty line" in capsys.readouterr().err
    src.write_text("one\ntwo\n", encoding="utf-8")
    ref.write_text("eins\n", encoding="utf-8")
    assert main(["agreement", "--model", MODEL, "--src", str(src), "--ref", str(ref)]) == 2
    assert "has 2 lines but" in capsys.readouterr().err
