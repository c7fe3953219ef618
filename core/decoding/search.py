"""Greedy search, beam search and forced decoding. Every hypothesis carries its own attention.

All functions take a batch of sentences and return, per sentence, hypotheses as plain numpy data:
ids (T,), per-token probabilities (T,), attention (T, S) over the real source positions, and a
score. T counts the final ``</s>`` when the hypothesis ended with one. Transformer hypotheses
also carry ``heads`` (L, H, T, S): the cross-attention of every decoder layer and head, of which
``attention`` is the last layer's mean over heads.

One search drives both model families through the same interface:
``model.encode(src, src_len) → (memory, state)``; ``model.step(prev, state, memory, override)
→ (logits (B, V), state, attention (B, S), heads (B, L, H, S) or None)``;
``model.reorder(state, rows)`` and ``memory.index(rows)`` for beams. The GRU's state is its hidden
vector, the Transformer's the cached keys and values of the positions decoded so far, so a step
costs one position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core import native
from core.data.vocab import BOS_ID, EOS_ID, PAD_ID
from core.decoding.beam_tree import build_tree
from core.errors import CoreError
from core.model.mha import HeadOverride


@dataclass
class Hypothesis:
    ids: list[int]
    probs: np.ndarray  # (T,)
    attention: np.ndarray  # (T, S)
    score: float  # log-probability, divided by length**alpha for beams
    heads: np.ndarray | None = None  # (L, H, T, S) Transformers' cross-attention; None for GRUs
    encoder_self: np.ndarray | None = None  # (Le, H, S, S) forced decoding, on request
    decoder_self: np.ndarray | None = None  # (L, H, T, T) forced decoding, on request


def _override(model, weights: np.ndarray, src: Tensor, layer: int | None, head: int | None):
    """The model's form of "put this step's attention on these weights": a (1, S) tensor for the
    GRU (one attention); for a Transformer a ``HeadOverride`` of one layer (default the last)
    and one head (None: all of them)."""
    if src.size(0) != 1 or weights.shape != (src.size(1),):
        raise ValueError("an attention override applies to one sentence, one weight a word")
    w = torch.as_tensor(weights, dtype=torch.float32, device=src.device)[None]
    cfg = model.cfg
    if getattr(cfg, "arch", "gru") != "transformer":
        if layer not in (None, 0) or head not in (None, 0):
            raise CoreError("a GRU model has one attention: no layer or head to choose")
        return w
    layer = cfg.dec_layers - 1 if layer is None else layer
    if not 0 <= layer < cfg.dec_layers:
        raise CoreError(
            f"layer {layer} does not exist: the model has layers 0-{cfg.dec_layers - 1}"
        )
    if head is not None and not 0 <= head < cfg.heads:
        raise CoreError(f"head {head} does not exist: the model has heads 0-{cfg.heads - 1}")
    return HeadOverride(w, layer, head)


def max_output_length(src_len: Tensor) -> Tensor:
    """Generous but finite: a translation rarely runs past 1.5× its source plus ten words."""
    return (src_len.float() * 1.5 + 10).long()


@torch.inference_mode()
def greedy(
    model,
    src: Tensor,
    src_len: Tensor,
    prefix: list[int] | None = None,
    override: np.ndarray | None = None,
    override_layer: int | None = None,
    override_head: int | None = None,
) -> list[Hypothesis]:
    """src: (B, S), src_len: (B,) → one hypothesis per sentence.

    ``prefix`` (one sentence only) fixes the first target ids; the model continues from there.
    ``override`` (S,) replaces the attention of the first step after the prefix, so the word
    chosen there, and everything after it, follow from where the user made the model look. For a
    Transformer it replaces the cross-attention of ``override_layer`` (default: the last), of
    head ``override_head`` or (None) of all heads.
    """
    model.eval()
    b, dev = src.size(0), src.device
    memory, state = model.encode(src, src_len)
    limits = max_output_length(src_len).to(dev)
    prev = torch.full((b,), BOS_ID, dtype=torch.long, device=dev)
    ids, probs, attns, heads = [], [], [], []
    for tok in _checked_prefix(prefix, b):
        logits, state, weights, h = model.step(prev, state, memory)
        logp = torch.log_softmax(logits.float(), dim=-1)
        prev = torch.full((b,), tok, dtype=torch.long, device=dev)
        ids.append(prev)
        probs.append(logp[:, tok].exp())
        attns.append(weights)
        heads.append(h)
    limits = limits + len(ids)
    all_limits = limits.cpu().numpy()  # ``limits`` itself shrinks with the batch
    steps = int(all_limits.max())
    # each step's outputs for the sentences still in the batch (``cur``: their rows here),
    # written into the whole batch's records, as sentences finish and leave the batch
    out = _GreedyRecords(b, steps, ids, probs, attns, heads)
    forced_weights = None
    if override is not None:
        forced_weights = _override(model, override, src, override_layer, override_head)
    cur = torch.arange(b, device=dev)
    done = torch.zeros(b, dtype=torch.bool, device=dev)
    for t in range(len(ids), steps):
        logits, state, weights, h = model.step(prev, state, memory, forced_weights)
        forced_weights = None
        best_logp, prev = _best(logits)
        out.write(t, cur, prev, best_logp.exp(), weights, h)
        done = done | (prev == EOS_ID) | (t + 1 >= limits)
        live = ~done
        n_live = int(live.sum())
        if not n_live:
            break
        size = search_batch_size(n_live)
        if size < cur.numel():  # finished sentences leave, down to the next batch size
            stay = _staying(live.cpu(), size).to(dev)
            cur, prev, done, limits = cur[stay], prev[stay], done[stay], limits[stay]
            memory = memory.index(stay)
            state = model.reorder(state, stay)
    all_ids, all_probs, all_attn, all_heads = out.arrays()
    lens = src_len.cpu().numpy()
    hyps = []
    for i in range(b):
        row = all_ids[i, : int(all_limits[i])]
        eos = np.nonzero(row == EOS_ID)[0]
        n = int(eos[0]) + 1 if eos.size else min(len(row), int(all_limits[i]))
        p = all_probs[i, :n]
        hyps.append(
            Hypothesis(
                row[:n].tolist(),
                p,
                all_attn[i, :n, : lens[i]],
                float(np.log(np.maximum(p, 1e-30)).sum()),
                None if all_heads is None else all_heads[i, :, :, :n, : lens[i]],
            )
        )
    return hyps


class _GreedyRecords:
    """A greedy search's ids, probabilities, attention (and a Transformer's heads) for every
    sentence and step, kept per step as the rows still searching wrote them; assembled per
    sentence at the end (positions after a sentence finished stay ``PAD_ID`` / 0)."""

    def __init__(self, b: int, steps: int, ids, probs, attns, heads) -> None:
        self.b, self.steps = b, steps
        everyone = torch.arange(b, device=ids[0].device) if ids else None
        self.records = [(t, everyone, i, p, a, h) for t, (i, p, a, h) in
                        enumerate(zip(ids, probs, attns, heads))]  # fmt: skip

    def write(self, t: int, rows: Tensor, ids, probs, attn, heads) -> None:
        self.records.append((t, rows, ids, probs, attn, heads))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        first = self.records[0]
        s = first[4].size(-1)
        ids = np.full((self.b, self.steps), PAD_ID, dtype=np.int64)
        probs = np.zeros((self.b, self.steps), dtype=np.float32)
        attn = np.zeros((self.b, self.steps, s), dtype=np.float32)
        heads = None
        if first[5] is not None:
            layers, n_heads = first[5].shape[1:3]
            heads = np.zeros((self.b, layers, n_heads, self.steps, s), dtype=np.float32)
        for t, rows, i, p, a, h in self.records:
            r = rows.cpu().numpy()
            ids[r, t] = i.cpu().numpy()
            probs[r, t] = p.float().cpu().numpy()
            attn[r, t] = a.float().cpu().numpy()
            if heads is not None:
                heads[r, :, :, t] = h.float().cpu().numpy()
        return ids, probs, attn, heads


def _best(logits: Tensor) -> tuple[Tensor, Tensor]:
    """Each row's most probable token: its log-probability (B,) and its id (B,), in one pass
    over the logits where the compiled kernels run, else through a log-softmax."""
    top = native.row_top(logits, 1)
    if top is not None:
        values, ids, lse = top
        return values[:, 0] - lse, ids[:, 0]
    return torch.log_softmax(logits.float(), dim=-1).max(dim=-1)


def _checked_prefix(prefix: list[int] | None, batch: int) -> list[int]:
    if not prefix:
        return []
    if batch != 1:
        raise ValueError("a target prefix applies to one sentence at a time")
    return [t for t in prefix if t != EOS_ID]


@torch.inference_mode()
def beam_search(
    model,
    src: Tensor,
    src_len: Tensor,
    beam: int,
    nbest: int = 1,
    alpha: float = 1.0,
    prefix: list[int] | None = None,
    trees: bool = False,
):
    """Batched beam search → for each sentence, up to ``nbest`` hypotheses, best first.

    Scores are length-normalised (log p / len**alpha). As in fairseq, the 2·beam best candidates
    are taken each step: those ending in </s> among the first ``beam`` finish, the best ``beam``
    others continue, so a finished hypothesis never takes an open beam's place.

    With ``trees=True`` returns ``(hypotheses, trees)``: one ``core.decoding.beam_tree.BeamTree``
    per sentence, built from the same records the hypotheses are traced from.
    """
    model.eval()
    k, b, dev = beam, src.size(0), src.device
    nbest = max(1, min(nbest, beam))
    memory, hidden = model.encode(src, src_len)
    rows = torch.arange(b, device=dev).repeat_interleave(k)
    memory = memory.index(rows)
    hidden = model.reorder(hidden, rows)
    scores = torch.full((b, k), float("-inf"), device=dev)
    scores[:, 0] = 0.0
    prev = torch.full((b * k,), BOS_ID, dtype=torch.long, device=dev)
    limits = max_output_length(src_len).tolist()
    steps: list[_Step] = []
    finished: list[list[tuple[float, int, int]]] = [[] for _ in range(b)]  # (score, step, slot)
    active = torch.ones(b, dtype=torch.bool)
    forced = _checked_prefix(prefix, b)
    prev, hidden = _follow_prefix(model, forced, k, prev, hidden, memory, scores, steps)
    limits_t = torch.tensor([lim + len(forced) for lim in limits])
    cur = torch.arange(b)  # the original sentence at each batch position (CPU)
    for t in range(len(forced), int(limits_t.max())):
        n = cur.numel()
        logits, hidden, weights, heads = model.step(prev, hidden, memory)
        top_scores, parent, token, prob = _top_candidates(logits, scores, n, k, dev)
        step = _Step(
            parent, token, prob, weights.index_select(0, parent), top_scores.view(-1), cur=cur
        )
        step.heads = None if heads is None else heads.index_select(0, parent)
        steps.append(step)
        live = active[cur]
        keep, padding = _choose(
            top_scores.cpu(), token.view(n, 2 * k).cpu(), t, k, limits_t, live, finished, cur
        )
        active[cur] = live
        if not bool(live.any()):
            break
        kept = keep.to(dev) + (torch.arange(n, device=dev) * (2 * k)).unsqueeze(1)  # (n, K)
        dead = (padding | ~live.unsqueeze(1)).to(dev)
        scores = (
            top_scores.view(-1)
            .index_select(0, kept.view(-1))
            .view(n, k)
            .masked_fill(dead, float("-inf"))
        )
        size = search_batch_size(int(live.sum()))
        if size < n:  # finished sentences leave, down to the next of a few batch sizes
            stay = _staying(live, size)
            stay_rows = (stay.to(dev).unsqueeze(1) * k + torch.arange(k, device=dev)).view(-1)
            kept, dead, scores = kept[stay.to(dev)], dead[stay.to(dev)], scores[stay.to(dev)]
            memory = memory.index(stay_rows)
            cur, limits_t = cur[stay], limits_t[stay]
        step.kept, step.alive = kept.view(-1), ~dead.view(-1)  # in the next step's numbering
        prev = token.index_select(0, step.kept)
        hidden = model.reorder(hidden, parent.index_select(0, step.kept))
    return _results(steps, finished, src_len, k, len(forced), nbest, alpha, trees)


#: a search's batch shrinks in multiples of this many sentences (below it, to powers of 2)
SEARCH_BATCH_STEP = 16


def search_batch_size(live: int) -> int:
    """The batch a search (beam or greedy) continues with while ``live`` sentences are open: a
    multiple of ``SEARCH_BATCH_STEP`` above it, else 1, 2, 4, 8 or 16. oneDNN prepares a kernel
    for each batch size of each of a step's products and keeps 64 of them while training
    (``core.device.KERNEL_CACHE_ENTRIES``); a batch of any size, as sentences finish one by one,
    met ~100 shapes per 1,000 sentences and prepared ~190 kernels every time (0.18 s of 2.3 s).
    Finished sentences stay as padding until the open ones fit the next size down."""
    step = SEARCH_BATCH_STEP
    if live > step:
        return -(-live // step) * step
    return 1 << max(0, live - 1).bit_length()


def _staying(live: Tensor, size: int) -> Tensor:
    """The ``size`` batch positions to keep (in batch order): every open sentence, then finished
    ones as padding up to ``size``."""
    open_ = live.nonzero().squeeze(1)
    padding = (~live).nonzero().squeeze(1)[: size - open_.numel()]
    return torch.cat([open_, padding]).sort().values


def _top_candidates(
    logits: Tensor, scores: Tensor, n: int, k: int, dev: torch.device
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The best 2K extensions of each sentence's K beams: their scores (n, 2K), and for each
    candidate (n*2K,) its parent row, its token and that token's probability."""
    v = logits.size(-1)
    # The best 2K extensions of all K beams are among the best 2K of each beam: take those
    # per row, normalise only them (log-sum-exp), never a full log-softmax over V.
    top = native.row_top(logits, min(2 * k, v))
    if top is not None:
        row_best, row_tok, lse = top
        row_logp = row_best - lse.unsqueeze(1)
    else:
        logits = logits.float()
        row_best, row_tok = logits.topk(min(2 * k, v), dim=-1)  # (n*K, W)
        row_logp = row_best - torch.logsumexp(logits, dim=-1, keepdim=True)
    w = row_best.size(1)
    cand = (scores.view(-1, 1) + row_logp).view(n, k * w)
    top_scores, top_idx = cand.topk(min(2 * k, k * w), dim=-1)  # (n, 2K)
    if top_scores.size(1) < 2 * k:  # tiny vocabularies: pad the slots with dead candidates
        fill = 2 * k - top_scores.size(1)
        top_scores = torch.cat([top_scores, top_scores.new_full((n, fill), float("-inf"))], 1)
        top_idx = torch.cat([top_idx, top_idx[:, :1].expand(n, fill)], 1)
    flat = (top_idx + (torch.arange(n, device=dev) * (k * w)).unsqueeze(1)).view(-1)
    parent = torch.div(flat, w, rounding_mode="floor")  # (n*2K,) rows
    token = row_tok.view(-1).index_select(0, flat)
    prob = row_logp.view(-1).index_select(0, flat).exp()
    return top_scores, parent, token, prob


