"""The run's event log in its model folder: bounded by rotation, yet a late reader still gets
the report, every validation and the loss curve; a following reader gets every event once."""

from __future__ import annotations

import json
import threading

import pytest

from core.cancel import CancelToken
from core.errors import CoreError
from core.events import (
    DoneEvent,
    NoticeEvent,
    ProgressEvent,
    ReportEvent,
    ValidationEvent,
    event_from_json,
    to_json_dict,
)
from core.training.event_log import EVENTS_FILE, OLDER_EVENTS_FILE, EventLog
from core.training.event_tail import LOG_RESET, EventTail
from core.training.rank import is_main_process
from core.training.stop_request import STOP_FILE, request_stop
from core.training.watch import watching
from tests.toy import toy_spec, train_config


def progress(step: int) -> dict:
    return to_json_dict(
        ProgressEvent(step, 0, 2.0 - step / 1000, 2.0, 1e-3, 1000.0, step * 0.1, None, 0.0)
    )


def validation(step: int) -> dict:
    samples = [{"source": f"s{step}", "reference": "r", "hypothesis": f"h{step}"}]
    return to_json_dict(ValidationEvent(step, 0, 1.5, step / 100, 10.0, True, samples))


def report() -> dict:
    return to_json_dict(ReportEvent({"summary": "Read 10 pairs; kept all 10.", "pairs_kept": 10}))


def write_run(log: EventLog, steps: int, every: int) -> list[dict]:
    written = [report()]
    log.write(written[0])
    for step in range(1, steps + 1):
        written.append(progress(step))
        log.write(written[-1])
        if step % every == 0:
            written.append(validation(step))
            log.write(written[-1])
    return written


def test_rotation_bounds_the_files_and_keeps_what_a_late_attacher_needs(tmp_path):
    log = EventLog(tmp_path, max_bytes=20_000)
    write_run(log, steps=2000, every=250)
    log.close()
    assert (tmp_path / OLDER_EVENTS_FILE).is_file(), "the log never rotated"
    for name in (EVENTS_FILE, OLDER_EVENTS_FILE):
        assert (tmp_path / name).stat().st_size <= 20_000 + 400  # one line past the bound at most
    events = EventTail(tmp_path).poll()
    assert events[0]["type"] == "report"
    assert [e["step"] for e in events if e["type"] == "validation"] == list(range(250, 2001, 250))
    last_val = [e for e in events if e["type"] == "validation"][-1]
    assert last_val["samples"][0]["hypothesis"] == "h2000"  # the latest one in full
    steps = [e["step"] for e in events if e["type"] == "progress"]
    assert steps == sorted(steps) and steps[-1] == 2000
    assert steps[0] < 100, "the start of the loss curve was lost"
    for e in events:  # every event reads back as the app reads it
        event_from_json(e)


def test_a_follower_gets_every_event_once_across_rotations(tmp_path):
    log = EventLog(tmp_path, max_bytes=8_000)
    tail = EventTail(tmp_path)
    seen: list[dict] = []
    written = [report()]
    log.write(written[0])
    for step in range(1, 1201):
        written.append(progress(step))
        log.write(written[-1])
        if step % 100 == 0:
            written.append(validation(step))
            log.write(written[-1])
        if step % 7 == 0:  # polls between writes, more often than the file rotates
            seen += tail.poll()
    seen += tail.poll()
    log.close()
    assert (tmp_path / OLDER_EVENTS_FILE).is_file()
    assert not any(e["type"] == LOG_RESET for e in seen)
    assert seen == written


def test_a_reader_that_missed_a_whole_file_starts_over_from_the_replay(tmp_path):
    log = EventLog(tmp_path, max_bytes=5_000)
    tail = EventTail(tmp_path)
    log.write(report())
    log.write(progress(1))
    assert tail.poll()[0]["type"] == "report"
    write_run(log, steps=600, every=100)  # several rotations without a poll
    log.close()
    events = tail.poll()
    assert events[0] == {"type": LOG_RESET}
    assert events[1]["type"] == "report"
    assert [e["step"] for e in events if e["type"] == "validation"] == list(range(100, 601, 100))


