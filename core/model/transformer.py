"""An encoder-decoder Transformer, written out so that every attention weight can be shown.

Pre-norm layers (layer norm before each sub-layer, a final layer norm after each stack):

    encoder layer:  x += Drop(SelfAttn(LN(x)))          x += Drop(FF(LN(x)))
    decoder layer:  x += Drop(CausalSelfAttn(LN(x)))    x += Drop(CrossAttn(LN(x), memory))
                    x += Drop(FF(LN(x)))

Embeddings are scaled by √d_model and added to sinusoidal or learned positions. Options: one
embedding for source and target (``share_embeddings``, needs a joint vocabulary) and the target
embedding as the output layer (``tie_embeddings``).

Three ways through the same weights:
- ``loss`` (training): the fused attention kernel, no weights materialised.
- ``forward`` / ``inspect`` (forced decoding, inspection): attention written out, returning the
  weights of every layer and head the output was computed from.
- ``encode`` + ``step`` (search): one target position per step, the keys and values of earlier
  positions kept in a ``DecoderCache`` and the cross-attention keys and values computed once per
  sentence (``TransformerMemory``). This is the interface ``core.decoding.search`` drives; the GRU
  (``core.model.seq2seq.Seq2Seq``) offers the same one.

Shapes: B batch, S source length, T target length, D d_model, H heads, L decoder layers, V
vocabulary size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.config import MAX_POSITIONS, ModelConfig
from core.data.vocab import PAD_ID
from core.errors import ConfigError
from core.model.dropout import Dropout
from core.model.loss import projected_loss, target_rows
from core.model.mha import HeadOverride, MultiHeadAttention, padding_mask


@dataclass
class TransformerMemory:
    """The encoder's output for a batch, with each decoder layer's cross-attention keys and values
    (B, H, S, d) computed once."""

    states: Tensor  # (B, S, D)
    mask: Tensor  # (B, S) bool, True at real source positions
    cross_kv: list[tuple[Tensor, Tensor]]

    def index(self, idx: Tensor) -> TransformerMemory:
        """Rows ``idx`` of the batch (beams repeat a sentence; finished sentences leave)."""
        return TransformerMemory(
            self.states.index_select(0, idx),
            self.mask.index_select(0, idx),
            [(k.index_select(0, idx), v.index_select(0, idx)) for k, v in self.cross_kv],
        )


@dataclass
class DecoderCache:
    """The self-attention keys and values (B, H, t, d) of the t positions decoded so far."""

    kv: list[tuple[Tensor, Tensor]]
    pos: int = 0

    def index(self, rows: Tensor) -> DecoderCache:
        return DecoderCache(
            [(k.index_select(0, rows), v.index_select(0, rows)) for k, v in self.kv], self.pos
        )


class Positions(nn.Module):
    """Sinusoidal (fixed, no weights) or learned position vectors, added to the embeddings."""

    def __init__(self, kind: str, d_model: int) -> None:
        super().__init__()
        self.kind = kind
        if kind == "learned":
            self.table = nn.Embedding(MAX_POSITIONS, d_model)
        else:
            # computed on the CPU even while a skeleton is built on the meta device (whose
            # arange runs a Python reference kernel that imports torch._dynamo): a fixed table
            cpu = torch.device("cpu")
            pos = torch.arange(MAX_POSITIONS, dtype=torch.float32, device=cpu).unsqueeze(1)
            steps = torch.arange(0, d_model, 2, dtype=torch.float32, device=cpu)
            rate = torch.exp(steps * (-math.log(10000.0) / d_model))
            pe = torch.zeros(MAX_POSITIONS, d_model, device=cpu)
            pe[:, 0::2] = torch.sin(pos * rate)
            pe[:, 1::2] = torch.cos(pos * rate[: d_model // 2])
            self.register_buffer("pe", pe, persistent=False)

    def forward(self, start: int, length: int) -> Tensor:
        """(length, D): the vectors of positions start .. start+length-1."""
        if start + length > MAX_POSITIONS:
            raise ConfigError(f"sentences longer than {MAX_POSITIONS} tokens are not supported")
        if self.kind == "learned":
            idx = torch.arange(start, start + length, device=self.table.weight.device)
            return self.table(idx)
        return self.pe[start : start + length]


class FeedForward(nn.Sequential):
    def __init__(self, d_model: int, ff_size: int, dropout: float) -> None:
        super().__init__(
            nn.Linear(d_model, ff_size), nn.ReLU(), Dropout(dropout), nn.Linear(ff_size, d_model)
        )


class EncoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        d = cfg.hidden_size
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = MultiHeadAttention(d, cfg.heads, cfg.dropout)
        self.ff = FeedForward(d, cfg.ff_size, cfg.dropout)
        self.drop = Dropout(cfg.dropout)

    def forward(self, x: Tensor, mask: Tensor, need_weights: bool) -> tuple[Tensor, Tensor | None]:
        h = self.norm1(x)
        k, v = self.attn.keys_values(h)
        a, w = self.attn(h, k, v, mask=mask, need_weights=need_weights)
        x = x + self.drop(a)
        return x + self.drop(self.ff(self.norm2(x))), w


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        d = cfg.hidden_size
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = MultiHeadAttention(d, cfg.heads, cfg.dropout)
        self.cross_attn = MultiHeadAttention(d, cfg.heads, cfg.dropout)
        self.ff = FeedForward(d, cfg.ff_size, cfg.dropout)
        self.drop = Dropout(cfg.dropout)

    def forward(
        self,
        x: Tensor,
        cross_kv: tuple[Tensor, Tensor],
        src_mask: Tensor,
        past: tuple[Tensor, Tensor] | None = None,
        need_self: bool = False,
        need_cross: bool = False,
        override: HeadOverride | None = None,
    ) -> tuple[Tensor, tuple[Tensor, Tensor], Tensor | None, Tensor | None]:
        """x: (B, n, D), the whole target (``past`` None: causal) or the next position after
        the cached ones → new x, this layer's self keys/values (cache included), self-attention
        (B, H, n, n+t) and cross-attention (B, H, n, S) weights when asked for."""
        h = self.norm1(x)
        k, v = self.self_attn.keys_values(h)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        a, self_w = self.self_attn(h, k, v, causal=past is None, need_weights=need_self)
        x = x + self.drop(a)
        a, cross_w = self.cross_attn(
            self.norm2(x), *cross_kv, mask=src_mask, need_weights=need_cross, override=override
        )
        x = x + self.drop(a)
        return x + self.drop(self.ff(self.norm3(x))), (k, v), self_w, cross_w


class Embedder(nn.Module):
    """Token embedding × √D + position, then dropout. ``embed`` is the lookup table itself (the
    attribution methods hook it, as they hook the GRU's)."""

    def __init__(self, embed: nn.Embedding, cfg: ModelConfig) -> None:
        super().__init__()
        self.embed = embed
        self.positions = Positions(cfg.positions, cfg.hidden_size)
        self.scale = math.sqrt(cfg.hidden_size)
        self.drop = Dropout(cfg.dropout)

    def forward(self, ids: Tensor, start: int = 0) -> Tensor:
        x = self.embed(ids) * self.scale + self.positions(start, ids.size(1)).to(self.embed.weight)
        return self.drop(x)


class TransformerEncoder(nn.Module):
    def __init__(self, vocab_size: int, cfg: ModelConfig) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.hidden_size, padding_idx=PAD_ID)
        self.embedder = Embedder(self.embed, cfg)
        self.layers = nn.ModuleList([EncoderLayer(cfg) for _ in range(cfg.enc_layers)])
        self.norm = nn.LayerNorm(cfg.hidden_size)

    def forward(self, src: Tensor, need_weights: bool = False) -> tuple[Tensor, list[Tensor]]:
        """src (B, S) → states (B, S, D) and, with ``need_weights``, each layer's (B, H, S, S)."""
        mask = padding_mask(src != PAD_ID)
        x, weights = self.embedder(src), []
        for layer in self.layers:
            x, w = layer(x, mask, need_weights)
            if w is not None:
                weights.append(w)
        return self.norm(x), weights


