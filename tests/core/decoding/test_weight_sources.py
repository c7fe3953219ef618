"""Model sources: a folder's best weights and kept checkpoints, loaded safely and compared."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig
from core.data.vocab import Vocab
from core.decoding.translator import Translator
from core.decoding.weight_sources import (
    ModelSource,
    TranslatorCache,
    list_sources,
    load_translator,
)
from core.errors import Cancelled, CheckpointError, CoreError
from core.events import Translation
from core.inspection.compare import compare, describe_difference
from core.model.seq2seq import Seq2Seq
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import read_history, read_meta, write_meta
from core.storage.torch_io import atomic_torch_save, safe_torch_load
from core.training.run import train
from tests.toy import toy_spec, train_config

ROOT = Path(__file__).resolve().parents[3]
SENTENCES = ["w1 w2 w3", "w7 w0 w9 w2 w5", "w4 w4 w11"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A tiny toy model that keeps three checkpoints (steps 20, 40, 60)."""
    base = tmp_path_factory.mktemp("sources")
    cfg = train_config(
        batch_size=16, learning_rate=5e-3, max_steps=60, valid_every=20, keep_last=3, epochs=0
    )
    train(
        toy_spec(base / "data", 300),
        base / "model",
        ModelConfig(emb_size=16, hidden_size=32, dropout=0.0),
        TokenizerConfig("en", "en", tokenization="words"),
        cfg,
        name="toy sources",
    )
    return base / "model"


@pytest.fixture
def copy_dir(model_dir, tmp_path) -> Path:
    dest = tmp_path / "model"
    shutil.copytree(model_dir, dest)
    return dest


def _translator_from_state(folder: Path, state: dict) -> Translator:
    """What a checkpoint's weights should give: a model built by hand from its state dict."""
    meta = read_meta(folder)
    src, tgt = Vocab(state["vocabs"]["src"]), Vocab(state["vocabs"]["tgt"])
    model = Seq2Seq(meta.model, len(src), len(tgt))
    model.load_state_dict(state["model"])
    model.eval()
    return Translator(model, src, tgt, meta, torch.device("cpu"), folder)


def _same(a: Translation, b: Translation) -> None:
    assert a.target_tokens == b.target_tokens
    assert a.score == pytest.approx(b.score, abs=1e-6)
    np.testing.assert_allclose(a.attention, b.attention, atol=1e-6)
    np.testing.assert_allclose(a.token_probs, b.token_probs, atol=1e-6)


# ---- listing ------------------------------------------------------------------------------------


def test_list_sources_gives_best_then_each_kept_checkpoint(model_dir):
    entries = CheckpointStore(model_dir / "checkpoints").entries()
    assert [e["step"] for e in entries] == [20, 40, 60]
    sources = list_sources(model_dir)
    assert [s.label for s in sources] == ["best weights", "step 20", "step 40", "step 60"]
    assert [s.step for s in sources] == [None, 20, 40, 60]
    assert all(Path(s.model_dir) == model_dir for s in sources)
    # each checkpoint's own dev BLEU (history.jsonl), the best weights' best BLEU (model.json)
    history = {r["step"]: r["bleu"] for r in read_history(model_dir) if r["type"] == "validation"}
    assert [s.bleu for s in sources[1:]] == [pytest.approx(history[st]) for st in (20, 40, 60)]
    assert sources[0].bleu == pytest.approx(read_meta(model_dir).metrics["best_bleu"])
    assert sources[0].bleu == pytest.approx(max(history.values()))


def test_a_checkpoint_after_the_best_shows_its_own_bleu(copy_dir):
    """The manifest keeps the best BLEU so far; the label must not borrow it."""
    lines = [
        {"type": "validation", "step": 20, "bleu": 30.0},
        {"type": "validation", "step": 40, "bleu": 12.5},
        {"type": "progress", "step": 50},
        {"type": "validation", "step": 60, "bleu": 31.0},
    ]
    (copy_dir / "history.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in lines) + '{"torn', encoding="utf-8"
    )
    assert [s.bleu for s in list_sources(copy_dir)[1:]] == [30.0, 12.5, 31.0]