def test_a_partial_last_line_waits_for_its_end(tmp_path):
    log = EventLog(tmp_path)
    log.write(report())
    log.write(progress(1))
    log.close()
    tail = EventTail(tmp_path)
    assert [e["type"] for e in tail.poll()] == ["report", "progress"]
    line = json.dumps(progress(7)) + "\n"
    with open(tmp_path / EVENTS_FILE, "a", encoding="utf-8") as f:
        f.write(line[:25])
    assert tail.poll() == []
    with open(tmp_path / EVENTS_FILE, "a", encoding="utf-8") as f:
        f.write(line[25:])
    assert [e["step"] for e in tail.poll()] == [7]
    assert tail.poll() == []


def test_nothing_is_written_before_training_starts(tmp_path):
    folder = tmp_path / "model"
    log = EventLog(folder)
    log.write(report())
    assert not folder.exists()
    folder.mkdir()
    log.write(to_json_dict(NoticeEvent("resumed from ckpt-00000010.pt")))
    assert not (folder / EVENTS_FILE).exists()  # a refused resume leaves the folder as it was
    log.write(progress(1))
    log.close()
    assert [e["type"] for e in EventTail(folder).poll()] == ["report", "notice", "progress"]


def test_a_resumed_run_appends_and_later_files_still_carry_the_first_session(tmp_path):
    first = EventLog(tmp_path, max_bytes=10_000)
    write_run(first, steps=100, every=50)
    first.write(to_json_dict(DoneEvent("cancelled", 100, 0, 1.0, str(tmp_path), 10.0)))
    first.close()
    second = EventLog(tmp_path, max_bytes=10_000)
    for step in range(101, 1000):
        second.write(progress(step))
    second.close()
    assert (tmp_path / OLDER_EVENTS_FILE).is_file()
    events = EventTail(tmp_path).poll()
    assert events[0]["type"] == "report"
    assert [e["step"] for e in events if e["type"] == "validation"] == [50, 100]


def test_a_session_after_a_crash_mid_line_starts_on_a_line_of_its_own(tmp_path):
    first = EventLog(tmp_path)
    first.write(report())
    first.write(progress(1))
    first.close()
    with open(tmp_path / EVENTS_FILE, "ab") as f:
        f.write(json.dumps(progress(2)).encode()[:30])  # killed while writing
    second = EventLog(tmp_path)
    second.write(progress(3))
    second.close()
    assert [e.get("step") for e in EventTail(tmp_path).poll()] == [None, 1, 3]


def test_a_failed_run_logs_its_error_only_once_it_trained(tmp_path):
    token = CancelToken()
    with pytest.raises(CoreError), watching(tmp_path, print, token, resume=False) as emit:
        emit(ReportEvent({"summary": "x"}))
        emit(ProgressEvent(1, 0, 3.0, 3.0, 1e-3, 100.0, 0.1, None, 0.0))
        raise CoreError("training diverged")
    events = EventTail(tmp_path).poll()
    assert events[-1] == {"type": "error", "message": "training diverged"}
    other = tmp_path / "not-mine"
    other.mkdir()
    with pytest.raises(CoreError), watching(other, print, token, resume=True) as emit:
        emit(ReportEvent({"summary": "x"}))
        raise CoreError("cannot resume: these settings differ")
    assert list(other.iterdir()) == []


def test_the_main_process_outside_torch_distributed():
    assert is_main_process()


def test_a_stop_request_ends_the_run_with_a_checkpoint(tmp_path):
    """STOP in the folder: the run stops at its next batch, saves, removes the file."""
    from core.config import TokenizerConfig, preset
    from core.storage.model_folder import has_checkpoint
    from core.training.run import train

    out = tmp_path / "model"
    steps: list[int] = []
    asked = threading.Event()

    def on_event(e) -> None:
        if e.type == "progress":
            steps.append(e.step)
            if e.step >= 5 and not asked.is_set():
                request_stop(out)
                asked.set()

    done = train(
        toy_spec(tmp_path / "data", 400),
        out,
        preset("tiny").model,
        TokenizerConfig("en", "en"),
        train_config(max_steps=1_000_000, epochs=0, valid_every=1_000_000),
        on_event=on_event,
    )
    assert asked.is_set()
    assert done.status == "cancelled"
    assert done.step < 100_000
    assert has_checkpoint(out)
    assert not (out / STOP_FILE).exists()
    last = EventTail(out).poll()[-1]
    assert last["type"] == "done" and last["status"] == "cancelled"


def test_an_exported_model_leaves_the_run_files_behind(tmp_path):
    from core.storage.library import RUN_ONLY_FILES

    assert {EVENTS_FILE, OLDER_EVENTS_FILE, STOP_FILE} == RUN_ONLY_FILES
