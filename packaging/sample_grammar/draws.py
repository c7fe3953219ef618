"""Sampling meanings: the random draws behind every sentence template."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .adjectives import ADJS, Adj
from .clause import Clause
from .noun_phrases import NP
from .nouns import NOUNS, Noun
from .places_times import ADV, DAY_WORDS, FREQ, PLACE, TIMES, Adverb, Place, Time
from .verbs import MODALS, VEHICLE_PLACES, VERB_TIMES, VERBS, YEAR_VERBS, Modal, Verb


class Retry(Exception):
    """A sampled combination is not allowed; the caller draws again."""


class Draws:
    """Random meanings from the lexicon: nouns, noun phrases, subjects and whole clauses.

    ``clause`` draws a compatible clause (verb, subject, objects, place, tense, negation…) and
    raises Retry for combinations the realisers cannot get right, so only safe sentences come out.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # --- basic draws --------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Sequence):
        if not seq:
            raise Retry
        return self.rng.choice(seq)

    def nouns(self, tags: Iterable[str]) -> list[Noun]:
        tags = set(tags)
        return [n for n in NOUNS if n.has(tags)]

    def adj_for(
        self, n: Noun, *, attr: bool = True, pred: bool = False, cmp: bool = False
    ) -> Adj | None:
        opts = [
            a
            for a in ADJS
            if n.has(a.tags)
            and (not attr or a.attr)
            and (not pred or a.pred)
            and (not cmp or a.de_cmp)
        ]
        return self.pick(opts) if opts else None

    def np(
        self,
        tags: Iterable[str],
        *,
        dets: Sequence[str] = ("def", "def", "indef"),
        p_adj: float = 0.3,
        allow_pron: bool = False,
        noun: Noun | None = None,
    ) -> NP:
        """A noun phrase whose noun carries one of ``tags``. Mass nouns become bare ("mass")
        unless the definite article was drawn; "indef" on a mass noun needs ``serving``."""
        if allow_pron and self.chance(0.15):
            return NP(pron=self.pick(("he", "she")))
        n = noun or self.pick(self.nouns(tags))
        det = self.pick(dets)
        if n.mass and det == "indef" and not n.serving:
            det = "mass"
        if n.mass and n.has({"lang", "game"}):
            det = "mass"
        adj = self.adj_for(n) if self.chance(p_adj) and not n.has({"lang", "game"}) else None
        return NP(n, det, adj)

    def subject(self, v: Verb, p_indef: float = 0.2) -> NP:
        det = "indef" if self.chance(p_indef) else "def"
        return self.np(v.subj, dets=(det,), p_adj=0.25, allow_pron=bool(v.subj & {"adult", "kid"}))

    # --- clauses ------------------------------------------------------------------------

    def clause(
        self,
        *,
        tenses: Sequence[str] = ("pres", "pres", "pres", "perf", "past", "modal", "modal"),
        p_time: float = 0.25,
        p_neg: float = 0.2,
        p_adv: float = 0.3,
        verbs: Sequence[Verb] | None = None,
        need_place: bool = False,
        simple: bool = False,
        allow_freq: bool = True,
        p_indef: float = 0.2,
    ) -> Clause:
        """Draw one clause that all three realisers handle correctly."""
        if verbs is not None and not verbs:
            raise Retry
        for _ in range(100):
            try:
                return self._clause(
                    tenses, p_time, p_neg, p_adv, verbs, need_place, simple, allow_freq, p_indef
                )
            except Retry:
                continue
        raise Retry  # this template's constraints were too tight

    def _clause(
        self, tenses, p_time, p_neg, p_adv, verbs, need_place, simple, allow_freq, p_indef
    ) -> Clause:
        """One attempt: verb, subject, objects, place, tense, time, adverb, negation, in that
        order (the order of the random draws fixes the corpus, byte for byte)."""
        v: Verb = self.pick(VERBS if verbs is None else list(verbs))
        subj = self.subject(v, p_indef)
        vehicle = bool(subj.noun and subj.noun.has({"vehicle"}))
        obj, iobj = self._objects(v, subj, simple)
        place, to = self._place(v, subj, vehicle, need_place)
        tense, modal = self._tense(v, subj, vehicle, tenses)
        time = None
        if tense == "past" or self.chance(p_time):
            time = self._time_for(v, tense, modal)
        if tense == "past" and "stative" in v.flags and not time:
            raise Retry
        adv, gern = (None, False)
        if self.chance(p_adv) and not simple:
            adv, gern = self._adverb(v, subj, vehicle, obj, place, time, tense, allow_freq)
        neg = self._negation(v, obj, iobj, place, time, adv, tense, modal, gern, p_neg)
        if (gern or (adv and adv.key == "never")) and obj and obj.det == "indef":
            raise Retry
        if (
            obj
            and obj.det == "indef"
            and obj.noun
            and obj.noun.count
            and tense == "pres"
            and (adv and adv.kind == "freq")
        ):
            raise Retry
        return Clause(subj, v, obj, iobj, place, to, time, adv, tense, modal, neg, gern)

    def _objects(self, v: Verb, subj: NP, simple: bool) -> tuple[NP | None, NP | None]:
        obj = iobj = None
        if v.kind in ("tr", "ditr") and not (v.obj_optional and self.chance(0.3)):
            dets = ("def",) if "def_only" in v.flags else ("def", "def", "indef")
            if v.generic:
                dets = ("def", "mass")
            obj = self.np(v.obj, dets=dets, p_adj=0.0 if simple else 0.3)
            if v.generic and obj.noun and obj.noun.count:
                obj = replace(obj, det="def")
            if "serving" in v.flags and obj.noun and obj.noun.mass and not obj.noun.serving:
                raise Retry
            if "serving" in v.flags and obj.noun and obj.noun.serving:
                obj = replace(obj, det="indef")
            if obj.noun and subj.noun and obj.noun.key == subj.noun.key:
                raise Retry
        if obj and obj.det == "indef" and subj.det == "indef" and self.chance(0.8):
            raise Retry  # "A king asks a father" is grammatical but odd
        if v.kind == "ditr":
            iobj = self.np(v.iobj, dets=("def", "def", "indef"), p_adj=0.0 if simple else 0.2)
            if subj.noun and iobj.noun and iobj.noun.key == subj.noun.key:
                raise Retry
        return obj, iobj

    def _place(
        self, v: Verb, subj: NP, vehicle: bool, need_place: bool
    ) -> tuple[Place | None, Place | None]:
        place = to = None
        places = v.places
        if v.key in ("arrive", "leave") and vehicle:
            assert subj.noun
            places = VEHICLE_PLACES.get(subj.noun.key, ()) if v.key == "arrive" else ()
        if v.kind == "dir":
            to = PLACE[self.pick(places)]
        elif places and ("place_required" in v.flags or need_place or self.chance(0.35)):
            place = PLACE[self.pick(places)]
        if need_place and not (place or to):
            raise Retry
        return place, to

    def _tense(
        self, v: Verb, subj: NP, vehicle: bool, tenses: Sequence[str]
    ) -> tuple[str, Modal | None]:
        tense = self.pick(tenses)
        if "be" in v.flags and tense != "pres":
            tense = "pres"
        if tense == "perf" and not v.allows("no_perf"):
            raise Retry
        if tense == "past" and not v.allows("no_past"):
            raise Retry
        if tense == "modal" and (
            not v.allows("no_modal") or vehicle or subj.noun and subj.noun.has({"baby"})
        ):
            raise Retry
        return tense, (self.pick(MODALS) if tense == "modal" else None)

    def _adverb(
        self,
        v: Verb,
        subj: NP,
        vehicle: bool,
        obj: NP | None,
        place: Place | None,
        time: Time | None,
        tense: str,
        allow_freq: bool,
    ) -> tuple[Adverb | None, bool]:
        """A manner or frequency adverb, or "gern" (likes to); (None, False) when none fits."""
        kinds = []
        if v.manner and not place and "stative" not in v.flags:
            kinds.append("manner")
        if (
            allow_freq
            and tense == "pres"
            and "be" not in v.flags
            and not (time and time.freq)
            and "stative" not in v.flags
        ):
            kinds.append("freq")
        if (
            tense == "pres"
            and v.allows("no_gern")
            and "be" not in v.flags
            and not time
            and not vehicle
            and subj.person
        ):
            kinds.append("gern")
        kind = self.pick(kinds) if kinds else None
        if kind == "manner":
            adv = ADV[self.pick(v.manner)]
            if time and time.key in DAY_WORDS:
                raise Retry  # "heute früh" would mean "this morning"
            if adv.key in ("well", "badly") and (tense != "pres" or obj or v.fr_tail):
                raise Retry  # French "bien/mal" move before participles/objects
            return adv, False
        if kind == "freq":
            return self.pick(FREQ), False
        return None, kind == "gern"

    def _negation(
        self,
        v: Verb,
        obj: NP | None,
        iobj: NP | None,
        place: Place | None,
        time: Time | None,
        adv: Adverb | None,
        tense: str,
        modal: Modal | None,
        gern: bool,
        p_neg: float,
    ) -> bool:
        if not (self.chance(p_neg) and v.allows("no_neg") and not (adv and adv.kind == "freq")):
            return False
        if place or (time and (time.clock or time.freq)):
            raise Retry  # "nicht im Garten" reads as a contrast
        if obj and obj.det == "indef" and self.chance(0.5):
            raise Retry  # keep "kein"/"pas de" but not everywhere
        if tense == "modal" and modal and not modal.en_neg:
            raise Retry
        if obj and obj.det == "indef" and (v.de_case != "acc" or gern or v.fr_prep):
            raise Retry
        if iobj and iobj.det == "indef":
            raise Retry
        return True

    def _time_for(self, v: Verb, tense: str, modal: Modal | None) -> Time:
        def fits(t: Time) -> bool:
            if tense == "perf":
                return False
            if tense == "past":
                return t.tense in ("past", "any")
            if t.tense == "future":
                return tense == "modal" or "sched" in v.flags
            if t.tense == "past":
                return False
            return not ("be" in v.flags and t.clock)

        opts = [t for t in TIMES if fits(t)]
        if v.key in VERB_TIMES:
            opts = [t for t in opts if t.key in VERB_TIMES[v.key]]
        if v.key not in YEAR_VERBS:
            opts = [t for t in opts if t.key != "last_year"]
        if "stative" in v.flags and tense != "past":
            opts = []
        # clock times are many; keep them from crowding out the others
        if self.chance(0.7):
            opts = [t for t in opts if not t.clock] or opts
        return self.pick(opts)
