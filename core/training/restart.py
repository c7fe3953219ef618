"""Whether a run starts afresh or resumes, and how a torchrun restart finds its own run again.

Why: ``torchrun --max-restarts K`` starts every rank again, with the same command line, after a
rank died. The command asked for a *new* run in ``--out``, and that folder is now not empty — yet
refusing would waste the restart. A restart (TORCHELASTIC_RESTART_COUNT > 0) resumes only a folder
marked by this very launch (``.torchrun-launch``: host, launcher process and run id), so a user who
points a new torchrun job at an old folder still gets the usual refusal.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import CheckpointError, CoreError
from core.evaluation.dev_set import DEV_TSV
from core.events import NoticeEvent
from core.inspection.probe_timeline import forget_after
from core.storage.atomic_io import atomic_write_text, clean_stray_temporaries
from core.storage.model_folder import (
    CHECKPOINTS,
    ModelMeta,
    has_checkpoint,
    read_meta,
    read_vocabs,
    write_meta,
    write_subword_models,
    write_vocabs,
)
from core.training.distributed import agent_identity, is_restart

if TYPE_CHECKING:
    import torch

    from core.data.vocab import Vocab
    from core.storage.checkpoints import CheckpointStore
    from core.training.run import TrainingRun

__all__ = [
    "LAUNCH_MARKER",
    "begin_new",
    "begin_resumed",
    "continue_epoch",
    "mark_launch",
    "start_or_resume",
]
log = logging.getLogger("core.training.run")  # the run's own notes, under the run's name

LAUNCH_MARKER = ".torchrun-launch"


def mark_launch(out: Path) -> None:
    """Record which torchrun launch trains this folder (rank 0, when it creates the folder)."""
    atomic_write_text(out / LAUNCH_MARKER, agent_identity() + "\n")


def _own_launch(out: Path) -> bool:
    try:
        return (out / LAUNCH_MARKER).read_text(encoding="utf-8").strip() == agent_identity()
    except OSError:
        return False


def start_or_resume(out: Path, resume: bool, distributed: bool) -> bool:
    """Check the model folder for the run asked for; True when it is to be resumed.

    Raises a ``CoreError`` for a folder that does not fit: nothing to resume, or a new run into a
    folder that is not empty. Under torchrun, a restart of the launch that made ``out`` resumes
    from its last checkpoint (or starts again when it died before the first one).
    """
    if not resume and distributed and is_restart() and _own_launch(out):
        resume = has_checkpoint(out)
        if not resume:
            return False  # died before its first checkpoint: start again, over its own files
    if resume and not (out / CHECKPOINTS).is_dir():
        raise CheckpointError(f"nothing to resume in {out}: it holds no training checkpoints")
    if not resume and out.exists() and any(out.iterdir()):
        raise CoreError(
            f"{out} already exists and is not empty; choose a new folder, "
            "or resume the run that is in it"
        )
    if resume:
        clean_stray_temporaries(out)  # weights.pt/model.json/vocab writes torn by a crash
    return resume


def continue_epoch(state: Any, saved_ranks: int, run: TrainingRun) -> str | None:
    """A run resumed with another number of ranks draws the rest of its epoch from a new order
    (its global batches have another size): skip the same share of the epoch in it, and say what
    changed (None when nothing did)."""
    ranks, batch = run.world.world_size, run.cfg.batch_size
    if saved_ranks == ranks:
        return None
    state.batch_pos = state.batch_pos * saved_ranks // ranks
    return (
        f"this run was trained with {saved_ranks} rank(s) and continues with {ranks}: the "
        f"effective batch is now {batch} × {ranks} = {batch * ranks} sentences, and the rest "
        "of this epoch is drawn from a new batch order"
    )


def begin_resumed(run: TrainingRun, store: CheckpointStore | None, device: torch.device) -> None:
    """Vocabularies and the last checkpoint, read by rank 0 (and sent to the others)."""
    out = run.out

    def load() -> tuple[tuple[Vocab, Vocab], str, dict[str, Any], str | None]:
        assert store is not None
        if not store.has_checkpoint():
            raise CheckpointError(f"nothing to resume in {out}: it holds no training checkpoint")
        return read_vocabs(out), read_meta(out).created, *store.load_last()

    (run.src_vocab, run.tgt_vocab), run.created, ckpt, note = run.world.from_main(load)
    run.encode_data()
    run.build_model(device)
    run.emit_report()
    if note and run.world.is_main:
        log.warning(note)
        run.emit(NoticeEvent(note))
    run.restore(ckpt)
    if not run.world.is_main:
        return
    dropped = forget_after(out, run.state.step)  # validations after the checkpoint come again
    if dropped:
        log.info("probe timeline: dropped %d snapshot(s) after step %d", dropped, run.state.step)
    if not (out / DEV_TSV).is_file():
        run.write_dev_set()  # a run started before dev.tsv existed


def begin_new(run: TrainingRun, device: torch.device) -> None:
    """A new run: rank 0 builds the vocabularies, every rank gets exactly those."""
    if run.world.is_main:
        run.build_vocabs()
    run.src_vocab, run.tgt_vocab = run.world.from_main(lambda: (run.src_vocab, run.tgt_vocab))
    run.encode_data()
    run.build_model(device)
    run.emit_report()
    run.created = ModelMeta(
        name="", model=run.model_cfg, tokenizer=run.tok_cfg, train=run.cfg
    ).created
    if run.world.is_main:
        write_vocabs(run.out, run.src_vocab, run.tgt_vocab)
        if run.toks is not None and run.toks.subword_models is not None:
            write_subword_models(run.out, run.toks.subword_models)
        run.write_dev_set()
        write_meta(run.out, run.meta("training"))
        if run.world.active:
            mark_launch(run.out)
