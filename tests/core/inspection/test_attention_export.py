"""One attention file format for the app and the CLI: every weight the shortest decimal that
reads back as exactly the same float32, in CSV and JSON; a damaged CSV is named by line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import CoreError
from core.events import Translation
from core.inspection.attention_export import (
    CSV_CORNER,
    attention_csv,
    attention_record,
    format_weight,
    read_attention_csv,
    translation_record,
    write_attention_csv,
    write_attention_json,
)


def test_format_weight_is_short_and_exact():
    assert format_weight(np.float32(0.1)) == "0.1"  # not 0.10000000149011612
    assert format_weight(1.0) == "1.0" and format_weight(0.0) == "0.0"
    assert format_weight(np.float32(1e-9)) == "0.000000001"  # positional, never 1e-09
    values = np.random.default_rng(0).random(2000, dtype=np.float32)
    values = np.concatenate([values, values**9, np.float32([np.nextafter(np.float32(1), 0)])])
    assert all(np.float32(float(format_weight(v))) == v for v in values)


def test_csv_text_is_the_documented_layout():
    w = np.array([[0.75, 0.25], [0.1, 0.9]], dtype=np.float32)
    text = attention_csv(["a", "b,c"], ["X", "</s>"], w)
    assert text == (f'{CSV_CORNER},a,"b,c"\r\nX,0.75,0.25\r\n</s>,0.1,0.9\r\n')


def test_csv_and_json_round_trip_exactly(tmp_path):
    rng = np.random.default_rng(1)
    w = rng.random((3, 4), dtype=np.float32)
    src, tgt = ["ein", "Haus", "é", "</s>"], ["a", "house", "</s>"]
    write_attention_csv(tmp_path / "a.csv", src, tgt, w)
    back_src, back_tgt, back = read_attention_csv(tmp_path / "a.csv")
    assert (back_src, back_tgt) == (src, tgt)
    np.testing.assert_array_equal(back, w)

    record = attention_record(src, tgt, w, np.float32([0.5, 0.25, 0.125]), text="a house")
    write_attention_json(tmp_path / "a.json", record)
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert list(data) == ["source_tokens", "target_tokens", "weights", "token_probs", "text"]
    np.testing.assert_array_equal(np.array(data["weights"], dtype=np.float32), w)
    assert data["token_probs"] == [0.5, 0.25, 0.125]


def test_a_matrix_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="does not match 1 target x 2 source tokens"):
        attention_csv(["a", "b"], ["X"], np.zeros((2, 2), dtype=np.float32))


def test_a_damaged_csv_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{CSV_CORNER},a,b\nX,0.5,0.5\nY,0.5\n", encoding="utf-8")
    with pytest.raises(CoreError, match=r"bad\.csv, line 3: 1 weights for 2 source tokens"):
        read_attention_csv(path)
    path.write_text("source,a\n", encoding="utf-8")
    with pytest.raises(CoreError, match=r"bad\.csv, line 1: not an attention CSV"):
        read_attention_csv(path)


def test_translation_record_adds_peak_and_alignment_in_the_same_format():
    att = np.array([[0.9, 0.1], [0.3, 0.7]], dtype=np.float32)
    t = Translation(
        source_tokens=["a", "</s>"],
        target_tokens=["A", "</s>"],
        token_probs=np.float32([0.6, 0.8]),
        attention=att,
        score=-0.7,
        text="A",
    )
    data = translation_record(t)
    assert data["weights"] == [[0.9, 0.1], [0.3, 0.7]] and data["peak"] == [0.9, 0.7]
    assert data["token_probs"] == [0.6, 0.8] and data["text"] == "A" and data["score"] == -0.7
    assert set(data) >= {"entropy", "coverage", "alignment"}