def _results(
    steps: list[_Step],
    finished: list[list[tuple[float, int, int]]],
    src_len: Tensor,
    k: int,
    n_forced: int,
    nbest: int,
    alpha: float,
    trees: bool,
):
    """Trace each sentence's ``nbest`` best finished hypotheses (and, with ``trees``, its beam
    tree) back through the recorded steps."""
    b = len(finished)
    plain = [_plain_step(s, b) for s in steps]
    heads = [None if s.heads is None else s.heads.float().cpu().numpy() for s in steps]
    ranked = [sorted(fin, key=lambda x: -x[0] / (x[1] + 1) ** alpha)[:nbest] for fin in finished]
    results = _collect(plain, ranked, src_len, alpha, heads)
    if not trees:
        return results
    lens = src_len.tolist()
    return results, [
        build_tree(plain, finished[i], ranked[i], i, k, n_forced, lens[i], alpha) for i in range(b)
    ]


def _follow_prefix(
    model,
    forced: list[int],
    k: int,
    prev: Tensor,
    hidden: Tensor,
    memory,
    scores: Tensor,
    steps: list[_Step],
) -> tuple[Tensor, Tensor]:
    """Decode the fixed prefix: every slot extends beam row 0 with the given token. Adds to
    ``scores`` and ``steps`` in place; returns the next (previous tokens, hidden state)."""
    dev = scores.device
    for tok in forced:
        logits, hidden, weights, heads = model.step(prev, hidden, memory)
        logp = torch.log_softmax(logits.float(), dim=-1)
        zeros = torch.zeros(2 * k, dtype=torch.long, device=dev)
        token = torch.full((2 * k,), tok, dtype=torch.long, device=dev)
        scores[:, 0] += logp[0, tok]
        cand = torch.full((2 * k,), float("-inf"), device=dev)
        cand[0] = scores[0, 0]
        steps.append(
            _Step(
                zeros,
                token,
                logp[zeros, token].exp(),
                weights.index_select(0, zeros),
                cand,
                kept=torch.zeros(k, dtype=torch.long, device=dev),
                alive=torch.ones(k, dtype=torch.bool),
                heads=None if heads is None else heads.index_select(0, zeros),
            )
        )
        prev = torch.full((k,), tok, dtype=torch.long, device=dev)
        hidden = model.reorder(hidden, torch.zeros(k, dtype=torch.long, device=dev))
    return prev, hidden


