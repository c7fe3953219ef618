"""The reliability suite's recorder: every fault or bad input a test tries becomes a table row.

A test asks for ``fault(category, what, expected)`` and calls ``rec.observed(text)`` with what
really happened, built from real values (the error message, the loss difference, the exit code).
A hook adds the test's outcome (passed, failed, xfailed, ...). At the end of the session the rows
are written as a markdown table when a report path is given:

    .venv/bin/pytest tests/reliability -q --reliability-report docs/reliability.md
    ATTNSCOPE_RELIABILITY_REPORT=docs/reliability.md .venv/bin/pytest tests/reliability -q

The option works when this folder is on the command line (pytest then loads this conftest before
it parses the options); the environment variable works however the suite is started (for example
``pytest tests``, where this conftest is found too late to add an option).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.reliability.helpers import shared_tiny_model

ENV_REPORT = "ATTNSCOPE_RELIABILITY_REPORT"
_RECORDS = pytest.StashKey[list]()  # on an item: its FaultRecords
_SESSION_ROWS = pytest.StashKey[list]()  # on the config: every finished record, in run order
_UNRECORDED = pytest.StashKey[list]()  # on the config: reliability tests that recorded nothing
_HERE = Path(__file__).resolve().parent
_MAX_CELL = 600


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("attnscope reliability")
    group.addoption(
        "--reliability-report",
        metavar="PATH",
        default=None,
        help=f"write the fault table of tests/reliability as markdown to PATH "
        f"(or set {ENV_REPORT}=PATH)",
    )


@dataclass
class FaultRecord:
    """One row: a fault or bad input, what should happen, what did happen, and the outcome."""

    category: str
    what: str
    expected: str
    nodeid: str
    observations: list[str] = field(default_factory=list)
    result: str = "not run"
    failure: str = ""

    def observed(self, text: object) -> FaultRecord:
        """Add what actually happened (call it with real values; several calls are joined)."""
        self.observations.append(str(text))
        return self


@pytest.fixture
def fault(request: pytest.FixtureRequest):
    """``fault(category, what, expected)`` → a recorder; call ``.observed(...)`` on it."""

    def make(category: str, what: str, expected: str) -> FaultRecord:
        rec = FaultRecord(category, what, expected, request.node.nodeid)
        request.node.stash.setdefault(_RECORDS, []).append(rec)
        return rec

    return make


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny toy-reversal model folder, trained once per session (~1 s). Do not modify it."""
    return shared_tiny_model(tmp_path_factory.mktemp("shared-tiny"))


# ---- outcome collection ------------------------------------------------------------------------


