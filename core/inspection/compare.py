"""Translate one sentence with several models or checkpoints, and say where the outputs differ.

Why a plain function: the app runs it on its worker thread through ``Session.submit("compare",
partial(compare, cache, sources, text=..., beam=...), needs_model=False)``, which calls it as
``fn(translator, ctx)``; scripts and tests call ``compare(cache, sources, text=...)`` directly.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from core.data.vocab import EOS
from core.decoding.weight_sources import ModelSource, TranslatorCache, describe
from core.errors import CoreError
from core.events import Translation


def compare(
    cache: TranslatorCache,
    sources: Sequence[ModelSource],
    translator: Any = None,
    ctx: Any = None,
    *,
    text: str,
    beam: int = 1,
) -> list[Translation]:
    """The best translation of ``text`` from each source, in order.

    ``translator`` (the app's open model) is ignored: each source names its own weights.
    ``ctx`` (optional) has ``cancel`` (a CancelToken, checked between models) and
    ``progress(done, total)``. Sources that translate from different languages are refused:
    their outputs would not be translations of the same sentence.
    """
    if not sources:
        raise CoreError("choose at least one model to translate with")
    if not text.strip():
        raise CoreError("type a sentence to compare the models on")
    total = len(sources)
    translators = []
    for i, source in enumerate(sources):
        if ctx is not None:
            ctx.cancel.raise_if_cancelled()
        translators.append(cache.get(source))
        if ctx is not None:
            ctx.progress(i + 1, 2 * total)
    _check_same_source_language(sources, [t.meta.tokenizer.src_lang for t in translators])
    out: list[Translation] = []
    for i, tr in enumerate(translators):
        if ctx is not None:
            ctx.cancel.raise_if_cancelled()
        out.append(tr.translate(text, beam=beam, nbest=1)[0])
        if ctx is not None:
            ctx.progress(total + i + 1, 2 * total)
    return out


def _check_same_source_language(sources: Sequence[ModelSource], langs: list[str]) -> None:
    for source, lang in zip(sources[1:], langs[1:]):
        if lang != langs[0]:
            raise CoreError(
                f"{describe(sources[0])} translates from {langs[0]!r} but {describe(source)} "
                f"from {lang!r}: choose models that translate from the same language"
            )


def _words(tr: Translation) -> list[str]:
    tokens = list(tr.target_tokens)
    return tokens[:-1] if tokens and tokens[-1] == EOS else tokens


def describe_difference(a: Translation, b: Translation, limit: int = 3) -> str:
    """One line: "same output" or the first few word-level edits from A to B."""
    wa, wb = _words(a), _words(b)
    if wa == wb:
        return "Both give the same translation."
    ops = [
        op
        for op in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    parts = []
    for tag, i1, i2, j1, j2 in ops[:limit]:
        left, right = " ".join(wa[i1:i2]), " ".join(wb[j1:j2])
        if tag == "replace":
            parts.append(f"word {i1 + 1}: A “{left}” ↔ B “{right}”")
        elif tag == "delete":
            parts.append(f"word {i1 + 1}: only A has “{left}”")
        else:
            parts.append(f"word {i1 + 1}: only B has “{right}”")
    more = f"; and {len(ops) - limit} more" if len(ops) > limit else ""
    return (
        f"They differ in {len(ops)} place{'s' if len(ops) != 1 else ''}: " + "; ".join(parts) + more
    )
