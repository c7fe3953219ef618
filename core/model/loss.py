"""The training loss both model families share (one place, so they are scored alike)."""

from __future__ import annotations

import torch
from torch import Tensor

from core.data.vocab import PAD_ID


def token_loss(logits: Tensor, tgt_out: Tensor, label_smoothing: float) -> tuple[Tensor, Tensor]:
    """Mean label-smoothed cross-entropy per target token (for the optimiser) and the summed plain
    NLL (for reports), from one log-softmax over all steps at once. logits (B, T, V)."""
    logp = torch.log_softmax(logits.float(), dim=-1)  # (B, T, V)
    mask = tgt_out != PAD_ID
    nll = -logp.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1)  # (B, T)
    if label_smoothing > 0:
        per_token = (1 - label_smoothing) * nll - label_smoothing * logp.mean(-1)
    else:
        per_token = nll
    n = mask.sum().clamp(min=1)
    loss = per_token.masked_select(mask).sum() / n
    return loss, nll.detach().masked_select(mask).sum()
