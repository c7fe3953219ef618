"""``--precision auto``: it measures instead of assuming, remembers the verdict, leaves the run it
measured for untouched, and says what it chose; fp16 trains with a gradient scaler."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import core.training.loop
import core.training.precision as precision
from core import native
from core.config import ModelConfig, TokenizerConfig
from core.data.batching import bucket_order
from core.errors import ConfigError
from core.events import ReportEvent
from core.storage.checkpoints import CheckpointStore
from core.training import precision_probe
from core.training.precision import PrecisionCache, PrecisionChoice, choose_precision
from core.training.run import train
from tests.toy import record_step_losses, toy_spec, train_config

CPU = torch.device("cpu")
MODEL = ModelConfig(emb_size=16, hidden_size=24, dropout=0.0)
TOK = TokenizerConfig(src_lang="en", tgt_lang="en")
SHAPE = {"model": MODEL.to_dict(), "vocab": [20, 20]}


@pytest.fixture
def auto_cpu(monkeypatch):
    """auto as a user gets it on a CPU with bfloat16 (the test suite pins fp32 by default)."""
    monkeypatch.delenv(precision.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    monkeypatch.setattr(precision, "machine_is_busy", lambda: False)


class Timer:
    def __init__(self, fp32: float, bf16: float) -> None:
        self.times, self.calls = {"fp32": fp32, "bf16": bf16}, 0

    def __call__(self) -> dict[str, float]:
        self.calls += 1
        return dict(self.times)


def test_an_explicit_choice_is_kept_and_nothing_is_measured(auto_cpu, tmp_path):
    timer = Timer(1.0, 0.5)
    choice = choose_precision("fp32", CPU, timer, PrecisionCache(tmp_path), SHAPE)
    assert (choice.precision, choice.how, timer.calls) == ("fp32", "asked", 0)
    assert choice.amp_dtype is None and choice.describe() == "fp32 (asked for)"


@pytest.mark.parametrize(
    ("fp32", "bf16", "chosen"), [(1.0, 0.5, "bf16"), (1.0, 0.98, "fp32"), (1.0, 1.3, "fp32")]
)
def test_auto_keeps_the_faster_format_and_bf16_only_when_clearly_faster(
    auto_cpu, tmp_path, fp32, bf16, chosen
):
    choice = choose_precision("auto", CPU, Timer(fp32, bf16), PrecisionCache(tmp_path), SHAPE)
    assert choice.precision == chosen and choice.how == "measured"
    assert choice.speedup == pytest.approx(fp32 / bf16, abs=1e-3)
    assert f"{fp32 / bf16:.2f}x the speed of fp32" in choice.describe()


def test_the_verdict_is_remembered_per_shape(auto_cpu, tmp_path):
    cache, timer = PrecisionCache(tmp_path), Timer(1.0, 0.5)
    first = choose_precision("auto", CPU, timer, cache, SHAPE)
    again = choose_precision("auto", CPU, timer, cache, SHAPE)
    assert timer.calls == 1 and again.how == "cached"
    assert (again.precision, again.speedup) == (first.precision, first.speedup)
    other = {**SHAPE, "vocab": [20, 5000]}
    choose_precision("auto", CPU, timer, cache, other)
    assert timer.calls == 2, "a model of another shape must be measured again"


def test_a_verdict_timed_on_a_busy_machine_is_not_remembered(auto_cpu, tmp_path, monkeypatch):
    monkeypatch.setattr(precision, "machine_is_busy", lambda: True)
    cache, timer = PrecisionCache(tmp_path), Timer(1.0, 0.5)
    assert choose_precision("auto", CPU, timer, cache, SHAPE).precision == "bf16"
    assert choose_precision("auto", CPU, timer, cache, SHAPE).how == "measured"
    assert timer.calls == 2 and not (tmp_path / precision.CACHE_FILE).exists()


def test_a_damaged_cache_is_measured_again_and_rewritten(auto_cpu, tmp_path):
    (tmp_path / precision.CACHE_FILE).write_text("{not json", encoding="utf-8")
    timer = Timer(1.0, 0.5)
    assert choose_precision("auto", CPU, timer, PrecisionCache(tmp_path), SHAPE).how == "measured"
    assert timer.calls == 1
    assert len(json.loads((tmp_path / precision.CACHE_FILE).read_text(encoding="utf-8"))) == 1


def test_without_bf16_support_auto_is_fp32_without_measuring(monkeypatch, tmp_path):
    monkeypatch.delenv(precision.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: False)
    timer = Timer(1.0, 0.5)
    choice = choose_precision("auto", CPU, timer, PrecisionCache(tmp_path), SHAPE)
    assert (choice.precision, choice.how, timer.calls) == ("fp32", "no-bf16", 0)


def test_fp16_on_a_cpu_is_refused_with_a_reason(tmp_path):
    with pytest.raises(ConfigError, match="fp16 training needs a CUDA GPU"):
        choose_precision("fp16", CPU, Timer(1, 1), PrecisionCache(tmp_path), SHAPE)
    spec = toy_spec(tmp_path / "data", 60)
    with pytest.raises(ConfigError, match="fp16"):
        train(spec, tmp_path / "m", MODEL, TOK, train_config(max_steps=2, precision="fp16"))
    assert not (tmp_path / "m").exists(), "refused before anything was written"


def test_timing_leaves_the_model_and_the_random_state_untouched():
    model = torch.nn.Linear(8, 8)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    batches = [torch.randn(4, 8) for _ in range(2)]
    rng = torch.random.get_rng_state()
    times = precision.time_formats(model, batches, lambda m, b: m(b).pow(2).mean(), rounds=1)
    assert set(times) == {"fp32", "bf16"} and all(t > 0 for t in times.values())
    assert torch.equal(torch.random.get_rng_state(), rng)
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_a_run_that_measured_trains_exactly_like_one_that_did_not(auto_cpu, tmp_path, monkeypatch):
    """auto with bf16 made to lose: the probe ran, the run is fp32 and step for step the same as
    an explicit fp32 run; the report says what was chosen and why."""
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    monkeypatch.setattr(precision, "BF16_MARGIN", 1e9)
    spec = toy_spec(tmp_path / "data", 200)
    cfg = train_config(batch_size=16, max_steps=12, valid_every=1000, seed=5)
    fixed: dict[int, float] = {}
    train(
        spec,
        tmp_path / "a",
        MODEL,
        TOK,
        cfg.replace(precision="fp32"),
        on_event=record_step_losses(fixed),
    )
    auto: dict[int, float] = {}
    reports: list[dict] = []
    record = record_step_losses(auto)

    def on_event(e):
        record(e)
        if isinstance(e, ReportEvent):
            reports.append(e.report)

    train(spec, tmp_path / "b", MODEL, TOK, cfg.replace(precision="auto"), on_event=on_event)
    assert auto == fixed
    (report,) = reports
    assert report["precision"]["precision"] == "fp32" and report["precision"]["how"] == "measured"
    assert report["precision"]["speedup"] > 0 and report["device"] == "cpu"
    assert "training on cpu in fp32 (auto: measured on this machine" in report["summary"]
    # and whether the step runs the compiled kernels, with the reason where it does not
    kernels = report["kernels"]
    assert kernels["compiled"] == native.available()
    assert ("compiled kernels" if kernels["compiled"] else "no compiled kernels (") in report[
        "summary"
    ]


def test_fp16_trains_with_a_gradient_scaler_that_is_checkpointed(tmp_path, monkeypatch):
    """The CUDA path's scaler logic, run on the CPU (autocast and GradScaler both support it)."""
    import core.training.run as run_module

    monkeypatch.setattr(run_module, "check_precision", lambda requested, device: None)
    monkeypatch.setattr(
        run_module,
        "choose_precision",
        lambda *a, **k: PrecisionChoice("fp16", "fp16", "asked"),
    )
    spec = toy_spec(tmp_path / "data", 120)
    cfg = train_config(batch_size=16, max_steps=6, valid_every=1000)
    done = train(spec, tmp_path / "m", MODEL, TOK, cfg)
    assert done.step == 6
    ckpt = CheckpointStore(tmp_path / "m" / "checkpoints").load_last()[0]
    assert ckpt["scaler"]["scale"] > 0
    done = train(spec, tmp_path / "m", MODEL, TOK, cfg.replace(max_steps=9), resume=True)
    assert done.step == 9


