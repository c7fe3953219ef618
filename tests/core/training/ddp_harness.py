"""Running a training on several CPU ranks (gloo on 127.0.0.1) inside a test, with a deadline.

Two ways in, as a user would start them: ``run_ranks`` spawns N processes that each call
``core.training.run.train`` as one rank (fast, and each rank can hand back what it holds), and
``torchrun`` starts the real command line ``torchrun … -m core train …`` in its own process group
(for signals, restarts and the launcher's own behaviour). Every worker turns warnings into errors,
as pytest does here, so a GRU ``flatten_parameters`` or DDP warning fails the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.multiprocessing as mp

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it), on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rank_env(port: int) -> dict[str, str]:
    return {
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
        "GLOO_SOCKET_IFNAME": "lo",
        "OMP_NUM_THREADS": "1",
        "ATTNSCOPE_THREADS": "1",
        "ATTNSCOPE_DIST_TIMEOUT_S": "120",
    }


def _entry(rank: int, fn: Callable[..., Any], n: int, port: int, args: tuple) -> None:
    import warnings

    warnings.simplefilter("error")
    os.environ.update(rank_env(port))
    os.environ.update(WORLD_SIZE=str(n), RANK=str(rank), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    from core.training.distributed import init_from_env

    world = init_from_env("cpu")
    try:
        fn(world, *args)
    finally:
        world.destroy()


def run_ranks(fn: Callable[..., Any], n: int, *args: Any, timeout: float = 180) -> None:
    """``fn(world, *args)`` on ``n`` spawned ranks; raises what a rank raised, or on timeout."""
    ctx = mp.start_processes(
        _entry, args=(fn, n, free_port(), args), nprocs=n, join=False, start_method="spawn"
    )
    deadline = time.monotonic() + timeout
    while not ctx.join(timeout=1.0):
        if time.monotonic() > deadline:
            for p in ctx.processes:
                p.kill()
            raise TimeoutError(f"{n} ranks did not finish within {timeout} s")


def torchrun(args: list[str], n: int = 2, max_restarts: int = 0, **popen: Any) -> subprocess.Popen:
    """``torchrun --nproc-per-node n … -m core train <args>`` in a new session (its own process
    group, like a command started in a terminal), JSON progress on stdout."""
    env = {**os.environ, **rank_env(0), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    for k in ("MASTER_PORT", "MASTER_ADDR", "WORLD_SIZE", "RANK", "LOCAL_RANK"):
        env.pop(k, None)
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc-per-node={n}",
        "--rdzv-backend=c10d",
        f"--rdzv-endpoint=127.0.0.1:{free_port()}",
        f"--max-restarts={max_restarts}",
        "-m",
        "core",
        "train",
        "--json-progress",
        *args,
    ]
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


def events_until(
    proc: subprocess.Popen, stop: Callable[[dict], bool], timeout: float
) -> list[dict]:
    """JSON events from the launcher's stdout up to the first one ``stop`` accepts."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the run ended before the awaited event: {seen[-3:]}")
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            seen.append(event)
            if stop(event):
                return seen
    raise TimeoutError(f"no awaited event within {timeout} s; last: {seen[-3:]}")


def workers_of(proc: subprocess.Popen) -> list[int]:
    """The pids of the launcher's worker processes (its children), rank order not guaranteed."""
    path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    return [int(x) for x in path.read_text().split()]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def finish(proc: subprocess.Popen, timeout: float) -> tuple[int, str, str]:
    """Wait for the launcher; on timeout, kill its whole process group and fail."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"torchrun did not end within {timeout} s:\n{err[-3000:]}") from None
    return proc.returncode, out, err


def error_lines(stderr: str) -> str:
    """The lines of the ranks' and the launcher's output that name an error (for a failure)."""
    keep = [x for x in stderr.splitlines() if "Error" in x or "error" in x or "attnscope" in x]
    return "\n".join(dict.fromkeys(keep))[-4000:]
