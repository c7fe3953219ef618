"""Loading a model must not leave the garbage collector off, and must freeze what it built (the
reason: full collections over torch's objects held the interpreter lock for 100-200 ms)."""

from __future__ import annotations

import gc


def test_model_load_pauses_the_collector_and_freezes_its_objects(qtbot, tiny_model_dir):
    from gui.session import Session

    gc.unfreeze()
    session = Session()
    try:
        with qtbot.waitSignal(session.modelLoaded, timeout=30000):
            session.load_model(str(tiny_model_dir))
        assert gc.isenabled()
        assert gc.get_freeze_count() > 10000  # torch's and the model's objects, frozen
    finally:
        session.shutdown()
        gc.unfreeze()


def test_quiet_gc_restores_a_disabled_collector():
    from gui.model_worker import _quiet_gc

    gc.disable()
    try:
        with _quiet_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