def test_a_stop_while_timing_ends_the_probe_at_once_and_decides_nothing(auto_cpu, tmp_path):
    model = torch.nn.Linear(8, 8)
    batches = [torch.randn(4, 8) for _ in range(2)]
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 3  # the user pressed Stop during the third step

    with pytest.raises(precision.ProbeStopped):
        precision.time_formats(model, batches, lambda m, b: m(b).pow(2).mean(), stop=stop)
    assert len(asked) == 3  # asked before the first step and after every step, no more

    def measure() -> dict[str, float]:
        raise precision.ProbeStopped

    cache = PrecisionCache(tmp_path)
    choice = choose_precision("auto", CPU, measure, cache, SHAPE)
    assert (choice.precision, choice.how) == ("fp32", "stopped")
    assert "stopped" in choice.describe()
    assert not (tmp_path / precision.CACHE_FILE).exists()  # nothing measured, nothing kept


def test_a_run_stopped_while_timing_stops_with_a_checkpoint_before_its_first_step(
    auto_cpu, tmp_path, monkeypatch
):
    from core.cancel import CancelToken

    token = CancelToken()
    real = precision.time_formats

    def stopped_meanwhile(*args, **kwargs):
        token.cancel()  # Stop pressed while the formats are timed
        return real(*args, **kwargs)

    monkeypatch.setattr("core.training.precision_probe.time_formats", stopped_meanwhile)
    events: list = []
    spec = toy_spec(tmp_path / "data", 60)
    done = train(
        spec,
        tmp_path / "m",
        MODEL,
        TOK,
        train_config(max_steps=50, precision="auto"),
        on_event=events.append,
        cancel=token,
    )
    assert (done.status, done.step) == ("cancelled", 0)
    report = next(e for e in events if isinstance(e, ReportEvent))
    assert "stopped while the formats were being timed" in json.dumps(report.report)


@pytest.mark.parametrize("n, batch_size", [(1, 4), (37, 4), (500, 16), (501, 7)])
def test_the_timed_batches_are_chosen_as_the_list_version_chose_them(n, batch_size):
    """``typical_batches`` works on the batch order's arrays (a corpus of millions of pairs has no
    list per batch to spare); it picks the batches the list-per-batch version picked."""
    rng = np.random.default_rng(n)
    lengths = rng.integers(1, 40, size=(n, 2)).astype(np.int32)
    examples = [(list(range(1, 1 + s)), list(range(1, 1 + t))) for s, t in lengths.tolist()]
    run = SimpleNamespace(
        lengths=lengths,
        cfg=SimpleNamespace(batch_size=batch_size),
        examples=examples,
        device=CPU,
        src_multiple=1,
    )
    order = bucket_order(lengths.tolist(), batch_size, seed=0)
    full = sorted(order, key=len, reverse=True)[: max(1, len(order) // 2)]
    full.sort(key=lambda b: sum(int(lengths[i][1]) for i in b))
    middle = max(0, len(full) // 2 - 1)
    want = full[middle : middle + 2]
    assert [b.indices for b in precision_probe.typical_batches(run)] == want