def _plain_step(s: _Step, b: int) -> tuple:
    """One step's records as numpy arrays on the CPU, for tracing hypotheses and trees."""
    return (
        s.parent.cpu().numpy(),
        s.token.cpu().numpy(),
        s.prob.float().cpu().numpy(),
        s.attn.float().cpu().numpy(),
        None if s.kept is None else s.kept.cpu().numpy(),
        None if s.alive is None else s.alive.cpu().numpy(),
        s.score.float().cpu().numpy(),
        np.arange(b) if s.cur is None else s.cur.numpy(),
    )


@dataclass
class _Step:
    """One beam step's 2K candidate slots per sentence, flattened to B*2K."""

    parent: Tensor  # (B*2K,) the beam row (B*K numbering) each slot extends
    token: Tensor  # (B*2K,)
    prob: Tensor  # (B*2K,) p(token | parent's prefix)
    attn: Tensor  # (B*2K, S) attention while producing token
    score: Tensor  # (B*2K,) the candidate's log-probability (-inf: padding)
    kept: Tensor | None = None  # (B'*K,) which slot became each beam row of the next step
    alive: Tensor | None = None  # (B'*K,) whether that beam row is a real hypothesis
    cur: Tensor | None = None  # (B,) the original sentence at each batch position (CPU)
    heads: Tensor | None = None  # (B*2K, L, H, S) every layer's and head's attention (Transformer)

    # B is this step's batch, B' the next step's: finished sentences leave the batch, so the
    # numbering changes from step to step and ``kept`` already uses the next step's.


