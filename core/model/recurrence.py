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

import torch
from torch import Tensor

__all__ = ["bahdanau_recurrence", "gru_layer"]


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
) -> tuple[Tensor, Tensor, Tensor]:
    """The decoder over a whole reference, one GRU layer with additive attention before it.

    embs (B, T, E) of the previous words, h0 (B, H) the initial state, keys (B, S, A) and values
    (B, S, K) the projected and plain encoder states, mask (B, S) True at real positions, and the
    decoder's weights (``query_layer``, ``v``, the GRU cell's) → states (B, T, H) (each step's new
    state), contexts (B, T, K) and attention weights (B, T, S), fp32, rows summing to 1."""
    return _Recurrence.apply(embs, h0, keys, values, mask, w_query, v, w_ih, b_ih, w_hh, b_hh)


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


def _compute_dtype(device_type: str, weights: Tensor) -> torch.dtype:
    """The dtype autocast gives matrix products here; outside autocast, the weights'."""
    if torch.is_autocast_enabled(device_type):
        return torch.get_autocast_dtype(device_type)
    return weights.dtype


def _gates(gi: Tensor, gh: Tensor, state: Tensor, rz: Tensor, n: Tensor, out: Tensor) -> Tensor:
    """The GRU's gates from its input and hidden products (..., 3H), written into ``rz``
    (..., 2H) and ``n`` (..., H), and its new state into ``out``:
    r, z = σ(gi + gh); n = tanh(gi_n + r · gh_n); s' = n + z (s − n)."""
    hidden = state.size(-1)
    torch.add(gi[..., : 2 * hidden], gh[..., : 2 * hidden], out=rz).sigmoid_()
    r, z = rz[..., :hidden], rz[..., hidden:]
    x = torch.mul(r, gh[..., 2 * hidden :]).add_(gi[..., 2 * hidden :]).mul_(2)
    torch.sigmoid(x, out=n).mul_(2).sub_(1)  # tanh
    return torch.lerp(n, state, z, out=out)


