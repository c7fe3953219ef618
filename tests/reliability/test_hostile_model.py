"""Hostile and broken model folders: loading never runs code and always ends in one clear message.

tests/core/storage/test_checkpoints.py proves ``safe_torch_load`` refuses a payload and scans core/
and gui/ for ``torch.load``; here whole crafted model folders go through ``Translator.load``, the
CLI and
``train --resume``, and the scan is widened to every shipped script and to other unpickling APIs.
"""

from __future__ import annotations

import ast
import hashlib
import json
import pathlib
import pickle
import shutil
from pathlib import Path

import pytest
import torch

from core.decoding.translator import Translator
from core.errors import CheckpointError
from core.storage.model_folder import MODEL_JSON, SRC_VOCAB, WEIGHTS
from core.training.run import train
from tests.core.storage.test_checkpoints import _unsafe_torch_loads
from tests.reliability.helpers import (
    REPO,
    TINY_MODEL,
    TOK,
    address_space_limit,
    run_cli,
    short,
    stdin_bytes,
    train_config,
)

CAT = "Hostile model files"


class Payload:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def _write_payload(path: Path, marker: Path, form: str) -> None:
    obj = {"encoder.embed.weight": torch.zeros(2, 2), "payload": Payload(marker)}
    if form == "torch zip":
        torch.save(obj, path)
    elif form == "torch legacy":
        torch.save(obj, path, _use_new_zipfile_serialization=False)
    else:
        path.write_bytes(pickle.dumps(obj, protocol=2))


def _unsafe_load(path: Path, form: str) -> None:
    """What a careless loader would do (tests are outside the source scan on purpose)."""
    if form == "plain pickle":
        pickle.loads(path.read_bytes())
    else:
        torch.load(path, weights_only=False)


