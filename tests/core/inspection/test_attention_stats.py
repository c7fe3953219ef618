"""Attention statistics mean what they say: coverage is the column sums, entropy the row entropies,
flags follow the documented rule, and the exports hold exactly those numbers."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from core.events import Translation
from core.inspection.attention_stats import (
    CSV_HEADER,
    OVER_ATTENDED,
    UNDER_ATTENDED,
    attention_stats,
    write_stats_csv,
    write_stats_json,
)

SRC = ["the", "cat", "cat", "sleeps", "</s>"]
TGT = ["die", "Katze", "Katze", "Katze", "</s>"]
ATT = np.array(
    [
        [1.00, 0.00, 0.00, 0.00, 0.00],  # die   -> the          (entropy 0)
        [0.00, 0.50, 0.50, 0.00, 0.00],  # Katze -> cat, cat     (entropy ln 2)
        [0.00, 0.50, 0.50, 0.00, 0.00],
        [0.00, 0.25, 0.25, 0.25, 0.25],  # uniform over 4        (entropy ln 4)
        [0.00, 0.00, 0.00, 0.00, 1.00],  # </s>  -> </s>
    ],
    dtype=np.float32,
)
PROBS = np.array([0.9, 0.8, 0.3, 0.2, 0.95], dtype=np.float32)


def _tr(att: np.ndarray = ATT, src=SRC, tgt=TGT, probs=PROBS) -> Translation:
    return Translation(list(src), list(tgt), probs, att, -1.0, " ".join(tgt[:-1]))


def test_coverage_equals_the_column_sums():
    s = attention_stats(_tr())
    np.testing.assert_allclose(s.coverage, ATT.sum(axis=0), atol=1e-7)
    np.testing.assert_allclose(s.coverage, [1.0, 1.25, 1.25, 0.25, 1.25], atol=1e-7)
    assert s.coverage.sum() == pytest.approx(len(TGT))  # every row gives away 1


def test_entropy_peak_and_peak_source_per_target_token():
    s = attention_stats(_tr())
    np.testing.assert_allclose(
        s.entropy, [0.0, math.log(2), math.log(2), math.log(4), 0.0], atol=1e-6
    )
    np.testing.assert_allclose(s.entropy, _tr().entropy, atol=1e-7)
    np.testing.assert_allclose(s.peak, [1.0, 0.5, 0.5, 0.25, 1.0])
    assert s.peak_source.tolist() == [0, 1, 1, 1, 4]  # ties go to the first column
    np.testing.assert_array_equal(s.token_probs, PROBS)


def test_flags_follow_the_thresholds_and_never_touch_eos():
    s = attention_stats(_tr())
    assert s.under == [3]  # "sleeps" got 0.25 < 0.5
    assert s.over == []  # nothing above 1.5 (the </s> column is not a word)
    assert s.flag(3) == UNDER_ATTENDED and s.flag(0) == ""
    s = attention_stats(_tr(), under=0.3, over=1.2)
    assert s.under == [3] and s.over == [1, 2]
    assert s.flag(1) == OVER_ATTENDED
    assert 4 not in s.over  # </s> has 1.25 > 1.2 but is not a word
    with pytest.raises(ValueError):
        attention_stats(_tr(), under=2.0, over=1.0)


def test_eos_column_is_never_flagged_even_when_starved():
    att = np.eye(3, dtype=np.float32)[[0, 1, 1]]  # nobody looks at </s>
    s = attention_stats(_tr(att, ["a", "b", "</s>"], ["A", "B", "</s>"], PROBS[:3]))
    assert s.coverage.tolist() == [1.0, 2.0, 0.0]
    assert s.under == [] and s.over == [1]


def test_empty_translation_has_no_flags():
    empty = Translation(
        ["</s>"], [], np.zeros(0, np.float32), np.zeros((0, 1), np.float32), 0.0, ""
    )
    s = attention_stats(empty)
    assert s.coverage.tolist() == [0.0] and s.under == [] and s.over == []
    assert s.entropy.shape == (0,) and s.to_dict()["target"] == []


def test_to_dict_is_json_and_matches_the_arrays():
    s = attention_stats(_tr())
    d = json.loads(json.dumps(s.to_dict()))
    assert [r["token"] for r in d["target"]] == TGT
    assert [r["peak_source_token"] for r in d["target"]] == ["the", "cat", "cat", "cat", "</s>"]
    assert [r["coverage"] for r in d["source"]] == pytest.approx(ATT.sum(0).tolist())
    assert [r["flag"] for r in d["source"]] == ["", "", "", UNDER_ATTENDED, ""]
    assert d["under"] == [3] and d["under_threshold"] == 0.5 and d["over_threshold"] == 1.5


def test_csv_holds_every_number_exactly(tmp_path):
    s = attention_stats(_tr())
    path = write_stats_csv(s, tmp_path / "stats.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == CSV_HEADER
    target = [r for r in rows if r["side"] == "target"]
    source = [r for r in rows if r["side"] == "source"]
    assert [r["token"] for r in target] == TGT and [r["token"] for r in source] == SRC
    assert (
        np.array([float(r["entropy"]) for r in target], np.float32).tolist() == s.entropy.tolist()
    )
    assert (
        np.array([float(r["coverage"]) for r in source], np.float32).tolist() == s.coverage.tolist()
    )
    assert [r["flag"] for r in source] == ["", "", "", UNDER_ATTENDED, ""]
    assert [int(r["peak_source_index"]) for r in target] == s.peak_source.tolist()
    assert [p.name for p in tmp_path.iterdir()] == ["stats.csv"]  # no temporary file left


def test_json_file(tmp_path):
    s = attention_stats(_tr())
    path = write_stats_json(s, tmp_path / "stats.json")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(s.to_dict()))


def test_on_a_real_forced_decoding_coverage_is_column_sums():
    from core.decoding.translator import Translator
    from tests.fixtures import WORD_MODEL

    tr = Translator.load(WORD_MODEL, "cpu").score(
        "The woman drinks coffee.", "Die Frau trinkt Kaffee."
    )
    s = attention_stats(tr)
    np.testing.assert_allclose(s.coverage, tr.attention.sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(s.peak, tr.attention.max(axis=1))
    assert s.target_tokens == ["Die", "Frau", "trinkt", "Kaffee", ".", "</s>"]
