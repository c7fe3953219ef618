"""The CUDA path, where a CUDA GPU is visible (skipped elsewhere, which is every CI machine): auto
precision takes the GPU's format and says so, a model trained there learns and opens on a CPU with
the same output, training keeps attention off cuDNN's per-shape graphs, fp16 trains with its
gradient scaler and resumes, the inspection views keep their meaning on the GPU (rows sum to 1,
padding gets nothing), attribution agrees with the CPU's, and torchrun with one rank trains on
the GPU (NCCL between ranks needs a machine with two GPUs)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import core.training.loop
from core.config import ModelConfig, TokenizerConfig, preset
from core.decoding.translator import Translator
from core.events import ReportEvent
from core.inspection.attribution import attribute
from core.storage.checkpoints import CheckpointStore
from core.training.run import train
from tests.core.training.test_run import held_out_items
from tests.toy import toy_spec

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

WORDS = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")
GRU = ModelConfig(emb_size=16, hidden_size=32, dropout=0.1)
TRANSFORMER = dataclasses.replace(preset("tiny", "transformer").model)
ROOT = Path(__file__).resolve().parents[2]


def _gpu_run(tmp: Path, model: ModelConfig, steps: int, precision: str = "auto", **changes):
    """Train the toy reversal on the GPU; returns (model folder, report, done, train sources)."""
    p = preset("tiny", model.arch)
    cfg = p.train.replace(
        device="cuda",
        precision=precision,
        max_steps=steps,
        valid_every=steps,
        epochs=0,
        seed=1,
        **changes,
    )
    spec = toy_spec(tmp / "data", 2000)
    reports: list[dict] = []

    def on_event(e) -> None:
        if isinstance(e, ReportEvent):
            reports.append(e.report)

    done = train(spec, tmp / "model", model, WORDS, cfg, on_event=on_event)
    sources = set(Path(spec.src_path).read_text(encoding="utf-8").splitlines())
    return tmp / "model", reports[0], done, sources


@pytest.fixture(scope="module")
def gru(tmp_path_factory):
    return _gpu_run(tmp_path_factory.mktemp("gpu-gru"), GRU, 600, batch_size=32, learning_rate=5e-3)


@pytest.fixture(scope="module")
def transformer(tmp_path_factory):
    return _gpu_run(tmp_path_factory.mktemp("gpu-transformer"), TRANSFORMER, 800)


def _exact(tr: Translator, held: list[tuple[str, str]]) -> int:
    out = tr.translate_batch([s for s, _ in held])
    return sum(t.text == ref for t, (_, ref) in zip(out, held))


@pytest.mark.parametrize("which", ["gru", "transformer"])
def test_auto_trains_in_the_gpus_format_and_the_model_learns(which, request) -> None:
    folder, report, done, sources = request.getfixturevalue(which)
    expected = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    assert report["precision"]["precision"] == expected
    assert report["precision"]["how"] == "capability"
    assert report["device"].startswith("cuda")
    assert f"training on cuda in {expected} (auto: the GPU's capability)" in report["summary"]
    held = held_out_items(sources, 100)
    exact = _exact(Translator.load(folder, device="cuda"), held)
    assert exact >= 90, f"{which}: exact match {exact}/100 after {done.step} steps"


def test_training_keeps_attention_off_cudnn(transformer) -> None:
    """cuDNN's attention builds a graph per new batch shape (4.5x slower training on an H200,
    bench/gpu_step.py): a run on CUDA leaves it off in its process."""
    assert not torch.backends.cuda.cudnn_sdp_enabled()


@pytest.mark.parametrize("which", ["gru", "transformer"])
def test_a_model_trained_on_the_gpu_opens_on_a_cpu_with_the_same_output(which, request) -> None:
    folder, _, _, sources = request.getfixturevalue(which)
    held = [s for s, _ in held_out_items(sources, 60)]
    on_gpu = Translator.load(folder, device="cuda").translate_batch(held, beam=5)
    on_cpu = Translator.load(folder, device="cpu").translate_batch(held, beam=5)
    same = sum(a.text == b.text for a, b in zip(on_gpu, on_cpu))
    assert same >= 58, f"{same}/60 translations equal on GPU and CPU"  # float sums differ
    for a, b in zip(on_gpu, on_cpu):
        if a.target_tokens == b.target_tokens:
            np.testing.assert_allclose(a.attention, b.attention, atol=2e-3)


@pytest.mark.parametrize("which", ["gru", "transformer"])
def test_attention_on_the_gpu_keeps_its_meaning(which, request) -> None:
    """In a batch of different lengths, every row sums to 1 and no weight falls past the end of
    the sentence, for the averaged view and for every layer and head; bf16 weights too."""
    folder, _, _, sources = request.getfixturevalue(which)
    held = [s for s, _ in held_out_items(sources, 12)]
    for precision in ("fp32", "bf16"):
        tr = Translator.load(folder, device="cuda", precision=precision)
        for t in tr.translate_batch(held, beam=5):
            n = len(t.source_tokens)
            assert t.attention.shape == (len(t.target_tokens), n)
            np.testing.assert_allclose(t.attention.sum(-1), 1.0, atol=1e-3)
            if t.cross_attention is not None:
                assert t.cross_attention.shape[-2:] == (len(t.target_tokens), n)
                np.testing.assert_allclose(t.cross_attention.sum(-1), 1.0, atol=1e-3)


def test_attribution_on_the_gpu_equals_the_cpus(gru) -> None:
    folder, _, _, sources = gru
    src = held_out_items(sources, 1)[0][0]
    results = {}
    for device in ("cuda", "cpu"):
        tr = Translator.load(folder, device=device)
        shown = tr.translate(src)[0]
        results[device] = (
            shown,
            {m: attribute(tr, shown, m) for m in ("saliency", "integrated-gradients")},
        )
    gpu_shown, gpu = results["cuda"]
    cpu_shown, cpu = results["cpu"]
    assert gpu_shown.target_tokens == cpu_shown.target_tokens
    for method in gpu:
        np.testing.assert_allclose(gpu[method].normalised, cpu[method].normalised, atol=1e-3)
        np.testing.assert_allclose(gpu[method].attention, cpu[method].attention, atol=1e-4)
        np.testing.assert_allclose(gpu[method].normalised.sum(-1), 1.0, atol=1e-5)


def test_fp16_trains_with_a_scaler_and_resumes(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(core.training.loop, "PROGRESS_INTERVAL_S", 0)
    folder, report, done, _ = _gpu_run(tmp_path, GRU, 60, precision="fp16", batch_size=32)
    assert report["precision"]["precision"] == "fp16" and done.step == 60
    ckpt = CheckpointStore(folder / "checkpoints").load_last()[0]
    assert ckpt["scaler"]["scale"] > 0
    losses = [e["loss"] for e in _events(folder) if e["type"] == "progress"]
    assert len(losses) >= 50 and all(np.isfinite(losses)), losses
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 0.3, losses
    cfg = preset("tiny").train.replace(
        device="cuda", precision="fp16", max_steps=80, valid_every=80, epochs=0, batch_size=32
    )
    again = train(toy_spec(tmp_path / "data", 2000), folder, GRU, WORDS, cfg, resume=True)
    assert again.step == 80


def _events(folder: Path) -> list[dict]:
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _torchrun_train(tmp_path: Path, ranks: int) -> subprocess.CompletedProcess:
    spec = toy_spec(tmp_path / "data", 400)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(ranks)]
    cmd += ["-m", "core", "train", "--train-src", spec.src_path, "--train-tgt", spec.tgt_path]
    cmd += ["--src-lang", "en", "--tgt-lang", "en", "--tokenization", "words"]
    cmd += ["--preset", "tiny", "--device", "cuda", "--max-steps", "30", "--valid-every", "30"]
    cmd += ["--out", str(tmp_path / "m")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def test_torchrun_with_one_rank_trains_on_the_gpu(tmp_path) -> None:
    """One rank is one plain process (no process group: nothing to all-reduce), on the GPU.
    NCCL itself needs two GPUs: it refuses two ranks on one."""
    done = _torchrun_train(tmp_path, 1)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (report,) = [e["report"] for e in _events(tmp_path / "m") if e["type"] == "report"]
    assert report["device"] == "cuda", report
    assert Translator.load(tmp_path / "m", device="cuda").translate("w1 w2 w3")[0].text


def test_more_ranks_than_gpus_is_refused_with_the_fix(tmp_path) -> None:
    gpus = torch.cuda.device_count()
    done = _torchrun_train(tmp_path, gpus + 1)
    assert done.returncode != 0
    assert "no more than the GPUs per machine" in done.stdout + done.stderr
    assert f"rank {gpus} is local rank {gpus}, but this machine has {gpus} CUDA GPU(s)" in (
        done.stdout + done.stderr
    )
