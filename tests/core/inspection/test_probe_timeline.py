"""The probe timeline: recorded at every validation of a real tiny run (one matrix per probe per
validation, the model's true attention), continued by a resume, read back robustly, and diffed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from core.config import MAX_PROBES, ModelConfig, TokenizerConfig, TrainConfig
from core.decoding.translator import Translator
from core.errors import ConfigError
from core.evaluation.dev_set import DEV_TSV, read_dev_set
from core.events import Translation, ValidationEvent
from core.inspection.probe_timeline import (
    KIND_OUTPUT,
    KIND_REFERENCE,
    PROBES,
    TimelineError,
    attention_diff,
    read_timeline,
)
from core.model.seq2seq import Seq2Seq
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import CHECKPOINTS, read_history, read_meta, read_vocabs
from core.training.run import train
from tests.toy import toy_spec, train_config

# toy words tokenize as themselves
TOK = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")
MODEL = ModelConfig(emb_size=8, hidden_size=16, dropout=0.1)


def _run(base: Path, **cfg) -> tuple[Path, list]:
    events: list = []
    spec = toy_spec(base / "data", 200)
    train(
        spec, base / "model", MODEL, TOK, train_config(batch_size=16, **cfg), on_event=events.append
    )
    return base / "model", events


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory):
    """25 steps, validating at 10, 20 and 25, with the default probes (the first 3 dev pairs)."""
    return _run(tmp_path_factory.mktemp("dev-probes"), max_steps=25, valid_every=10)


def _validations(events: list) -> list[ValidationEvent]:
    return [e for e in events if isinstance(e, ValidationEvent)]


def _rows_sum_to_one(t: Translation) -> None:
    assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))
    np.testing.assert_allclose(t.attention.sum(axis=1), 1.0, atol=1e-5)


# ---- recording --------------------------------------------------------------------------------


def test_one_snapshot_per_validation_with_every_dev_probe(dev_run):
    folder, events = dev_run
    timeline = read_timeline(folder)
    validations = _validations(events)
    history = [h for h in read_history(folder) if h["type"] == "validation"]
    assert [s.step for s in timeline.snapshots] == [v.step for v in validations] == [10, 20, 25]
    assert len(timeline.snapshots) == len(history)
    dev = read_dev_set(folder / DEV_TSV)
    assert timeline.sources == [src for src, _ in dev[:3]]
    for snap, v in zip(timeline.snapshots, validations):
        assert snap.bleu == pytest.approx(v.bleu, abs=1e-4)
        assert snap.chrf == pytest.approx(v.chrf, abs=1e-4)
        assert [p.source for p in snap.probes] == timeline.sources
        for p, (src, ref) in zip(snap.probes, dev):
            assert p.kind == KIND_REFERENCE and p.reference == ref
            # forced decoding of the reference: rows are the reference's words, then </s>
            assert p.translation.source_tokens == [*src.split(), "</s>"]
            assert p.translation.target_tokens == [*ref.split(), "</s>"]
            assert p.translation.text == ref
            _rows_sum_to_one(p.translation)
            assert np.all((p.translation.token_probs > 0) & (p.translation.token_probs <= 1))
        # the live heatmap's probe is the first probe's own translation, recorded as its output
        assert (
            v.probe is not None
            and v.probe.source_tokens == snap.probes[0].translation.source_tokens
        )
        assert snap.probes[0].output == v.probe.text


def test_dev_probes_keep_their_shape_so_two_times_diff_exactly(dev_run):
    timeline = read_timeline(dev_run[0])
    for source in timeline.sources:
        series = timeline.series(source)
        assert len(series) == 3
        shapes = {p.attention.shape for _, p in series}
        assert len(shapes) == 1, shapes
        (_, first), (_, last) = series[0], series[-1]
        d = attention_diff(first, last)
        assert d.same_shape and d.note == ""
        np.testing.assert_array_equal(d.diff, last.attention - first.attention)
        np.testing.assert_allclose(d.diff.sum(axis=1), 0.0, atol=1e-5)  # both rows sum to 1
    # the model trains between validations: its attention changes
    first, last = timeline.snapshots[0].probes[0], timeline.snapshots[-1].probes[0]
    assert np.abs(last.attention - first.attention).max() > 1e-3


def test_recorded_matrix_is_the_models_real_attention(dev_run):
    """The last snapshot equals forced decoding by the weights of the last checkpoint (same
    step)."""
    _check_last_snapshot_against_checkpoint(dev_run[0], MODEL, 25)


def test_recorded_matrix_is_real_with_the_luong_decoder_too(tmp_path):
    luong = ModelConfig(emb_size=8, hidden_size=16, dropout=0.1, decoder="luong")
    spec = toy_spec(tmp_path / "data", 200)
    train(
        spec,
        tmp_path / "model",
        luong,
        TOK,
        train_config(batch_size=16, max_steps=20, valid_every=10),
    )
    _check_last_snapshot_against_checkpoint(tmp_path / "model", luong, 20)


def _check_last_snapshot_against_checkpoint(
    folder: Path, model_cfg: ModelConfig, step: int
) -> None:
    ckpt, _ = CheckpointStore(folder / CHECKPOINTS).load_last()
    assert ckpt["state"]["step"] == step
    src_vocab, tgt_vocab = read_vocabs(folder)
    model = Seq2Seq(model_cfg, len(src_vocab), len(tgt_vocab))
    model.load_state_dict(ckpt["model"])
    tr = Translator(model, src_vocab, tgt_vocab, read_meta(folder), torch.device("cpu"))
    for p in read_timeline(folder).snapshots[-1].probes:
        scored = tr.score(p.source, p.reference)
        assert scored.target_tokens == p.translation.target_tokens
        np.testing.assert_allclose(p.attention, scored.attention, atol=2e-6)
        np.testing.assert_allclose(p.translation.token_probs, scored.token_probs, atol=2e-6)
        assert p.output == tr.translate(p.source)[0].text


def test_dev_set_is_saved_with_the_model(dev_run):
    folder, events = dev_run
    pairs = read_dev_set(folder / DEV_TSV)
    assert len(pairs) == read_meta(folder).corpus["dev_pairs"] == 10
    # the very pairs validation scored: the samples are the first dev pairs
    samples = _validations(events)[0].samples
    assert [(s["source"], s["reference"]) for s in samples] == pairs[: len(samples)]
    corpus = Path(read_meta(folder).corpus["spec"]["src_path"]).read_text().splitlines()
    assert all(src in corpus for src, _ in pairs)


def test_user_probes_record_the_models_output(tmp_path):
    folder, events = _run(tmp_path, max_steps=20, valid_every=10, probe="w1 w2 w3\n\n  w4 w5  \n")
    timeline = read_timeline(folder)
    assert timeline.sources == ["w1 w2 w3", "w4 w5"]  # blank lines ignored, stripped
    assert [s.step for s in timeline.snapshots] == [10, 20]
    for snap, v in zip(timeline.snapshots, _validations(events)):
        first, second = snap.probes
        assert first.kind == second.kind == KIND_OUTPUT and first.reference is None
        assert first.translation.source_tokens == ["w1", "w2", "w3", "</s>"]
        assert second.translation.source_tokens == ["w4", "w5", "</s>"]
        _rows_sum_to_one(first.translation)
        # the live probe (first sentence) is exactly the recorded matrix
        np.testing.assert_allclose(first.attention, v.probe.attention, atol=1e-6)
        assert first.translation.target_tokens == v.probe.target_tokens
        assert first.output == first.translation.text == v.probe.text


def test_resume_continues_the_timeline_and_forgets_what_the_crash_lost(tmp_path):
    folder, _ = _run(tmp_path, max_steps=20, valid_every=10)
    path = folder / PROBES
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    # as if the run went on to validate step 30 and crashed mid-line before its checkpoint
    lost = json.loads(lines[-1])
    lost["step"] = 30
    path.write_text("\n".join([*lines, json.dumps(lost), '{"step": 40, "pro']), encoding="utf-8")
    step20 = read_timeline(folder).snapshots[1]
    spec = toy_spec(tmp_path / "data", 200)
    train(
        spec,
        folder,
        MODEL,
        TOK,
        train_config(batch_size=16, max_steps=40, valid_every=15),
        resume=True,
    )
    timeline = read_timeline(folder)
    assert [s.step for s in timeline.snapshots] == [10, 20, 30, 40]
    assert not timeline.warnings
    # step 30 was recorded again by the resumed run; the lost line (a copy of step 20) is gone
    steps = [json.loads(line)["step"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert steps == [10, 20, 30, 40]
    assert np.abs(timeline.snapshots[2].probes[0].attention - step20.probes[0].attention).max() > 0
    assert len({s.probes[0].attention.shape for s in timeline.snapshots}) == 1


def test_an_old_model_folder_without_a_timeline_reads_as_empty(tmp_path):
    timeline = read_timeline(tmp_path)
    assert timeline.empty and timeline.snapshots == () and timeline.sources == []


# ---- reading --------------------------------------------------------------------------------


def _line(step: int, weights=((0.5, 0.5), (0.25, 0.75)), source="a", **extra) -> str:
    probe = {
        "source": source,
        "reference": "A",
        "kind": "reference",
        "output": "A",
        "source_tokens": ["a", "</s>"],
        "target_tokens": ["A", "</s>"][: len(weights)],
        "weights": [list(r) for r in weights],
        "token_probs": [0.5] * len(weights),
        "score": -1.0,
        "text": "A",
        **extra,
    }
    return json.dumps({"step": step, "epoch": 0, "bleu": 1.0, "chrf": 2.0, "probes": [probe]})


def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path):
    (tmp_path / PROBES).write_text(
        _line(1) + "\n" + _line(2) + "\n" + _line(3)[:40], encoding="utf-8"
    )
    timeline = read_timeline(tmp_path)
    assert [s.step for s in timeline.snapshots] == [1, 2]
    assert len(timeline.warnings) == 1 and f"{PROBES}:3:" in timeline.warnings[0]
    np.testing.assert_array_equal(
        timeline.snapshots[1].probes[0].attention, np.array([[0.5, 0.5], [0.25, 0.75]], np.float32)
    )


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"epoch": 0, "probes": []}', "missing 'step'"),
        (_line(2, weights=((1.0,), (1.0,))), "weights have shape (2, 1)"),
        (_line(2).replace('"kind": "reference"', '"kind": "guess"'), "unknown kind 'guess'"),
        ('["a list"]', "expected a JSON object"),
    ],
)
def test_a_bad_line_before_the_last_names_file_and_line(tmp_path, bad, problem):
    (tmp_path / PROBES).write_text("\n".join([_line(1), bad, _line(3)]) + "\n", encoding="utf-8")
    with pytest.raises(TimelineError) as info:
        read_timeline(tmp_path)
    message = str(info.value)
    assert f"{tmp_path / PROBES}:2: " in message and problem in message


def test_snapshots_come_in_step_order_and_a_repeated_step_keeps_the_later_line(tmp_path):
    later = _line(2, weights=((1.0, 0.0), (0.0, 1.0)))
    (tmp_path / PROBES).write_text(
        "\n".join([_line(3), _line(2), _line(1), "", later]) + "\n", encoding="utf-8"
    )
    timeline = read_timeline(tmp_path)
    assert [s.step for s in timeline.snapshots] == [1, 2, 3]
    np.testing.assert_array_equal(timeline.snapshots[1].probes[0].attention, np.eye(2))


def test_series_follows_a_probe_that_only_some_snapshots_hold(tmp_path):
    (tmp_path / PROBES).write_text(
        "\n".join([_line(1, source="a"), _line(2, source="b"), _line(3, source="a")]),
        encoding="utf-8",
    )
    timeline = read_timeline(tmp_path)
    assert timeline.sources == ["a", "b"]
    assert [s.step for s, _ in timeline.series("a")] == [1, 3]
    assert [s.step for s, _ in timeline.series("b")] == [2]


# ---- diffing -------------------------------------------------------------------------------


def _tr(weights, src, tgt) -> Translation:
    w = np.asarray(weights, np.float32)
    return Translation(src, tgt, np.ones(len(tgt), np.float32), w, 0.0, " ".join(tgt))


def test_diff_of_different_shapes_compares_the_common_block_and_says_so():
    a = _tr([[0.9, 0.1, 0.0], [0.2, 0.6, 0.2]], ["x", "y", "</s>"], ["X", "</s>"])
    b = _tr(
        [[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.0, 0.0, 1.0]], ["x", "y", "</s>"], ["Y", "X", "</s>"]
    )
    d = attention_diff(a, b)
    assert not d.same_shape and "2×3 then 3×3" in d.note and "first 2 target" in d.note
    np.testing.assert_allclose(d.diff, [[-0.8, 0.7, 0.1], [0.5, -0.4, -0.1]], atol=1e-6)
    assert d.source_tokens == ["x", "y", "</s>"]
    assert d.target_tokens == ["X→Y", "</s>→X"]
    assert d.mean_abs_change == pytest.approx(np.abs(d.diff).mean())


def test_diff_entropy_says_whether_attention_sharpened():
    flat = _tr([[0.5, 0.5], [0.5, 0.5]], ["x", "</s>"], ["X", "</s>"])
    sharp = _tr([[1.0, 0.0], [0.0, 1.0]], ["x", "</s>"], ["X", "</s>"])
    d = attention_diff(flat, sharp)
    assert d.same_shape and d.note == ""
    assert d.before_entropy == pytest.approx(np.log(2), abs=1e-6)
    assert d.after_entropy == pytest.approx(0.0, abs=1e-6)


# ---- the probe setting ----------------------------------------------------------------------


def test_probe_setting_holds_one_sentence_per_line_and_is_checked():
    assert TrainConfig(probe=None).probe_sentences() == []
    assert TrainConfig(probe=" one \n\ntwo\n").probe_sentences() == ["one", "two"]
    # model.json files written before several probes existed hold one sentence: still loads
    assert TrainConfig.from_dict(
        {"probe": "I know that the woman drinks coffee."}
    ).probe_sentences() == ["I know that the woman drinks coffee."]
    with pytest.raises(ConfigError, match=f"9 probe sentences given; at most {MAX_PROBES}"):
        TrainConfig(probe="\n".join(f"s{i}" for i in range(9))).validate()
    with pytest.raises(ConfigError, match="probe sentence 2 has 1,001 characters"):
        TrainConfig(probe="ok\n" + "x" * 1001).validate()
    with pytest.raises(ConfigError, match="probe must be text"):
        TrainConfig(probe=["a", "b"]).validate()  # type: ignore[arg-type]


def test_an_untranslatable_probe_is_refused_before_training(tmp_path):
    spec = toy_spec(tmp_path / "data", 50)
    with pytest.raises(ConfigError, match="probe sentence 2 has 401 tokens; at most 400"):
        train(
            spec,
            tmp_path / "m",
            MODEL,
            TOK,
            train_config(max_steps=2, probe="w1\n" + " ".join(["x"] * 401)),
        )
    assert not (tmp_path / "m").exists()


def test_cli_probe_is_repeatable(tmp_path, capsys):
    from core.cli import main
    from tests.toy import write_reverse_corpus

    src, tgt = write_reverse_corpus(tmp_path, 200, seed=2)
    code = main(
        [
            "train",
            "--train-src",
            str(src),
            "--train-tgt",
            str(tgt),
            "--src-lang",
            "en",
            "--tgt-lang",
            "en",
            "--out",
            str(tmp_path / "m"),
            "--preset",
            "tiny",
            "--max-steps",
            "20",
            "--valid-every",
            "10",
            "--threads",
            "1",
            "--probe",
            "w1 w2 w3",
            "--probe",
            "w9 w8",
        ]
    )
    assert code == 0, capsys.readouterr().err
    timeline = read_timeline(tmp_path / "m")
    assert timeline.sources == ["w1 w2 w3", "w9 w8"]
    assert [s.step for s in timeline.snapshots] == [10, 20]
    assert read_meta(tmp_path / "m").train.probe == "w1 w2 w3\nw9 w8"


def test_a_transformer_probe_keeps_every_heads_attention(tmp_path):
    """probes.jsonl round-trips a probe's (layers, heads, T, S) cross-attention, so the timeline
    can follow one head; a shape that does not fit the tokens is refused with the line."""
    from core.inspection.probe_timeline import append_snapshot, probe_record

    rng = np.random.default_rng(0)
    cross = rng.dirichlet(np.ones(3), size=(2, 4, 2)).astype(np.float32)
    t = Translation(
        ["a", "b", "</s>"],
        ["x", "</s>"],
        np.ones(2, np.float32),
        cross[-1].mean(0),
        -0.5,
        "x",
        cross_attention=cross,
    )
    append_snapshot(tmp_path, 10, 0, 1.0, 2.0, [probe_record("a b", "x", KIND_REFERENCE, "x", t)])
    back = read_timeline(tmp_path).snapshots[0].probes[0].translation
    np.testing.assert_allclose(back.cross_attention, cross, atol=1e-4)
    line = json.loads((tmp_path / PROBES).read_text())
    line["probes"][0]["cross_attention"] = cross[:, :, :, :2].tolist()
    (tmp_path / PROBES).write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(
        TimelineError, match=r"probes.jsonl:1: probe 1: cross_attention has shape \(2, 4, 2, 2\)"
    ):
        read_timeline(tmp_path)