def _gates_backward(
    ds: Tensor, prev: Tensor, rz: Tensor, n: Tensor, gh_n: Tensor, d_gi: Tensor, d_gh: Tensor
) -> Tensor:
    """The gradients of one step's input and hidden products (..., 3H) from the gradient of
    its new state ``ds``, written into ``d_gi`` and ``d_gh``; returns the part of the previous
    state's gradient that skips the products, ``ds · z``."""
    hidden = ds.size(-1)
    r, z = rz[..., :hidden], rz[..., hidden:]
    dn = torch.mul(ds, torch.rsub(z, 1))
    dn_pre = torch.mul(
        dn, torch.addcmul(dn.new_ones(()), n, n, value=-1), out=d_gi[..., 2 * hidden :]
    )
    dr = torch.mul(dn_pre, gh_n)
    torch.mul(dr, torch.addcmul(r, r, r, value=-1), out=d_gi[..., :hidden])
    dz = torch.sub(prev, n).mul_(ds)
    torch.mul(dz, torch.addcmul(z, z, z, value=-1), out=d_gi[..., hidden : 2 * hidden])
    d_gh[..., : 2 * hidden] = d_gi[..., : 2 * hidden]
    torch.mul(dn_pre, r, out=d_gh[..., 2 * hidden : 3 * hidden])
    return ds * z


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
    ) -> tuple[Tensor, Tensor, Tensor]:
        device = embs.device.type
        cd = _compute_dtype(device, w_hh)
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
            gates_in = torch.addmm(
                b_ih.to(cd), embs.reshape(-1, emb_size).to(cd), w_ih[:, :emb_size].t().to(cd)
            ).view(batch, steps, -1)
            keys2 = (2 * keys).to(f32)
            pad = ~mask

            # what the backward pass reads: each step's new state (the previous states are
            # h0 and these), its hidden products, gates, contexts, weights and energies
            states = h0.new_empty(batch, steps, hidden, dtype=f32)
            gh_all = states.new_empty(batch, steps, g3)
            rz_all = states.new_empty(batch, steps, 2 * hidden)
            n_all = torch.empty_like(states)
            contexts = values.new_empty(batch, steps, values.size(-1))
            weights = states.new_empty(batch, steps, keys.size(1))
            energy_dtype = torch.promote_types(keys.dtype, cd)
            energies = keys.new_empty(steps, *keys.shape, dtype=energy_dtype)  # σ(2(q + k))
            scratch = keys2 if energy_dtype == f32 else torch.empty_like(keys2)
            v2 = (2 * v).to(energy_dtype)
            gi = states.new_empty(batch, g3)
            state = h0.to(f32)
            for t in range(steps):
                both = torch.addmm(b_state, state.to(cd), w_state)  # (B, 3H + A)
                gh = gh_all[:, t]
                gh.copy_(both[:, :g3])
                q2 = both[:, g3:].to(f32).unsqueeze(1)
                if energy_dtype == f32:
                    e_t = torch.add(keys2, q2, out=energies[t]).sigmoid_()
                else:
                    e_t = energies[t].copy_(torch.add(keys2, q2, out=scratch).sigmoid_())
                scores = torch.matmul(e_t, v2).to(f32).masked_fill_(pad, float("-inf"))
                alpha = torch.softmax(scores, dim=-1)
                weights[:, t] = alpha
                context = torch.bmm(alpha.to(values.dtype).unsqueeze(1), values).squeeze(1)
                contexts[:, t] = context
                gi.copy_(torch.addmm(gates_in[:, t], context.to(cd), w_ctx))
                state = _gates(gi, gh, state, rz_all[:, t], n_all[:, t], states[:, t])
        ctx.cd = cd
        ctx.save_for_backward(
            embs, h0, keys, values, w_query, v, w_ih, w_hh, states, contexts, weights,
            gh_all, rz_all, n_all, energies,
        )  # fmt: skip
        ctx.mark_non_differentiable(weights)
        return states, contexts, weights

    @staticmethod
    def backward(ctx, d_states: Tensor, d_contexts: Tensor, _d_weights: Tensor):  # type: ignore[override]
        (
            embs, h0, keys, values, w_query, v, w_ih, w_hh, states, contexts, weights,
            gh_all, rz_all, n_all, energies,
        ) = ctx.saved_tensors  # fmt: skip
        cd, f32 = ctx.cd, states.dtype
        batch, steps, emb_size = embs.shape
        hidden = states.size(-1)
        g3 = 3 * hidden
        size = keys.size(-1)
        prev = torch.cat([h0.to(f32).unsqueeze(1), states[:, :-1]], dim=1)
        w_state = torch.cat([w_hh, w_query], 0).to(cd)  # (3H + A, H)
        w_ctx = w_ih[:, emb_size:].to(cd)  # (3H, K)
        v4 = 4 * v.to(f32)
        values_c = values.to(cd)
        d_states = d_states.to(f32) if d_states is not None else torch.zeros_like(states)
        d_ctx_out = None if d_contexts is None else d_contexts.to(f32)

        d_gates_in = states.new_empty(batch, steps, g3)  # d (W_ih x + b_ih) per step
        d_state_gates = states.new_empty(batch, steps, g3 + w_query.size(0))  # d [W_hh s; W s]
        d_ctx_all = states.new_empty(batch, steps, values.size(-1))
        d_scores_all = states.new_empty(steps, batch, keys.size(1))
        d_energy_sum = torch.zeros(keys.shape, dtype=f32, device=keys.device)
        d_state = states.new_zeros(batch, hidden)
        for t in reversed(range(steps)):
            ds = d_states[:, t] + d_state
            gi, gs = d_gates_in[:, t], d_state_gates[:, t]
            direct = _gates_backward(
                ds, prev[:, t], rz_all[:, t], n_all[:, t], gh_all[:, t, 2 * hidden :], gi, gs
            )
            # the context fed the input gates
            dc = torch.mm(gi.to(cd), w_ctx).to(f32)
            if d_ctx_out is not None:
                dc = dc.add_(d_ctx_out[:, t])
            d_ctx_all[:, t] = dc
            # context = Σ α h → dα; softmax → d scores (zero where α is zero: the padding)
            alpha = weights[:, t]
            d_alpha = torch.bmm(values_c, dc.to(cd).unsqueeze(-1)).squeeze(-1).to(f32)
            d_scores = d_alpha.sub_((alpha * d_alpha).sum(-1, keepdim=True)).mul_(alpha)
            d_scores_all[t] = d_scores
            # score = v · tanh(x), tanh(x) = 2σ − 1 with σ = σ(2x): d score / dx = 4 v σ (1 − σ);
            # v is the same for every position, so it multiplies the sums once
            e_t = energies[t].to(f32)
            d_e = torch.addcmul(e_t, e_t, e_t, value=-1).mul_(d_scores.unsqueeze(-1))
            d_energy_sum += d_e
            torch.mul(d_e.sum(1), v4, out=gs[:, g3:])
            d_state = direct.add_(torch.mm(gs.to(cd), w_state).to(f32))

        rows = batch * steps
        d_gates_in_c = d_gates_in.view(rows, g3).to(cd)
        d_state_gates_c = d_state_gates.view(rows, -1).to(cd)
        grads: list[Tensor | None] = [None] * 11
        need = ctx.needs_input_grad
        if need[0]:
            d_embs = torch.mm(d_gates_in_c, w_ih[:, :emb_size].to(cd)).view(embs.shape)
            grads[0] = d_embs.to(embs.dtype)
        if need[1]:
            grads[1] = d_state.to(h0.dtype)
        if need[2]:
            grads[2] = d_energy_sum.mul_(v4).to(keys.dtype)
        if need[3]:
            # every step's context read the values: Σ_t α_t ⊗ dc_t, one batched product
            d_values = torch.bmm(weights.transpose(1, 2).to(cd), d_ctx_all.to(cd))
            grads[3] = d_values.to(values.dtype)
        if need[5] or need[9]:
            d_w_state = torch.mm(d_state_gates_c.t(), prev.view(rows, hidden).to(cd)).to(f32)
            grads[9] = d_w_state[:g3].to(w_hh.dtype)
            grads[5] = d_w_state[g3:].to(w_query.dtype)
        if need[6]:
            # d v = Σ d score · tanh = Σ d score · (2σ − 1), and each row's d scores sum to 0
            d_v = torch.mm(d_scores_all.view(1, -1).to(cd), energies.view(-1, size).to(cd))
            grads[6] = (2 * d_v.squeeze(0).to(f32)).to(v.dtype)
        if need[7]:
            inputs = torch.cat([embs.to(cd), contexts.to(cd)], dim=-1).view(rows, -1)
            grads[7] = torch.mm(d_gates_in_c.t(), inputs).to(w_ih.dtype)
        if need[8]:
            grads[8] = d_gates_in.sum((0, 1)).to(w_ih.dtype)
        if need[10]:
            grads[10] = d_state_gates[..., :g3].sum((0, 1)).to(w_hh.dtype)
        return tuple(grads)


