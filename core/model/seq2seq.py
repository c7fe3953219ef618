"""The network: embeddings → GRU encoder → attention → GRU decoder → output layer.

Shapes use B = batch, S = source length, T = target length, E = embedding size, H = decoder hidden
size, K = encoder output size (H, or 2H when bidirectional), V = vocabulary size.

Bahdanau (additive) attention, with s_{i-1} the decoder state before step i and h_j the encoder
states:  e_ij = vᵀ tanh(W s_{i-1} + U h_j),  α_ij = softmax_j(e_ij),  c_i = Σ_j α_ij h_j.
Padded source positions are masked to -inf before the softmax, so their weight is exactly 0.
``U h_j`` does not depend on i, so it is computed once per sentence (``project_keys``). The
Luong decoder scores every step at once with ``core.model.additive``, whose backward pass
recomputes the tanh instead of keeping a (B, T, S, A) tensor.

Two decoders share that attention (``ModelConfig.decoder``):
- ``bahdanau`` (the classic tutorial's): attend with the previous state, feed the context into
  the GRU with the previous word. Each step depends on the last one's attention, so training
  runs the GRU one step at a time.
- ``luong``: run the GRU over the previous words first, then attend with its output
  (``c_i`` from ``s_i``, not ``s_{i-1}``) and combine ``tanh(W_c [s_i; c_i])``. Nothing feeds
  back, so training pushes the whole target through one fused GRU call and scores every step's
  attention in one batched operation: faster, slightly different model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core.config import ModelConfig
from core.data.vocab import PAD_ID
from core.model import search_step
from core.model.additive import additive_scores
from core.model.dropout import Dropout, dropout
from core.model.loss import projected_loss, target_rows
from core.model.recurrence import bahdanau_recurrence, gru_layer
from core.model.row_blocks import in_row_blocks
from core.model.row_order import rows_in_order

#: train the GRU recurrences through core.model.recurrence where it applies (every encoder,
#: and the Bahdanau decoder with one layer); False: step by step with autograd, the reference
#: the tests and ``bench/recurrence.py`` compare with
FUSED_RECURRENCE = True

_UNPACKED_WARNING = "RNN module weights are not part of single contiguous chunk"


class GRU(nn.GRU):
    """``nn.GRU`` that runs bfloat16 weights on CUDA without warning at every call.

    cuDNN runs bf16 GRUs, but ``flatten_parameters`` packs only weights that
    ``torch.backends.cudnn.is_acceptable`` takes (fp16, fp32, fp64), so a bf16 copy of a model
    (``Translator.load(..., precision="bf16")``) is copied into one block at each call, and
    PyTorch warns each time. The copy is a few MB (microseconds on a GPU) and the outputs are
    right, so for that case alone the warning, which would print on every translation, is
    silenced. Training keeps fp32 weights (autocast), which flatten; there it still warns."""

    def forward(self, *args, **kwargs):
        w = self.weight_ih_l0
        if w.dtype != torch.bfloat16 or not w.is_cuda:
            return super().forward(*args, **kwargs)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _UNPACKED_WARNING, UserWarning)
            return super().forward(*args, **kwargs)


@dataclass
class Memory:
    """What the decoder attends to, prepared once per batch."""

    values: Tensor  # (B, S, K) encoder states
    keys: Tensor  # (B, S, A) encoder states projected for the attention score
    mask: Tensor  # (B, S) bool, True at real (non-padding) positions
    #: 2 · keys in fp32, what the compiled attention of a search step reads; made on first use
    doubled: Tensor | None = field(default=None, repr=False, compare=False)

    def index(self, idx: Tensor) -> Memory:
        """Rows ``idx`` of the batch, e.g. to repeat each sentence once per beam."""
        return Memory(
            self.values.index_select(0, idx),
            self.keys.index_select(0, idx),
            self.mask.index_select(0, idx),
            None if self.doubled is None else self.doubled.index_select(0, idx),
        )

    def doubled_keys(self) -> Tensor:
        if self.doubled is None:
            self.doubled = self.keys.float().mul(2).contiguous()
        return self.doubled


class Encoder(nn.Module):
    def __init__(self, vocab_size: int, cfg: ModelConfig) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.emb_size, padding_idx=PAD_ID)
        self.dropout = Dropout(cfg.dropout)
        self.rnn = GRU(
            cfg.emb_size,
            cfg.hidden_size,
            num_layers=cfg.enc_layers,
            batch_first=True,
            bidirectional=cfg.bidirectional,
            dropout=cfg.dropout if cfg.enc_layers > 1 else 0.0,
        )
        self.output_size = cfg.hidden_size * (2 if cfg.bidirectional else 1)

    def forward(self, src: Tensor, src_len: Tensor) -> tuple[Tensor, Tensor]:
        """src: (B, S) ids, src_len: (B,) → states (B, S, K), final (B, K) of the top layer."""
        x = self.dropout(self.embed(src))  # (B, S, E)
        if self._fused_recurrence(x):
            states, h_n = self._run_layers(x, src_len)
        else:
            packed = pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
            out, h_n = self.rnn(packed)  # h_n: (layers*dirs, B, H)
            states, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))
        if self.rnn.bidirectional:
            final = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)
        else:
            final = h_n[-1]  # (B, H)
        return self.dropout(states), final

    def _fused_recurrence(self, x: Tensor) -> bool:
        """Training on the CPU, and evaluating there under autocast (a bf16 run's validation).
        The packed ``nn.GRU`` multiplies each step's running sentences (1…B rows) and all real
        positions (ΣS rows): a new product shape for oneDNN in nearly every batch, ~80 per
        validation, which evicted training's kernels (prepared again after it: 150-210 kernels
        per 300 updates against ~20 this way). fp32 translation keeps the packed call (MKL's
        products keep no kernels; it was 5-7 % faster there)."""
        if not self.rnn.bias:
            return False
        if self.training:
            return _trains_fused(self, x)
        return (
            FUSED_RECURRENCE
            and x.device.type == "cpu"
            and torch.is_autocast_enabled("cpu")
            and self.rnn.weight_hh_l0.dtype == torch.float32
        )

    def _run_layers(self, x: Tensor, src_len: Tensor) -> tuple[Tensor, Tensor]:
        """``self.rnn`` on the padded batch with its own weights, both directions of a layer
        in one core.model.recurrence.gru_layer (training on the CPU) → states (B, S, K) zero
        at padding, h_n (layers·dirs, B, H): what the packed call returns."""
        rnn = self.rnn
        batch, steps = x.shape[:2]
        names = [""] + (["_reverse"] if rnn.bidirectional else [])
        mask = torch.arange(steps, device=x.device) < src_len.to(x.device).unsqueeze(1)
        dirs = len(names)
        if dirs > 1:
            to_layer, from_layer = _direction_orders(batch, steps, int(src_len.max()), x.device)
            masks = mask.reshape(-1, 1).expand(-1, 2).reshape(-1)[to_layer].view(2, batch, steps)
        else:
            masks = mask.unsqueeze(0)
        h0 = x.new_zeros(dirs, batch, rnn.hidden_size, dtype=torch.float32)
        finals = []
        for layer in range(rnn.num_layers):
            weights = {
                kind: [getattr(rnn, f"{kind}_l{layer}{name}") for name in names]
                for kind in ("weight_ih", "bias_ih", "weight_hh", "bias_hh")
            }
            w_ih, b_ih = torch.cat(weights["weight_ih"]), torch.cat(weights["bias_ih"])
            gates = in_row_blocks(partial(F.linear, weight=w_ih, bias=b_ih), x)  # (B, S, D·3H)
            if dirs > 1:
                gates = rows_in_order(gates.reshape(-1, gates.size(-1) // 2), to_layer, from_layer)
            gates = gates.view(dirs, batch, steps, -1)
            out, final = gru_layer(
                gates,
                h0,
                torch.stack(weights["weight_hh"]),
                torch.stack(weights["bias_hh"]),
                masks,
            )
            if dirs > 1:
                out = rows_in_order(out.view(-1, out.size(-1)), from_layer, to_layer)
            x = out.view(batch, steps, -1)
            finals.extend(final.unbind(0))
            if layer < rnn.num_layers - 1:
                x = dropout(x, rnn.dropout, self.training)
        return x, torch.stack(finals)


def _direction_orders(batch: int, steps: int, longest: int, device) -> tuple[Tensor, Tensor]:
    """The row orders between a bidirectional layer's (B, S, D) layout (the input gates' and
    the output's positions, the directions side by side) and gru_layer's (D, B, S): the
    reverse direction reads each sentence flipped, the batch's first ``longest`` positions
    reversed. The positions past the longest sentence (the width is rounded up) are then padding
    at the end in both directions, where the recurrence stops before them. Each order is the
    other's inverse (a flip is its own)."""
    reverse = torch.cat([torch.arange(longest - 1, -1, -1), torch.arange(longest, steps)])
    position = torch.stack([torch.arange(steps), reverse])  # (D, S): which position step s reads
    b = torch.arange(batch).view(1, batch, 1)
    d = torch.arange(2).view(2, 1, 1)
    to_layer = ((b * steps + position.unsqueeze(1)) * 2 + d).reshape(-1)  # (D, B, S) ← (B, S, D)
    from_layer = torch.empty_like(to_layer)
    from_layer[to_layer] = torch.arange(to_layer.numel())
    return to_layer.to(device), from_layer.to(device)


