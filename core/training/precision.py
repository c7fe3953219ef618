"""Which number format a run trains in: ``auto`` measures on this machine instead of assuming.

Why measure: the same bfloat16 autocast trained 1.6x faster than fp32 on one CPU and 0.85x on
another (an Intel Xeon with AMX, where it also took more memory). So on a CPU, ``auto`` times a few
real training steps of this model on real batches in each format, alternating, on a throwaway copy
(the run's weights, optimizer and random state are untouched), and keeps bf16 only when it is
clearly faster. The verdict is cached per machine, thread count and model shape, so the next run
of the same shape starts without measuring. On CUDA the GPU's capability decides (bf16 where it
has it, else fp16 with a gradient scaler); Apple's MPS trains in fp32. A verdict timed while the
machine is busy (load above its core count) decides that run only and is not remembered.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from core import native
from core.errors import ConfigError
from core.storage.atomic_io import atomic_write_text
from core.training.adam import Adam

BF16_MARGIN = 1.05  # bf16 must be at least 5 % faster than fp32 to be chosen
PROBE_ROUNDS = 3  # timed rounds per format, after one warm-up round each
PROBE_BUDGET_S = 20.0  # stop measuring early when one round is this slow
ENV_OVERRIDE = "ATTNSCOPE_PRECISION"  # fp32/bf16: what "auto" chooses, without measuring
CACHE_FILE = "precision.json"
CACHE_LIMIT = 200  # verdicts kept (the oldest go first)

AMP_DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class PrecisionChoice:
    precision: str  # what the run trains in: fp32, bf16 or fp16
    requested: str  # what was asked for: auto, fp32, bf16 or fp16
    how: str  # asked | measured | cached | capability | environment | no-bf16 | stopped
    speedup: float | None = None  # bf16 steps per second ÷ fp32's, where measured

    @property
    def amp_dtype(self) -> torch.dtype | None:
        return AMP_DTYPES[self.precision]

    def describe(self) -> str:
        """One line for the report, the CLI and the app's run line."""
        if self.how == "asked":
            return f"{self.precision} (asked for)"
        ratio = f"bf16 at {self.speedup:.2f}x the speed of fp32" if self.speedup else ""
        why = {
            "measured": f"measured on this machine: {ratio}",
            "cached": f"measured earlier on this machine: {ratio}",
            "capability": "the GPU's capability",
            "environment": f"set by {ENV_OVERRIDE}",
            "no-bf16": "this CPU has no bfloat16 support",
            "stopped": "the run was stopped while the formats were being timed",
        }[self.how]
        return f"{self.precision} (auto: {why})"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "line": self.describe()}


def check_precision(requested: str, device: torch.device) -> None:
    """Refuse a format the device cannot train in, before any data is read."""
    if requested == "fp16" and device.type != "cuda":
        raise ConfigError(
            "fp16 training needs a CUDA GPU (it needs a gradient scaler and has no fast path on "
            f"{device.type}); use auto, bf16 or fp32"
        )


def cpu_has_bf16() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # noqa: BLE001 — a private probe, absent on some builds: treat as "no"
        return False


def choose_precision(
    requested: str,
    device: torch.device,
    measure: Callable[[], dict[str, float]],
    cache: PrecisionCache | None,
    shape: dict[str, Any],
) -> PrecisionChoice:
    """``measure`` returns seconds per step for "fp32" and "bf16"; it runs only when needed."""
    check_precision(requested, device)
    if requested != "auto":
        return PrecisionChoice(requested, requested, "asked")
    if device.type == "cuda":
        bf16 = torch.cuda.is_bf16_supported()
        return PrecisionChoice("bf16" if bf16 else "fp16", "auto", "capability")
    if device.type != "cpu":
        return PrecisionChoice("fp32", "auto", "capability")
    forced = os.environ.get(ENV_OVERRIDE, "")
    if forced in ("fp32", "bf16"):
        return PrecisionChoice(forced, "auto", "environment")
    if not cpu_has_bf16():
        return PrecisionChoice("fp32", "auto", "no-bf16")
    key = cache_key(shape)
    if cache is not None:
        known = cache.get(key)
        if known is not None:
            return PrecisionChoice(known["precision"], "auto", "cached", known["speedup"])
    try:
        times = measure()
    except ProbeStopped:  # the run stops at its first step anyway: nothing to decide or keep
        return PrecisionChoice("fp32", "auto", "stopped")
    speedup = round(times["fp32"] / times["bf16"], 3)
    choice = PrecisionChoice(
        "bf16" if speedup >= BF16_MARGIN else "fp32", "auto", "measured", speedup
    )
    if cache is not None and not machine_is_busy():
        cache.put(key, {"precision": choice.precision, "speedup": speedup, "times_s": times})
    return choice


