"""Which source tokens each output token depended on: gradient attribution beside attention.

For the shown hypothesis the model force-decodes that exact output and, for every target token
t, takes the gradient of log p(y_t | y_<t, x) with respect to the source embeddings x_j:

- ``saliency``: ‖∂ log p_t / ∂x_j‖₂, unsigned (the raw value is that norm);
- ``grad-x-input``: (∂ log p_t / ∂x_j) · x_j, signed;
- ``integrated-gradients``: (x_j − x'_j) · ∫₀¹ ∂ log p_t(x' + α(x − x')) / ∂x_j dα, signed. The
  baseline x' is ``<pad>``'s embedding (all zeros) at every word and the real ``</s>`` at the end:
  "this many words, all blank". With ``</s>`` blanked too, the toy reversal task's IG credited
  ``</s>`` first in 96 % of rows (the model lost the sentence's end, not a word). The integral
  uses Gauss–Legendre nodes; completeness says Σ_j IG_tj = log p_t(x) − log p_t(x'), and
  ``completeness_error`` is Σ_t |Σ_j IG_tj − Δ_t| / Σ_t |Δ_t|.

Each method gives the raw matrix and a normalised one (absolute values, each row summing to 1),
both shaped like the attention heatmap: rows are target tokens (with ``</s>``), columns source
tokens (with ``</s>``).

Why not Captum (measured, ``bench/attribution.py --captum``): on a 20-token sentence of the base
shape its LayerIntegratedGradients gives the same IG as this code (largest difference 1.9e-7 of
the largest value) in about the same time (9.2 s against 9.7 s, 64 steps, one thread): both
evaluate every target token × step once. It would add captum, matplotlib, pillow, fonttools and
kiwisolver (about 100 MB) to the app's install and bundle for three methods that fit in a page of
torch here, with progress, cancel and the completeness check where the app needs them.

Words: a subword model is attributed in its pieces (the ids it reads); ``in_words`` then merges
the result as the attention views merge attention. A source word gets the sum of its pieces'
columns and a target word the sum of its pieces' rows (log p of a word is the sum of its pieces'
log p, so integrated gradients stay complete); normalising and the agreement come after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import Tensor

from core.data.vocab import BOS_ID, EOS, EOS_ID
from core.errors import CoreError
from core.events import Translation
from core.inspection.agreement import SentenceAgreement, sentence_agreement
from core.inspection.attribution_methods import METHODS
from core.inspection.word_merge import group_pieces, merge_attention

#: Integrated gradients by default starts with FIRST_IG_STEPS Gauss–Legendre nodes and doubles
#: them until the completeness error is under IG_TOLERANCE (at most MAX_AUTO_IG_STEPS). Measured on
#: five demo-model sentences: 32 nodes left 1–15 % error, 64 left 0.05–8 %, 128 under 3 %.
FIRST_IG_STEPS = 64
MAX_AUTO_IG_STEPS = 512
IG_TOLERANCE = 0.05
MAX_BATCH_ROWS = 256  # copies of the sentence per forward pass (memory bound, cancel point)


@dataclass(frozen=True)
class Attribution:
    method: str
    source_tokens: list[str]
    target_tokens: list[str]
    attention: np.ndarray  # (T, S) the forced decoding's attention
    raw: np.ndarray  # (T, S) signed (saliency: the gradient norm, ≥ 0)
    normalised: np.ndarray  # (T, S) |raw| with rows summing to 1
    agreement: SentenceAgreement
    completeness_error: float | None  # integrated gradients only
    steps: int | None  # integrated gradients only: the nodes used


def normalise(raw: np.ndarray) -> np.ndarray:
    """|raw| scaled so each row sums to 1; an all-zero row (nothing mattered) becomes uniform."""
    a = np.abs(np.asarray(raw, dtype=np.float64))
    sums = a.sum(axis=1, keepdims=True)
    uniform = np.full_like(a, 1.0 / max(a.shape[1], 1))
    return np.where(sums > 0, a / np.where(sums > 0, sums, 1.0), uniform).astype(np.float32)


def gold_logp_and_grads(
    model, src: Tensor, src_len: Tensor, tgt_in: Tensor, tgt_out: Tensor, emb: Tensor, rows: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """Teacher-forced pass with the source embeddings replaced by ``emb`` (N, S, E).

    Copy n contributes log p of its target token ``rows[n]``; copies are independent (eval mode),
    so one backward of the sum gives each copy its own gradient. Returns the gold log-probs
    (N, T), the gradient w.r.t. ``emb`` (N, S, E) and the attention (N, T, S).
    """
    emb = emb.detach().requires_grad_(True)
    handle = model.encoder.embed.register_forward_hook(lambda _m, _i, out: emb.to(out.dtype))
    try:
        # cuDNN's RNN backward refuses eval mode; the plain kernels give the same numbers
        with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
            logits, attn = model(src, src_len, tgt_in)
            logp = torch.log_softmax(logits.float(), dim=-1)
            gold = logp.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1)  # (N, T)
            picked = gold[torch.arange(gold.size(0), device=gold.device), rows]
            (grads,) = torch.autograd.grad(picked.sum(), emb)
    finally:
        handle.remove()
    return gold.detach(), grads, attn.detach()


@dataclass
class _Sentence:
    """One source and target as tensors, and the real source embeddings."""

    src: Tensor  # (1, S)
    src_len: Tensor  # (1,) on the CPU
    tgt_in: Tensor  # (1, T)
    tgt_out: Tensor  # (1, T)
    emb: Tensor  # (S, E)

    @property
    def n_target(self) -> int:
        return self.tgt_out.size(1)

    def run(self, model, emb: Tensor, rows: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        n = emb.size(0)
        return gold_logp_and_grads(
            model,
            self.src.expand(n, -1),
            self.src_len.expand(n),
            self.tgt_in.expand(n, -1),
            self.tgt_out.expand(n, -1),
            emb,
            rows,
        )


def _sentence(model, src_ids: list[int], tgt_ids: list[int]) -> _Sentence:
    dev = next(model.parameters()).device
    src = torch.tensor([src_ids], dtype=torch.long, device=dev)
    tgt_out = torch.tensor([tgt_ids], dtype=torch.long, device=dev)
    tgt_in = torch.tensor([[BOS_ID, *tgt_ids[:-1]]], dtype=torch.long, device=dev)
    with torch.no_grad():
        emb = model.encoder.embed(src)[0].float()
    return _Sentence(src, torch.tensor([len(src_ids)]), tgt_in, tgt_out, emb)


def gradient_attribution(
    model, src_ids: list[int], tgt_ids: list[int], method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Saliency or gradient × input for every target token: (raw (T, S), attention (T, S))."""
    s = _sentence(model, src_ids, tgt_ids)
    t = s.n_target
    emb = s.emb.unsqueeze(0).expand(t, -1, -1)
    _, grads, attn = s.run(model, emb, torch.arange(t, device=emb.device))
    if method == "saliency":
        raw = grads.norm(dim=-1)  # (T, S)
    else:
        raw = (grads * s.emb.unsqueeze(0)).sum(-1)  # (T, S)
    return raw.cpu().numpy().astype(np.float32), attn[0].float().cpu().numpy()


