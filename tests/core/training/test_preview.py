"""The data preview: the first pairs as a new run tokenizes them (pieces for subwords), the
report with duplicates counted, and only the shown pairs kept in memory."""

from __future__ import annotations

from core.cancel import CancelToken
from core.config import TokenizerConfig, TrainConfig
from core.data.corpus import CorpusSpec
from core.resources import sample_corpus
from core.training.preview import preview_corpus
from core.training.tokenizer_setup import setup as setup_tokenizers

WORD_START = "\u2581"


def test_subword_preview_is_in_the_pieces_training_will_use(tmp_path):
    spec = CorpusSpec(tsv_path=str(sample_corpus("en-de")))
    tok, cfg = TokenizerConfig("en", "de", subword_type="bpe"), TrainConfig(seed=4)
    seen: list[tuple[int, int]] = []
    got = preview_corpus(spec, tok, cfg, rows=7, progress=lambda d, t: seen.append((d, t)))
    assert len(got.pairs) == 7 and got.vocab_size > 0
    assert seen and seen[-1][0] == seen[-1][1]
    run = setup_tokenizers(spec, tok, cfg, tmp_path, False, lambda e: None, CancelToken())
    raw = sample_corpus("en-de").read_text(encoding="utf-8").splitlines()
    for (src, tgt), line in zip(got.pairs, raw):
        s, t = line.split("\t")[:2]
        assert (src, tgt) == (run.src.tokenize(s), run.tgt.tokenize(t))
        assert "".join(src).replace(WORD_START, " ").strip() == s
    assert got.report.pairs_kept == len(raw) and got.report.duplicates is not None


def test_word_preview_counts_duplicates_and_keeps_only_the_rows(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("a b\tx\nc\ty\na b\tx\n\td\na b\tx\n", encoding="utf-8")
    got = preview_corpus(
        CorpusSpec(tsv_path=str(path)),
        TokenizerConfig("en", "de", tokenization="words"),
        TrainConfig(),
        rows=2,
    )
    assert got.pairs == [(["a", "b"], ["x"]), (["c"], ["y"])]
    assert got.report.pairs_kept == 4 and got.report.duplicates == 2
    assert "2 pairs repeat an earlier pair exactly" in got.report.summary()
    assert got.vocab_size == 30000
