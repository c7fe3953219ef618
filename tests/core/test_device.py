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
