"""Sentences: one meaning in, an (English, German, French) triple out."""

from __future__ import annotations

from .clause import Clause
from .clause_types import SubClause, de_sub_of, en_of, fr_of
from .english import en_clause, en_question
from .french import fr_clause, fr_question
from .german import de_main, de_question
from .morphology import capitalize, fr_finish

Triple = tuple[str, str, str]


def finish(en: str, de: str, fr: str, punct: str = ".") -> Triple:
    """Capitalise, punctuate and apply French orthography. French puts a space before "?"."""
    fr_text = fr_finish(fr)
    fr_punct = " ?" if punct == "?" else punct
    return (capitalize(en) + punct, capitalize(de) + punct, capitalize(fr_text) + fr_punct)


def say(c: Clause) -> Triple:
    """A main clause: The train arrives at the station. / Der Zug kommt am Bahnhof an."""
    return finish(en_clause(c), de_main(c), fr_clause(c))


def say_fronted(c: Clause) -> Triple:
    """Time adverbial first: Today the dog sleeps. / Heute schläft der Hund. (V2)"""
    t = c.time
    assert t
    return finish(
        f"{capitalize(t.en)} {en_clause(c, drop_time=True)}",
        de_main(c, front=capitalize(t.de), drop_time=True),
        f"{capitalize(t.fr)}, {fr_clause(c, drop_time=True)}",
    )


def say_that(matrix: tuple[str, str, str], s: SubClause) -> Triple:
    """I know that the woman drinks coffee. / Ich weiß, dass die Frau Kaffee trinkt."""
    en_m, de_m, fr_m = matrix
    return finish(f"{en_m} {en_of(s)}", f"{de_m} {de_sub_of(s)}", f"{fr_m} {fr_of(s)}")


def say_after(main: Clause, conj: tuple[str, str, str], s: SubClause) -> Triple:
    """The woman smiles because the man reads. / Die Frau lächelt, weil der Mann liest."""
    return finish(
        f"{en_clause(main)} {conj[0]} {en_of(s)}",
        f"{de_main(main)}, {conj[1]} {de_sub_of(s)}",
        f"{fr_clause(main)} {conj[2]} {fr_of(s)}",
    )


def say_question(c: Clause, wh: str | None = None) -> Triple:
    """Does the man read the book? / Liest der Mann das Buch? / Est-ce que l'homme lit… ?"""
    return finish(en_question(c, wh), de_question(c, wh), fr_question(c, wh), "?")
