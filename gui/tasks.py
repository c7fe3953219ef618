"""The work the app's own requests do on the worker thread, as job functions
``fn(translator, context)`` for ``Session.submit``: each is a thin call into core returning plain
data. (Panels submit core functions such as ``core.evaluation.dev_set.evaluate_dev_set``
directly; these are the Session's own, and the file translation with its atomic write.)
"""

from __future__ import annotations

import time
from typing import Any

from gui.jobs import FileJob, FileResult, JobContext, Preview, PreviewJob


def inspect_sentence(
    translator: Any,
    ctx: JobContext,
    *,
    text: str,
    beam: int,
    nbest: int,
    prefix: str,
    reference: str,
) -> Any:
    """One sentence with everything the inspector shows (``core.decoding.inspection``); for a
    Transformer that includes the encoder's and decoder's self-attention (the Self-attention
    tab), one extra forced pass per hypothesis."""
    return translator.inspect(
        text, beam=beam, nbest=nbest, prefix=prefix, reference=reference, self_attention=True
    )


def preview_corpus(job: PreviewJob, translator: Any, ctx: JobContext) -> Preview:
    """The first pairs as a new run will tokenize them (for subwords: in pieces of a subword
    model trained as the run trains it), and the validation report of the whole corpus."""
    from core.training.preview import preview_corpus as read_preview

    got = read_preview(
        job.spec, job.tok_cfg, job.train_cfg, job.rows, progress=ctx.progress, cancel=ctx.cancel
    )
    summary = got.report.summary()
    if job.tok_cfg.subwords and got.pieces is not None:
        summary += "\n" + subword_line(job, got.vocab_size, got.pieces)
    return Preview(got.pairs, got.report, summary, "pieces" if job.tok_cfg.subwords else "tokens")


def subword_line(job: PreviewJob, size: int, pieces: tuple[int, int]) -> str:
    """What the subword models trained on this corpus hold: the size asked for is a ceiling,
    and a small corpus fills less of it."""
    tok = job.tok_cfg
    asked = "automatic" if job.train_cfg.vocab_size is None else "chosen"
    if tok.joint_vocab:
        got = f"one model for both languages, {pieces[0]:,} pieces"
    else:
        got = f"{pieces[0]:,} {tok.src_lang} and {pieces[1]:,} {tok.tgt_lang} pieces"
    return (
        f"Subwords: {tok.subword_type}, trained on this corpus: {got} ({asked} size: at most "
        f"{size:,} per model), plus 256 byte pieces for any other character; ▁ starts a word."
    )


def describe_devices(translator: Any, ctx: JobContext) -> Any:
    """Importing torch and probing CUDA takes a moment: done on the worker, with the collector
    paused (see ``gui.model_worker``)."""
    from gui.model_worker import _quiet_gc

    with _quiet_gc():
        from core.device import describe_devices as describe

        return describe()


def translate_file(job: FileJob, translator: Any, ctx: JobContext) -> FileResult:
    """Read every line, translate in batches (cancellable between batches), then write the
    output atomically: a cancelled or failed run leaves no output file, never a partial one.
    A cancelled run is a result too (status "cancelled", with the lines done so far)."""
    from core.data.corpus import read_text_lines
    from core.errors import Cancelled
    from core.storage.atomic_io import atomic_write_text

    t0 = time.monotonic()
    texts = [text for _, text in read_text_lines(job.input)]
    total = len(texts)
    ctx.progress(0, total)
    done = [0]

    def progress(n_done: int, n: int) -> None:
        done[0] = n_done
        ctx.progress(n_done, n)

    try:
        results = translator.translate_batch(
            texts, beam=job.beam, batch_size=job.batch_size, progress=progress, cancel=ctx.cancel
        )
    except Cancelled:
        return FileResult("cancelled", job.input, job.output, done[0], total, time.monotonic() - t0)
    atomic_write_text(job.output, "".join(r.text + "\n" for r in results))
    return FileResult("done", job.input, job.output, len(results), total, time.monotonic() - t0)