def _copy(model: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "model"
    shutil.copytree(model, dst)
    return dst


FORMS = ["torch zip", "torch legacy", "plain pickle"]


@pytest.mark.parametrize("form", FORMS)
def test_pickle_payload_in_weights_is_refused_and_never_runs(tiny_model, tmp_path, fault, form):
    rec = fault(
        CAT,
        f"crafted model folder: valid model.json and vocabularies, weights.pt a "
        f"{form} file whose pickle would create a marker file, Translator.load",
        "CheckpointError saying the file was refused because it could run code; the "
        "marker file is never created",
    )
    folder = _copy(tiny_model, tmp_path)
    marker = tmp_path / "PAYLOAD-RAN"
    _write_payload(folder / WEIGHTS, marker, form)
    with pytest.raises(CheckpointError) as info:
        Translator.load(folder, device="cpu")
    ran = marker.exists()
    _unsafe_load(folder / WEIGHTS, form)  # the payload is real: an unsafe load runs it
    live = marker.exists()
    rec.observed(
        f'CheckpointError: "{short(info.value, 300)}"; marker created by the app: {ran}; '
        f"the same file under an unsafe load created it: {live}"
    )
    assert not ran and live
    assert "refused to load" in str(info.value) and "could run code" in str(info.value)


@pytest.mark.parametrize("command", ["attention", "translate", "evaluate"])
def test_pickle_payload_through_the_cli(tiny_model, tmp_path, capsys, monkeypatch, fault, command):
    rec = fault(
        CAT,
        f"the crafted weights.pt (torch zip payload) opened with `attnscope-cli "
        f"{command} --model DIR`",
        "exit 2, one message, no traceback; the marker file is never created",
    )
    folder = _copy(tiny_model, tmp_path)
    marker = tmp_path / "PAYLOAD-RAN"
    _write_payload(folder / WEIGHTS, marker, "torch zip")
    if command == "attention":
        r = run_cli(capsys, "attention", "--model", str(folder), "w1 w2")
    elif command == "translate":
        monkeypatch.setattr("sys.stdin", stdin_bytes(b"w1 w2\n"))
        r = run_cli(capsys, "translate", "--model", str(folder))
    else:
        (tmp_path / "t.src").write_text("w1 w2\n", encoding="utf-8")
        (tmp_path / "t.ref").write_text("W2 W1\n", encoding="utf-8")
        r = run_cli(
            capsys,
            "evaluate",
            "--model",
            str(folder),
            "--src",
            str(tmp_path / "t.src"),
            "--ref",
            str(tmp_path / "t.ref"),
        )
    rec.observed(
        f'exit {r.code}; stderr: "{short(r.message, 260)}"; traceback: '
        f"{'Traceback' in r.err}; marker created: {marker.exists()}"
    )
    assert r.code == 2 and "Traceback" not in r.err and "refused to load" in r.err
    assert not marker.exists()


def test_pickle_payload_in_a_checkpoint_is_refused_at_resume(tmp_path, caplog, fault):
    rec = fault(
        CAT,
        "newest resumable checkpoint replaced by a pickle payload, manifest SHA-256 "
        "updated to match (an attacker edits both), then resume",
        "the checkpoint is refused without running the payload; resume falls back to the "
        "previous checkpoint and says why",
    )
    from tests.reliability.helpers import toy_spec

    spec = toy_spec(tmp_path / "data", 120, seed=21)
    run = tmp_path / "run"
    cfg = train_config(max_steps=10, valid_every=5, seed=21)
    train(spec, run, TINY_MODEL, TOK, cfg)
    marker = tmp_path / "PAYLOAD-RAN"
    newest = run / "checkpoints" / "ckpt-00000010.pt"
    _write_payload(newest, marker, "torch zip")
    manifest_path = run / "checkpoints" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    sha = hashlib.sha256(newest.read_bytes()).hexdigest()
    for entry in [manifest["last"], manifest.get("best"), *manifest["checkpoints"]]:
        if entry and entry["file"] == newest.name:
            entry["sha256"] = sha
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    import logging

    with caplog.at_level(logging.WARNING):
        done = train(spec, run, TINY_MODEL, TOK, cfg.replace(max_steps=7), resume=True)
    notes = [r.getMessage() for r in caplog.records if r.name == "core.training.run"]
    rec.observed(
        f'warning: "{short(" / ".join(notes))}"; marker created: {marker.exists()}; '
        f"resumed run {done.status} at step {done.step}"
    )
    assert not marker.exists()
    assert any(
        "ckpt-00000010.pt was refused" in n and "ckpt-00000005.pt instead" in n for n in notes
    )
    assert done.step == 7


# ---- broken model folders ------------------------------------------------------------------------


def _set_meta(folder: Path, change) -> None:
    data = json.loads((folder / MODEL_JSON).read_text(encoding="utf-8"))
    change(data)
    (folder / MODEL_JSON).write_text(json.dumps(data), encoding="utf-8")


def _shape_mismatch_weights(folder: Path) -> None:
    state = torch.load(folder / WEIGHTS, weights_only=True)
    key = next(k for k in state if k.endswith("embed.weight"))
    state[key] = torch.zeros(state[key].shape[0] + 3, state[key].shape[1])
    torch.save(state, folder / WEIGHTS)


BROKEN = {
    "weights.pt is random bytes": (
        lambda f: (f / WEIGHTS).write_bytes(bytes(range(256)) * 40),
        "damaged or truncated",
    ),
    "weights.pt truncated to 60%": (
        lambda f: (f / WEIGHTS).write_bytes(
            (f / WEIGHTS).read_bytes()[: int((f / WEIGHTS).stat().st_size * 0.6)]
        ),
        "damaged or truncated",
    ),
    "weights.pt empty (0 bytes)": (lambda f: (f / WEIGHTS).write_bytes(b""), "damaged"),
    "weights.pt holds a list, not a state dict": (
        lambda f: torch.save([torch.zeros(1)], f / WEIGHTS),
        "does not hold model weights",
    ),
    "weights.pt from a differently sized vocabulary": (
        _shape_mismatch_weights,
        "does not match model.json",
    ),
    "weights.pt missing": (lambda f: (f / WEIGHTS).unlink(), "weights.pt is missing"),
    "vocab.src.json missing": (lambda f: (f / SRC_VOCAB).unlink(), "vocab.src.json is missing"),
    "vocab.src.json not JSON": (
        lambda f: (f / SRC_VOCAB).write_text('["<unk>", ', "utf-8"),
        "vocab.src.json",
    ),
    "vocab.src.json a JSON object, not a list": (
        lambda f: (f / SRC_VOCAB).write_text('{"a": 1}', "utf-8"),
        "is not a vocabulary",
    ),
    "vocab.src.json with one extra word": (
        lambda f: (f / SRC_VOCAB).write_text(
            json.dumps(json.loads((f / SRC_VOCAB).read_text("utf-8")) + ["extra"]), "utf-8"
        ),
        "does not match model.json",
    ),
    "model.json missing": (lambda f: (f / MODEL_JSON).unlink(), "not a model folder"),
    "model.json not JSON": (
        lambda f: (f / MODEL_JSON).write_text('{"name": ', "utf-8"),
        "cannot read",
    ),
    "model.json a JSON list": (
        lambda f: (f / MODEL_JSON).write_text("[1, 2]", "utf-8"),
        "does not hold a JSON object",
    ),
    "model.json from a newer format_version (99)": (
        lambda f: _set_meta(f, lambda d: d.update(format_version=99)),
        "newer Attnscope",
    ),
    "model.json with an unknown model setting": (
        lambda f: _set_meta(f, lambda d: d["model"].update(layers_of_magic=3)),
        "unknown model setting",
    ),
    "model.json with a negative hidden size": (
        lambda f: _set_meta(f, lambda d: d["model"].update(hidden_size=-5)),
        "hidden_size must be at least 1",
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        *BROKEN,
        "vocab.src.json without the special tokens",
    ],
)
def test_broken_model_folder_gives_one_clear_message(tiny_model, tmp_path, fault, case):
    rec = fault(
        CAT,
        f"model folder with {case}, Translator.load",
        "a CheckpointError whose message names the file at fault and the problem (the CLI "
        "turns it into exit 2); never another exception",
    )
    folder = _copy(tiny_model, tmp_path)
    if case in BROKEN:
        damage, needle = BROKEN[case]
    else:

        def damage(f: Path) -> None:
            (f / SRC_VOCAB).write_text(json.dumps(["a", "b", "c"]), "utf-8")

        needle = "vocab.src.json"
    damage(folder)
    try:
        Translator.load(folder, device="cpu")
    except Exception as exc:  # noqa: BLE001 - recorded, then judged below
        error = exc
    else:
        error = None
    rec.observed(f'{type(error).__name__}: "{short(error, 300)}"' if error else "loaded")
    assert isinstance(error, CheckpointError)
    assert needle in str(error)
    files = (WEIGHTS, SRC_VOCAB, MODEL_JSON, "vocab.tgt.json")
    assert any(name in str(error) for name in files) or str(folder) in str(error)


def test_crafted_huge_sizes_in_model_json_are_refused_before_allocating(
    tiny_model, tmp_path, fault
):
    rec = fault(
        CAT,
        "model.json claims hidden_size 100000 (weights.pt is the real 64-unit model)",
        'CheckpointError "weights.pt does not match model.json" before any large '
        "allocation; never an out-of-memory crash",
    )
    folder = _copy(tiny_model, tmp_path)
    _set_meta(folder, lambda d: d["model"].update(hidden_size=100_000))
    try:
        with address_space_limit(2 << 30):  # a bug must not take the machine down
            Translator.load(folder, device="cpu")
    except Exception as exc:  # noqa: BLE001 - recorded, then judged below
        error = exc
    else:
        error = None
    rec.observed(f'{type(error).__name__}: "{short(error, 200)}"' if error else "loaded")
    assert isinstance(error, CheckpointError) and "does not match" in str(error)


def test_model_folder_that_is_a_file(tmp_path, capsys, fault):
    rec = fault(
        CAT,
        "`--model` names a file (a .zip of a model), not a folder",
        'exit 2 with "not a model folder"',
    )
    path = tmp_path / "model.zip"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    r = run_cli(capsys, "attention", "--model", str(path), "w1")
    rec.observed(f'exit {r.code}; stderr: "{short(r.message)}"')
    assert r.code == 2 and "not a model folder" in r.err and "Traceback" not in r.err


# ---- source scans
# ----------------------------------------------------------------------------------

SHIPPED = ("core", "gui", "bench", "packaging")
# other ways to unpickle (or run) data from a file; none belongs in shipped code
UNSAFE_CALLS = {
    ("pickle", "load"),
    ("pickle", "loads"),
    ("pickle", "Unpickler"),
    ("cPickle", "load"),
    ("cPickle", "loads"),
    ("dill", "load"),
    ("dill", "loads"),
    ("joblib", "load"),
    ("marshal", "load"),
    ("marshal", "loads"),
    ("shelve", "open"),
    ("jit", "load"),
    ("torch.jit", "load"),
    ("yaml", "unsafe_load"),
}


def _unsafe_other_calls(source: str, filename: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        owner_name = (
            owner.id
            if isinstance(owner, ast.Name)
            else (owner.attr if isinstance(owner, ast.Attribute) else "")
        )
        if (owner_name, node.func.attr) in UNSAFE_CALLS:
            problems.append(f"{filename}:{node.lineno}: {ast.get_source_segment(source, node)}")
        if (
            node.func.attr == "load"
            and owner_name in ("np", "numpy")
            and any(
                k.arg == "allow_pickle"
                and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in node.keywords
            )
        ):
            problems.append(f"{filename}:{node.lineno}: {ast.get_source_segment(source, node)}")
    return problems


def test_no_shipped_code_unpickles_arbitrary_objects(fault):
    rec = fault(
        CAT,
        "source scan of every shipped Python file (core, gui, bench, packaging) for "
        "torch.load without weights_only=True and for pickle/marshal/shelve/dill/joblib/"
        "torch.jit loads or numpy allow_pickle",
        "none found (tests/core/storage/test_checkpoints.py scans core/ and gui/ for torch.load; "
        "this widens it)",
    )
    files = [
        p
        for d in SHIPPED
        if (REPO / d).is_dir()
        for p in sorted((REPO / d).rglob("*.py"))
        if ".venv" not in p.parts and "build" not in p.parts
    ]
    torch_problems, other_problems, loads = [], [], 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(REPO))
        loads += text.count("torch.load(")
        torch_problems += _unsafe_torch_loads(text, rel)
        other_problems += _unsafe_other_calls(text, rel)
    probe = _unsafe_other_calls("import pickle\nx = pickle.loads(b)\n", "<probe>")
    rec.observed(
        f"scanned {len(files)} files; torch.load( calls {loads}, unsafe "
        f"{torch_problems}; other unpickling calls {other_problems}; the scanner flags a "
        f"planted pickle.loads: {bool(probe)}"
    )
    assert probe
    assert torch_problems == [] and other_problems == []
