"""A training run's tokenizers and vocabularies: Moses words, or sentencepiece subword models
trained on the corpus when the run starts (read back from the model folder when it resumes).

Reading progress is one bar for the user: drawing the sample for the subword model, training it
and then tokenizing the corpus (``load_pairs``) each fill their share of ``ReadingEvent``s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.cancel import CancelToken
from core.config import WORD_VOCAB_SIZE, TokenizerConfig, TrainConfig
from core.data.corpus import CorpusSpec, load_pairs, sample_raw_pairs
from core.data.subword import MAX_TRAIN_SENTENCES, auto_vocab_size, train_tokenizers
from core.data.tokenizer import tokenizers_for
from core.data.vocab import SPECIALS, Vocab
from core.errors import CoreError
from core.events import Event, ReadingEvent
from core.storage.model_folder import read_meta, read_subword_models

SAMPLE_SHARE = 0.15  # of the reading bar: the pass that samples the corpus for sentencepiece
SUBWORD_TRAIN_SHARE = 0.10  # training the sentencepiece model(s)


@dataclass
class RunTokenizers:
    """What ``setup`` decided: the tokenizers, the settled vocabulary size (never None) and, for
    subwords, the sentencepiece models' bytes (saved in the folder and in every checkpoint)."""

    src: Any
    tgt: Any
    vocab_size: int
    subword_models: tuple[bytes, bytes] | None = None
    reading_start: float = 0.0  # share of the reading bar already filled

    def reading_progress(self, emit: Callable[[Event], None]) -> Callable[[int, int], None]:
        """``load_pairs``' progress mapped onto the rest of the reading bar."""
        return share_progress(emit, self.reading_start, 1.0 - self.reading_start)

    def batch_tokenizers(self, threads: int):
        """For ``load_pairs(batch=...)``: sentencepiece tokenizes blocks of lines on ``threads``
        threads (None for words: Moses has no batch call)."""
        if self.subword_models is None:
            return None
        src, tgt = self.src, self.tgt
        return (
            lambda texts: src.tokenize_many(texts, threads),
            lambda texts: tgt.tokenize_many(texts, threads),
        )

    def vocabs(
        self, counts: tuple[dict[str, int], dict[str, int]], cfg: TrainConfig, joint: bool = False
    ):
        """(source, target) vocabularies: for subwords every piece of the side's model (so no
        text can map to ``<unk>``), for words the most frequent words of ``counts``. ``joint``
        (a model sharing one embedding for both sides) gives both sides the same vocabulary:
        the pieces of both models, or the most frequent words of both sides' counts."""
        if self.subword_models is not None:
            src, tgt = subword_vocab(self.src), subword_vocab(self.tgt)
            if joint and src.itos != tgt.itos:
                seen = set(src.itos)
                src = Vocab([*src.itos, *(p for p in tgt.itos if p not in seen)])
            return (src, src) if joint else (src, tgt)
        if joint:
            merged = dict(counts[0])
            for token, n in counts[1].items():
                merged[token] = merged.get(token, 0) + n
            vocab = Vocab.from_counts(merged, self.vocab_size, cfg.min_freq)
            return vocab, vocab
        return tuple(Vocab.from_counts(c, self.vocab_size, cfg.min_freq) for c in counts)


def subword_vocab(tok: Any) -> Vocab:
    """The specials, then every piece of a subword tokenizer in its model's order."""
    return Vocab([*SPECIALS, *(p for p in tok.pieces() if p not in SPECIALS)])


def share_progress(
    emit: Callable[[Event], None], start: float, share: float
) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        fraction = start + share * (done / total if total else 1.0)
        emit(ReadingEvent(min(total, round(total * fraction)), total))

    return progress


def setup(
    spec: CorpusSpec,
    tok_cfg: TokenizerConfig,
    cfg: TrainConfig,
    out: Path,
    resume: bool,
    emit: Callable[[Event], None],
    cancel: CancelToken,
    threads: int = 1,
) -> RunTokenizers:
    """The run's tokenizers: trains the subword model(s) on a sample of the corpus for a new
    subword run (``cfg.vocab_size`` None: sized from the corpus), reads them for a resumed one."""
    if not tok_cfg.subwords:
        src, tgt = tokenizers_for(tok_cfg)
        return RunTokenizers(src, tgt, cfg.vocab_size or WORD_VOCAB_SIZE)
    if resume:
        protos = read_subword_models(out)
        src, tgt = tokenizers_for(tok_cfg, protos)
        # the size the run settled on when it started (auto sizes are recorded in model.json)
        size = cfg.vocab_size or read_meta(out).train.vocab_size or len(subword_vocab(tgt))
        return RunTokenizers(src, tgt, size, protos)
    limit = MAX_TRAIN_SENTENCES // 2 if tok_cfg.joint_vocab else MAX_TRAIN_SENTENCES
    totals: list[int] = []

    def sampling(done: int, total: int) -> None:
        totals.append(total)
        share_progress(emit, 0.0, SAMPLE_SHARE)(done, total)

    src_texts, tgt_texts, n_pairs = sample_raw_pairs(spec, limit, cfg.seed, sampling, cancel)
    size = cfg.vocab_size or auto_vocab_size(n_pairs, tok_cfg.joint_vocab)
    cancel.raise_if_cancelled()
    if not any(src_texts) or not any(tgt_texts):  # every pair has an empty side: the reader
        load_pairs(spec, str.split, str.split, None)  # says so, naming files and reasons
    try:
        src, tgt = train_tokenizers(src_texts, tgt_texts, tok_cfg, size, threads)
    except CoreError as exc:
        raise CoreError(f"{spec.describe()}: {exc}") from None
    start = SAMPLE_SHARE + SUBWORD_TRAIN_SHARE
    share_progress(emit, start, 0.0)(totals[-1], totals[-1])
    return RunTokenizers(src, tgt, size, (src.model_proto, tgt.model_proto), start)


PREVIEW_PAIRS = 20_000  # pairs the preview's subword models learn from: seconds, not minutes


def corpus_tokenizers(
    spec: CorpusSpec,
    tok_cfg: TokenizerConfig,
    vocab_size: int | None = None,
    limit: int = PREVIEW_PAIRS,
    seed: int = 1,
) -> tuple[Any, Any]:
    """Tokenizers to look at a corpus before training (the Train tab's preview): Moses words,
    or subword models trained as a run would train them, on a sample of at most ``limit`` pairs
    (``vocab_size`` None: sized from the sample, as a run sizes it from the whole corpus)."""
    if not tok_cfg.subwords:
        return tokenizers_for(tok_cfg)
    src_texts, tgt_texts, n_pairs = sample_raw_pairs(spec, limit, seed)
    size = vocab_size or auto_vocab_size(n_pairs, tok_cfg.joint_vocab)
    try:
        return train_tokenizers(src_texts, tgt_texts, tok_cfg, size)
    except CoreError as exc:
        raise CoreError(f"{spec.describe()}: {exc}") from None
