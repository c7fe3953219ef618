"""The German realiser: V2 main clauses, verb-final subordinate clauses, questions,
zu-infinitives."""

from __future__ import annotations

from .clause import Clause
from .noun_phrases import NP, de_np

# --- German --------------------------------------------------------------------------------


def de_verb(c: Clause) -> tuple[str, str, str]:
    """(finite verb, right bracket, verb cluster of a subordinate clause).

    Main clause: "Der Zug *kommt* am Bahnhof *an*." Subordinate: "…, weil der Zug am Bahnhof
    *ankommt*." Perfect and modal put the participle or infinitive in the right bracket.
    """
    v = c.verb
    inf, fin, pp, aux = v.de
    if v.de_animal and c.subj.noun and c.subj.noun.has({"animal"}):
        inf, fin, pp, aux = v.de_animal  # animals "fressen", people "essen"
    part = v.de_part
    if c.tense == "pres":
        if not part:
            return fin, "", fin
        glued = f"{part} {fin}" if " " in inf else part + fin
        return fin, part, glued
    if c.tense in ("perf", "past"):
        return aux, pp, f"{pp} {aux}"
    assert c.modal
    m = c.modal.de_neg if c.neg else c.modal.de
    assert m
    return m, inf, f"{inf} {m}"


def de_obj(c: Clause, np: NP, kein: bool) -> str:
    case = c.verb.de_case
    if "+" in case:  # prepositional object: auf den Bus, vor dem Hund
        prep, case = case.split("+")
        return f"{prep} {de_np(np, case)}"
    return de_np(np, case, kein=kein)


def de_middle(
    c: Clause, *, drop_obj: bool = False, drop_place: bool = False, drop_time: bool = False
) -> list[str]:
    """The German middle field, in the order time – frequency/gern – objects – nicht – place –
    manner. A place goes before a prepositional object (wartet im Hafen auf den Bus) and a bare
    object comes last, next to the verb (spielt im Park Fußball). Negation becomes "kein" on
    an indefinite or bare direct object, else "nicht"."""
    v = c.verb
    out: list[str] = []
    neg_pending = c.neg
    if c.time and not drop_time:
        out.append(c.time.de)
    if c.gern:
        out.append("nicht gern" if c.neg else "gern")
        neg_pending = False
    elif c.freq:
        out.append(c.freq.de)
    if v.de_fixed:  # hat Hunger / hat keine Angst
        out.append(v.de_fixed[1] if neg_pending else v.de_fixed[0])
        neg_pending = False
    prep_obj = "+" in v.de_case and c.obj and not drop_obj
    if prep_obj and c.place and not drop_place:
        out.append(c.place.de)  # wartet im Hafen auf den König
    if neg_pending and prep_obj:
        out.append("nicht")  # wartet nicht auf den Bus
        neg_pending = False
    if prep_obj and c.manner:
        out.append(c.manner.de)  # wartet (nicht) geduldig auf den Arzt
    if c.iobj:
        out.append(de_np(c.iobj, "dat"))
    bare = ""  # Kaffee, Deutsch, Fußball: stays next to the verb
    if c.obj and not drop_obj:
        kein = neg_pending and c.obj.det in ("indef", "mass") and v.de_case == "acc"
        obj = de_obj(c, c.obj, kein)
        if c.obj.det == "mass" and v.de_case == "acc":
            bare = obj
        else:
            out.append(obj)
        if kein:
            neg_pending = False
    if neg_pending:
        out.append("nicht")
    if c.place and not drop_place and not prep_obj:
        out.append(c.place.de)
    if c.to and not drop_place:
        out.append(c.to.de_dir or "")
    if c.manner and not prep_obj:
        out.append(c.manner.de)
    if bare:
        out.append(bare)  # spielt im Park Fußball, trinkt langsam Kaffee
    return out


def de_main(c: Clause, front: str | None = None, **drop: bool) -> str:
    """Verb-second main clause. ``front`` is whatever takes the first position instead of the
    subject (a time adverbial, a subordinate clause): the subject then follows the verb."""
    fin, right, _ = de_verb(c)
    subj = de_np(c.subj, "nom")
    mid = de_middle(c, **drop)
    head = [front, fin, subj] if front else [subj, fin]
    return " ".join(w for w in head + mid + [right] if w)


def de_sub(c: Clause, subj: str | None = None, **drop: bool) -> str:
    """Verb-final subordinate clause body (without the conjunction): der Mann das Buch liest."""
    _, _, cluster = de_verb(c)
    s = de_np(c.subj, "nom") if subj is None else subj
    return " ".join(w for w in [s] + de_middle(c, **drop) + [cluster] if w)


def de_question(c: Clause, wh: str | None = None) -> str:
    """Verb-first yes/no question, or wh-word + verb-second: Liest der Mann…? Was liest…?"""
    fin, right, _ = de_verb(c)
    if wh == "who":
        return " ".join(w for w in ["wer", fin] + de_middle(c) + [right] if w)
    word = {"what": "was", "where": "wo", "when": "wann", None: ""}[wh]
    if wh == "where" and c.to:
        word = "wohin"
    drop = dict(drop_obj=wh == "what", drop_place=wh == "where", drop_time=wh == "when")
    subj = de_np(c.subj, "nom")
    return " ".join(w for w in [word, fin, subj] + de_middle(c, **drop) + [right] if w)


def de_zu_inf(c: Clause) -> str:
    """The zu-infinitive group: das Buch zu lesen, den Arzt anzurufen, spazieren zu gehen."""
    v = c.verb
    inf = v.de[0]
    part = v.de_part
    if part:
        rest = inf[len(part) :].strip()
        zu = f"{part} zu {rest}" if " " in inf else f"{part}zu{rest}"
    else:
        zu = f"zu {inf}"
    return " ".join(de_middle(c) + [zu])
