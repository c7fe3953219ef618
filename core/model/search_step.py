"""A search step's attention and GRU cell through the compiled kernels (core.native).

Searching (greedy, beam, validation, the inspector's views) runs the decoder one step at a time
without gradients: PyTorch spends that step in some fifteen small operations, each a pass over
its tensor and a dispatch, with the energies and the gates computed in bf16 when the weights are.
The kernels do the attention and the cell's gates in one pass each, in fp32 from the products'
results. Both functions answer None where the kernels do not run (a gradient is wanted, another
device, no compiler); the caller then runs its PyTorch code, the reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import native

if TYPE_CHECKING:
    from core.model.seq2seq import Attention, Memory


def _applies(x: Tensor) -> bool:
    return not torch.is_grad_enabled() and x.device.type == "cpu" and native.available()


def additive_attention(
    attention: Attention, query: Tensor, memory: Memory
) -> tuple[Tensor, Tensor] | None:
    """query (B, H) → context (B, K) in the values' dtype, weights (B, S) fp32.

    vᵀ tanh(x) = 2 vᵀ σ(2x) − Σ v, and the softmax ignores the constant, so the kernel scores
    σ(2 keys + 2 q) with 2 v, as the training step's recurrence does."""
    if not _applies(query):
        return None
    q2 = attention.query_layer(query).mul_(2)  # (B, A)
    batch, src = memory.mask.shape
    weights = torch.empty(batch, src)
    context = memory.values.new_empty(batch, memory.values.size(-1))
    v2 = attention.v.float().mul(2)
    keys2 = memory.doubled_keys()
    if native.attention_forward(keys2, q2, v2, memory.mask, None, weights, memory.values, context):
        return context, weights
    return None


def gru_cell(cell: nn.GRUCell, x: Tensor, hidden: Tensor) -> Tensor | None:
    """``cell(x, hidden)``: the two products through PyTorch, the gates in one pass; the new
    state (B, H) in the hidden state's dtype."""
    if not (_applies(x) and cell.bias):
        return None
    gi = F.linear(x, cell.weight_ih, cell.bias_ih)
    gh = F.linear(hidden, cell.weight_hh, cell.bias_hh)
    state = hidden.float().contiguous()
    out = torch.empty_like(state)
    copy = torch.empty_like(hidden) if hidden.dtype == torch.bfloat16 else None
    if native.gru_forward(gi, gh, state, None, out, state_copy=copy):
        return out if copy is None else copy
    return None
