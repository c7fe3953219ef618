"""``attnscope-cli attention --tree --json``: the beam's search tree on the command line, the same
tree the app draws, on the shipped demo model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main
from core.decoding.translator import Translator
from core.resources import demo_model_dir

MODEL = str(demo_model_dir())
SENTENCE = "I know that the woman drinks coffee."


def test_tree_json_holds_the_beams_hypotheses(capsys):
    assert (
        main(
            [
                "attention",
                "--model",
                MODEL,
                "--device",
                "cpu",
                "--beam",
                "3",
                "--nbest",
                "3",
                "--tree",
                "--json",
                SENTENCE,
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    ins = Translator.load(MODEL, "cpu").inspect(SENTENCE, beam=3, nbest=3)
    assert [h["target_tokens"] for h in data["hypotheses"]] == [
        h.target_tokens for h in ins.hypotheses
    ]
    nodes = {n["id"]: n for n in data["tree"]}
    assert len(nodes) == len(ins.tree.nodes) and nodes[0]["parent"] == -1
    ranked = sorted((n for n in nodes.values() if n["rank"] is not None), key=lambda n: n["rank"])
    for leaf, hyp in zip(ranked, data["hypotheses"]):
        path, node = [], leaf
        while node["parent"] >= 0:  # walk up to the root
            path.append(node)
            node = nodes[node["parent"]]
        path.reverse()
        assert [n["token"] for n in path] == hyp["target_tokens"]
        np.testing.assert_allclose([n["prob"] for n in path], hyp["token_probs"], rtol=1e-5)
        np.testing.assert_allclose([n["weights"] for n in path], hyp["weights"], atol=1e-6)
        assert leaf["score"] == pytest.approx(hyp["score"], rel=1e-5)
    assert {n["status"] for n in nodes.values()} >= {"root", "kept", "finished", "pruned"}


@pytest.mark.parametrize(
    "extra", [["--beam", "3"], ["--json"], ["--beam", "3", "--json", "--reference", "Ich weiß."]]
)
def test_tree_needs_json_and_a_beam(capsys, extra):
    assert main(["attention", "--model", MODEL, "--device", "cpu", "--tree", *extra, SENTENCE]) == 2
    assert "--tree" in capsys.readouterr().err
