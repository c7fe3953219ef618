"""Shared test set-up: Qt runs offscreen, torch is seeded and single-threaded, app dirs are
private."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTEST_QT_API", "pyside6")
# tiny test models gain nothing from several threads, and several test processes on a small
# machine would oversubscribe it (OpenMP threads spin while they wait)
os.environ.setdefault("ATTNSCOPE_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# "auto" precision times fp32 against bf16 and keeps the faster: right for users, but a test's
# tiny model would then train in whichever format won on this machine today
os.environ.setdefault("ATTNSCOPE_PRECISION", "fp32")

import pytest


@pytest.fixture(autouse=True)
def _private_app_dirs(tmp_path, monkeypatch):
    """Never touch the developer's real model library, settings or logs."""
    monkeypatch.setenv("ATTNSCOPE_HOME", str(tmp_path / "attnscope-home"))
    yield
