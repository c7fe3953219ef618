"""Noun phrases (a meaning record) and their English, German and French realisations."""

from __future__ import annotations

from dataclasses import dataclass

from .adjectives import Adj
from .morphology import en_article, en_plural, fr_noun_plural, fr_vowel_initial
from .nouns import Noun
from .places_times import NUMBERS


@dataclass(frozen=True)
class NP:
    """A noun phrase as meaning: noun + determiner kind + optional adjective, or a pronoun.

    det: "def" (the), "indef" (a), "mass" (bare mass noun: coffee / Kaffee / du café),
    "num" (a number above one, plural).
    """

    noun: Noun | None = None
    det: str = "def"
    adj: Adj | None = None
    num: int = 0
    pron: str | None = None  # "he" / "she"

    @property
    def fr_gender(self) -> str:
        if self.pron:
            return "m" if self.pron == "he" else "f"
        assert self.noun
        return self.noun.fr_g

    @property
    def person(self) -> bool:
        return bool(self.pron) or bool(self.noun and self.noun.has({"person", "baby"}))


# --- English ---


def en_np(np: NP) -> str:
    if np.pron:
        return np.pron
    n = np.noun
    assert n
    head = en_plural(n) if np.det == "num" else n.en
    words = ([np.adj.en] if np.adj else []) + [head]
    if np.det == "def":
        return " ".join(["the"] + words)
    if np.det == "indef":
        return " ".join([en_article(words[0])] + words)
    if np.det == "num":
        return " ".join([NUMBERS[np.num][0]] + words)
    return " ".join(words)  # mass


# --- German ---

DE_DEF = {
    "nom": {"m": "der", "f": "die", "n": "das", "pl": "die"},
    "acc": {"m": "den", "f": "die", "n": "das", "pl": "die"},
    "dat": {"m": "dem", "f": "der", "n": "dem", "pl": "den"},
}
DE_EIN = {
    "nom": {"m": "ein", "f": "eine", "n": "ein"},
    "acc": {"m": "einen", "f": "eine", "n": "ein"},
    "dat": {"m": "einem", "f": "einer", "n": "einem"},
}
# adjective endings after der/die/das (weak), after ein/kein (mixed), with no article (strong)
DE_WEAK = {
    "nom": {"m": "e", "f": "e", "n": "e", "pl": "en"},
    "acc": {"m": "en", "f": "e", "n": "e", "pl": "en"},
    "dat": {"m": "en", "f": "en", "n": "en", "pl": "en"},
}
DE_MIXED = {
    "nom": {"m": "er", "f": "e", "n": "es"},
    "acc": {"m": "en", "f": "e", "n": "es"},
    "dat": {"m": "en", "f": "en", "n": "en"},
}
DE_STRONG = {
    "nom": {"m": "er", "f": "e", "n": "es", "pl": "e"},
    "acc": {"m": "en", "f": "e", "n": "es", "pl": "e"},
    "dat": {"m": "em", "f": "er", "n": "em", "pl": "en"},
}
DE_PRON = {"he": "er", "she": "sie"}
DE_REL = DE_DEF  # relative pronouns der/die/das, den, dem (no genitive here)
DE_REL_DAT = {"m": "dem", "f": "der", "n": "dem"}


def de_np(np: NP, case: str, kein: bool = False) -> str:
    """German NP in a case. ``kein`` negates an indefinite or bare noun (kein Buch, keinen
    Kaffee). Adjective endings follow the article: weak after der, mixed after ein/kein,
    strong with no article."""
    if np.pron:
        assert case == "nom"
        return DE_PRON[np.pron]
    n = np.noun
    assert n
    g = n.de_g
    noun = n.de_weak if (n.de_weak and case != "nom") else n.de
    if np.det == "num":
        assert n.de_pl, n.key
        adj = [np.adj.de_stem + DE_STRONG[case]["pl"]] if np.adj else []
        return " ".join([NUMBERS[np.num][1]] + adj + [n.de_pl])
    if np.det == "def":
        art, table = DE_DEF[case][g], DE_WEAK
    elif np.det == "indef" or (kein and np.det == "mass"):
        art, table = DE_EIN[case][g], DE_MIXED
        if kein:
            art = "k" + art
    else:  # bare mass noun
        art, table = "", DE_STRONG
    adj = [np.adj.de_stem + table[case][g]] if np.adj else []
    return " ".join(w for w in [art] + adj + [noun] if w)


# --- French ---

FR_DEF = {"m": "le", "f": "la"}
FR_INDEF = {"m": "un", "f": "une"}
FR_PRON = {"he": "il", "she": "elle"}


def fr_np(np: NP, det: str | None = None) -> str:
    """French NP draft (contraction and elision happen in fr_finish). ``det`` overrides the
    determiner: "part" (du/de la), "de" (after a negation), "def" (generic: aime le café),
    "bare" (parle allemand)."""
    if np.pron:
        return FR_PRON[np.pron]
    n = np.noun
    assert n
    det = det or np.det
    g = n.fr_g
    plural = det == "num" or n.fr_plural_only
    head = fr_noun_plural(n) if det == "num" else n.fr
    words = [head]
    if np.adj:
        if np.adj.fr_pre:
            words = [np.adj.fr_form(g, plural, fr_vowel_initial(head))] + words
        else:
            words = words + [np.adj.fr_form(g, plural)]
    if det == "def":
        art = "les" if plural else FR_DEF[g]
    elif det == "indef":
        art = FR_INDEF[g]
    elif det == "part":
        art = "de " + FR_DEF[g]
    elif det == "de":
        art = "de"
    elif det == "num":
        art = NUMBERS[np.num][2]
    else:  # bare
        art = ""
    return " ".join(w for w in [art] + words if w)
