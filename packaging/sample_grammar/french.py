"""The French realiser: clauses with ne…pas, partitives and object determiners; questions."""

from __future__ import annotations

from .clause import Clause
from .noun_phrases import NP, fr_np

# --- French --------------------------------------------------------------------------------


def fr_obj_det(c: Clause, np: NP) -> str:
    """French determiner for an object: partitive for bare mass nouns, definite for generic
    objects of aimer and for languages and games, "de" under a negation (pas de café)."""
    v = c.verb
    n = np.noun
    det = np.det
    if det == "mass":
        assert n
        if v.fr_bare or n.fr_bare:
            det = "bare"
        elif v.generic or n.has({"lang", "game"}):
            det = "def"
        else:
            det = "part"
    if (c.neg or c.never) and det in ("indef", "part") and not v.fr_prep:
        det = "de"
    return det


def fr_vp(
    c: Clause,
    *,
    drop_obj: bool = False,
    drop_place: bool = False,
    drop_time: bool = False,
    subj_gender: str | None = None,
) -> str:
    """French verb phrase: ne + (se) + verb + pas/jamais + …; objects, à-objects, place,
    manner, time. Participles agree with the subject after être."""
    v = c.verb
    inf, fin, pp, aux = v.fr
    g = subj_gender or c.subj.fr_gender
    neg_word = "jamais" if c.never else ("pas" if c.neg else "")
    se = "se" if v.fr_refl else ""
    ne = "ne" if neg_word else ""
    words: list[str]
    if c.gern:
        words = [ne, "aime", neg_word, se, inf]
    elif c.tense == "pres":
        words = [ne, se, fin, neg_word]
        if c.freq and not c.never:
            words.append(c.freq.fr)
    elif c.tense in ("perf", "past"):
        aux_form = {"a": "a", "est": "est"}[aux]
        part = pp + ("e" if aux == "est" and g == "f" else "")
        words = [ne, se, aux_form, neg_word, part]
    else:
        assert c.modal
        words = [ne, c.modal.fr, neg_word, se, inf]
    if v.fr_tail:
        words.append(v.fr_tail)
    if c.obj and not drop_obj:
        obj = fr_np(c.obj, fr_obj_det(c, c.obj))
        words.append(f"{v.fr_prep} {obj}" if v.fr_prep else obj)
    if c.iobj:
        words.append("à " + fr_np(c.iobj))
    if c.place and not drop_place:
        words.append(c.place.fr)
    if c.to and not drop_place:
        words.append(c.to.fr_dir or "")
    if c.manner:
        words.append(c.manner.fr)
    if c.time and not drop_time:
        words.append(c.time.fr)
    return " ".join(w for w in words if w)


def fr_clause(c: Clause, **kw) -> str:
    return f"{fr_np(c.subj)} {fr_vp(c, **kw)}"


def fr_question(c: Clause, wh: str | None = None) -> str:
    """Questions with est-ce que, the common neutral register: Est-ce que l'homme lit… ?"""
    if wh == "who":
        return "qui " + fr_vp(c, subj_gender="m")
    word = {
        "what": "qu'est-ce que",
        "where": "où est-ce que",
        "when": "quand est-ce que",
        None: "est-ce que",
    }[wh]
    drop = dict(drop_obj=wh == "what", drop_place=wh == "where", drop_time=wh == "when")
    return f"{word} {fr_clause(c, **drop)}"
