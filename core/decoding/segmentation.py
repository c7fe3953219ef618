"""Which tokens a given translation is scored as: the model's own, where it can be told.

Why: one text has many subword segmentations. A subword model may output a text in pieces that
are not the tokenizer's canonical split of it, so scoring the pasted-back output with the
canonical split would show other tokens and other probabilities than the model produced. Here a
pasted text is segmented the way the model itself prefers: at each step the most probable piece
that continues the text (the decoder, constrained to the text). For a greedy output this is the
output's own segmentation, exactly. Word models keep Moses words; a literal ``<unk>`` in the text
is the unknown-word token the model printed, not ``<``, ``unk``, ``>``.
"""

from __future__ import annotations

import re

import numpy as np
import torch
from torch import nn

from core.data.subword import WORD_START
from core.data.vocab import BOS_ID, EOS_ID, UNK, Vocab

_BYTE_PIECE = re.compile(r"<0x([0-9A-F]{2})>")


def words_with_unk(tokenize, text: str) -> list[str]:
    """Moses words of ``text``, a literal ``<unk>`` kept as the one unknown-word token."""
    parts = text.split(UNK)
    tokens = tokenize(parts[0].strip()) if parts[0].strip() else []
    for part in parts[1:]:
        tokens.append(UNK)
        if part.strip():
            tokens += tokenize(part.strip())
    return tokens


def piece_bytes(vocab: Vocab) -> list[bytes | None]:
    """Each target id's text as UTF-8 bytes ("▁" is a space; ``<0xE2>`` one byte), None for the
    specials, which never spell text, and for the byte <0x20> (see below)."""
    out: list[bytes | None] = []
    for i, piece in enumerate(vocab.itos):
        byte = _BYTE_PIECE.fullmatch(piece)
        if i < 4:
            out.append(None)
        elif byte:
            value = int(byte.group(1), 16)
            # sentencepiece writes a space as "▁", never as the byte <0x20>: spelling one with it
            # would glue two words into one (and no segmentation of the model's has it)
            out.append(None if value == 0x20 else bytes([value]))
        else:
            out.append(piece.replace(WORD_START, " ").encode("utf-8"))
    return out


@torch.inference_mode()
def own_segmentation(
    model: nn.Module,  # Seq2Seq or Transformer (their shared search interface)
    src: torch.Tensor,
    src_len: torch.Tensor,
    text: bytes,
    surfaces: list[bytes | None],
) -> list[int] | None:
    """The ids (ending in </s>) that spell ``text`` (the bytes sentencepiece would segment,
    e.g. b" Ein Hund") and that the model, choosing greedily among the pieces that continue the
    text, prefers. None when no piece continues it (a text the pieces cannot spell)."""
    model.eval()
    memory, state = model.encode(src[:1], src_len[:1])  # the search interface: GRU or Transformer
    prev = torch.full((1,), BOS_ID, dtype=torch.long, device=src.device)
    rest, ids = text, []
    while True:
        logits, state, _, _ = model.step(prev, state, memory)
        logp = torch.log_softmax(logits.float(), dim=-1)[0]
        if not rest:
            ids.append(EOS_ID)
            return ids
        fits = [i for i, s in enumerate(surfaces) if s and rest.startswith(s)]
        if not fits:
            return None
        scores = logp[fits].cpu().numpy()
        best = fits[int(np.argmax(scores))]
        ids.append(best)
        rest = rest[len(surfaces[best]) :]  # type: ignore[arg-type]
        prev = torch.full((1,), best, dtype=torch.long, device=src.device)