def _choose(
    top_scores: Tensor,
    top_tok: Tensor,
    t: int,
    k: int,
    limits: Tensor,
    active: Tensor,
    finished: list[list[tuple[float, int, int]]],
    cur: Tensor,
) -> tuple[Tensor, Tensor]:
    """Record the candidates that finish; return the K slots that continue (B, K) and a mask of
    the slots that are only padding (fewer than K open candidates), whose beams are dropped.

    top_scores, top_tok: (B, 2K) on the CPU, best first; limits (B,) long; active (B,) bool,
    updated in place (a sentence stops once it has K finished hypotheses or hits its limit);
    ``cur`` maps batch positions to the original sentences that ``finished`` is indexed by.
    """
    valid = top_scores > float("-inf")
    at_limit = (t + 1 >= limits).unsqueeze(1)  # (B, 1)
    ends = (top_tok == EOS_ID) | at_limit
    rank = torch.arange(2 * k).unsqueeze(0)
    finishing = ends & valid & (rank < k) & active.unsqueeze(1)
    for i, r in finishing.nonzero().tolist():
        finished[int(cur[i])].append((float(top_scores[i, r]), t, i * 2 * k + r))
    open_ = ~ends & valid
    # the first K open candidates in rank order, then (as padding) the rest
    order = torch.argsort(torch.where(open_, rank, rank + 2 * k), dim=1, stable=True)[:, :k]
    padding = ~open_.gather(1, order)
    n_finished = torch.tensor([len(finished[int(i)]) for i in cur])
    active &= ~((n_finished >= k) | at_limit.squeeze(1) | ~open_.any(1))
    return order, padding


