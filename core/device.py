"""Choosing where the model runs: CUDA if present, then Apple MPS, else the CPU."""

from __future__ import annotations

import ctypes
import os
import platform

import torch

from core.errors import ConfigError


def resolve(name: str = "auto") -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "device 'cuda' was asked for, but no CUDA GPU is available to PyTorch here"
        )
    if name == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ConfigError("device 'mps' was asked for, but Apple's MPS is not available here")
    if name not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"unknown device {name!r}; choose auto, cpu, cuda or mps")
    return torch.device(name)


def describe_devices() -> list[tuple[str, str]]:
    """(value, label) pairs for a device chooser, naming the GPU that was found, if any."""
    cores = os.cpu_count() or 1
    out = [("cpu", f"CPU ({cores} cores)")]
    if torch.cuda.is_available():
        out.append(("cuda", f"GPU: {torch.cuda.get_device_name(0)}"))
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append(("mps", "GPU: Apple MPS"))
    auto = out[-1][1] if len(out) > 1 else f"{out[0][1]}; no GPU found"
    return [("auto", f"Automatic ({auto})"), *out]


def set_threads(num_threads: int | None, leave_one: bool = False) -> int:
    """Set torch's intra-op threads *in the calling thread* (the setting is per thread in effect).

    ``ATTNSCOPE_THREADS`` overrides the default, e.g. to keep tests from oversubscribing a machine.
    """
    env = os.environ.get("ATTNSCOPE_THREADS", "")
    n = (
        num_threads
        or (int(env) if env.isdigit() and int(env) > 0 else 0)
        or max(1, (os.cpu_count() or 1) - (1 if leave_one else 0))
    )
    torch.set_num_threads(n)
    return n


# Entries each of oneDNN's two kernel caches may hold during training (both default to 1,024).
# Every new matmul shape compiles and caches a kernel; with rounded source widths and loss rows
# a GRU run's working set fits in 64, and the default bound let a 10-minute bf16 run grow to
# 1,291 MB instead of 1,001 MB at the same speed (docs/benchmarks.md, "Lean"). A bf16 kernel
# costs ~2 MB kept, and one held by either cache stays alive.
KERNEL_CACHE_ENTRIES = 64  # oneDNN's primitive cache: a miss compiles the kernel again
# ideep's cache in front of it (PyTorch's matmul parameters and their primitive): a miss costs
# a lookup in oneDNN's cache, not a compilation, so 16 entries train as fast as 64 and keep
# ~60 MB fewer kernels alive (docs/benchmarks.md, "The heap's growth stopped, and the kernel
# caches")
IDEEP_CACHE_ENTRIES = 16


def bound_kernel_caches() -> None:
    """Bound PyTorch's ideep cache and oneDNN's primitive cache for this process, unless the
    user set them. Both are read when oneDNN first runs, so call it before a model computes."""
    os.environ.setdefault("LRU_CACHE_CAPACITY", str(IDEEP_CACHE_ENTRIES))
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(KERNEL_CACHE_ENTRIES))


#: glibc's malloc maps a buffer of this size or more on its own, and unmaps it when freed. By
#: default the bound rises to the size of every mapped buffer freed (up to 32 MiB), so a training
#: step's large buffers all come from the heap, whose holes stay resident: 8 MiB kept a 120-s bf16
#: run's peak 26 MB lower at ~3 % of its speed (4 MiB: 30 MB, ~8 %; 16 MiB: 9 MB) — few buffers
#: are that large, so few pay a fresh mapping's page faults (docs/benchmarks.md, "Fewer kernels
#: prepared"; 256 KiB cost 35 %: "The heap, the review, and what else was tried").
HEAP_MAP_BYTES = 8 << 20
_M_MMAP_THRESHOLD = -3  # mallopt's parameter, from glibc's malloc.h


def bound_heap() -> bool:
    """Fix glibc's mmap threshold at ``HEAP_MAP_BYTES`` for this process, unless the user set
    ``MALLOC_MMAP_THRESHOLD_`` or the C library is not glibc; True when it was set."""
    if os.environ.get("MALLOC_MMAP_THRESHOLD_") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, HEAP_MAP_BYTES))


def shape_stable_attention(device: torch.device) -> None:
    """On CUDA, keep PyTorch's fused attention off its cuDNN backend for this process. cuDNN
    builds an execution graph for every new (batch, length) shape, 15-20 ms of CPU in the forward
    and again in the backward pass, and length-bucketed batches bring a new shape at almost every
    step: the base Transformer trained at 8,008 target tokens/s on an H200 with it and 36,465
    without (docs/benchmarks.md, "On a CUDA GPU"; ``bench/gpu_step.py``). FlashAttention and the
    memory-efficient kernel are as fast once warm and pay nothing per shape."""
    if device.type == "cuda":
        torch.backends.cuda.enable_cudnn_sdp(False)
