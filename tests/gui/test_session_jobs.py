"""Session.submit: core functions run on the worker thread; per kind the latest request wins, a
replaced waiting job never starts, cancelling reaches the running job, and failures name the
kind."""

from __future__ import annotations

import threading
import time

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


def test_latest_job_of_a_kind_wins_and_a_replaced_waiting_job_never_runs(qtbot, session):
    from functools import partial
    log: list = []
    results: list = []
    session.jobFinished.connect(lambda kind, r: results.append((kind, r)))
    session.submit("k", partial(_slow, log, "first", 0.5), needs_model=False)
    session.submit("k", partial(_slow, log, "second", 0.0), needs_model=False)   # waits…
    session.submit("k", partial(_slow, log, "third", 0.0), needs_model=False)    # …replaced
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    qtbot.wait(200)
    assert results == [("k", "third")]
    started = [e[1] for e in log if e[0] == "start"]
    assert started == ["first", "third"]                  # "second" never started
    assert ("end", "first") not in log                    # the newer request cancelled it
    assert not any(e[2] for e in log if e[0] == "start")   # never on the GUI (main) thread
    qtbot.waitUntil(lambda: session.state == "idle", timeout=5000)


def test_kinds_are_independent_and_cancel_reports(qtbot, session):
    from functools import partial
    log: list = []
    done: list = []
    cancelled: list = []
    session.jobFinished.connect(lambda kind, r: done.append(kind))
    session.jobCancelled.connect(cancelled.append)
    session.submit("a", partial(_slow, log, "a", 5.0), needs_model=False)
    session.submit("b", partial(_slow, log, "b", 0.0), needs_model=False)
    qtbot.waitUntil(lambda: any(e[:2] == ("start", "a") for e in log), timeout=5000)
    session.cancel_job("a")
    qtbot.waitUntil(lambda: cancelled == ["a"] and done == ["b"], timeout=10000)


def test_a_failing_job_reports_its_kind_and_a_model_job_needs_a_model(qtbot, session):
    def boom(translator, ctx):
        raise CoreError("the dev file has 3 source lines but 2 target lines")
    with qtbot.waitSignal(session.failed, timeout=10000) as blocker:
        session.submit("dev", boom, needs_model=False)
    assert blocker.args[0].operation == "dev"
    assert "3 source lines" in blocker.args[0].message
    with qtbot.waitSignal(session.failed, timeout=10000) as blocker:
        session.submit("what-if", lambda tr, ctx: tr.what_if("x", [], 0, 0))
    assert "no model is open" in blocker.args[0].message


@pytest.mark.parametrize("kind", ["compare"])
def test_a_job_that_needs_the_model_is_refused_while_training(session, kind, monkeypatch):
    monkeypatch.setattr(type(session), "training", property(lambda self: True))
    with pytest.raises(CoreError, match="while a model trains"):
        session.submit(kind, lambda tr, ctx: None)
    session.submit("timeline-read", lambda tr, ctx: None, needs_model=False)   # reading is fine
