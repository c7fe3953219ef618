"""Continuing a stopped training run: which runs can be resumed, and the job that resumes one.

The job is rebuilt from the model folder's own model.json (configs and corpus spec), so the run
continues exactly as it was set up; ``core.train.train(..., resume=True)`` then restores the last
checkpoint (weights, optimizer, step, RNG) and refuses if the corpus or a shaping setting changed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.model_folder import has_checkpoint
from gui.jobs import TrainJob

log = logging.getLogger(__name__)

# A run that ended like this, with a checkpoint on disk, can be continued ("training" in model.json
# while no process trains it means the app or the machine went down mid-run).
RESUMABLE_STATUSES = ("cancelled", "time_budget", "failed", "training")


def can_resume(folder: str | Path, status: str) -> bool:
    return status in RESUMABLE_STATUSES and has_checkpoint(folder)


def resume_job(folder: str | Path, extra_time_s: float | None = None) -> TrainJob:
    """A job that continues the run saved in ``folder``: its own configs and corpus from model.json.

    The time budget counts the whole run, so a run that stopped because it used its budget gets
    ``extra_time_s`` more (its old budget again when None); any other run keeps its limits.
    """
    from core.corpus import CorpusSpec
    from core.errors import CheckpointError
    from core.model_folder import read_meta
    folder = Path(folder)
    meta = read_meta(folder)
    if not has_checkpoint(folder):
        raise CheckpointError(f"nothing to resume in {folder}: it holds no training checkpoint")
    spec_data = meta.corpus.get("spec")
    if not isinstance(spec_data, dict):
        raise CheckpointError(f"{folder / 'model.json'} does not say which corpus the run used")
    dev_data = meta.corpus.get("dev_spec")
    cfg = meta.train_for_resume(extra_time_s if meta.status == "time_budget" else None)
    return TrainJob(spec=CorpusSpec(**spec_data), out_dir=str(folder), model_cfg=meta.model,
                    tok_cfg=meta.tokenizer, train_cfg=cfg,
                    dev_spec=CorpusSpec(**dev_data) if isinstance(dev_data, dict) else None,
                    name=meta.name, resume=True)
