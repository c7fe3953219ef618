"""A validation of a training run: the dev set's loss, greedy translations scored with BLEU and
chrF, sample translations and the probes' attention; the best weights are written as they come.
Rank 0 alone validates (``core.training.loop``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from core.data.batching import collate, sorted_batches
from core.decoding.search import greedy
from core.evaluation.metrics import score
from core.events import ValidationEvent
from core.inspection.probe_timeline import append_snapshot
from core.storage.model_folder import append_history, write_weights

if TYPE_CHECKING:
    from core.training.run import TrainingRun


@torch.inference_mode()
def dev_loss(run: TrainingRun) -> float:
    run.model.eval()
    total, tokens = 0.0, 0
    for idx in sorted_batches([len(s) for s, _ in run.dev_examples], 64):
        b = collate(run.dev_examples, idx, run.src_multiple).to(run.device)
        with run.autocast():
            _, nll = run.model.loss(b.src, b.src_len, b.tgt_in, b.tgt_out)
        total += float(nll)
        tokens += b.n_tokens
    return total / max(1, tokens)


def translate_dev(run: TrainingRun) -> list[str]:
    hyps: list[str] = [""] * len(run.dev_examples)
    for idx in sorted_batches([len(s) for s, _ in run.dev_examples], 64):
        run.cancel.raise_if_cancelled()
        b = collate(run.dev_examples, idx, run.src_multiple).to(run.device)
        with run.autocast():
            out = greedy(run.model, b.src, b.src_len)
        for i, h in zip(idx, out):
            hyps[i] = run.tgt_tok.detokenize(run.tgt_vocab.decode(h.ids))
    return hyps


def validate(run: TrainingRun, step_scheduler: bool = True) -> ValidationEvent:
    """Dev loss, BLEU/chrF, samples and the probes' attention (the first one for the live
    view, all of them into probes.jsonl); saves weights.pt when best."""
    s = run.state
    loss = dev_loss(run)
    hyps = translate_dev(run)
    scores = score(hyps, run.dev_refs)
    improved = s.best_bleu is None or scores.bleu > s.best_bleu
    if improved:
        s.best_bleu, s.best_chrf, s.best_step, s.bad_validations = (
            scores.bleu,
            scores.chrf,
            s.step,
            0,
        )
        write_weights(run.out, run.model)
    else:
        s.bad_validations += 1
    if step_scheduler:
        run.scheduler.after_validation(loss)
    s.last_validated_step = s.step
    samples = [
        {
            "source": run.src_tok.detokenize(run.dev_pairs[i][0]),
            "reference": run.dev_refs[i],
            "hypothesis": hyps[i],
        }
        for i in range(min(run.cfg.num_samples, len(hyps)))
    ]
    probe_records, probe = run.probes.record(run.model, run.device)
    event = ValidationEvent(
        step=s.step,
        epoch=s.epoch,
        loss=loss,
        bleu=scores.bleu,
        chrf=scores.chrf,
        is_best=improved,
        samples=samples,
        probe=probe,
        bleu_signature=scores.bleu_signature,
    )
    append_history(
        run.out,
        {
            "type": "validation",
            "step": s.step,
            "epoch": s.epoch,
            "loss": loss,
            "bleu": scores.bleu,
            "chrf": scores.chrf,
            "lr": run.optimizer.param_groups[0]["lr"],
        },
    )
    if probe_records:
        append_snapshot(run.out, s.step, s.epoch, scores.bleu, scores.chrf, probe_records)
    return event
