"""Translate text with a model folder: tokenize, search, detokenize, keep the attention.

The one object front ends hold to translate (the CLI, the app's worker thread, scripts).
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core import device as _device
from core.cancel import CancelToken
from core.data.batching import pad, sorted_batches
from core.data.tokenizer import tokenizers_for
from core.data.vocab import EOS, EOS_ID, Vocab
from core.decoding.inspection import Inspection
from core.decoding.search import Hypothesis, beam_search, forced, greedy
from core.decoding.segmentation import own_segmentation, piece_bytes, words_with_unk
from core.errors import CoreError
from core.events import Translation
from core.storage.model_folder import ModelMeta, read_model, read_tokenizers

MAX_SOURCE_TOKENS = 400  # beyond this, attention memory grows quadratically for no real use
MAX_BEAM = 32
REMEMBERED_SOURCES = 256  # sources whose translations reference_tokens recognises


class Translator:
    def __init__(
        self,
        model,
        src_vocab: Vocab,
        tgt_vocab: Vocab,
        meta: ModelMeta,
        device: torch.device,
        path: Path | None = None,
        tokenizers: tuple[Any, Any] | None = None,
    ) -> None:
        """``tokenizers``: (source, target); by default the folder's (``path``): Moses words for
        a word model, its sentencepiece models for a subword one."""
        self.model = model
        self.src_vocab = src_vocab
        self.tgt_vocab = tgt_vocab
        self.meta = meta
        self.device = device
        self.path = path
        if tokenizers is None:
            if path is not None and meta.tokenizer.subwords:
                tokenizers = read_tokenizers(path, meta)
            else:
                tokenizers = tokenizers_for(meta.tokenizer)
        self.src_tok, self.tgt_tok = tokenizers
        # the translations this translator produced, per source text: a pasted-back output is
        # scored in its own tokens (see ``reference_tokens``)
        self._produced: OrderedDict[str, dict[str, list[str]]] = OrderedDict()
        self._surfaces: list[bytes | None] | None = None

    @classmethod
    def load(
        cls, model_dir: str | Path, device: str = "auto", precision: str = "fp32"
    ) -> Translator:
        """``precision="bf16"`` keeps a bfloat16 copy of the weights: faster on CPUs with bfloat16
        units and on GPUs, with slightly different numbers (attention rows still sum to 1)."""
        if precision not in ("fp32", "bf16"):
            raise CoreError(f"precision must be fp32 or bf16, not {precision!r}")
        dev = _device.resolve(device)
        model, sv, tv, meta = read_model(model_dir, dev)
        if precision == "bf16":
            model = model.to(torch.bfloat16)
        return cls(model, sv, tv, meta, dev, Path(model_dir))

    # ---- helpers -------------------------------------------------------------------------
    def _prepare(self, text: str) -> list[str]:
        tokens = self.src_tok.tokenize(text.strip())
        if len(tokens) > MAX_SOURCE_TOKENS:
            raise CoreError(
                f"the sentence has {len(tokens)} tokens; Attnscope translates at most "
                f"{MAX_SOURCE_TOKENS} at a time — split it into shorter sentences"
            )
        return tokens

    def _to_translation(self, src_tokens: list[str], hyp: Hypothesis) -> Translation:
        words = self.tgt_vocab.decode(hyp.ids, strip_eos=False)
        if words and hyp.ids[-1] == EOS_ID:
            words[-1] = EOS
            body = words[:-1]
        else:
            body = words
        return Translation(
            source_tokens=[*src_tokens, EOS],
            target_tokens=words,
            token_probs=hyp.probs,
            attention=hyp.attention,
            score=hyp.score,
            text=self.tgt_tok.detokenize(body),
            cross_attention=hyp.heads,
            encoder_self_attention=hyp.encoder_self,
            decoder_self_attention=hyp.decoder_self,
        )

    def _empty(self) -> Translation:
        import numpy as np

        return Translation(
            [EOS], [], np.zeros(0, np.float32), np.zeros((0, 1), np.float32), 0.0, ""
        )

    def _tensors(self, token_lists: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        ids = [self.src_vocab.encode(t) for t in token_lists]
        src = pad(ids).to(self.device)
        return src, torch.tensor([len(i) for i in ids], dtype=torch.long)

    # ---- public API ----------------------------------------------------------------------
    def translate(
        self, text: str, beam: int = 1, nbest: int = 1, prefix: str | None = None
    ) -> list[Translation]:
        """Best first; ``nbest`` hypotheses at most (greedy gives one). With ``prefix`` the output
        starts with those words and the model continues from there."""
        return self.inspect(text, beam, nbest, prefix, tree=False).hypotheses

    def inspect(
        self,
        text: str,
        beam: int = 1,
        nbest: int = 1,
        prefix: str | None = None,
        reference: str | None = None,
        tree: bool = True,
        self_attention: bool = False,
    ) -> Inspection:
        """``translate`` plus what the inspector shows: the beam's search tree (beam > 1, unless
        ``tree=False``) and, given ``reference``, that translation scored token by token.

        Transformer hypotheses carry every layer's and head's cross-attention
        (``Translation.cross_attention``); with ``self_attention`` also the encoder's and the
        decoder's self-attention (recomputed by forced decoding of each hypothesis, the same
        computation the search made one position at a time)."""
        if not 1 <= beam <= MAX_BEAM:
            raise CoreError(f"beam size must be between 1 and {MAX_BEAM}, not {beam}")
        tokens = self._prepare(text)
        if not tokens:
            return Inspection([self._empty()])
        src, src_len = self._tensors([tokens])
        prefix_tokens = self.tgt_tok.tokenize(prefix.strip()) if prefix and prefix.strip() else []
        prefix_ids = self.tgt_vocab.encode(prefix_tokens, add_eos=False) or None
        search_tree = node_tokens = node_texts = None
        if beam == 1:
            hyps = greedy(self.model, src, src_len, prefix=prefix_ids)
        elif not tree:
            hyps = beam_search(self.model, src, src_len, beam, max(1, nbest), prefix=prefix_ids)[0]
        else:
            results, trees = beam_search(
                self.model, src, src_len, beam, max(1, nbest), prefix=prefix_ids, trees=True
            )
            hyps, search_tree = results[0], trees[0]
            node_tokens, node_texts = self._node_words(search_tree, prefix_tokens)
        if self_attention and self.is_transformer:
            hyps = [self._with_self_attention(src, src_len, h) for h in hyps]
        out = [self._to_translation(tokens, h) for h in hyps]
        if prefix_tokens:
            out = [self._with_prefix_words(t, prefix_tokens) for t in out]
        for t in out:
            self._remember(text, t)
        ref = (
            self.score(text, reference, self_attention) if reference and reference.strip() else None
        )
        return Inspection(out, search_tree, node_tokens, node_texts, ref, " ".join(prefix_tokens))

    @property
    def is_transformer(self) -> bool:
        return self.meta.model.arch == "transformer"

    @property
    def attention_shape(self) -> tuple[int, int]:
        """(decoder layers, heads) of the model's cross-attention; (1, 1) for a GRU."""
        cfg = self.meta.model
        return (cfg.dec_layers, cfg.heads) if self.is_transformer else (1, 1)

    def _with_self_attention(self, src, src_len, hyp: Hypothesis) -> Hypothesis:
        """``hyp`` with the encoder's and decoder's self-attention for its tokens."""
        f = forced(self.model, src, src_len, [hyp.ids], self_attention=True)[0]
        return dataclasses.replace(hyp, encoder_self=f.encoder_self, decoder_self=f.decoder_self)

    def _node_words(self, tree, prefix_tokens: list[str]) -> tuple[list[str], list[str]]:
        """Each node's token, and the detokenized text of the partial hypothesis it ends."""
        words = ["<s>"] + [
            self.tgt_vocab.itos[n.token_id] if n.token_id != EOS_ID else EOS for n in tree.nodes[1:]
        ]
        for n in tree.nodes:  # the user's prefix words, not <unk>
            if n.status == "prefix" and n.step < len(prefix_tokens):
                words[n.id] = prefix_tokens[n.step]
        texts = [""] * len(words)
        for n in tree.nodes[1:]:
            path = [words[p.id] for p in tree.path(n.id) if p.token_id != EOS_ID]
            texts[n.id] = self.tgt_tok.detokenize(path)
        return words, texts

    def what_if(
        self,
        text: str,
        target_tokens: list[str],
        step: int,
        source_index: int,
        source_weights: list[float] | None = None,
        layer: int | None = None,
        head: int | None = None,
    ) -> Translation:
        """Re-decode (greedily) with all the attention at ``step`` put on one source token.

        The output keeps ``target_tokens[:step]``; at ``step`` the model reads only
        ``source_index`` (or, given ``source_weights``, that distribution over the source
        tokens: a word's pieces in the inspector's Words mode); after that it decodes on its
        own again. For a Transformer the cross-attention of decoder ``layer`` (0-based; None:
        the last) is replaced, in head ``head`` only or (None) in all of its heads; the other
        layers attend as they computed. A GRU has one attention: ``layer`` and ``head`` must be
        None."""
        tokens = self._prepare(text)
        n_src = len(tokens) + 1
        if not tokens:
            raise CoreError("type a source sentence first")
        if not 0 <= source_index < n_src:
            raise CoreError(
                f"source position {source_index} is outside the sentence ({n_src} tokens with </s>)"
            )
        body = [t for t in target_tokens if t != EOS]
        if not 0 <= step <= len(body):
            raise CoreError(f"step {step} is outside the translation ({len(body)} words)")
        src, src_len = self._tensors([tokens])
        prefix_words = body[:step]
        prefix_ids = self.tgt_vocab.encode(prefix_words, add_eos=False) or None
        weights = _override_weights(src.size(1), source_index, source_weights)
        hyp = greedy(
            self.model,
            src,
            src_len,
            prefix=prefix_ids,
            override=weights,
            override_layer=layer,
            override_head=head,
        )[0]
        t = self._to_translation(tokens, hyp)
        return self._with_prefix_words(t, prefix_words) if prefix_words else t

    def _with_prefix_words(self, t: Translation, words: list[str]) -> Translation:
        """Show the user's own prefix words (not <unk>) where the vocabulary lacks them."""
        tokens = [*words, *t.target_tokens[len(words) :]]
        body = tokens[:-1] if tokens and tokens[-1] == EOS else tokens
        return dataclasses.replace(t, target_tokens=tokens, text=self.tgt_tok.detokenize(body))

    def translate_batch(
        self,
        texts: list[str],
        beam: int = 1,
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelToken | None = None,
        first_line: int = 1,
    ) -> list[Translation]:
        """Translate many sentences, batched by length; results in input order. ``first_line``
        numbers the texts in error messages when they are one block of a longer input."""
        token_lists = []
        for n, text in enumerate(texts, first_line):
            try:
                token_lists.append(self._prepare(text))
            except CoreError as exc:
                raise CoreError(f"line {n}: {exc}") from None
        results: list[Translation | None] = [None] * len(texts)
        todo = [i for i, t in enumerate(token_lists) if t]
        for i, t in enumerate(token_lists):
            if not t:
                results[i] = self._empty()
        done = len(texts) - len(todo)
        for batch in sorted_batches([len(token_lists[i]) for i in todo], batch_size):
            if cancel is not None:
                cancel.raise_if_cancelled()
            idx = [todo[j] for j in batch]
            src, src_len = self._tensors([token_lists[i] for i in idx])
            if beam == 1:
                hyps = greedy(self.model, src, src_len)
            else:
                hyps = [h[0] for h in beam_search(self.model, src, src_len, beam, 1)]
            for i, h in zip(idx, hyps):
                results[i] = self._to_translation(token_lists[i], h)
                self._remember(texts[i], results[i])
            done += len(idx)
            if progress is not None:
                progress(done, len(texts))
        return [r for r in results if r is not None]

    def _remember(self, source: str, t: Translation) -> None:
        body = t.target_tokens[:-1] if t.target_tokens[-1:] == [EOS] else t.target_tokens
        self._produced.setdefault(source.strip(), {}).setdefault(t.text.strip(), list(body))
        self._produced.move_to_end(source.strip())
        while len(self._produced) > REMEMBERED_SOURCES:
            self._produced.popitem(last=False)

    def reference_tokens(
        self, source: str, target: str, src: torch.Tensor, src_len: torch.Tensor
    ) -> list[str]:
        """The tokens ``target`` is scored as. A translation this translator produced for
        ``source`` keeps its own tokens; for a subword model any other text gets the
        segmentation the model prefers (``own_segmentation``: a greedy output's own pieces); for
        a word model Moses words, a literal ``<unk>`` being the unknown-word token."""
        target = target.strip()
        produced = self._produced.get(source.strip(), {}).get(target)
        if produced is not None:
            return list(produced)
        if not self.meta.tokenizer.subwords:
            return words_with_unk(self.tgt_tok.tokenize, target)
        if self._surfaces is None:
            self._surfaces = piece_bytes(self.tgt_vocab)
        spelled = (" " + self.tgt_tok.prepare(target)).encode("utf-8")
        ids = own_segmentation(self.model, src, src_len, spelled, self._surfaces)
        return self.tgt_tok.tokenize(target) if ids is None else self.tgt_vocab.decode(ids)

    def score(self, source: str, target: str, self_attention: bool = False) -> Translation:
        """Forced decoding: how likely the model finds ``target``, token by token, and where it
        looks (for a Transformer: every layer and head; with ``self_attention`` the encoder's
        and decoder's self-attention as well)."""
        src_tokens = self._prepare(source)
        if not src_tokens:
            raise CoreError("type a source sentence to score a translation against")
        src, src_len = self._tensors([src_tokens])
        tgt_tokens = self.reference_tokens(source, target, src, src_len)
        ids = [self.tgt_vocab.encode(tgt_tokens)]
        hyp = forced(self.model, src, src_len, ids, self_attention)[0]
        t = self._to_translation(src_tokens, hyp)
        # show the user's own words, not <unk>, where the vocabulary lacks them
        return dataclasses.replace(
            t, target_tokens=[*tgt_tokens, EOS], text=self.tgt_tok.detokenize(tgt_tokens)
        )


def _override_weights(
    n_src: int, source_index: int, source_weights: list[float] | None
) -> np.ndarray:
    """A what-if's forced attention: one-hot on ``source_index``, or ``source_weights``
    (checked: one weight per source token, summing to 1)."""
    if source_weights is None:
        weights = np.zeros(n_src, np.float32)
        weights[source_index] = 1.0
        return weights
    weights = np.asarray(source_weights, dtype=np.float32)
    if weights.shape != (n_src,) or (weights < 0).any() or abs(float(weights.sum()) - 1) > 1e-4:
        raise CoreError(f"the what-if weights must be {n_src} non-negative numbers summing to 1")
    return weights