def _collect(
    plain: list[tuple],
    ranked: list[list[tuple[float, int, int]]],
    src_len: Tensor,
    alpha: float = 1.0,
    heads: list[np.ndarray | None] | None = None,
) -> list[list[Hypothesis]]:
    """Trace each N-best hypothesis (raw score, step, slot) back through the recorded steps."""
    lens = src_len.cpu().numpy()
    heads = heads or [None] * len(plain)
    results = []
    for i, best in enumerate(ranked):
        hyps = []
        for raw_score, t, slot in best:
            ids, probs, attn, per_head = [], [], [], []
            for step in range(t, -1, -1):
                parent, token, prob, att = plain[step][:4]
                ids.append(int(token[slot]))
                probs.append(float(prob[slot]))
                attn.append(att[slot, : lens[i]])
                if heads[step] is not None:
                    per_head.append(heads[step][slot, :, :, : lens[i]])  # (L, H, S)
                if step:
                    slot = int(plain[step - 1][4][parent[slot]])
            ids.reverse(), probs.reverse(), attn.reverse(), per_head.reverse()
            hyps.append(
                Hypothesis(
                    ids,
                    np.array(probs, dtype=np.float32),
                    np.stack(attn).astype(np.float32),
                    raw_score / (t + 1) ** alpha,
                    np.stack(per_head, axis=2).astype(np.float32) if per_head else None,
                )
            )
        results.append(hyps)
    return results


