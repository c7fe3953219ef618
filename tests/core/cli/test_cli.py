"""The command line as a user meets it: help, JSON progress, translate, attention, evaluate,
errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli import build_parser, main
from tests.toy import write_reverse_corpus

ROOT = Path(__file__).resolve().parents[3]


def test_every_command_has_help(capsys):
    for cmd in ("train", "translate", "attention", "evaluate", "models", "cache", "demo"):
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert "usage: attnscope-cli " + cmd in capsys.readouterr().out


def test_json_progress_stream(trained):
    _, out, events = trained
    types = [e["type"] for e in events]
    assert types[0] == "reading" and types[-1] == "done"
    assert [t for t in types if t != "reading"][0] == "report"
    reading = [e for e in events if e["type"] == "reading"]
    assert reading[-1]["bytes_read"] == reading[-1]["total_bytes"] > 0
    assert {"progress", "validation", "checkpoint"} <= set(types)
    for e in events:
        if e["type"] == "progress":
            for key in ("step", "epoch", "loss", "tokens_per_second", "elapsed_s", "eta_s"):
                assert key in e
    val = next(e for e in events if e["type"] == "validation")
    weights = np.array(val["probe"]["weights"])
    assert np.allclose(weights.sum(1), 1.0, atol=1e-5)
    assert events[-1]["status"] == "finished" and events[-1]["step"] == 300


def test_translate_stdin_to_stdout(trained, monkeypatch, capsys):
    _, out, _ = trained
    monkeypatch.setattr(sys, "stdin", io.StringIO("w1 w2 w3\nw4 w5 w6 w7\n"))
    assert main(["translate", "--model", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["W3 W2 W1", "W7 W6 W5 W4"]


def test_translate_file_with_nbest(trained, tmp_path, capsys):
    _, out, _ = trained
    inp = tmp_path / "in.txt"
    inp.write_text("w1 w2 w3\nw0 w9\n", encoding="utf-8")
    outp = tmp_path / "out.txt"
    assert main(["translate", "--model", str(out), "--input", str(inp), "--output", str(outp)]) == 0
    assert outp.read_text(encoding="utf-8").splitlines() == ["W3 W2 W1", "W9 W0"]
    assert (
        main(["translate", "--model", str(out), "--input", str(inp), "--beam", "4", "--nbest", "3"])
        == 0
    )
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and all(len(r.split("\t")) == 3 for r in rows)
    assert rows[0].split("\t")[0] == "W3 W2 W1"


def test_attention_json_and_csv(trained, tmp_path, capsys):
    _, out, _ = trained
    csv_path = tmp_path / "a.csv"
    assert (
        main(["attention", "--model", str(out), "--json", "--csv", str(csv_path), "w1 w2 w3 w4"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["source_tokens"] == ["w1", "w2", "w3", "w4", "</s>"]
    assert data["target_tokens"] == ["W4", "W3", "W2", "W1", "</s>"]
    w = np.array(data["weights"])
    assert w.shape == (5, 5) and np.allclose(w.sum(1), 1, atol=1e-5)
    assert len(data["token_probs"]) == 5
    with open(csv_path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][1:] == data["source_tokens"]
    assert [r[0] for r in rows[1:]] == data["target_tokens"]
    assert np.allclose(np.array([[float(x) for x in r[1:]] for r in rows[1:]]), w, atol=1e-6)
    # the app's heatmap format: each weight the shortest decimal of its float32
    from core.inspection.attention_export import format_weight

    assert all(x == format_weight(float(x)) for r in rows[1:] for x in r[1:])


def test_attention_text_table(trained, capsys):
    _, out, _ = trained
    assert main(["attention", "--model", str(out), "w5 w6"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "W6 W5"
    assert "p(token)" in text and "</s>" in text


def test_evaluate(trained, tmp_path, capsys):
    d, out, _ = trained
    src, tgt = write_reverse_corpus(tmp_path, 50, seed=99, stem="test")
    assert (
        main(["evaluate", "--model", str(out), "--src", str(src), "--ref", str(tgt), "--json"]) == 0
    )
    scores = json.loads(capsys.readouterr().out)
    assert scores["bleu"] > 80 and scores["sentences"] == 50
    assert scores["bleu_signature"].startswith("nrefs:1")


def test_bad_input_is_one_clear_message(tmp_path, capsys):
    missing = tmp_path / "nope.de"
    other = tmp_path / "x.en"
    other.write_text("a\n", encoding="utf-8")
    code = main(
        [
            "train",
            "--train-src",
            str(missing),
            "--train-tgt",
            str(other),
            "--src-lang",
            "de",
            "--tgt-lang",
            "en",
            "--out",
            str(tmp_path / "m"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.de" in err and "not found" in err and "Traceback" not in err


def test_misaligned_files_name_both_counts(tmp_path, capsys):
    a, b = tmp_path / "a.de", tmp_path / "b.en"
    a.write_text("eins\nzwei\ndrei\n", encoding="utf-8")
    b.write_text("one\ntwo\n", encoding="utf-8")
    code = main(
        [
            "train",
            "--train-src",
            str(a),
            "--train-tgt",
            str(b),
            "--src-lang",
            "de",
            "--tgt-lang",
            "en",
            "--out",
            str(tmp_path / "m"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "a.de" in err and "b.en" in err and "3" in err and "2" in err


def test_not_a_model_folder(tmp_path, capsys):
    assert main(["attention", "--model", str(tmp_path), "hello"]) == 2
    assert "not a model folder" in capsys.readouterr().err


def test_json_progress_reports_errors_as_json(tmp_path, capsys):
    code = main(
        [
            "train",
            "--train-tsv",
            str(tmp_path / "none.tsv"),
            "--src-lang",
            "de",
            "--tgt-lang",
            "en",
            "--out",
            str(tmp_path / "m"),
            "--json-progress",
        ]
    )
    assert code == 2
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["type"] == "error" and "none.tsv" in line["message"]


def test_resume_continues_the_run(trained, tmp_path, capsys):
    import shutil

    _, out, _ = trained
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert main(["train", "--resume", str(copy), "--max-steps", "340", "--json-progress"]) == 0
    events = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    steps = [e["step"] for e in events if e["type"] == "progress"]
    assert steps[0] == 301 and events[-1]["step"] == 340


def test_help_is_accurate_about_subcommands():
    text = build_parser().format_help()
    for cmd in ("train", "translate", "attention", "evaluate", "models", "cache", "demo"):
        assert cmd in text


def test_python_dash_m_core_runs_without_qt():
    code = (
        "import sys, runpy; sys.argv=['attnscope-cli','--version'];\n"
        "try:\n runpy.run_module('core', run_name='__main__')\nexcept SystemExit: pass\n"
        "qt=('PySide6','shiboken6','pyqtgraph','gui')\n"
        "bad=[m for m in sys.modules if m.split('.')[0] in qt]\n"
        "assert not bad, bad"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert "attnscope" in r.stdout


def test_attention_nbest_reference_and_prefix(trained, capsys):
    _, out, _ = trained
    assert (
        main(
            ["attention", "--model", str(out), "--beam", "4", "--nbest", "3", "--json", "w1 w2 w3"]
        )
        == 0
    )
    hyps = json.loads(capsys.readouterr().out)
    assert len(hyps) == 3 and hyps[0]["text"] == "W3 W2 W1"
    assert [h["score"] for h in hyps] == sorted((h["score"] for h in hyps), reverse=True)
    for h in hyps:
        w = np.array(h["weights"])
        assert np.allclose(h["coverage"], w.sum(0), atol=1e-5) and len(h["entropy"]) == len(w)
    # forced decoding: the model's own output scored as a reference gives the same probabilities
    assert (
        main(["attention", "--model", str(out), "--reference", "W3 W2 W1", "--json", "w1 w2 w3"])
        == 0
    )
    ref = json.loads(capsys.readouterr().out)
    assert ref["target_tokens"] == ["W3", "W2", "W1", "</s>"]
    assert np.allclose(ref["token_probs"], hyps[0]["token_probs"], atol=1e-5)
    assert np.allclose(ref["weights"], hyps[0]["weights"], atol=1e-5)
    # a prefix the model would not choose is kept, and the model continues after it
    assert main(["attention", "--model", str(out), "--prefix", "W9", "--json", "w1 w2 w3"]) == 0
    pre = json.loads(capsys.readouterr().out)
    assert pre["target_tokens"][0] == "W9" and pre["target_tokens"][-1] == "</s>"
    assert pre["token_probs"][0] < 0.5


def test_resume_refuses_a_folder_without_checkpoints_with_one_message(trained, tmp_path, capsys):
    """The CLI resumes through the app's path (core.training.resume), so it makes the app's
    checks."""
    import shutil

    _, out, _ = trained
    copy = tmp_path / "no-checkpoints"
    shutil.copytree(out, copy)
    shutil.rmtree(copy / "checkpoints")
    assert main(["train", "--resume", str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"nothing to resume in {copy}: it holds no training checkpoint" in err
    assert "Traceback" not in err


def test_resume_refuses_a_model_json_without_its_corpus(trained, tmp_path, capsys):
    import shutil

    _, out, _ = trained
    copy = tmp_path / "no-corpus"
    shutil.copytree(out, copy)
    meta = json.loads((copy / "model.json").read_text(encoding="utf-8"))
    del meta["corpus"]["spec"]
    (copy / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    assert main(["train", "--resume", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "model.json does not say which corpus the run used" in err
    assert "Traceback" not in err