class TransformerDecoder(nn.Module):
    def __init__(self, vocab_size: int, cfg: ModelConfig, embed: nn.Embedding | None) -> None:
        super().__init__()
        self.embed = embed or nn.Embedding(vocab_size, cfg.hidden_size, padding_idx=PAD_ID)
        self.embedder = Embedder(self.embed, cfg)
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.dec_layers)])
        self.norm = nn.LayerNorm(cfg.hidden_size)
        self.output = nn.Linear(cfg.hidden_size, vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output.weight = self.embed.weight

    def logits(self, h: Tensor) -> Tensor:
        """Final hidden states (..., D) → (..., V). Search calls it once per step."""
        return self.output(h)


class Transformer(nn.Module):
    # Exact widths: every padded source position costs the encoder a full position of work.
    SOURCE_WIDTH_MULTIPLE = 1

    def __init__(self, cfg: ModelConfig, src_vocab_size: int, tgt_vocab_size: int) -> None:
        super().__init__()
        cfg.validate()
        if cfg.share_embeddings and src_vocab_size != tgt_vocab_size:
            raise ConfigError(
                "share_embeddings needs one joint vocabulary for source and target "
                f"(got {src_vocab_size} and {tgt_vocab_size} entries)"
            )
        self.cfg = cfg
        self.encoder = TransformerEncoder(src_vocab_size, cfg)
        shared = self.encoder.embed if cfg.share_embeddings else None
        self.decoder = TransformerDecoder(tgt_vocab_size, cfg, shared)
        self._init_weights()

    def _init_weights(self) -> None:
        """Xavier-uniform matrices (as the peer toolkit), zero biases, a zero <pad> embedding."""
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)
        with torch.no_grad():
            self.encoder.embed.weight[PAD_ID].zero_()
            self.decoder.embed.weight[PAD_ID].zero_()

    @property
    def layers(self) -> int:
        return self.cfg.dec_layers

    # ---- the search interface (one position a step) ----------------------------------------
    def encode(self, src: Tensor, src_len: Tensor) -> tuple[TransformerMemory, DecoderCache]:
        """→ the memory to attend to, and an empty decoder cache."""
        states, _ = self.encoder(src)
        kv = [layer.cross_attn.keys_values(states) for layer in self.decoder.layers]
        return TransformerMemory(states, src != PAD_ID, kv), DecoderCache([])

    def step(
        self,
        prev: Tensor,
        cache: DecoderCache,
        memory: TransformerMemory,
        override: HeadOverride | None = None,
    ) -> tuple[Tensor, DecoderCache, Tensor, Tensor]:
        """prev (B,) the last tokens → logits (B, V), the cache one position longer, the shown
        attention (B, S) (mean over the last layer's heads) and every layer's and head's
        cross-attention (B, L, H, S)."""
        x = self.decoder.embedder(prev.unsqueeze(1), start=cache.pos)
        mask = padding_mask(memory.mask)
        kv, cross = [], []
        for i, layer in enumerate(self.decoder.layers):
            past = cache.kv[i] if cache.kv else None
            if past is None:  # the first step: nothing cached, attend to the one position itself
                att = layer.self_attn
                past = (x.new_zeros(x.size(0), att.heads, 0, att.d_head),) * 2
            x, layer_kv, _, w = layer(
                x,
                memory.cross_kv[i],
                mask,
                past=past,
                need_cross=True,
                override=override if override is not None and override.layer == i else None,
            )
            kv.append(layer_kv)
            cross.append(w[:, :, 0])  # (B, H, S)
        logits = self.decoder.logits(self.decoder.norm(x[:, 0]))
        heads = torch.stack(cross, dim=1)  # (B, L, H, S)
        return logits, DecoderCache(kv, cache.pos + 1), heads[:, -1].mean(1), heads

    @staticmethod
    def reorder(cache: DecoderCache, rows: Tensor) -> DecoderCache:
        return cache.index(rows)

    # ---- whole sequences -------------------------------------------------------------------
    def inspect(
        self, src: Tensor, src_len: Tensor, tgt_in: Tensor, self_attention: bool = False
    ) -> dict[str, Tensor]:
        """Teacher forcing with the attention written out: ``logits`` (B, T, V), ``cross``
        (B, L, H, T, S) and, with ``self_attention``, ``encoder_self`` (B, Le, H, S, S) and
        ``decoder_self`` (B, L, H, T, T)."""
        states, enc_w = self.encoder(src, need_weights=self_attention)
        mask = padding_mask(src != PAD_ID)
        x = self.decoder.embedder(tgt_in)
        cross, dec_w = [], []
        for layer in self.decoder.layers:
            kv = layer.cross_attn.keys_values(states)
            x, _, sw, cw = layer(x, kv, mask, need_self=self_attention, need_cross=True)
            cross.append(cw)
            if sw is not None:
                dec_w.append(sw)
        out = {
            "logits": self.decoder.logits(self.decoder.norm(x)),
            "cross": torch.stack(cross, dim=1),
        }
        if self_attention:
            out["encoder_self"] = torch.stack(enc_w, dim=1)
            out["decoder_self"] = torch.stack(dec_w, dim=1)
        return out

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> tuple[Tensor, Tensor]:
        """Forced decoding (inspection path) → logits (B, T, V) and the shown attention (B, T,
        S): the mean over the last layer's heads, as ``Seq2Seq.forward`` returns its one."""
        out = self.inspect(src, src_len, tgt_in)
        return out["logits"], out["cross"][:, -1].mean(1)

    def train_states(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher forcing on the fused attention kernel (no weights kept) → the decoder's final
        states (B, T, D), which the output projection reads."""
        states, _ = self.encoder(src)
        mask = padding_mask(src != PAD_ID)
        x = self.decoder.embedder(tgt_in)
        for layer in self.decoder.layers:
            x, _, _, _ = layer(x, layer.cross_attn.keys_values(states), mask)
        return self.decoder.norm(x)

    def train_logits(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """The training path's logits (B, T, V), whole: what ``loss`` scores chunk by chunk."""
        return self.decoder.logits(self.train_states(src, tgt_in))

    def loss(
        self,
        src: Tensor,
        src_len: Tensor,
        tgt_in: Tensor,
        tgt_out: Tensor,
        label_smoothing: float = 0.0,
    ) -> tuple[Tensor, Tensor]:
        """Mean label-smoothed cross-entropy per target token and the summed plain NLL, on the
        real target positions only and a chunk of them at a time (core.model.loss)."""
        rows, targets = target_rows(self.train_states(src, tgt_in), tgt_out)
        return projected_loss(rows, self.decoder.output.weight, targets, label_smoothing)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
