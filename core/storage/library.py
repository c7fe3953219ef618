"""The model library: model folders under one root, listed, renamed, deleted, imported, exported."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import CheckpointError, CoreError
from core.storage.model_folder import MODEL_JSON, WEIGHTS, read_meta, write_meta

# written for those who watch a run (core.training.event_log, core.training.stop_request)
RUN_ONLY_FILES = frozenset({"events.jsonl", "events.1.jsonl", "STOP"})


@dataclass(frozen=True)
class ModelInfo:
    path: str
    name: str
    src_lang: str
    tgt_lang: str
    corpus: str
    pairs: int
    params: int
    size_bytes: int
    bleu: float | None
    chrf: float | None
    created: str
    status: str
    ready: bool  # has weights, so it can translate
    subwords: bool = False  # reads and writes sentencepiece pieces (the inspector merges words)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def read_info(folder: str | Path) -> ModelInfo:
    folder = Path(folder)
    meta = read_meta(folder)
    return ModelInfo(
        path=str(folder),
        name=meta.name,
        src_lang=meta.tokenizer.src_lang,
        tgt_lang=meta.tokenizer.tgt_lang,
        corpus=str(meta.corpus.get("description", "")),
        pairs=int(meta.corpus.get("train_pairs", 0) or 0),
        params=meta.params,
        size_bytes=_size(folder),
        bleu=meta.metrics.get("best_bleu"),
        chrf=meta.metrics.get("best_chrf"),
        created=meta.created,
        status=meta.status,
        ready=(folder / WEIGHTS).is_file(),
        subwords=meta.tokenizer.subwords,
    )


def list_models(root: str | Path) -> list[ModelInfo]:
    """Every readable model folder directly under ``root``, newest first; broken ones are
    skipped."""
    root = Path(root)
    if not root.is_dir():
        return []
    out = []
    for child in root.iterdir():
        if (child / MODEL_JSON).is_file():
            try:
                out.append(read_info(child))
            except CheckpointError:
                continue
    return sorted(out, key=lambda m: m.created, reverse=True)


def slug(name: str) -> str:
    s = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-.")
    return s or "model"


def unique_folder(root: Path, name: str) -> Path:
    base = root / slug(name)
    candidate, n = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{n}")
        n += 1
    return candidate


def rename_model(folder: str | Path, new_name: str) -> Path:
    """Changes the display name and the folder's name; returns the new folder."""
    folder = Path(folder)
    new_name = new_name.strip()
    if not new_name:
        raise CoreError("a model needs a name")
    meta = read_meta(folder)
    meta.name = new_name
    write_meta(folder, meta)
    target = folder.parent / slug(new_name)
    if target == folder:
        return folder
    if target.exists():
        target = unique_folder(folder.parent, new_name)
    folder.rename(target)
    return target


def delete_model(folder: str | Path) -> None:
    folder = Path(folder)
    if not (folder / MODEL_JSON).is_file():
        raise CoreError(f"{folder} is not a model folder; nothing was deleted")
    shutil.rmtree(folder)


def export_model(folder: str | Path, dest: str | Path) -> Path:
    """A .zip archive (when ``dest`` ends in .zip) or a copied folder, without resume
    checkpoints, nor the run's event log and stop request (for watching a run, not a model)."""
    folder, dest = Path(folder), Path(dest)
    read_meta(folder)
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and "checkpoints" not in p.relative_to(folder).parts
        and p.relative_to(folder).as_posix() not in RUN_ONLY_FILES
    ]
    if dest.suffix.lower() == ".zip":
        with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for p in files:
                z.write(p, Path(folder.name) / p.relative_to(folder))
        return dest
    if dest.exists():
        raise CoreError(f"{dest} already exists; choose a new folder to export to")
    for p in files:
        target = dest / p.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, target)
    return dest


def import_model(source: str | Path, root: str | Path) -> Path:
    """Copy a model folder or .zip archive into the library; checks it is a model first."""
    source, root = Path(source), Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if source.is_file() and source.suffix.lower() == ".zip":
        staging = unique_folder(root, "." + source.stem + "-import")
        try:
            with zipfile.ZipFile(source) as z:
                for member in z.namelist():
                    target = (staging / member).resolve()
                    if not str(target).startswith(str(staging.resolve())):
                        raise CoreError(
                            f"{source}: refuses an archive entry outside its folder: {member}"
                        )
                z.extractall(staging)
        except zipfile.BadZipFile as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise CoreError(f"{source} is not a readable zip archive: {exc}") from exc
        inner = [p.parent for p in staging.rglob(MODEL_JSON)]
        if not inner:
            shutil.rmtree(staging, ignore_errors=True)
            raise CoreError(f"{source} holds no Attnscope model (no {MODEL_JSON} inside)")
        meta = read_meta(inner[0])
        target = unique_folder(root, meta.name)
        shutil.move(str(inner[0]), target)
        shutil.rmtree(staging, ignore_errors=True)
        return target
    meta = read_meta(source)
    target = unique_folder(root, meta.name)
    shutil.copytree(source, target)
    return target