def test_list_sources_without_checkpoints_or_manifest(copy_dir):
    (copy_dir / "checkpoints" / "manifest.json").unlink()  # rebuilt from the file names
    assert [s.step for s in list_sources(copy_dir)] == [None, 20, 40, 60]
    shutil.rmtree(copy_dir / "checkpoints")
    assert list_sources(copy_dir) == [ModelSource.best(copy_dir)]
    assert not (copy_dir / "checkpoints").exists()  # listing never creates folders


def test_list_sources_of_a_folder_that_is_no_model(tmp_path):
    with pytest.raises(CheckpointError, match="no model.json"):
        list_sources(tmp_path)


def test_listing_does_not_import_torch(model_dir):
    """The app lists sources on its GUI thread; torch takes seconds to import."""
    script = (
        "import sys, core.inspection.compare; "
        "from core.decoding.weight_sources import list_sources; "
        f"n = len(list_sources({str(model_dir)!r})); "
        "print(n, 'torch' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["4", "False"]


# ---- loading ------------------------------------------------------------------------------------


def test_loading_a_checkpoint_gives_that_checkpoints_weights(model_dir):
    state = safe_torch_load(model_dir / "checkpoints" / "ckpt-00000020.pt")
    tr = load_translator(ModelSource.checkpoint(model_dir, 20), device="cpu")
    loaded = tr.model.state_dict()
    assert loaded.keys() == state["model"].keys()
    for k, v in state["model"].items():
        assert torch.equal(loaded[k], v), k
    expected = _translator_from_state(model_dir, state)
    for text in SENTENCES:
        _same(tr.translate(text)[0], expected.translate(text)[0])
        _same(tr.translate(text, beam=3)[0], expected.translate(text, beam=3)[0])


def test_checkpoints_and_best_weights_are_different_weights(model_dir):
    best = load_translator(ModelSource.best(model_dir), device="cpu")
    reference = Translator.load(model_dir, device="cpu")
    early = load_translator(ModelSource.checkpoint(model_dir, 20), device="cpu")
    for k, v in reference.model.state_dict().items():
        assert torch.equal(best.model.state_dict()[k], v)
    emb = "encoder.embed.weight"
    assert not torch.equal(early.model.state_dict()[emb], best.model.state_dict()[emb])
    scores = [(early.translate(t)[0].score, best.translate(t)[0].score) for t in SENTENCES]
    assert any(abs(a - b) > 1e-3 for a, b in scores)


def test_a_corrupted_checkpoint_names_the_file(copy_dir):
    path = copy_dir / "checkpoints" / "ckpt-00000040.pt"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError) as err:
        load_translator(ModelSource.checkpoint(copy_dir, 40), device="cpu")
    assert str(path) in str(err.value) and "damaged" in str(err.value)
    # the other checkpoints still load
    load_translator(ModelSource.checkpoint(copy_dir, 20), device="cpu")


def test_a_truncated_checkpoint_without_checksum_names_the_file(copy_dir):
    (copy_dir / "checkpoints" / "manifest.json").unlink()  # no checksum to compare with
    path = copy_dir / "checkpoints" / "ckpt-00000060.pt"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CheckpointError) as err:
        load_translator(ModelSource.checkpoint(copy_dir, 60), device="cpu")
    assert str(path) in str(err.value) and "damaged or truncated" in str(err.value)


def test_a_checkpoint_whose_shapes_do_not_fit_is_refused(copy_dir):
    (copy_dir / "checkpoints" / "manifest.json").unlink()
    path = copy_dir / "checkpoints" / "ckpt-00000020.pt"
    state = safe_torch_load(path)
    state["model"]["encoder.embed.weight"] = torch.zeros(3, 5)
    atomic_torch_save(state, path)
    with pytest.raises(CheckpointError, match=r"encoder\.embed\.weight is \(3, 5\)") as err:
        load_translator(ModelSource.checkpoint(copy_dir, 20), device="cpu")
    assert str(path) in str(err.value)


def test_a_checkpoint_that_was_removed_gives_a_clear_message(copy_dir):
    (copy_dir / "checkpoints" / "ckpt-00000040.pt").unlink()
    with pytest.raises(CheckpointError, match="no checkpoint for step 40"):
        load_translator(ModelSource.checkpoint(copy_dir, 40), device="cpu")