@torch.inference_mode()
def forced(
    model, src: Tensor, src_len: Tensor, tgt_ids: list[list[int]], self_attention: bool = False
) -> list[Hypothesis]:
    """Score given translations (each ending in </s>): the model's probability of every token and
    the attention it pays while producing it. For a Transformer also every layer's and head's
    cross-attention and, with ``self_attention``, the encoder's and decoder's self-attention."""
    from core.data.batching import pad

    model.eval()
    tgt_out = pad(tgt_ids).to(src.device)
    tgt_in = pad([t[:-1] for t in tgt_ids], prefix=[BOS_ID]).to(src.device)
    extra: dict[str, Tensor] = {}
    if getattr(model.cfg, "arch", "gru") == "transformer":
        extra = model.inspect(src, src_len, tgt_in, self_attention)
        logits = extra.pop("logits")
        attn = extra["cross"][:, -1].mean(1)
    else:
        logits, attn = model(src, src_len, tgt_in)
    logp = torch.log_softmax(logits.float(), dim=-1)
    gold = logp.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1)  # (B, T)
    plain = {k: v.float().cpu().numpy() for k, v in extra.items()}
    out = []
    lens = src_len.cpu().numpy()
    for i, ids in enumerate(tgt_ids):
        n, s = len(ids), int(lens[i])
        lp = gold[i, :n].cpu().numpy()
        out.append(
            Hypothesis(
                list(ids),
                np.exp(lp).astype(np.float32),
                attn[i, :n, :s].float().cpu().numpy(),
                float(lp.sum()),
                plain["cross"][i, :, :, :n, :s] if "cross" in plain else None,
                plain["encoder_self"][i, :, :, :s, :s] if "encoder_self" in plain else None,
                plain["decoder_self"][i, :, :, :n, :n] if "decoder_self" in plain else None,
            )
        )
    return out
