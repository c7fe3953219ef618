"""The clause as a meaning record: subject, verb, objects, place, time, tense, negation."""

from __future__ import annotations

from dataclasses import dataclass

from .noun_phrases import NP
from .places_times import Adverb, Place, Time
from .verbs import Modal, Verb


@dataclass(frozen=True)
class Clause:
    """The meaning of one clause; the three realisers below turn it into text.

    tense: "pres" (reads), "perf" (has read), "past" (read: needs a past time adverbial;
    German and French use the perfect), "modal" (wants to read).
    """

    subj: NP
    verb: Verb
    obj: NP | None = None
    iobj: NP | None = None
    place: Place | None = None
    to: Place | None = None  # destination of a "dir" verb
    time: Time | None = None
    adv: Adverb | None = None
    tense: str = "pres"
    modal: Modal | None = None
    neg: bool = False
    gern: bool = False  # likes to V / V gern / aime V

    @property
    def never(self) -> bool:
        return bool(self.adv and self.adv.key == "never")

    @property
    def freq(self) -> Adverb | None:
        return self.adv if self.adv and self.adv.kind == "freq" else None

    @property
    def manner(self) -> Adverb | None:
        return self.adv if self.adv and self.adv.kind == "manner" else None
