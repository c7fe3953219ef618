"""core.device: which attention kernels a training process allows, and how its heap is bounded."""

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


class _FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return 1


def test_bound_heap_fixes_glibcs_mmap_threshold_unless_the_user_set_it(monkeypatch):
    libc = _FakeLibc()
    monkeypatch.setattr(_device.ctypes, "CDLL", lambda name: libc)
    monkeypatch.setattr(_device.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert _device.bound_heap() is True
    assert libc.calls == [(-3, 8 << 20)]  # M_MMAP_THRESHOLD, HEAP_MAP_BYTES
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert _device.bound_heap() is False
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    monkeypatch.setattr(_device.platform, "libc_ver", lambda: ("", ""))  # musl, macOS
    assert _device.bound_heap() is False
    assert len(libc.calls) == 1


def test_a_training_run_bounds_the_heap(tmp_path, monkeypatch):
    from tests.core.training.test_run import _cancelled_at_the_first_update

    calls = []
    monkeypatch.setattr(_device, "bound_heap", lambda: calls.append(1) or True)
    _cancelled_at_the_first_update(tmp_path)
    assert calls == [1]
