"""Sentence frames: fixed matrix clauses ("I know that …") and connectives."""

from __future__ import annotations

# "I know that …": English, German (with the comma and "dass"), French. Only matrices that take
# the indicative in French (no "je ne crois pas que", which wants the subjunctive).
THAT_MATRICES: list[tuple[str, str, str]] = [
    ("I know that", "Ich weiß, dass", "Je sais que"),
    ("We know that", "Wir wissen, dass", "Nous savons que"),
    ("I think that", "Ich denke, dass", "Je pense que"),
    ("I believe that", "Ich glaube, dass", "Je crois que"),
    ("We hope that", "Wir hoffen, dass", "Nous espérons que"),
    ("I hope that", "Ich hoffe, dass", "J'espère que"),
    ("She says that", "Sie sagt, dass", "Elle dit que"),
    ("He says that", "Er sagt, dass", "Il dit que"),
    ("He thinks that", "Er denkt, dass", "Il pense que"),
    ("She is sure that", "Sie ist sicher, dass", "Elle est sûre que"),
    ("He is sure that", "Er ist sicher, dass", "Il est sûr que"),
    ("I see that", "Ich sehe, dass", "Je vois que"),
    ("It is true that", "Es stimmt, dass", "Il est vrai que"),
    ("It is clear that", "Es ist klar, dass", "Il est clair que"),
    ("Everyone knows that", "Jeder weiß, dass", "Tout le monde sait que"),
]
# Person + reporting verb: "The teacher says that …"
SAY_VERBS: list[tuple[str, str, str]] = [
    ("says", "sagt", "dit"),
    ("knows", "weiß", "sait"),
    ("thinks", "denkt", "pense"),
    ("believes", "glaubt", "croit"),
    ("hopes", "hofft", "espère"),
]
# "I do not know whether …" / "… where …"
ASK_MATRICES: list[tuple[str, str, str]] = [
    ("I do not know", "Ich weiß nicht", "Je ne sais pas"),
    ("We do not know", "Wir wissen nicht", "Nous ne savons pas"),
    ("She asks", "Sie fragt", "Elle demande"),
    ("He asks", "Er fragt", "Il demande"),
    ("He wonders", "Er fragt sich", "Il se demande"),
    ("We want to know", "Wir wollen wissen", "Nous voulons savoir"),
    ("Nobody knows", "Niemand weiß", "Personne ne sait"),
]
# Conjunctions after a main clause: (English, German, French)
AFTER_CONJ: list[tuple[str, str, str]] = [
    ("because", "weil", "parce que"),
    ("while", "während", "pendant que"),
    ("when", "wenn", "quand"),
    ("if", "wenn", "si"),
    ("as soon as", "sobald", "dès que"),
]
# Conjunctions before a main clause (which then inverts in German): (English, German, French)
FRONT_CONJ: list[tuple[str, str, str]] = [
    ("When", "Wenn", "Quand"),
    ("If", "Wenn", "Si"),
    ("Because", "Weil", "Comme"),  # a fronted "because" clause is "comme" in French
    ("As soon as", "Sobald", "Dès que"),
]
# zu-infinitive verbs: "The man tries to read the book" / "versucht, das Buch zu lesen"
ZU_VERBS: list[tuple[str, str, str]] = [
    ("tries", "versucht", "essaie de"),
    ("forgets", "vergisst", "oublie de"),
    ("decides", "beschließt", "décide de"),
    ("hopes", "hofft", "espère"),
    ("begins", "beginnt", "commence à"),
    ("promises", "verspricht", "promet de"),
]