def _baseline(model, s: _Sentence) -> Tensor:
    """<pad>'s embedding at every word, the real one at the final ``</s>`` (as Captum's text
    tutorials keep [CLS]/[SEP]): the baseline is "a sentence of this length with no words",
    not "no sentence at all", so ``</s>`` gets exactly 0 and the words share the change."""
    pad = model.encoder.embed.weight[model.encoder.embed.padding_idx].detach().float()
    base = pad.expand_as(s.emb).clone()  # (S, E)
    ends = s.src[0] == EOS_ID
    base[ends] = s.emb[ends]
    return base


def integrated_gradients(
    model,
    src_ids: list[int],
    tgt_ids: list[int],
    steps: int,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """IG for every target token → (raw (T, S), attention (T, S), completeness error).

    Every (target token, node) pair is one copy of the sentence; copies run MAX_BATCH_ROWS at a
    time, with ``progress(done, total)`` and a cancel check between batches."""
    if steps < 1:
        raise CoreError(f"integrated gradients needs at least 1 step, not {steps}")
    s = _sentence(model, src_ids, tgt_ids)
    t = s.n_target
    dev = s.emb.device
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32, device=dev)  # (K,)
    w = torch.tensor(weights / 2, dtype=torch.float32, device=dev)
    base = _baseline(model, s)
    diff = s.emb - base
    rows = torch.arange(t, device=dev).repeat_interleave(steps)  # (T*K,)
    ks = torch.arange(steps, device=dev).repeat(t)
    total_grad = torch.zeros(t, *s.emb.shape, device=dev)
    for start in range(0, rows.numel(), MAX_BATCH_ROWS):
        if cancel is not None:
            cancel.raise_if_cancelled()
        r, k = rows[start : start + MAX_BATCH_ROWS], ks[start : start + MAX_BATCH_ROWS]
        emb = base + alphas[k].view(-1, 1, 1) * diff
        _, grads, _ = s.run(model, emb, r)
        total_grad.index_add_(0, r, grads * w[k].view(-1, 1, 1))
        if progress is not None:
            progress(min(start + MAX_BATCH_ROWS, rows.numel()), rows.numel())
    raw = (total_grad * diff.unsqueeze(0)).sum(-1)  # (T, S)
    ends = torch.stack([base, s.emb])
    gold, _, attn = s.run(model, ends, torch.zeros(2, dtype=torch.long, device=dev))
    delta = gold[1] - gold[0]  # (T,)
    error = float((raw.sum(1) - delta).abs().sum() / delta.abs().sum().clamp(min=1e-12))
    return raw.cpu().numpy().astype(np.float32), attn[1].float().cpu().numpy(), error


