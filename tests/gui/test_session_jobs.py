"""Session.submit and its job handles: core functions run on the worker thread; a result, an
error, a cancellation and progress reach only the handle of the request they belong to, on the GUI
thread; per key the latest request wins and a replaced job stays silent; progress is throttled."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest

from core.errors import CoreError


def _slow(log, name, seconds, translator, ctx):
    log.append(("start", name, threading.current_thread() is threading.main_thread()))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ctx.cancel.raise_if_cancelled()
        time.sleep(0.01)
    ctx.progress(1, 1)
    log.append(("end", name))
    return name


class Heard:
    """Records every callback of one handle, and on which thread it ran."""

    def __init__(self, job) -> None:
        self.events: list = []
        job.on_result(lambda r: self._add("result", r)).on_error(lambda f: self._add("error", f))
        job.on_cancelled(lambda: self._add("cancelled", None))
        job.on_progress(lambda d, t: self._add("progress", (d, t)))

    def _add(self, what, value) -> None:
        self.events.append((what, value, threading.current_thread() is threading.main_thread()))

    def of(self, what: str) -> list:
        return [v for w, v, _ in self.events if w == what]


def test_latest_job_of_a_key_wins_and_a_replaced_job_never_calls_back(qtbot, session):
    log: list = []
    first = session.submit("k", partial(_slow, log, "first", 0.5), title="T", needs_model=False)
    qtbot.waitUntil(lambda: bool(log), timeout=5000)  # running: a newer one cancels it
    second = session.submit("k", partial(_slow, log, "second", 0.0), title="T", needs_model=False)
    third = session.submit("k", partial(_slow, log, "third", 0.0), title="T", needs_model=False)
    heard = [Heard(job) for job in (first, second, third)]
    qtbot.waitUntil(lambda: not third.active, timeout=10000)
    qtbot.wait(200)
    assert heard[0].events == [] and heard[1].events == []  # replaced: silent
    assert heard[2].of("result") == ["third"] and third.result == "third"
    assert all(on_gui for _, _, on_gui in heard[2].events)  # delivered on the GUI thread
    assert (first.status, second.status, third.status) == ("replaced", "replaced", "done")
    started = [e[1] for e in log if e[0] == "start"]
    assert started == ["first", "third"]  # "second" never started
    assert ("end", "first") not in log  # the newer request cancelled it
    assert not any(e[2] for e in log if e[0] == "start")  # never on the GUI (main) thread
    assert session.latest_job("k") is third
    qtbot.waitUntil(lambda: session.state == "idle", timeout=5000)


def test_a_result_reaches_only_its_own_handle(qtbot, session):
    log: list = []
    a = session.submit("a", partial(_slow, log, "a", 0.1), title="A", needs_model=False)
    b = session.submit("b", partial(_slow, log, "b", 0.0), title="B", needs_model=False)
    heard_a, heard_b = Heard(a), Heard(b)
    qtbot.waitUntil(lambda: not a.active and not b.active, timeout=10000)
    assert heard_a.of("result") == ["a"] and heard_b.of("result") == ["b"]
    assert heard_a.of("error") == heard_b.of("error") == []


def test_keys_are_independent_and_cancel_reaches_the_running_and_the_waiting_job(qtbot, session):
    log: list = []
    a = session.submit("a", partial(_slow, log, "a", 5.0), title="A", needs_model=False)
    b = session.submit("b", partial(_slow, log, "b", 0.0), title="B", needs_model=False)
    heard_a, heard_b = Heard(a), Heard(b)
    qtbot.waitUntil(lambda: any(e[:2] == ("start", "a") for e in log), timeout=5000)
    a.cancel()
    qtbot.waitUntil(lambda: not a.active and not b.active, timeout=10000)
    assert [w for w, _, _ in heard_a.events] == ["cancelled"] and a.status == "cancelled"
    assert heard_b.of("result") == ["b"]
    # a job waiting behind another of its key ends at once and never starts
    running = session.submit("c", partial(_slow, log, "c1", 0.3), title="C", needs_model=False)
    waiting = session.submit("d", partial(_slow, log, "d", 0.3), title="D", needs_model=False)
    queued = session.submit("d", partial(_slow, log, "d2", 0.0), title="D", needs_model=False)
    heard_queued = Heard(queued)
    queued.cancel()
    assert queued.status == "cancelled" and [w for w, _, _ in heard_queued.events] == ["cancelled"]
    qtbot.waitUntil(lambda: not running.active and not waiting.active, timeout=10000)
    assert waiting.status == "replaced"
    assert ("start", "d2", False) not in log


def test_a_failing_job_reports_to_its_handle_with_its_title(qtbot, session):
    def boom(translator, ctx):
        raise CoreError("the dev file has 3 source lines but 2 target lines")

    job = session.submit("dev", boom, title="Cannot translate the dev set", needs_model=False)
    heard = Heard(job)
    with qtbot.waitSignal(session.failed, timeout=10000) as blocker:
        pass
    failure = blocker.args[0]
    assert heard.of("error") == [failure] and job.status == "failed"
    assert failure.operation == "dev" and failure.title == "Cannot translate the dev set"
    assert "3 source lines" in failure.message
    with qtbot.waitSignal(session.failed, timeout=10000) as blocker:
        session.submit(
            "what-if", lambda tr, ctx: tr.what_if("x", [], 0, 0), title="Cannot re-decode"
        )
    assert "no model is open" in blocker.args[0].message
    assert blocker.args[0].title == "Cannot re-decode"


def _chatty(n, translator, ctx):
    end = time.monotonic() + 0.6
    i = 0
    while time.monotonic() < end:
        ctx.progress(i, n)
        i = min(n - 1, i + 1)
    ctx.progress(n, n)
    return n


def test_progress_reaches_the_handle_at_most_ten_times_a_second(qtbot, session):
    job = session.submit("p", partial(_chatty, 1000), title="P", needs_model=False)
    heard = Heard(job)
    qtbot.waitUntil(lambda: not job.active, timeout=10000)
    progress = heard.of("progress")
    assert progress[-1] == (1000, 1000)  # the last report always arrives
    assert 2 <= len(progress) <= 0.6 * 10 + 2  # ~0.6 s of reports: ≤ 10 a second
    assert heard.of("result") == [1000]


@pytest.mark.parametrize("key", ["compare"])
def test_a_job_that_needs_the_model_is_refused_while_training(session, key, monkeypatch):
    monkeypatch.setattr(type(session), "training", property(lambda self: True))
    monkeypatch.setattr(session, "_training", True)
    with pytest.raises(CoreError, match="while a model trains"):
        session.submit(key, lambda tr, ctx: None, title="Cannot compare")
    job = session.submit("timeline-read", lambda tr, ctx: None, title="T", needs_model=False)
    assert job.active  # reading is fine
