"""The Bahdanau decoder's teacher-forced recurrence as one autograd operation, for training on
the CPU.

Written with autograd's own operations, every decoder step is a dozen small operations (the
attention query, the additive scores, the softmax, the context, the GRU cell's two products and
its gates), each with its node in the graph, and the backward pass computes each step's weight
gradients separately (64-row matrix products, then an addition into the accumulated gradient).
Here the forward pass runs the same arithmetic step by step without a graph, keeping what the
backward pass needs, and the backward pass walks the steps back computing only what the
recurrence needs step by step (the gradients flowing to the previous state and into the
attention); every weight gradient, the embeddings' gradient and the encoder states' gradient
through the contexts are then one large matrix product each over all steps, which run near the
CPU's peak. Two products that read the same previous state (the GRU's ``W_hh s`` and the
attention query ``W s``) are one product with the weights stacked.

It is the same model and the same function: the decoder's parameters, its checkpoints and what
the inspector shows do not change (``core.model.seq2seq.Decoder.step`` stays the reference, and
the tests compare values and every gradient with it). Under bf16 autocast the matrix products
run in bf16 as autocast would run them, and the state, the gates and the softmax stay in fp32.

``tanh`` is taken as ``2 sigmoid(2x) - 1``: PyTorch's CPU ``tanh`` costs about six times its
``sigmoid`` (2.7 against 0.46 ns an element here), and the attention's energies, batch × source
× attention size at every step, were the largest single cost of a step. For the scores only
``sigmoid(2x)`` is needed: ``v · tanh(x) = 2 v · sigmoid(2x) - Σ v``, and the softmax ignores
the constant.

``gru_layer`` does the same for the encoder's GRU.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from core import native
from core.model.autocast import matmul_dtype
from core.model.products import mm

__all__ = ["bahdanau_recurrence", "gru_layer"]

#: rows (batch × steps) of one block of the decoder's backward pass: its weight gradients are
#: taken a block of steps at a time (products of 1,024 rows still run near the CPU's peak), so
#: the backward pass holds one block's gradients, not the whole sequence's, and frees each
#: block's attention energies when done with them, as autograd frees a step's
BLOCK_ROWS = 1024

#: whole-sequence buffers (B × steps × ..., a different size at every batch) are allocated at
#: one of four sizes per doubling, rounded up (at most 25 % more): glibc's malloc serves them
#: from its heap, and a freed buffer of a size no later batch asks for again leaves a hole that
#: stays resident, so a run's memory grew with the number of batch shapes it met. None: exact
#: sizes (as before; bench/lean.py --lever sizes measures both)
SIZE_CLASSES: int | None = 4
#: smaller buffers than this (bytes) are allocated exactly (glibc's bins reuse them anyway)
ROUNDED_FROM = 1 << 17
#: a GRU layer stops after the last position real in any row (False: steps through the whole
#: padded width, as before; bench/lean.py --lever stop compares the two)
STOP_AT_LONGEST = True


def _empty(shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> Tensor:
    """An uninitialised tensor whose storage is rounded up to a size class (SIZE_CLASSES)."""
    numel = math.prod(shape)
    size = numel * dtype.itemsize
    if SIZE_CLASSES is None or size < ROUNDED_FROM:
        return torch.empty(shape, dtype=dtype, device=device)
    quantum = 1 << max(0, size.bit_length() - 1 - int(math.log2(SIZE_CLASSES)))
    rounded = -(-size // quantum) * quantum
    flat = torch.empty(-(-rounded // dtype.itemsize), dtype=dtype, device=device)
    return flat[:numel].view(shape)


def _zeros(shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> Tensor:
    return _empty(shape, dtype, device).zero_()


def bahdanau_recurrence(
    embs: Tensor,
    h0: Tensor,
    keys: Tensor,
    values: Tensor,
    mask: Tensor,
    w_query: Tensor,
    v: Tensor,
    w_ih: Tensor,
    b_ih: Tensor,
    w_hh: Tensor,
    b_hh: Tensor,
    release: bool = True,
) -> tuple[Tensor, Tensor, Tensor]:
    """The decoder over a whole reference, one GRU layer with additive attention before it.

    embs (B, T, E) of the previous words, h0 (B, H) the initial state, keys (B, S, A) and values
    (B, S, K) the projected and plain encoder states, mask (B, S) True at real positions, and the
    decoder's weights (``query_layer``, ``v``, the GRU cell's) → states (B, T, H) (each step's new
    state), contexts (B, T, K) and attention weights (B, T, S), fp32, rows summing to 1.

    ``release``: the backward pass frees the attention energies a block at a time as it goes,
    so it can run once only (training's case); False keeps them for a second backward pass
    through the same graph (``retain_graph``, as ``gradcheck`` does)."""
    return _Recurrence.apply(
        embs, h0, keys, values, mask, w_query, v, w_ih, b_ih, w_hh, b_hh, release
    )


def gru_layer(
    gates_in: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor, mask: Tensor
) -> tuple[Tensor, Tensor]:
    """D independent GRU recurrences over padded sentences at once (the two directions of a
    bidirectional layer, batched), as ``nn.GRU`` runs one on a packed batch. gates_in
    (D, B, S, 3H) = W_ih x + b_ih for every position (one product, outside), h0 (D, B, H), w_hh
    (D, 3H, H), b_hh (D, 3H), mask (D, B, S) True at the real positions → states (D, B, S, H),
    zero at masked positions, and the state after the last real position (D, B, H). A masked
    position leaves the state as it was, so a reversed direction is its input flipped along S
    (its padding then comes first).

    Why not ``nn.GRU`` on a packed batch: its CPU backward pass materialises the gradient of
    every step's slice of the input gates as a whole (B·S, 3H) tensor and adds them up, and
    computes the recurrent weight's gradient one step at a time."""
    return _GRULayer.apply(gates_in, h0, w_hh, b_hh, mask)


def _gates(gi: Tensor, gh: Tensor, state: Tensor, cell: Tensor, out: Tensor) -> Tensor:
    """The GRU's step from its input and hidden products (..., 3H): writes r, z, n and the
    hidden product of n into ``cell`` (..., 4H), what the backward pass reads, and the new
    state into ``out``: r, z = σ(gi + gh); n = tanh(gi_n + r · gh_n); s' = n + z (s − n)."""
    hidden = state.size(-1)
    torch.add(gi[..., : 2 * hidden], gh[..., : 2 * hidden], out=cell[..., : 2 * hidden]).sigmoid_()
    r, z = cell[..., :hidden], cell[..., hidden : 2 * hidden]
    hn = cell[..., 3 * hidden :]
    hn.copy_(gh[..., 2 * hidden :])
    x = torch.mul(r, hn).add_(gi[..., 2 * hidden :]).mul_(2)
    n = torch.sigmoid(x, out=cell[..., 2 * hidden : 3 * hidden]).mul_(2).sub_(1)  # tanh
    return torch.lerp(n, state, z, out=out)


def _gates_backward(ds: Tensor, prev: Tensor, cell: Tensor, d_gi: Tensor, d_gh: Tensor) -> Tensor:
    """The gradients of one step's input and hidden products (..., 3H) from the gradient of
    its new state ``ds`` and what ``_gates`` kept, written into ``d_gi`` and ``d_gh``; returns
    the part of the previous state's gradient that skips the products, ``ds · z``."""
    hidden = ds.size(-1)
    cell = cell.to(ds.dtype)
    r, z = cell[..., :hidden], cell[..., hidden : 2 * hidden]
    n, hn = cell[..., 2 * hidden : 3 * hidden], cell[..., 3 * hidden :]
    dn = torch.mul(ds, torch.rsub(z, 1))
    one = dn.new_ones(())
    dn_pre = torch.mul(dn, torch.addcmul(one, n, n, value=-1), out=d_gi[..., 2 * hidden :])
    dr = torch.mul(dn_pre, hn)
    torch.mul(dr, torch.addcmul(r, r, r, value=-1), out=d_gi[..., :hidden])
    dz = torch.sub(prev, n).mul_(ds)
    torch.mul(dz, torch.addcmul(z, z, z, value=-1), out=d_gi[..., hidden : 2 * hidden])
    d_gh[..., : 2 * hidden] = d_gi[..., : 2 * hidden]
    torch.mul(dn_pre, r, out=d_gh[..., 2 * hidden : 3 * hidden])
    return ds * z


def _pad_steps(x: Tensor, steps: int, dtype: torch.dtype | None = None) -> Tensor:
    """x (B, T, ...) in ``dtype`` (default its own) with zero steps appended up to ``steps``."""
    dtype = dtype or x.dtype
    if steps == x.size(1) and dtype == x.dtype:
        return x
    out = _empty((x.size(0), steps, *x.shape[2:]), dtype, x.device)
    out[:, : x.size(1)] = x
    out[:, x.size(1) :] = 0
    return out


def _cast(x: Tensor, dtype: torch.dtype) -> Tensor:
    """x in ``dtype``, a copy in a rounded buffer when it is not in it already."""
    return x if x.dtype == dtype else _empty(x.shape, dtype, x.device).copy_(x)


def _cell_buffers(shape: tuple[int, ...], hidden: int, like: Tensor, cd: torch.dtype):
    """What the steps keep for the backward pass, r, z, n and the hidden product of n per
    position (..., 4H) in the compute dtype (bf16 under autocast: half the memory; the
    backward pass computes in fp32), and an fp32 scratch to compute one step in when that
    differs (None: the steps write into the kept buffer)."""
    kept = _empty((*shape, 4 * hidden), cd, like.device)
    scratch = None if cd == like.dtype else like.new_empty(*shape[:-1], 4 * hidden)
    return kept, scratch


def _steps_compiled(
    state: Tensor,
    keys2: Tensor,
    v2: Tensor,
    mask: Tensor,
    w_state: Tensor,
    b_state: Tensor,
    w_ctx: Tensor,
    gates_in: Tensor,
    block: int,
    energies: list[Tensor],
    weights: Tensor,
    values: Tensor,
    contexts: Tensor,
    cells: Tensor,
    states: Tensor,
) -> bool:
    """The decoder's forward steps through core.native's kernels (the attention, the GRU
    gates), with nothing between them and the products but the products: the kernels read the
    products' results in their dtype and write the state and the context in it too. The same
    arithmetic as the PyTorch steps. False where the kernels are not in use or do not take
    these tensors (decided at the first step; the PyTorch steps then write everything anew)."""
    if not native.available() or states.dtype != torch.float32:
        return False
    cd = w_state.dtype
    low = cd != torch.float32  # the products in bf16: the kernels keep bf16 copies for them
    batch, steps, g3 = states.size(0), states.size(1), gates_in.size(-1)
    state_c = state.to(cd).contiguous() if low else None
    ctx_c = torch.empty(batch, values.size(-1), dtype=cd) if low else None
    v2_f = v2.to(torch.float32).contiguous()
    mask = mask.contiguous()
    for t in range(steps):
        both = mm(state if state_c is None else state_c, w_state, b_state)  # (B, 3H + A)
        context = contexts[:, t]
        if not native.attention_forward(
            keys2, both[:, g3:], v2_f, mask, energies[t // block][t % block], weights[:, t],
            values, context, ctx_c,
        ):  # fmt: skip
            if t == 0:
                return False
            raise RuntimeError("core.native refused a step after taking the ones before")
        if ctx_c is not None:
            gi = torch.addmm(gates_in[:, t], ctx_c, w_ctx)
        else:  # oneDNN's product where faster (core.model.products), then the sum
            gi = torch.add(mm(context, w_ctx), gates_in[:, t])
        if not native.gru_forward(
            gi, both[:, :g3], state, cells[:, t], states[:, t], state_copy=state_c
        ):
            if t == 0:
                return False
            raise RuntimeError("core.native refused a step after taking the ones before")
        state = states[:, t]
    return True


class _Recurrence(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx,
        embs: Tensor,
        h0: Tensor,
        keys: Tensor,
        values: Tensor,
        mask: Tensor,
        w_query: Tensor,
        v: Tensor,
        w_ih: Tensor,
        b_ih: Tensor,
        w_hh: Tensor,
        b_hh: Tensor,
        release: bool,
    ) -> tuple[Tensor, Tensor, Tensor]:
        device = embs.device.type
        cd = matmul_dtype(device, w_hh.dtype)
        f32 = torch.promote_types(w_hh.dtype, torch.float32)  # state, gates, softmax
        batch, steps, emb_size = embs.shape
        hidden = h0.size(-1)
        g3 = 3 * hidden
        with torch.autocast(device, enabled=False):
            # [W_hh; 2W]: both read the previous state, so one product gives the GRU's hidden
            # gates and (twice) the attention query; the input gates of the previous words
            # for all steps at once, one product
            w_state = torch.cat([w_hh, 2 * w_query], 0).t().to(cd).contiguous()  # (H, 3H+A)
            b_state = torch.cat([b_hh, b_hh.new_zeros(w_query.size(0))]).to(cd)
            w_ctx = w_ih[:, emb_size:].t().to(cd).contiguous()  # (K, 3H)
            block = max(1, BLOCK_ROWS // batch)
            padded = -(-steps // block) * block  # steps rounded up to whole blocks
            gates_in = _empty((batch, padded, g3), cd, embs.device)
            torch.addmm(
                b_ih.to(cd),
                _pad_steps(embs, padded, cd).view(-1, emb_size),
                w_ih[:, :emb_size].t().to(cd),
                out=gates_in.view(-1, g3),
            )
            keys2 = torch.mul(keys, 2, out=_empty(keys.shape, f32, keys.device))

            # what the backward pass reads: each step's new state (the previous states are
            # h0 and these), its hidden products, gates, contexts, weights and energies
            states = _empty((batch, steps, hidden), f32, h0.device)
            cells, scratch_cell = _cell_buffers((batch, steps), hidden, states, cd)
            contexts = _empty((batch, steps, values.size(-1)), values.dtype, values.device)
            weights = _empty((batch, steps, keys.size(1)), f32, keys.device)
            energy_dtype = torch.promote_types(keys.dtype, cd)
            # σ(2(q + k)) of every step, a block of steps per tensor
            energies = [
                _empty((min(block, steps - first), *keys.shape), energy_dtype, keys.device)
                for first in range(0, steps, block)
            ]
            v2 = (2 * v).to(energy_dtype)
            state = h0.to(f32)
            if not _steps_compiled(
                state, keys2, v2, mask, w_state, b_state, w_ctx, gates_in, block,
                energies, weights, values, contexts, cells, states,
            ):  # fmt: skip
                # the PyTorch steps' own buffers (the compiled steps need none of them)
                pad = ~mask
                scratch = keys2 if energy_dtype == f32 else _empty(keys2.shape, f32, keys.device)
                gi = states.new_empty(batch, g3)
                for t in range(steps):
                    both = mm(state.to(cd), w_state, b_state).to(f32)  # (B, 3H + A)
                    gh, q2 = both[:, :g3], both[:, g3:].unsqueeze(1)
                    e_t = energies[t // block][t % block]
                    if energy_dtype == f32:
                        torch.add(keys2, q2, out=e_t).sigmoid_()
                    else:
                        e_t.copy_(torch.add(keys2, q2, out=scratch).sigmoid_())
                    scores = torch.matmul(e_t, v2).to(f32).masked_fill_(pad, float("-inf"))
                    alpha = torch.softmax(scores, dim=-1)
                    weights[:, t] = alpha
                    context = torch.bmm(alpha.to(values.dtype).unsqueeze(1), values).squeeze(1)
                    contexts[:, t] = context
                    if cd == torch.float32:  # oneDNN's product (core.model.products), the sum
                        torch.add(mm(context, w_ctx), gates_in[:, t], out=gi)
                    else:
                        gi.copy_(torch.addmm(gates_in[:, t], context.to(cd), w_ctx))
                    cell = cells[:, t] if scratch_cell is None else scratch_cell
                    state = _gates(gi, gh, state, cell, states[:, t])
                    if scratch_cell is not None:
                        cells[:, t] = scratch_cell
        ctx.cd, ctx.block, ctx.energies, ctx.release = cd, block, energies, release
        ctx.save_for_backward(
            embs, h0, keys, values, w_query, v, w_ih, w_hh, states, contexts, weights, cells
        )
        ctx.mark_non_differentiable(weights)
        return states, contexts, weights

    @staticmethod
    def backward(ctx, d_states: Tensor, d_contexts: Tensor, _d_weights: Tensor):  # type: ignore[override]
        embs, h0, keys, values, w_query, v, w_ih, w_hh, states, contexts, weights, cells = (
            ctx.saved_tensors
        )
        if ctx.energies is None:
            raise RuntimeError(
                "bahdanau_recurrence(release=True) frees what its backward pass reads: it "
                "runs once; pass release=False to differentiate through it twice"
            )
        energies = list(ctx.energies)
        if ctx.release:  # freed block by block below
            ctx.energies = None
        cd, f32, block = ctx.cd, states.dtype, ctx.block
        batch, steps, emb_size = embs.shape
        hidden = states.size(-1)
        g3 = 3 * hidden
        size = keys.size(-1)
        need = ctx.needs_input_grad
        padded = len(energies) * block
        # every block's products get the same shapes (padding steps contribute zero), so
        # oneDNN meets few shapes (a new one costs ~1 ms to prepare in bf16, and its cache is
        # bounded: see core.device)
        dev = states.device
        prev = _empty((batch, padded, hidden), f32, dev)
        prev[:, 0] = h0
        prev[:, 1:steps] = states[:, :-1]
        prev[:, steps:] = 0
        inputs = _empty((batch, padded, emb_size + values.size(-1)), cd, dev)
        inputs[:, :steps, :emb_size] = embs
        inputs[:, :steps, emb_size:] = contexts
        inputs[:, steps:] = 0
        weights_p = _pad_steps(weights, padded)
        w_state = torch.cat([w_hh, w_query], 0).to(cd)  # (3H + A, H)
        # (3H, E), (3H, K), each contiguous
        w_emb = w_ih[:, :emb_size].to(cd).contiguous()
        w_ctx = w_ih[:, emb_size:].to(cd).contiguous()
        v4 = 4 * v.to(f32)
        values_f: Tensor | None = None  # values in fp32 and one step's α gradient's terms,
        weighted: Tensor | None = None  # for the PyTorch code (the kernels need neither)
        d_states = _cast(d_states, f32) if d_states is not None else _zeros(states.shape, f32, dev)
        d_ctx_out = None if d_contexts is None else _cast(d_contexts, f32)

        # one block's d (W_ih x + b_ih), d [W_hh s; W s] and d contexts per step
        # (zeros: the last block, taken first, may not fill them)
        d_gates_in = _zeros((batch, block, g3), f32, dev)
        d_state_gates = _zeros((batch, block, g3 + w_query.size(0)), f32, dev)
        d_ctx = _zeros((batch, block, values.size(-1)), f32, dev)
        # one step's energies in fp32 and their gradient
        e_t = _empty(keys.shape, f32, dev)
        d_e = _empty(keys.shape, f32, dev)
        # the sums over all steps
        d_energy_sum = _zeros(keys.shape, f32, dev)
        d_embs = _empty((batch, padded, emb_size), f32, dev)
        d_values = _zeros(values.shape, f32, dev)
        d_w_state = torch.zeros(w_state.shape, dtype=f32, device=w_hh.device)
        d_w_ih = torch.zeros(w_ih.shape, dtype=f32, device=w_ih.device)
        d_b_ih = torch.zeros(g3, dtype=f32, device=w_ih.device)
        d_b_hh = torch.zeros(g3, dtype=f32, device=w_ih.device)
        d_v = torch.zeros(size, dtype=f32, device=v.device)
        d_state = states.new_zeros(batch, hidden)
        # the compiled steps (core.native): no conversions between the kernels and the
        # products, the kernels write the products' inputs in their dtype (dense: oneDNN
        # prepares a kernel per shape and layout, and a view into the block would be a new
        # layout for every batch size)
        compiled = native.available() and f32 == torch.float32 and dev.type == "cpu"
        low = compiled and cd != f32
        gi_low = torch.empty(batch, g3, dtype=cd, device=dev) if low else None
        gs_low = torch.empty(d_state_gates[:, 0].shape, dtype=cd, device=dev) if low else None
        direct = states.new_zeros(batch, hidden)  # ds · z of the step after, then this one's
        prod: Tensor | None = None  # [W_hh; W]ᵀ gs of the step after, in the product dtype
        for first in reversed(range(0, steps, block)):
            n = min(block, steps - first)
            for j in reversed(range(n)):
                t = first + j
                gi, gs = d_gates_in[:, j], d_state_gates[:, j]
                alpha, stored = weights[:, t], energies[first // block][j]
                if compiled:
                    gi_c = gi if gi_low is None else gi_low
                    gs_c = gs if gs_low is None else gs_low
                    copies = gi_low is not None
                    done = native.gru_backward(
                        d_states[:, t], prev[:, t], cells[:, t], gi, gs[:, :g3], direct,
                        ds_extra=direct, ds_product=prod,
                        gi_copy=gi_c if copies else None, gh_copy=gs_c[:, :g3] if copies else None,
                    ) and native.attention_backward(
                        values, mm(gi_c, w_ctx), alpha, stored, v4, d_energy_sum, gs[:, g3:],
                        d_v, dc_extra=None if d_ctx_out is None else d_ctx_out[:, t],
                        dc_out=d_ctx[:, j], gs_copy=gs_c[:, g3:] if copies else None,
                    )  # fmt: skip
                    if done:
                        prod = mm(gs_c, w_state)
                        continue
                    if t != steps - 1:
                        raise RuntimeError(
                            "core.native refused a step after taking the ones before"
                        )
                    compiled = False
                    direct.zero_()
                ds = d_states[:, t] + d_state
                direct = _gates_backward(ds, prev[:, t], cells[:, t], gi, gs)
                # the context fed the input gates
                dc = mm(gi.to(cd), w_ctx).to(f32)
                if d_ctx_out is not None:
                    dc = dc.add_(d_ctx_out[:, t])
                d_ctx[:, j] = dc
                if values_f is None or weighted is None:
                    values_f = _cast(values, f32)
                    weighted = _empty(values.shape, f32, values.device)
                # context = Σ α h → dα; softmax → d scores (zero where α is zero: the padding)
                # (a product per sentence of one row: elementwise, as it runs ~5× faster)
                d_alpha = torch.mul(values_f, dc.unsqueeze(1), out=weighted).sum(-1)
                d_scores = d_alpha.sub_((alpha * d_alpha).sum(-1, keepdim=True)).mul_(alpha)
                # score = v · tanh(x), tanh(x) = 2σ − 1 with σ = σ(2x): d score / dx =
                # 4 v σ (1 − σ); v is the same for every position, so it multiplies the sums once
                e_t.copy_(stored)
                # d v = Σ d score · tanh = Σ d score · (2σ − 1); each row's d scores sum to 0
                d_v.addmv_(e_t.view(-1, size).t(), d_scores.view(-1), alpha=2)
                torch.addcmul(e_t, e_t, e_t, value=-1, out=d_e).mul_(d_scores.unsqueeze(-1))
                d_energy_sum += d_e
                torch.mul(d_e.sum(1), v4, out=gs[:, g3:])
                d_state = direct.add_(mm(gs.to(cd), w_state).to(f32))

            # this block's share of the weight gradients: one product each over its steps
            span, rows = slice(first, first + block), batch * block
            d_in = d_gates_in.view(rows, g3)
            d_in_c = d_in.to(cd)
            d_sg = d_state_gates.view(rows, -1)
            if need[0]:
                d_embs[:, span] = mm(d_in_c, w_emb).view(batch, block, emb_size)
            if need[7]:
                d_w_ih += torch.mm(d_in_c.t(), inputs[:, span].reshape(rows, -1))
            if need[8]:
                d_b_ih += d_in.sum(0)
            if need[5] or need[9]:
                d_w_state += torch.mm(d_sg.to(cd).t(), prev[:, span].reshape(rows, -1).to(cd))
            if need[10]:
                d_b_hh += d_sg[:, :g3].sum(0)
            if need[3]:
                # every step's context read the values: Σ_t α_t ⊗ dc_t, one batched product
                d_values += torch.bmm(weights_p[:, span].transpose(1, 2).to(cd), d_ctx.to(cd))
            energies[first // block] = None

        if compiled:  # the first step's gradient from the state before it: h0's
            d_state = direct if prod is None else direct.add_(prod)
        return (
            _cast(d_embs[:, :steps], embs.dtype) if need[0] else None,
            d_state.to(h0.dtype) if need[1] else None,
            _cast(d_energy_sum.mul_(v4), keys.dtype) if need[2] else None,
            _cast(d_values, values.dtype) if need[3] else None,
            None,
            d_w_state[g3:].to(w_query.dtype) if need[5] else None,
            d_v.to(v.dtype) if need[6] else None,
            d_w_ih.to(w_ih.dtype) if need[7] else None,
            d_b_ih.to(w_ih.dtype) if need[8] else None,
            d_w_state[:g3].to(w_hh.dtype) if need[9] else None,
            d_b_hh.to(w_hh.dtype) if need[10] else None,
            None,
        )


def _live_steps(mask: Tensor) -> int:
    """1 + the last position of ``mask`` (D, B, S) real in any row: the steps that change a
    state. A batch's width is rounded up (``Seq2Seq.SOURCE_WIDTH_MULTIPLE``) for the sake of
    oneDNN's kernel cache; the positions past its longest sentence need no step."""
    if not STOP_AT_LONGEST:
        return mask.size(-1)
    any_row = mask.flatten(0, -2).any(0)
    return int(any_row.nonzero().max()) + 1 if bool(any_row.any()) else 0


class _GRULayer(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx, gates_in: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor, mask: Tensor
    ) -> tuple[Tensor, Tensor]:
        device = gates_in.device.type
        cd = matmul_dtype(device, w_hh.dtype)
        acc = torch.promote_types(w_hh.dtype, torch.float32)
        dirs, batch, steps, _ = gates_in.shape
        hidden = w_hh.size(-1)
        with torch.autocast(device, enabled=False):
            w = w_hh.to(cd).transpose(1, 2).contiguous()  # (D, H, 3H)
            b = b_hh.to(cd).unsqueeze(1)  # (D, 1, 3H)
            keep = mask.unsqueeze(-1)  # (D, B, S, 1)
            state = h0.to(acc)
            # each position's state, masked or not (the previous states are h0 and these)
            states = _empty((dirs, batch, steps, hidden), acc, state.device)
            cells, scratch_cell = _cell_buffers((dirs, batch, steps), hidden, states, cd)
            new = torch.empty_like(state)
            # where the kernels run (core.native) they read the products in their dtype and
            # keep the state in it too, for the next product: no conversions between
            low = cd != acc and native.available()
            state_c = state.to(cd).contiguous() if low else None
            live = _live_steps(mask)
            for t in range(live):
                gh = torch.baddbmm(b, state.to(cd) if state_c is None else state_c, w)
                if native.gru_forward(
                    gates_in[:, :, t], gh, state, cells[:, :, t], states[:, :, t],
                    mask[:, :, t], state_copy=state_c,
                ):  # fmt: skip
                    state = states[:, :, t]
                    continue
                state_c = None  # the PyTorch steps from here on
                gh, gi = gh.to(acc), gates_in[:, :, t].to(acc)
                cell = cells[:, :, t] if scratch_cell is None else scratch_cell
                _gates(gi, gh, state, cell, new)
                if scratch_cell is not None:
                    cells[:, :, t] = scratch_cell
                state = torch.where(keep[:, :, t], new, state, out=states[:, :, t])
            # positions masked in every row keep the state as it was (what the steps would do)
            states[:, :, live:] = state.unsqueeze(2)
            out = torch.mul(states, keep, out=_empty(states.shape, acc, states.device))
        ctx.cd, ctx.gates_dtype, ctx.live = cd, gates_in.dtype, live
        ctx.save_for_backward(h0, w_hh, mask, states, cells)
        return out, state.clone()

    @staticmethod
    def backward(ctx, d_out: Tensor, d_final: Tensor):  # type: ignore[override]
        h0, w_hh, mask, states, cells = ctx.saved_tensors
        cd, acc = ctx.cd, states.dtype
        dirs, batch, steps, hidden = states.shape
        g3 = 3 * hidden
        dev = states.device
        prev = _empty(states.shape, acc, dev)
        prev[:, :, 0] = h0
        prev[:, :, 1:] = states[:, :, :-1]
        w = w_hh.to(cd)  # (D, 3H, H)
        keep = mask.unsqueeze(-1)
        keep_f = keep.to(acc)
        if d_out is not None:
            d_out = torch.mul(d_out, keep_f, out=_empty(states.shape, acc, dev))
        ds = d_final.to(acc) if d_final is not None else states.new_zeros(dirs, batch, hidden)
        d_gates_in = _empty((dirs, batch, steps, g3), acc, dev)
        d_gates_h = _empty((dirs, batch, steps, g3), acc, dev)
        # the compiled steps (core.native) write ds · z into direct_out and both gradients
        # again in the dtypes the products and the caller take (the whole sequence's)
        compiled = acc == torch.float32 and native.available()
        # (one step's gh dense in the product dtype: a view into the whole sequence would be
        # a new layout for oneDNN at every source length)
        gh_low = states.new_empty((dirs, batch, g3), dtype=cd) if compiled and cd != acc else None
        low_in = compiled and ctx.gates_dtype == torch.bfloat16
        d_gates_in_c = _empty(d_gates_in.shape, ctx.gates_dtype, dev) if low_in else None
        direct_out = states.new_empty(dirs, batch, hidden)
        live = ctx.live  # past it every row is masked: no gradient there, ds passes through
        for grads in (d_gates_in, d_gates_h, d_gates_in_c):
            if grads is not None:
                grads[:, :, live:] = 0
        for t in reversed(range(live)):
            gi, gh = d_gates_in[:, :, t], d_gates_h[:, :, t]
            if compiled:
                gh_c = gh if gh_low is None else gh_low
                if native.gru_backward(
                    ds, prev[:, :, t], cells[:, :, t], gi, gh, direct_out, mask[:, :, t],
                    ds_extra=None if d_out is None else d_out[:, :, t],
                    gi_copy=None if d_gates_in_c is None else d_gates_in_c[:, :, t],
                    gh_copy=gh_low,
                ):  # fmt: skip
                    through = direct_out.add_(torch.bmm(gh_c, w))
                    # a masked position passes ds through (d_out is 0 there)
                    ds = torch.where(keep[:, :, t], through, ds)
                    continue
                if t != live - 1:
                    raise RuntimeError("core.native refused a step after taking the ones before")
                compiled, d_gates_in_c = False, None
            if d_out is not None:
                ds = ds + d_out[:, :, t]
            # a masked position passes the state through unchanged and has no gradient
            direct = _gates_backward(ds * keep_f[:, :, t], prev[:, :, t], cells[:, :, t], gi, gh)
            through = direct.add_(torch.bmm(gh.to(cd), w).to(acc))
            ds = torch.where(keep[:, :, t], through, ds)
        rows = batch * steps
        d_w = torch.bmm(
            d_gates_h.view(dirs, rows, g3).transpose(1, 2).to(cd),
            prev.reshape(dirs, rows, hidden).to(cd),
        )
        need = ctx.needs_input_grad
        d_in = d_gates_in_c if d_gates_in_c is not None else _cast(d_gates_in, ctx.gates_dtype)
        return (
            d_in if need[0] else None,
            ds.to(h0.dtype) if need[1] else None,
            d_w.to(w_hh.dtype) if need[2] else None,
            d_gates_h.sum((1, 2)).to(w_hh.dtype) if need[3] else None,
            None,
        )
