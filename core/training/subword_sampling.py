"""Subword regularisation (Kudo 2018): each epoch trains on a new sampled segmentation.

Why: on a small corpus a model that sees many segmentations of each sentence may generalise
better than one that always sees the best segmentation (Kudo 2018). Measured here
(docs/benchmarks.md) on 5,000 Multi30K pairs, with this option it was no better over 3 seeds;
off by default. Only the training pairs are sampled; the dev set, probes,
validation translations and everything after training keep the best segmentation.

The training pairs' text is kept (a subword side's ``detokenize`` gives it back from the stored
pieces) and re-encoded with sampling at the start of each epoch into in-memory examples; a pair
sampled longer than ``max_len`` on either side keeps its best segmentation, so example ``i``
is always stored pair ``i``. The epoch's batch order is still drawn from the best
segmentation's lengths, so it is the same on every rank and after a resume.

Sentencepiece's sampler, seeded from ``seed + epoch`` and run on one thread, repeats itself
within one process but not across processes (measured with sentencepiece 0.2: the same seed
gives other pieces in another process). So rank 0 samples and sends the examples to the other
ranks, and a resumed run samples the epoch it resumes in anew (its batch order is unchanged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.data.mapped_pairs import MappedPairs
from core.data.subword import SubwordTokenizer
from core.data.vocab import Vocab

if TYPE_CHECKING:
    from core.training.run import TrainingRun

Example = tuple[list[int], list[int]]


class EpochSampler:
    """The training pairs in a sampled segmentation per epoch, falling back to ``best``."""

    def __init__(
        self,
        best: MappedPairs,
        texts: tuple[list[str], list[str]],
        toks: tuple[SubwordTokenizer, SubwordTokenizer],
        vocabs: tuple[Vocab, Vocab],
        alpha: float,
        max_len: int,
        seed: int,
    ) -> None:
        self.best, self.texts, self.toks, self.vocabs = best, texts, toks, vocabs
        self.alpha, self.max_len, self.seed = alpha, max_len, seed
        self.fallbacks = 0  # pairs of the last sampled epoch kept in their best segmentation

    @classmethod
    def for_run(cls, run: TrainingRun) -> EpochSampler:
        """The sampler of a subword run whose vocabularies and best examples are built."""
        best = run.examples
        rows = range(len(best)) if best.rows is None else best.rows
        src, tgt = [], []
        for row in rows:
            s, t = run.store.pair_tokens(int(row))
            src.append(run.src_tok.detokenize(s))
            tgt.append(run.tgt_tok.detokenize(t))
        return cls(
            best,
            (src, tgt),
            (run.src_tok, run.tgt_tok),
            (run.src_vocab, run.tgt_vocab),
            run.cfg.subword_sampling,
            run.cfg.max_len,
            run.cfg.seed,
        )

    def epoch(self, epoch: int) -> list[Example]:
        """Epoch ``epoch``'s examples (source ids, target ids, each ending in </s>); in one
        process the same ``epoch`` gives the same ids."""
        sides = [
            tok.sample_many(texts, self.alpha, self.seed + epoch)
            for tok, texts in zip(self.toks, self.texts, strict=True)
        ]
        examples: list[Example] = []
        self.fallbacks = 0
        src_vocab, tgt_vocab = self.vocabs
        for i, (src, tgt) in enumerate(zip(*sides, strict=True)):
            if len(src) > self.max_len or len(tgt) > self.max_len:
                self.fallbacks += 1
                s, t = self.best.pair(i)
                examples.append((s.tolist(), t.tolist()))
            else:
                examples.append((src_vocab.encode(src), tgt_vocab.encode(tgt)))
        return examples


def use_epoch(run: TrainingRun, epoch: int) -> None:
    """Point ``run.examples`` at ``epoch``'s sampled segmentation, rank 0's on every rank (a
    no-op unless the run samples); called by the loop at the start of each epoch."""
    sampler = run.sampler
    if sampler is None:
        return

    def sample() -> list[Example]:
        return sampler.epoch(epoch)

    run.examples = run.world.from_main(sample)
