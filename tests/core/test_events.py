"""Events are plain, frozen records that serialise to JSON with the type first."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core.events import (
    CheckpointEvent,
    DoneEvent,
    ErrorEvent,
    NoticeEvent,
    ProgressEvent,
    ReadingEvent,
    ReportEvent,
    Translation,
    ValidationEvent,
    event_from_json,
    to_json_dict,
)


def _translation() -> Translation:
    att = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]], dtype=np.float32)
    return Translation(
        source_tokens=["a", "b", "</s>"],
        target_tokens=["B", "</s>"],
        token_probs=np.array([0.5, 0.25], dtype=np.float32),
        attention=att,
        score=float(np.log(0.125)),
        text="B",
    )


def _events():
    return [
        ReportEvent({"pairs_read": 3, "dropped": {"too long": 1}, "arr": np.arange(2)}),
        ReadingEvent(bytes_read=10, total_bytes=100),
        ProgressEvent(
            step=np.int64(3),
            epoch=0,
            loss=np.float32(2.5),
            smoothed_loss=2.6,
            learning_rate=1e-3,
            tokens_per_second=100.0,
            elapsed_s=1.5,
            eta_s=None,
            fraction=0.1,
        ),
        ValidationEvent(
            step=10,
            epoch=1,
            loss=1.0,
            bleu=12.5,
            chrf=30.0,
            is_best=True,
            samples=[{"source": "a b", "reference": "B A", "hypothesis": "B"}],
            probe=_translation(),
            bleu_signature="nrefs:1",
        ),
        ValidationEvent(step=20, epoch=1, loss=1.0, bleu=12.5, chrf=30.0, is_best=False),
        CheckpointEvent(step=10, path="/x/ckpt-00000010.pt", kind="best"),
        DoneEvent(
            status="finished", step=20, epoch=2, best_bleu=None, model_dir="/x", elapsed_s=3.0
        ),
        ErrorEvent("boom"),
    ]


@pytest.mark.parametrize("event", _events(), ids=lambda e: e.type)
def test_to_json_dict_is_plain_json_with_type_first(event):
    data = to_json_dict(event)
    assert next(iter(data)) == "type" and data["type"] == event.type
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    names = {f.name for f in dataclasses.fields(event)}
    assert set(data) == names


def test_types():
    assert [e.type for e in _events()] == [
        "report",
        "reading",
        "progress",
        "validation",
        "validation",
        "checkpoint",
        "done",
        "error",
    ]


def test_numpy_values_become_python_values():
    data = to_json_dict(_events()[2])
    assert type(data["step"]) is int and type(data["loss"]) is float
    assert to_json_dict(_events()[0])["report"]["arr"] == [0, 1]


def test_probe_is_serialised_with_its_weights():
    data = to_json_dict(_events()[3])
    probe = data["probe"]
    assert probe["source_tokens"] == ["a", "b", "</s>"] and probe["target_tokens"] == ["B", "</s>"]
    np.testing.assert_allclose(probe["weights"], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]], atol=1e-7)
    assert isinstance(probe["weights"], list) and isinstance(probe["weights"][0][0], float)
    assert probe["token_probs"] == [0.5, 0.25]
    assert probe["text"] == "B" and probe["score"] == pytest.approx(np.log(0.125))
    assert to_json_dict(_events()[4])["probe"] is None


def test_translation_to_dict():
    t = _translation()
    d = t.to_dict()
    assert set(d) == {
        "source_tokens",
        "target_tokens",
        "weights",
        "token_probs",
        "score",
        "text",
        "entropy",
        "coverage",
    }
    assert json.loads(json.dumps(d)) == d
    assert len(d["weights"]) == len(t.target_tokens) and len(d["weights"][0]) == len(
        t.source_tokens
    )
    w = np.array(d["weights"])
    assert np.allclose(d["coverage"], w.sum(0), atol=1e-6)  # coverage = column sums
    p = np.clip(w, 1e-12, 1)
    assert np.allclose(d["entropy"], -(w * np.log(p)).sum(1), atol=1e-5)


def test_entropy_is_zero_for_one_hot_rows_and_log_n_for_uniform():
    from core.events import Translation

    t = Translation(
        ["a", "b", "</s>"],
        ["x", "</s>"],
        np.ones(2, np.float32),
        np.array([[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], np.float32),
        0.0,
        "x",
    )
    assert abs(t.entropy[0]) < 1e-6 and abs(t.entropy[1] - np.log(3)) < 1e-5
    assert np.allclose(t.coverage, [4 / 3, 1 / 3, 1 / 3])


@pytest.mark.parametrize("event", _events(), ids=lambda e: e.type)
def test_events_are_frozen(event):
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.type = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "event", _events() + [NoticeEvent("resumed from ckpt-00000010.pt")], ids=lambda e: e.type
)
def test_event_from_json_reads_back_what_to_json_dict_wrote(event):
    """The app rebuilds the training child's events from JSON lines: same type, same values."""
    back = event_from_json(json.loads(json.dumps(to_json_dict(event))))
    assert type(back) is type(event)
    assert to_json_dict(back) == json.loads(json.dumps(to_json_dict(event)))
    if isinstance(event, ValidationEvent) and event.probe is not None:
        assert back.probe.attention.dtype == np.float32
        np.testing.assert_allclose(back.probe.attention, event.probe.attention)


def test_event_from_json_refuses_an_unknown_type():
    with pytest.raises(ValueError, match="unknown event type 'telemetry'"):
        event_from_json({"type": "telemetry", "step": 1})
