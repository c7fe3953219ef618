"""core.device: which attention kernels a training process allows."""

from __future__ import annotations

import pytest
import torch

from core import device as _device


@pytest.fixture
def cudnn_sdp_restored():
    before = torch.backends.cuda.cudnn_sdp_enabled()
    yield
    torch.backends.cuda.enable_cudnn_sdp(before)


def test_training_on_cuda_turns_cudnn_attention_off(cudnn_sdp_restored) -> None:
    torch.backends.cuda.enable_cudnn_sdp(True)
    _device.shape_stable_attention(torch.device("cuda", 0))  # a device object needs no GPU
    assert not torch.backends.cuda.cudnn_sdp_enabled()
    assert torch.backends.cuda.flash_sdp_enabled()
    assert torch.backends.cuda.mem_efficient_sdp_enabled()


def test_training_on_the_cpu_leaves_the_attention_kernels_alone(cudnn_sdp_restored) -> None:
    torch.backends.cuda.enable_cudnn_sdp(True)
    _device.shape_stable_attention(torch.device("cpu"))
    assert torch.backends.cuda.cudnn_sdp_enabled()


_HEAP_PROBE = """
import ctypes, sys
from core import device
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]

def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

# 800 buffers of 100 KiB (below glibc's mmap threshold: from the heap), written so their pages
# are resident; every other one stays, so freeing the rest leaves ~40 MB of free heap in holes
# that cannot shrink from the top
buffers = []
for _ in range(800):
    p = libc.malloc(100 << 10)
    ctypes.memset(p, 1, 100 << 10)
    buffers.append(p)
for p in buffers[::2]:
    libc.free(p)
before = resident_mb()
ran = device.release_free_heap() if sys.argv[1] == "release" else False
print(int(ran), round(before - resident_mb()))
"""


def _heap_probe(mode: str) -> tuple[int, int]:
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _HEAP_PROBE, mode], capture_output=True, text=True, env=os.environ
    )
    assert out.returncode == 0, out.stderr
    ran, freed_mb = out.stdout.split()
    return int(ran), int(freed_mb)


glibc = pytest.mark.skipif(
    __import__("platform").libc_ver()[0] != "glibc", reason="glibc's malloc only"
)


@glibc
def test_the_free_heap_goes_back_to_the_system() -> None:
    # 40 MB freed in the middle of the heap stays resident until it is released
    ran, freed_mb = _heap_probe("keep")
    assert ran == 0 and freed_mb < 5
    ran, freed_mb = _heap_probe("release")
    assert ran == 1 and freed_mb >= 30