class _GRULayer(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx, gates_in: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor, mask: Tensor
    ) -> tuple[Tensor, Tensor]:
        device = gates_in.device.type
        cd = _compute_dtype(device, w_hh)
        acc = torch.promote_types(w_hh.dtype, torch.float32)
        dirs, batch, steps, _ = gates_in.shape
        hidden = w_hh.size(-1)
        with torch.autocast(device, enabled=False):
            w = w_hh.to(cd).transpose(1, 2).contiguous()  # (D, H, 3H)
            b = b_hh.to(cd).unsqueeze(1)  # (D, 1, 3H)
            keep = mask.unsqueeze(-1)  # (D, B, S, 1)
            state = h0.to(acc)
            # each position's state, masked or not (the previous states are h0 and these)
            states = state.new_empty(dirs, batch, steps, hidden)
            gh_all = state.new_empty(dirs, batch, steps, 3 * hidden)
            rz_all = state.new_empty(dirs, batch, steps, 2 * hidden)
            n_all = torch.empty_like(states)
            new = torch.empty_like(state)
            for t in range(steps):
                gh = gh_all[:, :, t]
                gh.copy_(torch.baddbmm(b, state.to(cd), w))
                _gates(gates_in[:, :, t].to(acc), gh, state, rz_all[:, :, t], n_all[:, :, t], new)
                state = torch.where(keep[:, :, t], new, state, out=states[:, :, t])
            out = states * keep
        ctx.cd, ctx.gates_dtype = cd, gates_in.dtype
        ctx.save_for_backward(h0, w_hh, mask, states, gh_all, rz_all, n_all)
        return out, state.clone()

    @staticmethod
    def backward(ctx, d_out: Tensor, d_final: Tensor):  # type: ignore[override]
        h0, w_hh, mask, states, gh_all, rz_all, n_all = ctx.saved_tensors
        cd, acc = ctx.cd, states.dtype
        dirs, batch, steps, hidden = states.shape
        g3 = 3 * hidden
        prev = torch.cat([h0.to(acc).unsqueeze(2), states[:, :, :-1]], dim=2)
        w = w_hh.to(cd)  # (D, 3H, H)
        keep = mask.unsqueeze(-1)
        keep_f = keep.to(acc)
        d_out = d_out.to(acc) * keep_f if d_out is not None else None
        ds = d_final.to(acc) if d_final is not None else states.new_zeros(dirs, batch, hidden)
        d_gates_in = states.new_empty(dirs, batch, steps, g3)
        d_gates_h = states.new_empty(dirs, batch, steps, g3)
        for t in reversed(range(steps)):
            if d_out is not None:
                ds = ds + d_out[:, :, t]
            kf = keep_f[:, :, t]
            gi, gh = d_gates_in[:, :, t], d_gates_h[:, :, t]
            # a masked position passes the state through unchanged and has no gradient
            direct = _gates_backward(
                ds * kf, prev[:, :, t], rz_all[:, :, t], n_all[:, :, t],
                gh_all[:, :, t, 2 * hidden :], gi, gh,
            )  # fmt: skip
            through = direct.add_(torch.bmm(gh.to(cd), w).to(acc))
            ds = torch.where(keep[:, :, t], through, ds)
        rows = batch * steps
        d_w = torch.bmm(
            d_gates_h.view(dirs, rows, g3).transpose(1, 2).to(cd),
            prev.reshape(dirs, rows, hidden).to(cd),
        )
        need = ctx.needs_input_grad
        return (
            d_gates_in.to(ctx.gates_dtype) if need[0] else None,
            ds.to(h0.dtype) if need[1] else None,
            d_w.to(w_hh.dtype) if need[2] else None,
            d_gates_h.sum((1, 2)).to(w_hh.dtype) if need[3] else None,
            None,
        )