def machine_is_busy() -> bool:
    """More runnable work than cores: a verdict timed now is used for this run but not kept."""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1)
    except OSError:  # no load average (Windows): trust the measurement
        return False


class ProbeStopped(Exception):
    """The user stopped the run while its formats were being timed."""


def time_formats(
    model: torch.nn.Module,
    batches: Sequence[Any],
    loss_of: Callable[[torch.nn.Module, Any], torch.Tensor],
    rounds: int = PROBE_ROUNDS,
    stop: Callable[[], bool] = lambda: False,
) -> dict[str, float]:
    """Median seconds of one training step (forward, backward, Adam) in fp32 and in bf16.

    A copy of the model trains here, and the random state is put back afterwards, so a run that
    measured trains exactly like one that did not. ``stop()`` is asked after every step: on a
    busy machine timing takes tens of seconds, and a Stop must not wait for it (ProbeStopped)."""
    if stop():
        raise ProbeStopped
    probe = copy.deepcopy(model).train()
    optimizer = Adam(probe.parameters(), lr=1e-6)
    device_type = next(probe.parameters()).device.type
    saved_rng = torch.random.get_rng_state()
    times: dict[str, list[float]] = {"fp32": [], "bf16": []}
    spent = 0.0
    try:
        for r in range(rounds + 1):  # round 0 warms each format up (kernels, caches)
            for name in ("fp32", "bf16"):
                start = time.perf_counter()
                for batch in batches:
                    with torch.autocast(device_type, torch.bfloat16, enabled=name == "bf16"):
                        loss = loss_of(probe, batch)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    if stop():
                        raise ProbeStopped
                took = time.perf_counter() - start
                spent += took
                if r:
                    times[name].append(took)
            if r and spent > PROBE_BUDGET_S:
                break
    finally:
        torch.random.set_rng_state(saved_rng)
    return {name: statistics.median(t) for name, t in times.items()}


def machine_name() -> str:
    """The CPU model: the verdict belongs to it (a copied home folder must not reuse it)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


#: bump when the training step's code changes what the two formats cost, so that verdicts
#: measured with the old code are measured again (2: the fused recurrences and loss,
#: 3: the compiled loss and attention kernels, core.native, 4: products in row blocks,
#: core.model.row_blocks)
STEP_REVISION = 4


def cache_key(shape: dict[str, Any]) -> str:
    """A verdict holds for this machine, thread count, PyTorch, step code and model shape."""
    ident = {
        "step": STEP_REVISION,
        "kernels": native.available(),
        "cpu": machine_name(),
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "torch": str(torch.__version__),
        **shape,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]


class PrecisionCache:
    """Verdicts in one small JSON file in the user cache folder; a damaged file is ignored."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / CACHE_FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> dict[str, Any] | None:
        found = self._read().get(key)
        ok = isinstance(found, dict) and found.get("precision") in ("fp32", "bf16")
        return found if ok else None

    def put(self, key: str, verdict: dict[str, Any]) -> None:
        data = self._read()
        data.pop(key, None)
        data[key] = {**verdict, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        while len(data) > CACHE_LIMIT:
            data.pop(next(iter(data)))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(data, indent=1))
        except OSError:
            pass  # a read-only cache folder only costs a measurement next time