# ---- the cache ----------------------------------------------------------------------------------


def test_cache_reuses_translators_and_reloads_rewritten_weights(copy_dir):
    cache = TranslatorCache(capacity=2, device="cpu")
    a, b, c = (ModelSource.checkpoint(copy_dir, s) for s in (20, 40, 60))
    first = cache.get(a)
    assert cache.get(ModelSource("renamed label", str(copy_dir), 20)) is first
    assert cache.loads == 1
    cache.get(b)
    cache.get(c)  # capacity 2: a is evicted
    assert len(cache) == 2 and cache.loads == 3
    assert cache.get(a) is not first and cache.loads == 4
    path = copy_dir / "checkpoints" / "ckpt-00000020.pt"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the file was rewritten
    cache.get(a)
    assert cache.loads == 5


# ---- compare ------------------------------------------------------------------------------------


class _Ctx:
    def __init__(self) -> None:
        self.cancel = CancelToken()
        self.reports: list[tuple[int, int]] = []

    def progress(self, done: int, total: int) -> None:
        self.reports.append((done, total))


def test_compare_translates_with_each_source(model_dir):
    cache = TranslatorCache(device="cpu")
    sources = [ModelSource.checkpoint(model_dir, 20), ModelSource.best(model_dir)]
    ctx = _Ctx()
    out = compare(cache, sources, None, ctx, text="w1 w2 w3", beam=3)
    assert len(out) == 2
    for source, tr in zip(sources, out):
        _same(tr, load_translator(source, "cpu").translate("w1 w2 w3", beam=3)[0])
    assert ctx.reports[-1] == (4, 4)
    # the GUI's call shape: partial(...) called as fn(translator, ctx)
    from functools import partial

    again = partial(compare, cache, sources, text="w1 w2 w3", beam=3)(None, _Ctx())
    _same(again[0], out[0])
    assert cache.loads == 2  # the second compare reused both translators


def test_compare_stops_when_cancelled(model_dir):
    ctx = _Ctx()
    ctx.cancel.cancel()
    with pytest.raises(Cancelled):
        compare(TranslatorCache(device="cpu"), [ModelSource.best(model_dir)], None, ctx, text="w1")


def test_compare_refuses_different_source_languages(model_dir, copy_dir):
    meta = read_meta(copy_dir)
    meta.name = "toy from French"
    meta.tokenizer = TokenizerConfig("fr", "en", tokenization="words")
    write_meta(copy_dir, meta)
    with pytest.raises(CoreError) as err:
        compare(
            TranslatorCache(device="cpu"),
            [ModelSource.best(model_dir), ModelSource.best(copy_dir)],
            text="w1 w2",
        )
    msg = str(err.value)
    assert "toy sources (best weights) translates from 'en'" in msg
    assert "toy from French (best weights) from 'fr'" in msg


def test_compare_needs_text_and_sources(model_dir):
    with pytest.raises(CoreError, match="type a sentence"):
        compare(TranslatorCache(), [ModelSource.best(model_dir)], text="  ")
    with pytest.raises(CoreError, match="at least one model"):
        compare(TranslatorCache(), [], text="w1")


def _tr(words: list[str]) -> Translation:
    n = len(words) + 1
    return Translation(
        ["x", "</s>"],
        [*words, "</s>"],
        np.ones(n, np.float32),
        np.full((n, 2), 0.5, np.float32),
        0.0,
        " ".join(words),
    )


def test_describe_difference():
    assert (
        describe_difference(_tr(["a", "b"]), _tr(["a", "b"])) == "Both give the same translation."
    )
    assert (
        describe_difference(_tr(["die", "Katze", "schläft"]), _tr(["die", "Katze", "läuft"]))
        == "They differ in 1 place: word 3: A “schläft” ↔ B “läuft”"
    )
    assert (
        describe_difference(_tr(["a", "b", "c"]), _tr(["a", "c", "d"]))
        == "They differ in 2 places: word 2: only A has “b”; word 4: only B has “d”"
    )
    many = describe_difference(_tr(list("abcdefgh")), _tr(list("aXcYeZgW")), limit=2)
    assert many.startswith("They differ in 4 places:") and many.endswith("; and 2 more")