def _outcome(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.when != "call":
        return "skipped" if report.skipped else "error"
    return report.outcome


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if _HERE not in Path(str(item.path)).resolve().parents:
        return
    records: list[FaultRecord] = item.stash.get(_RECORDS, [])
    if (
        report.when == "call"
        or (report.when == "setup" and not report.passed)
        or (report.when == "teardown" and report.failed)
    ):
        result = _outcome(report)
        if result == "xfailed":
            reason = (report.wasxfail or "").removeprefix("reason: ")
            result = f"xfailed ({reason})" if reason else "xfailed"
        elif report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
            result = "xpassed (strict): the fix landed, remove the xfail marker"
        if report.when == "teardown":
            result = "error in teardown"
        failure = ""
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
            failure = _first_line(call.excinfo.exconly())
        if not records:  # a setup error, or a test that never asked for ``fault``
            doc = (
                (item.function.__doc__ or "").strip().splitlines()
                if hasattr(item, "function")
                else []
            )
            records.append(
                FaultRecord(
                    item.module.__name__.rsplit(".", 1)[-1] if hasattr(item, "module") else "?",
                    item.nodeid,
                    doc[0] if doc else "",
                    item.nodeid,
                    ["(the test recorded no fault row)"],
                )
            )
            item.stash[_RECORDS] = records
            item.config.stash.setdefault(_UNRECORDED, []).append(item.nodeid)
        for rec in records:
            if report.when != "teardown" or not rec.result.startswith(("failed", "error")):
                rec.result = result
                rec.failure = failure or rec.failure
    if report.when == "teardown":
        item.config.stash.setdefault(_SESSION_ROWS, []).extend(records)


# ---- the markdown report -----------------------------------------------------------------------


def _report_path(config: pytest.Config) -> tuple[Path | None, str]:
    """(path, how it was asked for) — the option wins over the environment variable."""
    option = config.getoption("--reliability-report", default=None)
    if option:
        return Path(config.invocation_params.dir, option), "option"
    env = os.environ.get(ENV_REPORT)
    if env:
        return Path(config.invocation_params.dir, env), "env"
    return None, ""


_TMP_RE = re.compile(r"(?:/[^\s/\"']+)*/pytest-of-[^/\s]+/pytest-\d+/[^/\s\"']+/")


def _cell(text: str) -> str:
    text = " ".join(str(text).split())  # newlines and runs of blanks: one space
    text = _TMP_RE.sub("…/", text)  # a test's temporary folder: noise in a table
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _command(config: pytest.Config, how: str, path: Path) -> str:
    argv0 = Path(sys.argv[0])
    if argv0.name == "__main__.py":
        runner = "python -m pytest"
    else:
        try:
            runner = os.path.relpath(argv0.resolve(strict=False), config.invocation_params.dir)
            runner = runner if not runner.startswith("..") else str(argv0)
        except ValueError:
            runner = str(argv0)
    args = shlex.join(config.invocation_params.args)
    prefix = ""
    passthrough = [
        f"{k}={os.environ[k]}"
        for k in sorted(os.environ)
        if k.startswith("ATTNSCOPE_")
        and k not in (ENV_REPORT, "ATTNSCOPE_HOME", "ATTNSCOPE_THREADS")
    ]
    if how == "env":
        prefix = f"{ENV_REPORT}={os.environ[ENV_REPORT]} "
    niceness = os.nice(0) if hasattr(os, "nice") else 0
    if niceness > 0:
        prefix += f"nice -n {niceness} "
    if passthrough:
        prefix = " ".join(passthrough) + " " + prefix
    return f"{prefix}{runner} {args}".strip()


def _result_cell(rec: FaultRecord) -> str:
    result = rec.result
    if rec.failure and not result.startswith(("passed", "xfailed")):
        result += f": {rec.failure}"
    return result


def write_report(config: pytest.Config, path: Path, how: str) -> None:
    rows: list[FaultRecord] = config.stash.get(_SESSION_ROWS, [])
    unrecorded: list[str] = config.stash.get(_UNRECORDED, [])
    counts: dict[str, int] = {}
    for rec in rows:
        key = rec.result.split(" ", 1)[0]
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    import torch  # the engine's dependency; already imported by the tests

    lines = [
        "# Reliability: faults and bad inputs tried, expected and observed",
        "",
        "<!-- Generated by tests/reliability/conftest.py from a test run. Do not edit by hand. -->",
        "",
        (
            f"Produced by `{_command(config, how, path)}` "
            f"(run in `{config.invocation_params.dir}`) "
            f"on {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}, "
            f"Python {platform.python_version()}, torch {torch.__version__}, "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU(s)."
        ),
        "",
        "Regenerate with (the big-corpus row needs `ATTNSCOPE_BIG_CORPUS_MB`, a few minutes at",
        "200 MB; without it the suite takes under a minute and that row is skipped):",
        "",
        "    ATTNSCOPE_BIG_CORPUS_MB=200 nice -n 10 .venv/bin/pytest tests/reliability -q \\",
        "        --reliability-report docs/reliability.md",
        "",
        "Each row is one fault or bad input that a test in `tests/reliability/` really caused; the",
        "*observed* column is built from the values the test saw (messages, exit codes, loss",
        "differences, sizes), and *result* is the test's outcome. `xfailed` rows are known gaps:",
        "their reason names the fix they need, and the test turns red once the fix lands so that",
        "the marker is removed.",
        "",
        f"Rows: {len(rows)} ({summary or 'none'}).",
        "",
        "| category | rows | passed | xfailed (known gaps) | other |",
        "|---|---|---|---|---|",
    ]
    categories: dict[str, list[FaultRecord]] = {}
    for rec in rows:
        categories.setdefault(rec.category, []).append(rec)
    for category, recs in categories.items():
        passed = sum(r.result == "passed" for r in recs)
        xfailed = sum(r.result.startswith("xfailed") for r in recs)
        lines.append(
            f"| {_cell(category)} | {len(recs)} | {passed} | {xfailed} | "
            f"{len(recs) - passed - xfailed} |"
        )
    gaps = [r for r in rows if r.result.startswith("xfailed")]
    if gaps:
        lines += ["", "## Known gaps (xfailed until their fix lands)", ""]
        lines += [
            f"- **{_cell(r.what)}** — {_cell(r.result.removeprefix('xfailed ('))[:-1]}"
            for r in gaps
        ]
    lines += [
        "",
        "## Every fault and input tried",
        "",
        "| category | fault or input | expected | observed | result |",
        "|---|---|---|---|---|",
    ]
    for rec in rows:
        observed = "; ".join(rec.observations) or "(nothing recorded)"
        lines.append(
            f"| {_cell(rec.category)} | {_cell(rec.what)} | {_cell(rec.expected)} | "
            f"{_cell(observed)} | {_cell(_result_cell(rec))} |"
        )
    if unrecorded:
        lines += [
            "",
            "Tests that recorded no row of their own (listed above by test id): "
            + ", ".join(f"`{n}`" for n in unrecorded),
        ]
    lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    path, how = _report_path(config)
    if path is None or not config.stash.get(_SESSION_ROWS, []):
        return
    write_report(config, path, how)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"reliability report written to {path}")
