"""``attnscope-cli align`` and the alignment fields of ``attention --json``, on a real word-level
model of the sample corpus (``tests/fixtures``: real attention, nothing to train; subword models
align words, tested in ``tests/gui/test_words_subword_model.py``): links equal the library's,
AER equals hand counts, and every bad input ends with exit status 2 and one message naming the
file and the line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.cli import main
from core.decoding.translator import Translator
from core.inspection.alignment import corpus_aer, hard_alignment, parse_pharaoh, to_pharaoh
from tests.fixtures import WORD_MODEL

MODEL = str(WORD_MODEL)
PAIRS = [
    ("The cat sleeps.", "Die Katze schläft."),
    ("I know that the woman drinks coffee.", "Ich weiß, dass die Frau Kaffee trinkt."),
]


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(MODEL, "cpu")


def _files(folder: Path, pairs=PAIRS, gold: list[str] | None = None) -> list[str]:
    (folder / "s.en").write_text("".join(s + "\n" for s, _ in pairs), encoding="utf-8")
    (folder / "t.de").write_text("".join(t + "\n" for _, t in pairs), encoding="utf-8")
    args = ["--source", str(folder / "s.en"), "--target", str(folder / "t.de")]
    if gold is not None:
        (folder / "g.wa").write_text("".join(g + "\n" for g in gold), encoding="utf-8")
        args += ["--gold", str(folder / "g.wa")]
    return args


def _links(translator, method="argmax", threshold=0.3):
    out = []
    for s, t in PAIRS:
        tr = translator.score(s, t)
        out.append(
            hard_alignment(tr.attention, tr.source_tokens, tr.target_tokens, method, threshold)
        )
    return out


def test_align_prints_the_argmax_links_of_forced_decoding(tmp_path, capsys, translator):
    assert main(["align", MODEL, "--device", "cpu", *_files(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [to_pharaoh(links) for links in _links(translator)]
    assert lines[0] == "0-0 1-1 2-2 3-3"  # The-Die cat-Katze sleeps-schläft .-.
    links = {tuple(map(int, x.split("-"))) for x in lines[1].split()}
    assert {(3, 4), (4, 5), (6, 6)} <= links  # the-die woman-Frau coffee-Kaffee


def test_align_threshold_method_to_a_file(tmp_path, capsys, translator):
    out = tmp_path / "out.wa"
    assert (
        main(
            [
                "align",
                "--model",
                MODEL,
                "--device",
                "cpu",
                *_files(tmp_path),
                "--method",
                "threshold",
                "--threshold",
                "0.2",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == ""
    expected = [to_pharaoh(links) for links in _links(translator, "threshold", 0.2)]
    assert out.read_text(encoding="utf-8") == "".join(x + "\n" for x in expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wa", "s.en", "t.de"]


def test_aer_of_one_sentence_worked_out_by_hand(tmp_path, capsys):
    # predicted 0-0 1-1 2-2 3-3; gold S = {0-0, 1-1, 3-2}, P = S + {2-2}
    # |A∩S| = 2, |A∩P| = 3, |A| = 4, |S| = 3  ->  AER = 1 - 5/7
    args = _files(tmp_path, PAIRS[:1], ["0-0 1-1 2p2 3-2"])
    assert main(["align", MODEL, "--device", "cpu", *args, "--out", str(tmp_path / "o.wa")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"AER {1 - 5 / 7:.4f}  (precision 0.7500, recall 0.6667; 1 sentence pairs"
    )


def test_corpus_aer_sums_counts_over_sentences(tmp_path, capsys, translator):
    gold_lines = ["0-0 1-1 2p2 3-2", "0-0 1-1 2-3 2?2 3-4 4-5 5-7 6-6 7-8 0-1"]
    assert main(["align", MODEL, "--device", "cpu", *_files(tmp_path, gold=gold_lines)]) == 0
    captured = capsys.readouterr()
    expected = corpus_aer(_links(translator), [parse_pharaoh(g) for g in gold_lines])
    assert captured.err.startswith(f"AER {expected:.4f}")  # links on stdout, AER on stderr
    assert len(captured.out.splitlines()) == 2


def test_mismatched_line_counts(tmp_path, capsys):
    args = _files(tmp_path)
    (tmp_path / "t.de").write_text("Die Katze schläft.\n", encoding="utf-8")
    assert main(["align", MODEL, *args]) == 2
    err = capsys.readouterr().err
    assert "s.en: has 2 lines but" in err and "t.de has 1" in err and "Traceback" not in err
    args = _files(tmp_path, gold=["0-0"])
    assert main(["align", MODEL, *args]) == 2
    assert "g.wa: has 1 lines but" in capsys.readouterr().err


def test_bad_lines_name_file_line_and_problem(tmp_path, capsys):
    args = _files(tmp_path, gold=["0-0", "0-0 1_1"])
    assert main(["align", MODEL, "--device", "cpu", *args]) == 2
    assert "g.wa:2: '1_1' is not an alignment link" in capsys.readouterr().err
    args = _files(tmp_path, gold=["0-0 9-0", "0-0"])  # "The cat sleeps." has 4 words
    assert main(["align", MODEL, "--device", "cpu", *args]) == 2
    assert (
        "g.wa:1: link 9-0 is outside the sentence pair, which has 4 source"
        in capsys.readouterr().err
    )
    args = _files(tmp_path, [("The cat sleeps.", "Die Katze schläft."), ("  ", "Hallo.")])
    assert main(["align", MODEL, *args]) == 2
    assert "s.en:2: empty line" in capsys.readouterr().err


def test_option_mistakes(tmp_path, capsys):
    args = _files(tmp_path)
    assert main(["align", MODEL, *args, "--threshold", "0.2"]) == 2
    assert "--threshold applies to --method threshold only" in capsys.readouterr().err
    assert main(["align", MODEL, *args, "--method", "threshold", "--threshold", "0"]) == 2
    assert "--threshold must be above 0" in capsys.readouterr().err
    assert main(["align", *args]) == 2
    assert "give the model folder once" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["align", "--help"])
    assert e.value.code == 0
    assert "usage: attnscope-cli align" in capsys.readouterr().out


def test_attention_json_has_peak_and_alignment(capsys):
    assert (
        main(["attention", "--model", MODEL, "--device", "cpu", "--json", "The cat sleeps."]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    w = np.array(data["weights"])
    assert data["peak"] == pytest.approx(w.max(axis=1).tolist())
    assert data["alignment"] == to_pharaoh(
        hard_alignment(w, data["source_tokens"], data["target_tokens"])
    )
    assert data["text"] == "Die Katze schläft." and data["alignment"] == "0-0 1-1 2-2 3-3"
    assert (
        main(
            [
                "attention",
                "--model",
                MODEL,
                "--device",
                "cpu",
                "--json",
                "--beam",
                "3",
                "--nbest",
                "2",
                "The cat sleeps.",
            ]
        )
        == 0
    )
    hyps = json.loads(capsys.readouterr().out)
    assert len(hyps) == 2
    for h in hyps:
        assert len(h["peak"]) == len(h["target_tokens"]) and isinstance(h["alignment"], str)
