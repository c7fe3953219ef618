"""The training loop gives glibc's free heap back every HEAP_TRIM_EVERY updates."""

from __future__ import annotations

from core import device as _device
from core.config import TokenizerConfig, preset
from core.training import loop
from core.training.run import train
from tests.toy import toy_spec


def test_the_training_loop_releases_the_free_heap_every_so_many_updates(
    monkeypatch, tmp_path
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(_device, "release_free_heap", lambda: calls.append(1) or True)
    monkeypatch.setattr(loop, "HEAP_TRIM_EVERY", 3)
    p = preset("tiny")
    cfg = p.train.replace(num_threads=1, device="cpu", max_steps=7, valid_every=100, epochs=0)
    tok = TokenizerConfig(src_lang="en", tgt_lang="en", tokenization="words")
    done = train(toy_spec(tmp_path / "data", 100), tmp_path / "model", p.model, tok, cfg)
    assert done.step == 7
    assert len(calls) == 2  # after updates 3 and 6
