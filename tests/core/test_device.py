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
libc.free.argtypes = [ctypes.c_void_p]

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                 "uordblks", "fordblks", "keepcost")]

libc.mallinfo2.restype = Info
took = device.map_large_buffers() if sys.argv[1] == "map" else False
libc.free(libc.malloc(4 << 20))  # glibc's dynamic threshold rises to a freed mapped buffer's size
before = libc.mallinfo2().hblks
p = libc.malloc(300 << 10)
print(int(took), libc.mallinfo2().hblks - before)
libc.free(p)
"""


def _heap_probe(mode: str, env: dict[str, str] | None = None) -> tuple[int, int]:
    import os
    import subprocess
    import sys

    env = {**os.environ, **(env or {})}
    out = subprocess.run(
        [sys.executable, "-c", _HEAP_PROBE, mode], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    took, mapped = out.stdout.split()
    return int(took), int(mapped)


glibc = pytest.mark.skipif(
    __import__("platform").libc_ver()[0] != "glibc", reason="glibc's malloc only"
)


@glibc
def test_training_buffers_are_mapped_whole_once_asked() -> None:
    # As glibc comes, a 300 KiB buffer after a freed 4 MiB one comes from the heap (where the
    # per-batch tensors of a run fragment it); with the threshold fixed it is mapped on its own.
    assert _heap_probe("leave") == (0, 0)
    assert _heap_probe("map") == (1, 1)


@glibc
def test_a_users_own_malloc_setting_is_kept() -> None:
    took, _ = _heap_probe("map", {"MALLOC_MMAP_THRESHOLD_": "33554432"})
    assert took == 0
