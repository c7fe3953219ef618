"""Multi-head attention with two paths that compute the same thing.

- Training (``need_weights=False``): torch's fused ``scaled_dot_product_attention`` kernel; the
  weights are never materialised.
- Inspection and decoding (``need_weights=True``): the same formula written out,
  ``softmax(Q Kᵀ / √d_head + mask) V``, so the weights returned are exactly the ones the output
  was computed from (one per layer, head, query and key). A test checks the two paths give the
  same output probabilities.

Masks are boolean, True where a query may look: (B, 1, 1, S) for key padding, (1, 1, T, T) lower
triangular for "no future positions". Masked scores are -inf before the softmax, so a masked
weight is exactly 0.

Shapes: B batch, H heads, L query length, M key length, D = d_model, d = D / H.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.model.dropout import dropout


@dataclass(frozen=True)
class HeadOverride:
    """Replace one layer's cross-attention weights (all heads, or one) by ``weights`` (B, M):
    the what-if experiment "had it looked there". ``layer`` counts from 0."""

    weights: Tensor
    layer: int
    head: int | None = None


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.d_head = d_model // heads
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout = dropout

    def split(self, x: Tensor) -> Tensor:
        """(B, L, D) → (B, H, L, d)."""
        b, n, _ = x.shape
        return x.view(b, n, self.heads, self.d_head).transpose(1, 2)

    def keys_values(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(B, M, D) → keys and values (B, H, M, d); cross-attention computes them once."""
        return self.split(self.key(x)), self.split(self.value(x))

    def forward(
        self,
        x: Tensor,
        k: Tensor,
        v: Tensor,
        mask: Tensor | None = None,
        causal: bool = False,
        need_weights: bool = False,
        override: HeadOverride | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """x: (B, L, D) queries; k, v: (B, H, M, d) → output (B, L, D) and, with
        ``need_weights``, the weights (B, H, L, M) in float32."""
        q = self.split(self.query(x))
        b, _, n, _ = q.shape
        if not need_weights and override is None:
            p = self.dropout if self.training else 0.0
            if causal:
                ctx = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
            else:
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
            return self.out(ctx.transpose(1, 2).reshape(b, n, -1)), None
        weights = attention_weights(q, k, mask, causal)
        if override is not None:
            weights = apply_override(weights, override)
        w = dropout(weights, self.dropout, self.training)
        ctx = torch.matmul(w.to(v.dtype), v)
        return self.out(ctx.transpose(1, 2).reshape(b, n, -1)), weights


def attention_weights(q: Tensor, k: Tensor, mask: Tensor | None, causal: bool) -> Tensor:
    """softmax(Q Kᵀ / √d + mask) in float32: (B, H, L, M). With ``causal`` query i (of the
    last L of M positions) sees keys up to its own position only."""
    scores = torch.matmul(q, k.transpose(-2, -1)).float() / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    if causal:
        n, m = scores.shape[-2:]
        future = torch.ones(n, m, dtype=torch.bool, device=q.device).triu(m - n + 1)
        scores = scores.masked_fill(future, float("-inf"))
    return torch.softmax(scores, dim=-1)


def apply_override(weights: Tensor, override: HeadOverride) -> Tensor:
    """weights (B, H, L, M) with the chosen head(s) replaced by the override's rows."""
    new = override.weights.to(weights.dtype)[:, None, None, :]  # (B, 1, 1, M)
    weights = weights.clone()
    if override.head is None:
        weights[:] = new.expand_as(weights)
    else:
        weights[:, override.head] = new[:, 0].expand_as(weights[:, override.head])
    return weights


def padding_mask(lengths_mask: Tensor) -> Tensor:
    """(B, M) bool, True at real positions → (B, 1, 1, M), broadcast over heads and queries."""
    return lengths_mask[:, None, None, :]