def attribute_ids(
    model,
    src_ids: list[int],
    tgt_ids: list[int],
    method: str,
    steps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
) -> tuple[np.ndarray, np.ndarray, float | None, int | None]:
    """(raw, attention, completeness error, steps used) of one sentence given as ids; the last
    two are None except for integrated gradients. ``steps=None``: enough for IG_TOLERANCE."""
    if method not in METHODS:
        raise CoreError(
            f"unknown attribution method {method!r}; choose one of " + ", ".join(METHODS)
        )
    if not tgt_ids:
        raise CoreError("there is no output to attribute: the translation is empty")
    model.eval()
    if method == "integrated-gradients":
        return _integrated_gradients_auto(model, src_ids, tgt_ids, steps, progress, cancel)
    raw, attn = gradient_attribution(model, src_ids, tgt_ids, method)
    if progress is not None:
        progress(1, 1)
    return raw, attn, None, None


def _integrated_gradients_auto(
    model, src_ids: list[int], tgt_ids: list[int], steps: int | None, progress, cancel
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Given steps: exactly that many. Otherwise double from FIRST_IG_STEPS until the
    completeness error is under IG_TOLERANCE or MAX_AUTO_IG_STEPS is reached."""
    if steps is not None:
        return (*integrated_gradients(model, src_ids, tgt_ids, steps, progress, cancel), steps)
    n = FIRST_IG_STEPS
    while True:
        raw, attn, error = integrated_gradients(model, src_ids, tgt_ids, n, progress, cancel)
        if error < IG_TOLERANCE or n >= MAX_AUTO_IG_STEPS:
            return raw, attn, error, n
        n *= 2


def translation_ids(translator, tr: Translation) -> tuple[list[int], list[int]]:
    """The ids a translator's model reads for a shown translation (its tokens, with ``</s>``)."""
    src = (
        tr.source_tokens[:-1]
        if tr.source_tokens and tr.source_tokens[-1] == EOS
        else list(tr.source_tokens)
    )
    ended = bool(tr.target_tokens) and tr.target_tokens[-1] == EOS
    body = tr.target_tokens[:-1] if ended else list(tr.target_tokens)
    tgt = translator.tgt_vocab.encode(body, add_eos=False) + ([EOS_ID] if ended else [])
    return translator.src_vocab.encode(src), tgt


def attribute(
    translator,
    tr: Translation,
    method: str,
    steps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
) -> Attribution:
    """Attribution of the shown translation ``tr`` (force-decoded as it stands, in the tokens
    the model reads) by ``method``, with its agreement with the attention of that same forced
    decoding."""
    src_ids, tgt_ids = translation_ids(translator, tr)
    raw, attn, error, used = attribute_ids(
        translator.model, src_ids, tgt_ids, method, steps, progress, cancel
    )
    norm = normalise(raw)
    return Attribution(
        method,
        list(tr.source_tokens),
        list(tr.target_tokens),
        attn,
        raw,
        norm,
        sentence_agreement(attn, norm),
        error,
        used,
    )


def in_words(a: Attribution) -> Attribution:
    """A subword model's attribution over the words its pieces make up (see the module
    docstring); the completeness error and steps stay those of the pieces' computation."""
    source, target = group_pieces(a.source_tokens), group_pieces(a.target_tokens)
    raw = target.indicator().T @ np.asarray(a.raw, dtype=np.float64) @ source.indicator()
    attention = merge_attention(a.attention, source, target)
    norm = normalise(raw)
    return replace(
        a,
        source_tokens=list(source.words),
        target_tokens=list(target.words),
        attention=attention,
        raw=raw.astype(np.float32),
        normalised=norm,
        agreement=sentence_agreement(attention, norm),
    )


def attribution_word_record(a: Attribution) -> dict:
    """A subword model's attribution merged into words, beside the pieces' own (as
    ``word_record`` adds the attention in words): what ``attention --json --attribution`` adds."""
    from core.inspection.attention_export import short_floats

    w = in_words(a)
    return {
        "word_attribution": short_floats(w.normalised),
        "word_attribution_raw": short_floats(w.raw),
        "word_agreement": w.agreement.to_dict(),
    }


def attribution_job(
    translator, ctx, tr: Translation, method: str, steps: int | None = None
) -> Attribution:
    """Job form of ``attribute`` for the app's worker thread (progress and cancel from ctx)."""
    return attribute(translator, tr, method, steps, ctx.progress, ctx.cancel)


def attribution_record(a: Attribution) -> dict:
    """What ``attnscope-cli attention --attribution`` adds to its JSON (and the app exports)."""
    from core.inspection.attention_export import short_floats

    record = {
        "attribution_method": a.method,
        "attribution": short_floats(a.normalised),
        "attribution_raw": short_floats(a.raw),
        "agreement": a.agreement.to_dict(),
    }
    if a.completeness_error is not None:
        record["completeness_error"] = a.completeness_error
        record["ig_steps"] = a.steps
    return record
