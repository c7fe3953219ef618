"""The English realiser: a Clause as an English verb phrase, clause or question."""

from __future__ import annotations

from .clause import Clause
from .noun_phrases import en_np

# --- English -------------------------------------------------------------------------------


def en_vp(
    c: Clause,
    *,
    drop_obj: bool = False,
    drop_place: bool = False,
    drop_time: bool = False,
    inverted: bool = False,
) -> str:
    """English verb phrase (everything after the subject). ``inverted``: the auxiliary went to
    the front of a question, so the verb is in its bare form."""
    base, s3, past, pp = c.verb.en
    be = "be" in c.verb.flags
    words: list[str] = []
    if inverted:
        if c.tense == "perf":
            words.append(pp)
        elif c.tense == "modal":
            assert c.modal
            words.append({"want": "want to", "can": "", "would_like": "like to"}[c.modal.key])
            words.append(base)
        else:
            words.append(base)
    elif be:
        is_, rest = s3.split(" ", 1)
        words += [is_, "not", rest] if c.neg else [s3]
    elif c.tense == "pres":
        if c.gern:
            words.append("does not like to" if c.neg else "likes to")
            words.append(base)
        elif c.neg:
            words += ["does not", base]
        else:
            if c.freq:
                words.append(c.freq.en)
            words.append(s3)
    elif c.tense == "perf":
        words += ["has", "not", pp] if c.neg else ["has", pp]
    elif c.tense == "past":
        words += ["did not", base] if c.neg else [past]
    else:
        assert c.modal
        words += [c.modal.en_neg if c.neg else c.modal.en, base]
        assert not c.neg or c.modal.en_neg
    if c.iobj:
        words.append(en_np(c.iobj))
    if c.obj and not drop_obj:
        words.append(en_np(c.obj))
    if c.place and not drop_place:
        words.append(c.place.en)
    if c.to and not drop_place:
        words.append(c.to.en_dir or "")
    if c.manner:
        words.append(c.manner.en)
    if c.time and not drop_time:
        words.append(c.time.en)
    return " ".join(w for w in words if w)


def en_clause(c: Clause, **kw) -> str:
    return f"{en_np(c.subj)} {en_vp(c, **kw)}"


def en_question(c: Clause, wh: str | None = None) -> str:
    """Yes/no or wh-question with do-support: Does the man read…? What does the man read?"""
    if wh == "who":
        return "who " + en_vp(c)
    aux = {"pres": "does", "perf": "has", "past": "did"}.get(c.tense)
    if c.tense == "modal":
        assert c.modal
        aux = {"want": "does", "can": "can", "would_like": "would"}[c.modal.key]
    assert aux
    drop = dict(drop_obj=wh == "what", drop_place=wh == "where", drop_time=wh == "when")
    head = f"{aux} {en_np(c.subj)} {en_vp(c, inverted=True, **drop)}"
    return f"{wh} {head}" if wh else head