class Attention(nn.Module):
    """Scores a decoder query against every encoder state: additive, dot or general."""

    def __init__(self, kind: str, query_size: int, key_size: int) -> None:
        super().__init__()
        self.kind = kind
        if kind == "bahdanau":
            self.key_layer = nn.Linear(key_size, query_size, bias=False)  # U
            self.query_layer = nn.Linear(query_size, query_size, bias=False)  # W
            self.energy = nn.Linear(query_size, 1, bias=False)  # v
        elif kind == "general":
            self.key_layer = nn.Linear(key_size, query_size, bias=False)  # W_a
        elif kind != "dot":
            raise ValueError(kind)

    @property
    def v(self) -> Tensor:
        """The additive score's vector v, (A,)."""
        return self.energy.weight.squeeze(0)

    def project_keys(self, values: Tensor) -> Tensor:
        """values: (B, S, K) → keys: (B, S, A); done once per sentence, not once per step."""
        if self.kind == "dot":
            return values
        return in_row_blocks(self.key_layer, values)

    def forward_all(self, queries: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        """All steps at once: queries (B, T, H) → contexts (B, T, K), weights (B, T, S)."""
        if self.kind == "bahdanau":
            scores = additive_scores(self.query_layer(queries), memory.keys, self.v)
        else:
            scores = torch.bmm(queries, memory.keys.transpose(1, 2))  # (B, T, S)
        scores = scores.masked_fill(~memory.mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores.float(), dim=-1)
        return torch.bmm(weights.to(memory.values.dtype), memory.values), weights

    def forward(
        self, query: Tensor, memory: Memory, override: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """query: (B, H) → context (B, K), weights (B, S) with rows summing to 1.

        ``override`` (B, S) replaces the computed weights: the "what if it had looked there"
        experiment of the inspector."""
        if override is not None:
            weights = override.float()
            return _weighted_sum(weights, memory.values), weights
        if self.kind == "bahdanau":
            searched = search_step.additive_attention(self, query, memory)
            if searched is not None:
                return searched
            # one step: keeping this step's tanh for backward costs less time than recomputing
            # it (measured: the recomputation made a Bahdanau training step 13 % slower)
            q = self.query_layer(query).unsqueeze(1)  # (B, 1, A)
            scores = self.energy(torch.tanh(q + memory.keys)).squeeze(-1)  # (B, S)
        else:
            scores = torch.bmm(memory.keys, query.unsqueeze(-1)).squeeze(-1)
        scores = scores.masked_fill(~memory.mask, float("-inf"))
        weights = torch.softmax(scores.float(), dim=-1)  # fp32 even under bf16
        return _weighted_sum(weights, memory.values), weights  # (B, K), (B, S)


def _weighted_sum(weights: Tensor, values: Tensor) -> Tensor:
    """One step's context, weights (B, S) · values (B, S, K) → (B, K), in the values' dtype even
    under autocast: autocast would cast the (B, S, K) encoder states to bf16 at every decoder step
    and keep each copy for the backward pass (141 MB for a 64 × 48 batch of 47 steps, the largest
    thing a Bahdanau training step held); this way the one tensor is kept, once."""
    with torch.autocast(values.device.type, enabled=False):
        return torch.bmm(weights.to(values.dtype).unsqueeze(1), values).squeeze(1)


def _trains_fused(module: nn.Module, x: Tensor) -> bool:
    """Training on the CPU, where core.model.recurrence's hand-written backward passes pay off;
    evaluation, inspection and other devices step through the reference."""
    return (
        FUSED_RECURRENCE and module.training and torch.is_grad_enabled() and x.device.type == "cpu"
    )


class Decoder(nn.Module):
    """A GRU fed [embedding of the previous word; attention context] at every step."""

    def __init__(self, vocab_size: int, cfg: ModelConfig, memory_size: int) -> None:
        super().__init__()
        h = cfg.hidden_size
        self.layers = cfg.dec_layers
        self.hidden_size = h
        self.embed = nn.Embedding(vocab_size, cfg.emb_size, padding_idx=PAD_ID)
        self.dropout = Dropout(cfg.dropout)
        self.attention = Attention(cfg.attention, h, memory_size)
        self.bridge = nn.Linear(memory_size, h * cfg.dec_layers)
        features = self._build_rnn(cfg, memory_size)
        readout_size = cfg.emb_size if cfg.tie_embeddings else h
        self.readout = nn.Linear(features, readout_size)
        self.output = nn.Linear(readout_size, vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output.weight = self.embed.weight

    def _build_rnn(self, cfg: ModelConfig, memory_size: int) -> int:
        """The recurrent part; returns the size of the features the readout reads."""
        h = cfg.hidden_size
        self.cells = nn.ModuleList(
            [
                nn.GRUCell(cfg.emb_size + memory_size if i == 0 else h, h)
                for i in range(cfg.dec_layers)
            ]
        )
        return h + memory_size + cfg.emb_size  # [s_i; c_i; y_{i-1}]

    def init_hidden(self, final: Tensor) -> Tensor:
        """final: (B, K) → hidden (layers, B, H)."""
        h = torch.tanh(self.bridge(final))
        return h.view(h.size(0), self.layers, self.hidden_size).transpose(0, 1).contiguous()

    def step(
        self, emb: Tensor, hidden: Tensor, memory: Memory, attn_override: Tensor | None = None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """One decoder step. emb: (B, E), hidden: (layers, B, H) → features (B, H+K+E),
        new hidden (layers, B, H), attention weights (B, S)."""
        context, weights = self.attention(hidden[-1], memory, attn_override)
        x = torch.cat([emb, context], dim=-1)
        new = []
        for i, cell in enumerate(self.cells):
            h_i = search_step.gru_cell(cell, x, hidden[i])
            if h_i is None:
                h_i = cell(x, hidden[i])
            new.append(h_i)
            x = self.dropout(h_i)
        return torch.cat([x, context, emb], dim=-1), torch.stack(new), weights

    def _fused_recurrence(self, embs: Tensor) -> bool:
        return (
            _trains_fused(self, embs)
            and self.layers == 1
            and self.attention.kind == "bahdanau"
            and self.cells[0].bias
        )

    def readout_states(self, features: Tensor) -> Tensor:
        """features: (..., H+K+E) → what the output projection reads (..., R)."""
        return self.dropout(torch.tanh(in_row_blocks(self.readout, features)))

    def logits(self, features: Tensor) -> Tensor:
        """features: (..., H+K+E) → (..., V)."""
        return self.output(self.readout_states(features))

    def teacher_forced(self, embs: Tensor, hidden: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        """embs: (B, T, E) of the previous words → features (B, T, F), attention (B, T, S).

        Training on the CPU runs the whole recurrence as one operation (core.model.recurrence:
        the same function, a faster backward pass); everything else steps through ``step``."""
        if self._fused_recurrence(embs):
            cell = self.cells[0]
            states, contexts, attns = bahdanau_recurrence(
                embs,
                hidden[0],
                memory.keys,
                memory.values,
                memory.mask,
                self.attention.query_layer.weight,
                self.attention.v,
                cell.weight_ih,
                cell.bias_ih,
                cell.weight_hh,
                cell.bias_hh,
            )
            return torch.cat([self.dropout(states), contexts, embs], dim=-1), attns
        features, attns = [], []
        for t in range(embs.size(1)):
            f, hidden, a = self.step(embs[:, t], hidden, memory)
            features.append(f)
            attns.append(a)
        return torch.stack(features, dim=1), torch.stack(attns, dim=1)


class LuongDecoder(Decoder):
    """Attention after the RNN: the GRU reads only the previous words, so teacher forcing is one
    fused (cuDNN / oneDNN) GRU call over the whole target, then one batched attention.
    (Running this GRU through ``core.model.recurrence.gru_layer``, as the encoder's, measured
    no clear gain on the CPU: ``docs/benchmarks.md``, "The heap, the review, and what else was
    tried".)"""

    def _build_rnn(self, cfg: ModelConfig, memory_size: int) -> int:
        self.rnn = GRU(
            cfg.emb_size,
            cfg.hidden_size,
            num_layers=cfg.dec_layers,
            batch_first=True,
            dropout=cfg.dropout if cfg.dec_layers > 1 else 0.0,
        )
        return cfg.hidden_size + memory_size  # W_c reads [s_i; c_i]

    def step(
        self, emb: Tensor, hidden: Tensor, memory: Memory, attn_override: Tensor | None = None
    ) -> tuple[Tensor, Tensor, Tensor]:
        out, hidden = self.rnn(emb.unsqueeze(1), hidden)
        query = self.dropout(out[:, 0])
        context, weights = self.attention(query, memory, attn_override)
        return torch.cat([query, context], dim=-1), hidden, weights

    def teacher_forced(self, embs: Tensor, hidden: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        out, _ = self.rnn(embs, hidden)  # (B, T, H)
        queries = self.dropout(out)
        contexts, weights = self.attention.forward_all(queries, memory)
        return torch.cat([queries, contexts], dim=-1), weights


class Seq2Seq(nn.Module):
    # Training batches round the source width up to this multiple: far fewer distinct shapes
    # reach oneDNN, whose per-shape kernel cache otherwise grows (or thrashes) with every (width,
    # length). The encoder's recurrence stops after the batch's longest sentence (its positions
    # past that are padding in both directions), and attention masks the padding to weight 0.
    SOURCE_WIDTH_MULTIPLE = 8

    def __init__(self, cfg: ModelConfig, src_vocab_size: int, tgt_vocab_size: int) -> None:
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.encoder = Encoder(src_vocab_size, cfg)
        decoder = LuongDecoder if cfg.decoder == "luong" else Decoder
        self.decoder = decoder(tgt_vocab_size, cfg, self.encoder.output_size)

    def encode(self, src: Tensor, src_len: Tensor) -> tuple[Memory, Tensor]:
        """→ the memory to attend to, and the decoder's initial hidden (layers, B, H)."""
        states, final = self.encoder(src, src_len)
        memory = Memory(states, self.decoder.attention.project_keys(states), src != PAD_ID)
        return memory, self.decoder.init_hidden(final)

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> tuple[Tensor, Tensor]:
        """Teacher forcing. tgt_in: (B, T) starting with <s> → logits (B, T, V), attention (B, T,
        S)."""
        features, attns = self.teacher_forced(src, src_len, tgt_in)
        return self.decoder.logits(features), attns

    def teacher_forced(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> tuple[Tensor, Tensor]:
        """Encode, then run the decoder on the reference → features (B, T, F), attention
        (B, T, S): what ``forward`` projects whole and ``loss`` scores in chunks."""
        memory, hidden = self.encode(src, src_len)
        embs = self.decoder.dropout(self.decoder.embed(tgt_in))  # (B, T, E)
        return self.decoder.teacher_forced(embs, hidden, memory)

    def loss(
        self,
        src: Tensor,
        src_len: Tensor,
        tgt_in: Tensor,
        tgt_out: Tensor,
        label_smoothing: float = 0.0,
    ) -> tuple[Tensor, Tensor]:
        """Mean label-smoothed cross-entropy per target token (for the optimiser) and the summed
        plain NLL (for reports): ``token_loss`` of ``forward``'s logits, computed on the real
        target positions only and a chunk of them at a time (core.model.loss)."""
        features, _ = self.teacher_forced(src, src_len, tgt_in)
        rows, targets = target_rows(features, tgt_out)
        return projected_loss(
            self.decoder.readout_states(rows), self.decoder.output.weight, targets, label_smoothing
        )

    # ---- the search interface (shared with core.model.transformer.Transformer) -------------
    def step(
        self, prev: Tensor, hidden: Tensor, memory: Memory, override: Tensor | None = None
    ) -> tuple[Tensor, Tensor, Tensor, None]:
        """prev (B,) the last tokens → logits (B, V), the new hidden state, the attention (B, S)
        and, where a Transformer gives every layer's and head's weights, None (one attention).
        ``override`` (B, S) replaces the attention of this step."""
        features, hidden, weights = self.decoder.step(
            self.decoder.embed(prev), hidden, memory, override
        )
        return self.decoder.logits(features), hidden, weights, None

    @staticmethod
    def reorder(hidden: Tensor, rows: Tensor) -> Tensor:
        """The decoder state of batch rows ``rows`` (beam search's survivors)."""
        return hidden.index_select(1, rows)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
