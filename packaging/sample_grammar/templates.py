"""Sentence templates: which constructions the corpus holds and how often."""

from __future__ import annotations

from dataclasses import replace

from .adjectives import GRADABLE, TOO_OK
from .clause import Clause
from .clause_types import (
    WEATHER,
    Age,
    Located,
    Pred,
    SubClause,
    de_sub_of,
    en_of,
    fr_of,
)
from .draws import Retry
from .english import en_clause, en_vp
from .frames import (
    AFTER_CONJ,
    ASK_MATRICES,
    FRONT_CONJ,
    SAY_VERBS,
    THAT_MATRICES,
    ZU_VERBS,
)
from .french import fr_clause, fr_vp
from .german import de_main, de_sub, de_zu_inf
from .noun_phrases import NP, de_np, en_np, fr_np
from .nouns import NOUNS
from .places_times import SPOTS
from .relatives import RelativeTemplates
from .sentences import Triple, finish, say, say_fronted, say_question, say_that
from .verbs import EVENT_VERBS, MODAL, VERB

MIN_WORDS, MAX_WORDS = 3, 20


class Maker(RelativeTemplates):
    """Draws random meanings and realises them as sentence triples.

    Every ``t_*`` method is one sentence template (``t_relative`` lives in ``relatives``);
    ``sentence`` picks one by weight and keeps only triples of MIN_WORDS to MAX_WORDS words in
    every language.
    """

    # --- templates ----------------------------------------------------------------------

    def t_simple(self) -> Triple:
        return say(self.clause())

    def t_fronted_time(self) -> Triple:
        """Today the dog sleeps → Heute schläft der Hund (V2) → Aujourd'hui, le chien dort."""
        c = self.clause(p_time=1.0, p_neg=0.15)
        if not c.time:
            raise Retry
        return say_fronted(c)

    def sub_clause(self) -> SubClause:
        r = self.rng.random()
        if r < 0.78:
            return self.clause(p_adv=0.25)
        if r < 0.88:
            return self.pred()
        if r < 0.96:
            return self.located()
        return self.age()

    def t_that(self) -> Triple:
        """I know that the woman drinks coffee → Ich weiß, dass die Frau Kaffee trinkt."""
        s = self.sub_clause()
        if self.chance(0.3):
            subj = self.np({"adult", "elder"}, dets=("def",), p_adj=0.0)
            verb = self.pick(SAY_VERBS)
            matrix = (
                f"{en_np(subj)} {verb[0]} that",
                f"{de_np(subj, 'nom')} {verb[1]}, dass",
                f"{fr_np(subj)} {verb[2]} que",
            )
        else:
            matrix = self.pick(THAT_MATRICES)
        return say_that(matrix, s)

    def t_whether(self) -> Triple:
        """I do not know whether the train arrives today → …, ob der Zug heute ankommt."""
        c = self.clause(p_neg=0.0, p_adv=0.2, allow_freq=False)
        en_m, de_m, fr_m = self.pick(ASK_MATRICES)
        return finish(
            f"{en_m} whether {en_clause(c)}", f"{de_m}, ob {de_sub(c)}", f"{fr_m} si {fr_clause(c)}"
        )

    def t_indirect(self) -> Triple:
        """We want to know where the woman works → …, wo die Frau arbeitet / wohin sie geht."""
        c = self.clause(
            need_place=True,
            p_neg=0.0,
            p_time=0.3,
            allow_freq=False,
            tenses=("pres", "pres", "modal", "perf"),
        )
        en_m, de_m, fr_m = self.pick(ASK_MATRICES)
        if c.time and not c.time.freq and self.chance(0.4) and c.tense != "perf":
            return finish(
                f"{en_m} when {en_clause(c, drop_time=True)}",
                f"{de_m}, wann {de_sub(c, drop_time=True)}",
                f"{fr_m} quand {fr_clause(c, drop_time=True)}",
            )
        wo = "wohin" if c.to else "wo"
        return finish(
            f"{en_m} where {en_clause(c, drop_place=True)}",
            f"{de_m}, {wo} {de_sub(c, drop_place=True)}",
            f"{fr_m} où {fr_clause(c, drop_place=True)}",
        )

    def weather_or_clause(self, conj_en: str) -> tuple[str, str, str]:
        if self.chance(0.3):
            w = self.pick(WEATHER)
            en = w.en_now if conj_en.lower() == "because" else w.en
            return en, w.de_sub, w.fr
        if conj_en.lower() in ("because", "while"):
            s: SubClause = self.sub_clause()
        else:  # when / if / as soon as: an event, not a state
            s = self.clause(
                tenses=("pres", "pres", "modal"),
                p_time=0.0,
                p_neg=0.0,
                allow_freq=False,
                verbs=EVENT_VERBS,
            )
        return en_of(s), de_sub_of(s), fr_of(s)

    def main_clause(self) -> Clause:
        return self.clause(
            tenses=("pres", "pres", "modal"),
            p_time=0.0,
            p_adv=0.2,
            allow_freq=False,
            verbs=EVENT_VERBS,
        )

    def t_conj_after(self) -> Triple:
        """The child stays at home because it is raining → …, weil es regnet → parce qu'il…"""
        m = self.main_clause()
        conj = self.pick(AFTER_CONJ)
        s_en, s_de, s_fr = self.weather_or_clause(conj[0])
        return finish(
            f"{en_clause(m)} {conj[0]} {s_en}",
            f"{de_main(m)}, {conj[1]} {s_de}",
            f"{fr_clause(m)} {conj[2]} {s_fr}",
        )

    def t_conj_front(self) -> Triple:
        """When it rains, the dog sleeps in the kitchen → Wenn es regnet, schläft der Hund…"""
        conj = self.pick(FRONT_CONJ)
        s_en, s_de, s_fr = self.weather_or_clause(conj[0])
        m = self.main_clause()
        return finish(
            f"{conj[0]} {s_en}, {en_clause(m)}",
            de_main(m, front=f"{conj[1]} {s_de},"),
            f"{conj[2]} {s_fr}, {fr_clause(m)}",
        )

    def t_coord(self) -> Triple:
        a = self.clause(tenses=("pres", "perf"), p_time=0.0, p_adv=0.1, simple=True)
        b = self.clause(tenses=("pres", "perf"), p_time=0.0, p_adv=0.1, simple=True)
        if a.tense != b.tense or a.verb.key == b.verb.key:
            raise Retry
        if self.chance(0.5):
            return finish(
                f"{en_clause(a)} and {en_clause(b)}",
                f"{de_main(a)} und {de_main(b)}",
                f"{fr_clause(a)} et {fr_clause(b)}",
            )
        return finish(
            f"{en_clause(a)}, but {en_clause(b)}",
            f"{de_main(a)}, aber {de_main(b)}",
            f"{fr_clause(a)}, mais {fr_clause(b)}",
        )

    def t_question(self) -> Triple:
        """Does the man read the book? → Liest der Mann das Buch? → Est-ce que l'homme lit… ?"""
        c = self.clause(
            p_neg=0.0,
            p_adv=0.15,
            tenses=("pres", "pres", "perf", "modal", "past"),
            allow_freq=False,
            p_indef=0.05,
        )
        if "be" in c.verb.flags or c.adv and c.adv.kind == "freq" or c.gern:
            raise Retry
        if c.tense == "modal" and c.modal and c.modal.key == "must":
            raise Retry
        r = self.rng.random()
        wh: str | None = None
        if (
            r < 0.2
            and c.obj
            and c.verb.allows("no_what")
            and c.obj.noun
            and not c.obj.noun.has({"person", "animal", "baby", "lang", "game"})
            and not c.iobj
            and not c.obj.adj
        ):
            wh = "what"
        elif r < 0.35 and (c.place or c.to) and c.tense != "past":
            wh = "where"
        elif r < 0.45 and c.time and not c.time.freq and c.tense in ("pres", "past", "modal"):
            wh = "when"
        elif r < 0.55 and c.subj.person and not c.subj.pron and c.tense != "past":
            wh = "who"
        if c.tense == "past" and wh != "when":
            raise Retry  # "did" questions only ask "when"
        return say_question(c, wh)

    def pred(self) -> Pred:
        tags = {
            "person",
            "animal",
            "vehicle",
            "readable",
            "food",
            "drink",
            "thing",
            "room",
            "building",
            "visitable",
        }
        n = self.pick(self.nouns(tags))
        if n.has({"lang", "game"}):
            raise Retry
        subj = self.np(tags, dets=("def",), p_adj=0.0, noun=n)
        if self.chance(0.3):
            adj = self.adj_for(n, attr=False, pred=True, cmp=True)
            if not adj:
                raise Retry
            others = [
                m
                for m in NOUNS
                if m.key != n.key
                and m.has(adj.tags)
                and m.has(
                    n.tags
                    & {
                        "person",
                        "animal",
                        "vehicle",
                        "readable",
                        "food",
                        "drink",
                        "thing",
                        "room",
                        "building",
                        "visitable",
                    }
                )
            ]
            than = self.np((), dets=("def",), p_adj=0.0, noun=self.pick(others))
            return Pred(subj, adj, than=than)
        adj = self.adj_for(n, attr=False, pred=True)
        if not adj:
            raise Retry
        degree = self.pick(("", "", "very", "too"))
        if degree and adj.key not in GRADABLE or degree == "too" and adj.key not in TOO_OK:
            degree = ""
        neg = self.chance(0.2) and degree != "too"
        return Pred(subj, adj, degree, neg)

    def t_pred(self) -> Triple:
        p = self.pred()
        return finish(p.en(), p.de_main(), p.fr())

    def located(self) -> Located:
        spot = self.pick(SPOTS)
        things = [n for n in NOUNS if n.has(spot.holds) and not n.has({"person", "animal"})]
        if spot.surface:
            things = [n for n in things if n.position]
        n = self.pick(things)
        r = self.rng.random()
        if r < 0.4:
            thing = NP(n, "def")
        elif r < 0.75:
            thing = NP(
                n, "mass" if n.mass else "indef", self.adj_for(n) if self.chance(0.3) else None
            )
        else:
            if n.mass or not n.de_pl:
                raise Retry
            thing = NP(
                n,
                "num",
                self.adj_for(n) if self.chance(0.25) else None,
                num=self.pick(range(2, 13)),
            )
        neg = self.chance(0.2) and thing.det != "num"
        if n.mass and thing.det == "mass" and spot.surface:
            raise Retry
        return Located(thing, spot, neg)

    def t_located(self) -> Triple:
        loc = self.located()
        return finish(loc.en(), loc.de_main(), loc.fr())

    def age(self) -> Age:
        n = self.pick(self.nouns({"kid", "adult", "elder", "pet", "farm"}))
        if n.has({"kid"}) or n.has({"animal"}):
            years = self.pick(range(2, 13))
        elif n.has({"elder"}):
            years = self.pick((60, 70, 80, 90))
        else:
            years = self.pick((20, 30, 40, 50))
        return Age(NP(n, "def", self.adj_for(n) if self.chance(0.2) else None), years)

    def t_age(self) -> Triple:
        a = self.age()
        return finish(a.en(), a.de_main(), a.fr())

    def t_numbers(self) -> Triple:
        """The woman buys three red apples → Die Frau kauft drei rote Äpfel → trois pommes…"""
        v = self.pick(
            [
                VERB[k]
                for k in (
                    "buy",
                    "see",
                    "find",
                    "eat",
                    "sell",
                    "order",
                    "bake",
                    "carry",
                    "paint",
                    "read",
                    "write",
                    "feed",
                )
            ]
        )
        objs = [n for n in self.nouns(v.obj) if n.count and n.de_pl]
        if v.key not in ("see", "feed"):
            objs = [n for n in objs if not n.has({"animal"})]
        n = self.pick(objs)
        num = self.pick(range(2, 13))
        obj = NP(n, "num", self.adj_for(n) if self.chance(0.3) else None, num=num)
        c = self.clause(verbs=[v], p_neg=0.0, p_adv=0.0, tenses=("pres", "perf", "past", "modal"))
        c = replace(c, obj=obj, iobj=None)
        return finish(en_clause(c), de_main(c), fr_clause(c))

    def t_have(self) -> Triple:
        """The woman has a dog / does not have a car → hat keinen Hund → n'a pas de voiture."""
        subj = self.np(
            {"adult", "elder", "kid"}, dets=("def", "def", "indef"), p_adj=0.2, allow_pron=True
        )
        obj_tags = {"pet", "vehicle", "portable", "device", "wearable"}
        n = self.pick([n for n in self.nouns(obj_tags) if not n.has({"public"})])
        r = self.rng.random()
        adj = self.adj_for(n) if self.chance(0.3) else None
        if r < 0.25 and n.de_pl:
            obj = NP(n, "num", adj, num=self.pick(range(2, 6)))
            neg = False
        else:
            obj = NP(n, "indef", adj)
            neg = self.chance(0.3)
        en = f"{en_np(subj)} {'does not have' if neg else 'has'} {en_np(obj)}"
        de = f"{de_np(subj, 'nom')} hat {de_np(obj, 'acc', kein=neg)}"
        fr_obj = fr_np(obj, "de" if neg else None)
        fr = f"{fr_np(subj)} {'ne a pas' if neg else 'a'} {fr_obj}"
        return finish(en, de, fr)

    def t_zu(self) -> Triple:
        """The man tries to call the doctor → Der Mann versucht, den Arzt anzurufen."""
        c = self.clause(tenses=("pres",), p_time=0.0, p_neg=0.0, p_adv=0.15)
        if c.gern or c.freq or "be" in c.verb.flags or "no_zu" in c.verb.flags:
            raise Retry
        if c.subj.noun and not c.subj.person:
            raise Retry
        zu = self.pick(ZU_VERBS)
        inner = de_zu_inf(c)
        comma = "," if " " in inner.replace("zu ", "", 1).strip() or inner.count(" ") > 1 else ""
        base = c.verb.en[0]
        rest = en_vp(replace(c, tense="modal", modal=MODAL["can"]))
        rest = rest[len("can ") :]
        assert rest.startswith(base)
        fr_inf = fr_vp(replace(c, tense="modal", modal=MODAL["can"]))
        fr_inf = fr_inf[len("peut ") :]
        return finish(
            f"{en_np(c.subj)} {zu[0]} to {rest}",
            f"{de_np(c.subj, 'nom')} {zu[1]}{comma} {inner}",
            f"{fr_np(c.subj)} {zu[2]} {fr_inf}",
        )

    TEMPLATES: list[tuple[str, float]] = [
        ("t_simple", 26),
        ("t_fronted_time", 12),
        ("t_that", 11),
        ("t_whether", 4),
        ("t_indirect", 4),
        ("t_conj_after", 7),
        ("t_conj_front", 6),
        ("t_coord", 4),
        ("t_question", 8),
        ("t_relative", 7),
        ("t_pred", 4),
        ("t_located", 4),
        ("t_age", 1.5),
        ("t_numbers", 3),
        ("t_have", 2),
        ("t_zu", 4),
    ]

    def sentence(self) -> Triple:
        names = [n for n, _ in self.TEMPLATES]
        weights = [w for _, w in self.TEMPLATES]
        while True:
            name = self.rng.choices(names, weights)[0]
            try:
                triple = getattr(self, name)()
            except Retry:
                continue
            if all(MIN_WORDS <= len(s.split()) <= MAX_WORDS for s in triple):
                return triple


# ------------------------------------------------------------------------------------------------
