"""One training request as plain data: what the app's Train tab, the CLI's ``--resume`` and the
training child process pass around, and its one-line JSON form for the child's stdin.

Why this module exists: the app starts training in a child process
(``core.training.child_process``), so a job must cross a process boundary; keeping the record and
its JSON form together means the two ends cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from core.config import ModelConfig, TokenizerConfig, TrainConfig

__all__ = ["TrainJob", "job_from_json", "job_to_json"]


@dataclass(frozen=True)
class TrainJob:
    """Everything one training run needs; built by the train panel or ``core.training.resume``."""

    spec: Any  # core.data.corpus.CorpusSpec
    out_dir: str
    model_cfg: ModelConfig
    tok_cfg: TokenizerConfig
    train_cfg: TrainConfig
    dev_spec: Any = None
    name: str | None = None
    resume: bool = False  # continue the run saved in out_dir (core.training.run resume=True)


def job_to_json(job: TrainJob) -> str:
    """The job as one JSON line (no newline inside): the child's first stdin line."""

    def spec(s: Any) -> dict[str, Any] | None:
        return None if s is None else dataclasses.asdict(s)

    return json.dumps(
        {
            "spec": spec(job.spec),
            "dev_spec": spec(job.dev_spec),
            "out_dir": str(job.out_dir),
            "model": job.model_cfg.to_dict(),
            "tokenizer": job.tok_cfg.to_dict(),
            "train": job.train_cfg.to_dict(),
            "name": job.name,
            "resume": bool(job.resume),
        },
        ensure_ascii=False,
    )


def job_from_json(line: str) -> TrainJob:
    """The job ``job_to_json`` wrote; ``resume`` absent (older apps) means a new run."""
    from core.data.corpus import CorpusSpec

    data = json.loads(line)
    return TrainJob(
        spec=CorpusSpec(**data["spec"]),
        out_dir=data["out_dir"],
        model_cfg=ModelConfig.from_dict(data["model"]),
        tok_cfg=TokenizerConfig.from_dict(data["tokenizer"]),
        train_cfg=TrainConfig.from_dict(data["train"]),
        dev_spec=CorpusSpec(**data["dev_spec"]) if data.get("dev_spec") else None,
        name=data.get("name"),
        resume=bool(data.get("resume", False)),
    )
