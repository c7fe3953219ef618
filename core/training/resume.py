"""Continuing a stopped training run: which runs can be resumed, and the job that resumes one.

One path for the app and the CLI: the job is rebuilt from the model folder's own model.json
(configs and corpus spec), so the run continues exactly as it was set up;
``core.training.run.train(..., resume=True)`` then restores the last checkpoint (weights, optimizer,
step, RNG) and refuses if the corpus or a shaping setting changed. A folder without a checkpoint, or
a model.json that does not name its corpus, gets a sentence saying so, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import CheckpointError
from core.storage.model_folder import MODEL_JSON, has_checkpoint, read_meta
from core.training.job import TrainJob

__all__ = ["RESUMABLE_STATUSES", "can_resume", "resume_job"]

# A run that ended like this, with a checkpoint on disk, can be continued ("training" in model.json
# while no process trains it means the app or the machine went down mid-run).
RESUMABLE_STATUSES = ("cancelled", "time_budget", "failed", "training")


def can_resume(folder: str | Path, status: str) -> bool:
    """Whether the Resume buttons should be offered (torch-free: the app asks on its GUI thread)."""
    return status in RESUMABLE_STATUSES and has_checkpoint(folder)


def resume_job(
    folder: str | Path, extra_time_s: float | None = None, *, extend_any_run: bool = False
) -> TrainJob:
    """A job that continues the run saved in ``folder``: its own configs and corpus from model.json.

    The time budget counts the whole run, so a run that stopped because it used its budget gets
    ``extra_time_s`` more (its old budget again when None). Any other run keeps its limits, unless
    ``extend_any_run`` (the CLI's ``--time-budget`` with ``--resume``: "this much more, from now").
    """
    from core.data.corpus import CorpusSpec

    folder = Path(folder)
    meta = read_meta(folder)
    if not has_checkpoint(folder):
        raise CheckpointError(f"nothing to resume in {folder}: it holds no training checkpoint")
    spec_data = meta.corpus.get("spec")
    if not isinstance(spec_data, dict):
        raise CheckpointError(f"{folder / MODEL_JSON} does not say which corpus the run used")
    dev_data = meta.corpus.get("dev_spec")
    try:
        spec = CorpusSpec(**spec_data)
        dev_spec = CorpusSpec(**dev_data) if isinstance(dev_data, dict) else None
    except TypeError as exc:
        raise CheckpointError(
            f"{folder / MODEL_JSON} describes its corpus in a way this "
            f"version of Attnscope does not understand ({exc})"
        ) from exc
    extra = extra_time_s if extend_any_run or meta.status == "time_budget" else None
    return TrainJob(
        spec=spec,
        out_dir=str(folder),
        model_cfg=meta.model,
        tok_cfg=meta.tokenizer,
        train_cfg=meta.train_for_resume(extra),
        dev_spec=dev_spec,
        name=meta.name,
        resume=True,
    )
