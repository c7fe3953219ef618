"""Other clause types (predicates, location, age, weather) and what can be a subordinate clause."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .adjectives import Adj
from .clause import Clause
from .english import en_clause
from .french import fr_clause
from .german import de_main, de_sub
from .noun_phrases import NP, de_np, en_np, fr_np
from .places_times import NUMBERS, Spot


@dataclass(frozen=True)
class Pred:
    """ "X is (very/too/not) ADJ" or "X is ADJ-er than Y"."""

    subj: NP
    adj: Adj
    degree: str = ""  # "", "very", "too"
    neg: bool = False
    than: NP | None = None

    def en(self) -> str:
        if self.than:
            assert self.adj.en_cmp
            return f"{en_np(self.subj)} is {self.adj.en_cmp} than {en_np(self.than)}"
        words = [en_np(self.subj), "is", "not" if self.neg else "", self.degree, self.adj.en]
        return " ".join(w for w in words if w)

    def _de_adj(self) -> list[str]:
        deg = {"": "", "very": "sehr", "too": "zu"}[self.degree]
        return ["nicht" if self.neg else "", deg, self.adj.de]

    def de_main(self, front: str | None = None) -> str:
        subj = de_np(self.subj, "nom")
        if self.than:
            rest = [self.adj.de_cmp or "", "als", de_np(self.than, "nom")]
        else:
            rest = self._de_adj()
        head = [front, "ist", subj] if front else [subj, "ist"]
        return " ".join(w for w in head + rest if w)

    def de_sub(self) -> str:
        subj = de_np(self.subj, "nom")
        if self.than:
            return f"{subj} {self.adj.de_cmp} ist als {de_np(self.than, 'nom')}"
        return " ".join(w for w in [subj] + self._de_adj() + ["ist"] if w)

    def fr(self) -> str:
        g = self.subj.fr_gender
        if self.than:
            form = self.adj.fr_cmp[g == "f"] if self.adj.fr_cmp else "plus " + self.adj.fr_form(g)
            return f"{fr_np(self.subj)} est {form} que {fr_np(self.than)}"
        deg = {"": "", "very": "très", "too": "trop"}[self.degree]
        words = [fr_np(self.subj), "n'est pas" if self.neg else "est", deg, self.adj.fr_form(g)]
        return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Located:
    """ "The key is on the table" (definite) or "There is a key on the table" (existential).

    German uses the positional verbs liegen/stehen on surfaces, "ist/sind" in containers, and
    puts the place first in the existential ("Auf dem Tisch liegt ein Buch"); French uses
    "il y a" and "pas de" under negation."""

    thing: NP
    spot: Spot
    neg: bool = False

    @property
    def existential(self) -> bool:
        return self.thing.det != "def"

    @property
    def plural(self) -> bool:
        return self.thing.det == "num"

    def _de_verb(self) -> str:
        n = self.thing.noun
        assert n
        if self.spot.surface and n.position:
            return (
                {"lie": "liegen", "stand": "stehen"}[n.position]
                if self.plural
                else {"lie": "liegt", "stand": "steht"}[n.position]
            )
        return "sind" if self.plural else "ist"

    def en(self) -> str:
        if self.existential:
            be = "are" if self.plural else "is"
            if self.neg:
                art = "no"
                thing = replace(self.thing, det="mass")
                return f"there {be} {art} {en_np(thing)} {self.spot.en}"
            return f"there {be} {en_np(self.thing)} {self.spot.en}"
        return f"{en_np(self.thing)} is {'not ' if self.neg else ''}{self.spot.en}"

    def de_main(self, front: str | None = None) -> str:
        verb = self._de_verb()
        thing = de_np(self.thing, "nom", kein=self.neg and self.existential)
        if self.existential:
            first = front or self.spot.de
            rest = [] if front is None else [self.spot.de]
            return " ".join([first, verb, thing] + rest)
        neg = ["nicht"] if self.neg else []
        head = [front, verb, thing] if front else [thing, verb]
        return " ".join(w for w in head + neg + [self.spot.de] if w)

    def de_sub(self) -> str:
        verb = self._de_verb()
        thing = de_np(self.thing, "nom", kein=self.neg and self.existential)
        if self.existential:
            return f"{self.spot.de} {thing} {verb}"
        return " ".join([thing] + (["nicht"] if self.neg else []) + [self.spot.de, verb])

    def fr(self) -> str:
        if self.existential:
            if self.neg:
                det = "de" if self.thing.det in ("indef", "mass") else self.thing.det
                return f"il n'y a pas {fr_np(self.thing, det)} {self.spot.fr}"
            det = "part" if self.thing.det == "mass" else self.thing.det
            return f"il y a {fr_np(self.thing, det)} {self.spot.fr}"
        verb = "n'est pas" if self.neg else "est"
        return f"{fr_np(self.thing)} {verb} {self.spot.fr}"


@dataclass(frozen=True)
class Age:
    """ "The child is seven years old" – "Das Kind ist sieben Jahre alt" – "L'enfant a sept ans"."""

    subj: NP
    years: int

    def en(self) -> str:
        return f"{en_np(self.subj)} is {NUMBERS[self.years][0]} years old"

    def de_main(self, front: str | None = None) -> str:
        subj = de_np(self.subj, "nom")
        head = f"{front} ist {subj}" if front else f"{subj} ist"
        return f"{head} {NUMBERS[self.years][1]} Jahre alt"

    def de_sub(self) -> str:
        return f"{de_np(self.subj, 'nom')} {NUMBERS[self.years][1]} Jahre alt ist"

    def fr(self) -> str:
        return f"{fr_np(self.subj)} a {NUMBERS[self.years][2]} ans"


@dataclass(frozen=True)
class Weather:
    """Weather clauses, used only inside "when/if/because" sentences. ``en_now`` is the form
    after "because" (it is raining), ``en`` the habitual form after "when/if" (it rains)."""

    key: str
    en: str
    en_now: str
    de_sub: str
    fr: str


WEATHER: list[Weather] = [
    Weather(*row)
    for row in [
        ("rain", "it rains", "it is raining", "es regnet", "il pleut"),
        ("snow", "it snows", "it is snowing", "es schneit", "il neige"),
        ("sun", "the sun shines", "the sun is shining", "die Sonne scheint", "le soleil brille"),
        ("cold", "it is cold", "it is cold", "es kalt ist", "il fait froid"),
        ("warm", "it is warm", "it is warm", "es warm ist", "il fait chaud"),
        (
            "nice",
            "the weather is nice",
            "the weather is nice",
            "das Wetter schön ist",
            "il fait beau",
        ),
        ("windy", "it is windy", "it is windy", "es windig ist", "il y a du vent"),
    ]
]

# Anything that can be a subordinate clause.
SubClause = Clause | Pred | Located | Age


def en_of(x: SubClause) -> str:
    return en_clause(x) if isinstance(x, Clause) else x.en()


def de_sub_of(x: SubClause) -> str:
    return de_sub(x) if isinstance(x, Clause) else x.de_sub()


def de_main_of(x: SubClause, front: str | None = None) -> str:
    return de_main(x, front) if isinstance(x, Clause) else x.de_main(front)


def fr_of(x: SubClause) -> str:
    return fr_clause(x) if isinstance(x, Clause) else x.fr()
