"""The dtype matrix products run in, for operations that take their products themselves."""

from __future__ import annotations

import torch


def matmul_dtype(device_type: str, otherwise: torch.dtype) -> torch.dtype:
    """Autocast's dtype where autocast is on for ``device_type`` (what ``nn.Linear`` would run
    in), else ``otherwise`` (the operands' own): the fused loss and recurrences compute their
    products outside autocast and must match what autocast would have chosen."""
    if torch.is_autocast_enabled(device_type):
        return torch.get_autocast_dtype(device_type)
    return otherwise
