"""Decodes the probe sentences at each validation, for the live heatmap and the probe timeline.

Why it looks the way it does: it runs inside training, so all probes share one batched greedy
pass (and one batched forced pass for dev probes), with the tensors built once per run. Dev probes
are scored on their *reference* (forced decoding), so the matrix keeps its shape from validation
to validation and two points in time diff cell by cell; a user's sentence has no reference, so
its greedy output is recorded. No autocast: attention rows must sum to 1 exactly as shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from core.data.batching import pad
from core.data.vocab import EOS, EOS_ID, Vocab
from core.decoding.search import forced, greedy
from core.decoding.translator import MAX_SOURCE_TOKENS
from core.errors import ConfigError
from core.events import Translation
from core.inspection.probe_timeline import KIND_OUTPUT, KIND_REFERENCE, probe_record

DEFAULT_DEV_PROBES = 3


@dataclass(frozen=True)
class Probe:
    source: str  # as the user gave it, or the detokenized dev source
    src_tokens: list[str]
    reference: str | None = None  # dev probes only
    tgt_tokens: list[str] | None = None


def user_probes(sentences: Sequence[str], tokenize) -> list[Probe]:
    """The user's probe sentences, tokenized; refuses one that cannot be translated, before
    training starts (not at the first validation, minutes later)."""
    probes = []
    for n, text in enumerate(sentences, 1):
        tokens = tokenize(text)
        if not tokens:
            raise ConfigError(f"probe sentence {n} ({text!r}) has no words to translate")
        if len(tokens) > MAX_SOURCE_TOKENS:
            raise ConfigError(
                f"probe sentence {n} has {len(tokens)} tokens; at most "
                f"{MAX_SOURCE_TOKENS} can be translated"
            )
        probes.append(Probe(text, list(tokens)))
    return probes


def dev_probes(
    dev_pairs: Sequence[tuple[list[str], list[str]]],
    src_detok,
    tgt_detok,
    n: int = DEFAULT_DEV_PROBES,
) -> list[Probe]:
    """The first ``n`` dev pairs (tokenized) as probes with their references."""
    return [Probe(src_detok(s), list(s), tgt_detok(t), list(t)) for s, t in dev_pairs[:n] if s]


class ProbeRecorder:
    """Built once per run; ``record(model, device)`` decodes every probe in two batched passes."""

    def __init__(
        self, probes: Sequence[Probe], src_vocab: Vocab, tgt_vocab: Vocab, tgt_detok
    ) -> None:
        self.probes = list(probes)
        self.tgt_vocab = tgt_vocab
        self.tgt_detok = tgt_detok
        if not self.probes:
            return
        ids = [src_vocab.encode(p.src_tokens) for p in self.probes]
        self._src = pad(ids)
        self._src_len = torch.tensor([len(i) for i in ids], dtype=torch.long)
        self._ref_rows = [i for i, p in enumerate(self.probes) if p.tgt_tokens is not None]
        self._ref_ids = [tgt_vocab.encode(self.probes[i].tgt_tokens or []) for i in self._ref_rows]

    def record(
        self, model, device: torch.device
    ) -> tuple[list[dict[str, Any]], Translation | None]:
        """(one probes.jsonl entry per probe, the first probe's greedy translation)."""
        if not self.probes:
            return [], None
        src, src_len = self._src.to(device), self._src_len
        outputs = [self._output(p, h) for p, h in zip(self.probes, greedy(model, src, src_len))]
        forced_by_row: dict[int, Translation] = {}
        if self._ref_rows:
            rows = torch.tensor(self._ref_rows, dtype=torch.long)
            hyps = forced(
                model,
                src.index_select(0, rows.to(device)),
                src_len.index_select(0, rows),
                self._ref_ids,
            )
            for row, hyp in zip(self._ref_rows, hyps):
                p = self.probes[row]
                forced_by_row[row] = Translation(
                    [*p.src_tokens, EOS],
                    [*(p.tgt_tokens or []), EOS],
                    hyp.probs,
                    hyp.attention,
                    hyp.score,
                    p.reference or "",
                    cross_attention=hyp.heads,  # every head, for the timeline (Transformers)
                )
        records = []
        for i, (p, out) in enumerate(zip(self.probes, outputs)):
            if i in forced_by_row:
                records.append(
                    probe_record(p.source, p.reference, KIND_REFERENCE, out.text, forced_by_row[i])
                )
            else:
                records.append(probe_record(p.source, None, KIND_OUTPUT, out.text, out))
        return records, outputs[0]

    def _output(self, p: Probe, hyp) -> Translation:
        words = self.tgt_vocab.decode(hyp.ids, strip_eos=False)
        body = words
        if words and hyp.ids[-1] == EOS_ID:
            words[-1] = EOS
            body = words[:-1]
        return Translation(
            [*p.src_tokens, EOS],
            words,
            hyp.probs,
            hyp.attention,
            hyp.score,
            self.tgt_detok(body),
            cross_attention=hyp.heads,
        )
