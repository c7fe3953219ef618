"""Relative-clause templates: the relative on a subject, on an object, or on the object of a main
clause, each realised in English, German (verb-final, comma-bound) and French."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .clause import Clause
from .draws import Draws, Retry
from .english import en_clause, en_vp
from .french import fr_clause, fr_vp
from .german import de_main, de_sub
from .noun_phrases import DE_DEF, DE_REL_DAT, NP, de_np, en_np, fr_np
from .sentences import Triple, finish
from .verbs import VERB, VERBS


class RelativeTemplates(Draws):
    """The ``t_relative`` template of ``Maker``, with its three constructions.

    The draws happen in exactly the order they did when this was one method: the shipped
    corpora depend on it (``sample_corpus.py --check``).
    """

    def rel_head(self, tags: Iterable[str]) -> NP:
        return self.np(tags, dets=("def",), p_adj=0.0)

    def t_relative(self) -> Triple:
        """The man who reads the newspaper is old → Der Mann, der die Zeitung liest, ist alt."""
        r = self.rng.random()
        if r < 0.4:
            return self._rel_subject()
        if r < 0.75:
            return self._rel_object()
        return self._rel_on_object()

    def _rel_subject(self) -> Triple:
        """A subject relative and a predicate: the man who reads the newspaper is old."""
        c = self.clause(tenses=("pres",), p_time=0.0, p_adv=0.2)
        head = c.subj
        if head.pron or head.det != "def" or not head.noun:
            raise Retry
        adj = self.adj_for(head.noun, attr=False, pred=True)
        if not adj:
            raise Retry
        head = replace(head, adj=None)
        c = replace(c, subj=head)
        who = "who" if head.person else "that"
        g = head.noun.de_g
        de_rel = de_sub(c, subj=DE_DEF["nom"][g])
        pred_de = adj.de
        return finish(
            f"{en_np(head)} {who} {en_vp(c)} is {adj.en}",
            f"{de_np(head, 'nom')}, {de_rel}, ist {pred_de}",
            f"{fr_np(head)} qui {fr_vp(c)} est {adj.fr_form(head.fr_gender)}",
        )

    def _rel_object(self) -> Triple:
        """An object relative and a predicate: the letter that the woman writes is long."""
        c = self.clause(
            tenses=("pres",),
            p_time=0.0,
            p_adv=0.2,
            verbs=[
                v
                for v in VERBS
                if v.kind == "tr"
                and not v.fr_prep
                and v.de_case in ("acc", "dat")
                and not v.de_fixed
                and not v.generic
                and not v.fr_tail
            ],
        )
        if not c.obj or not c.obj.noun or c.obj.det == "mass" or c.gern:
            raise Retry
        head = replace(c.obj, det="def", adj=None)
        adj = self.adj_for(head.noun, attr=False, pred=True)
        if not adj:
            raise Retry
        c = replace(c, obj=head)
        g = head.noun.de_g
        rel = DE_REL_DAT[g] if c.verb.de_case == "dat" else DE_DEF["acc"][g]
        return finish(
            f"{en_np(head)} that {en_clause(c, drop_obj=True)} is {adj.en}",
            f"{de_np(head, 'nom')}, {rel} {de_sub(c, drop_obj=True)}, ist {adj.de}",
            f"{fr_np(head)} que {fr_clause(c, drop_obj=True)} est {adj.fr_form(head.fr_gender)}",
        )

    def _rel_on_object(self) -> Triple:
        """A relative clause on the object of a main clause: I see the dog that sleeps."""
        main_v = self.pick(
            [
                VERB[k]
                for k in (
                    "see",
                    "hear",
                    "find",
                    "look_at",
                    "like",
                    "know",
                    "feed",
                    "help",
                    "meet",
                    "call",
                )
            ]
        )
        if main_v.de_part:
            raise Retry  # keep "an" etc. out of the way of the relative
        subj = self.subject(main_v)
        obj = self.np(main_v.obj, dets=("def",), p_adj=0.25)
        if not obj.noun or obj.noun.mass or (subj.noun and subj.noun.key == obj.noun.key):
            raise Retry
        rel_verbs = [
            v
            for v in VERBS
            if v.kind in ("intr", "tr") and obj.noun.has(v.subj) and "be" not in v.flags
        ]
        c = self.clause(tenses=("pres",), p_time=0.0, p_adv=0.2, verbs=rel_verbs, p_neg=0.1)
        c = replace(c, subj=replace(obj, adj=None))
        m = Clause(subj, main_v, obj)
        who = "who" if obj.person else "that"
        g = obj.noun.de_g
        return finish(
            f"{en_clause(m)} {who} {en_vp(c)}",
            f"{de_main(m)}, {de_sub(c, subj=DE_DEF['nom'][g])}",
            f"{fr_clause(m)} qui {fr_vp(c)}",
        )
