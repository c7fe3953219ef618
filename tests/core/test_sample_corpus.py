"""The bundled sample corpora (resources/corpora) and the grammar that generates them.

The corpus files are checked as data (format, size, uniqueness, vocabulary) and against the
generator (``--check``: byte-identical output). Hand-checked translations pin the grammar's
trickiest rules: verb-final clauses, V2, separable verbs, case, adjective endings, elision.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "packaging" / "sample_corpus.py"
CORPORA = ROOT / "resources" / "corpora"


def _load_grammar():
    # packaging/ is not a package (and "packaging" is also a PyPI name): the grammar package
    # sits beside the script, which finds it on its own folder; the tests do the same.
    folder = str(GENERATOR.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("sample_grammar")


sc = _load_grammar()


def _pairs(name: str) -> list[tuple[str, str]]:
    text = (CORPORA / name).read_bytes().decode("utf-8")
    assert text.endswith("\n") and "\r" not in text
    out = []
    for line in text.split("\n")[:-1]:
        assert line.count("\t") == 1, line
        src, tgt = line.split("\t")
        out.append((src, tgt))
    return out


@pytest.fixture(scope="module")
def de() -> list[tuple[str, str]]:
    return _pairs("en-de.tsv")


@pytest.fixture(scope="module")
def fr() -> list[tuple[str, str]]:
    return _pairs("en-fr.tsv")


# --- files ---------------------------------------------------------------------------------


def test_files_exist():
    for name in ("en-de.tsv", "en-fr.tsv", "README.md", "LICENSE"):
        assert (CORPORA / name).is_file(), name


def test_sizes_and_uniqueness(de, fr):
    assert len(set(de)) == len(de) >= 3000
    assert len(set(fr)) == len(fr) >= 2000
    for pairs in (de, fr):
        sources = [s for s, _ in pairs]
        assert len(set(sources)) == len(sources), "a source line maps to two targets"


def test_lines_are_clean_sentences(de, fr):
    for src, tgt in de + fr:
        for side in (src, tgt):
            assert side and side == side.strip() and "  " not in side
            assert side[0].isupper(), side
            assert side[-1] in ".?", side
            assert 3 <= len(side.split()) <= 21, side  # 20 words + a detached French "?"
    assert any(s.endswith("?") for s, _ in de)
    assert all(t.endswith(" ?") for s, t in fr if s.endswith("?"))


def test_vocabulary(de, fr):
    assert sc.word_types(t for _, t in de) >= 250
    assert sc.word_types(t for _, t in fr) >= 250
    assert sc.word_types(s for s, _ in de) >= 250
    assert sc.lexicon_size() >= 300


def test_readme_states_counts_and_licence(de, fr):
    readme = (CORPORA / "README.md").read_text(encoding="utf-8")
    assert f"| {len(de)} |" in readme and f"| {len(fr)} |" in readme
    assert "python packaging/sample_corpus.py" in readme and "MIT" in readme
    assert "MIT" in (CORPORA / "LICENSE").read_text(encoding="utf-8")


def test_generator_check_passes():
    """The files on disk are exactly what the generator writes (and it is fast)."""
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr


def test_generator_check_fails_on_stale_files(tmp_path):
    (tmp_path / "en-de.tsv").write_text("Hello.\tHallo.\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "--check", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0


# --- the corpus is consistent with the lexicon --------------------------------------------


@pytest.mark.parametrize(
    "en, de_words",
    [
        ("every day", ("täglich",)),
        ("apple juice", ("Apfelsaft",)),
        ("train station", ("Bahnhof",)),
        ("children's book", ("Kinderbuch", "Kinderbücher")),
        ("goes for a walk", ("spazieren",)),
        ("must not", ("darf",)),
    ],
)
def test_lexical_mappings_hold_in_corpus(de, en, de_words):
    hits = [(s, t) for s, t in de if en in s]
    for s, t in hits:
        assert any(w in t for w in de_words), (s, t)


def test_corpus_exercises_the_phenomena(de, fr):
    de_text = [t for _, t in de]
    assert sum(", dass " in t for t in de_text) >= 100  # verb-final subordinate clauses
    assert sum(", weil " in t for t in de_text) >= 20
    assert sum(t.startswith(("Heute ", "Gestern ", "Morgen ", "Am ")) for t in de_text) >= 100
    assert sum(" kein" in t for t in de_text) >= 30
    assert sum(" Bahnhof" in t for t in de_text) >= 10
    fr_text = [t for _, t in fr]
    assert sum(" ne " in t or " n'" in t for t in fr_text) >= 100
    assert sum("qu'" in t for t in fr_text) >= 50
    assert sum(" du " in t or " au " in t for t in fr_text) >= 100


# --- hand-checked translations from the grammar -------------------------------------------


N, V, A, P, T, M = sc.NOUN, sc.VERB, sc.ADJ, sc.PLACE, sc.TIME, sc.MODAL


def np(key: str, det: str = "def", adj: str | None = None, num: int = 0):
    return sc.NP(N[key], det, A[adj] if adj else None, num)


def clause(subj, verb: str, **kw):
    return sc.Clause(subj, V[verb], **kw)


@pytest.mark.parametrize(
    "meaning, expected",
    [
        # separable verb, place, article contraction
        (
            lambda: sc.say(clause(np("train"), "arrive", place=P["station"])),
            (
                "The train arrives at the station.",
                "Der Zug kommt am Bahnhof an.",
                "Le train arrive à la gare.",
            ),
        ),
        # modal + infinitive at the end
        (
            lambda: sc.say(
                clause(np("child"), "read", obj=np("book", "indef"), tense="modal", modal=M["want"])
            ),
            (
                "The child wants to read a book.",
                "Das Kind will ein Buch lesen.",
                "L'enfant veut lire un livre.",
            ),
        ),
        # V2 after a fronted time adverbial
        (
            lambda: sc.say_fronted(clause(np("dog"), "sleep", time=T["today"])),
            ("Today the dog sleeps.", "Heute schläft der Hund.", "Aujourd'hui, le chien dort."),
        ),
        # verb-final "dass" clause, bare mass noun, French partitive
        (
            lambda: sc.say_that(
                sc.THAT_MATRICES[0], clause(np("woman"), "drink", obj=np("coffee", "mass"))
            ),
            (
                "I know that the woman drinks coffee.",
                "Ich weiß, dass die Frau Kaffee trinkt.",
                "Je sais que la femme boit du café.",
            ),
        ),
        # verb-final separable verb after "weil"; "parce qu'" elision
        (
            lambda: sc.say_after(
                clause(np("woman"), "smile"),
                sc.AFTER_CONJ[0],
                clause(sc.NP(pron="he"), "arrive", place=P["station"]),
            ),
            (
                "The woman smiles because he arrives at the station.",
                "Die Frau lächelt, weil er am Bahnhof ankommt.",
                "La femme sourit parce qu'il arrive à la gare.",
            ),
        ),
        # perfect with "sein" and French participle agreement
        (
            lambda: sc.say(clause(np("woman"), "arrive", place=P["berlin"], tense="perf")),
            (
                "The woman has arrived in Berlin.",
                "Die Frau ist in Berlin angekommen.",
                "La femme est arrivée à Berlin.",
            ),
        ),
        # past with a fronted time: perfect, participle at the end
        (
            lambda: sc.say_fronted(
                clause(np("man"), "write", obj=np("letter"), tense="past", time=T["yesterday"])
            ),
            (
                "Yesterday the man wrote the letter.",
                "Gestern hat der Mann den Brief geschrieben.",
                "Hier, l'homme a écrit la lettre.",
            ),
        ),
        # compound noun
        (
            lambda: sc.say(clause(np("child"), "drink", obj=np("apple_juice", "mass"))),
            (
                "The child drinks apple juice.",
                "Das Kind trinkt Apfelsaft.",
                "L'enfant boit du jus de pomme.",
            ),
        ),
        (
            lambda: sc.say(clause(np("girl"), "read", obj=np("childrens_book", "indef"))),
            (
                "The girl reads a children's book.",
                "Das Mädchen liest ein Kinderbuch.",
                "La fille lit un livre pour enfants.",
            ),
        ),
        # every day -> täglich (and its position)
        (
            lambda: sc.say(clause(np("man"), "read", obj=np("newspaper"), time=T["every_day"])),
            (
                "The man reads the newspaper every day.",
                "Der Mann liest täglich die Zeitung.",
                "L'homme lit le journal tous les jours.",
            ),
        ),
        # go for a walk -> spazieren gehen (two-word verb, split like a separable one)
        (
            lambda: sc.say(clause(np("woman"), "walk", place=P["park"])),
            (
                "The woman goes for a walk in the park.",
                "Die Frau geht im Park spazieren.",
                "La femme se promène dans le parc.",
            ),
        ),
        # negation: kein / pas de
        (
            lambda: sc.say(clause(np("man"), "read", obj=np("book", "indef"), neg=True)),
            (
                "The man does not read a book.",
                "Der Mann liest kein Buch.",
                "L'homme ne lit pas de livre.",
            ),
        ),
        (
            lambda: sc.say(clause(np("man"), "call", obj=np("doctor"), neg=True)),
            (
                "The man does not call the doctor.",
                "Der Mann ruft den Arzt nicht an.",
                "L'homme n'appelle pas le médecin.",
            ),
        ),
        # must not -> darf nicht
        (
            lambda: sc.say(
                clause(np("child"), "eat", obj=np("cake"), tense="modal", modal=M["must"], neg=True)
            ),
            (
                "The child must not eat the cake.",
                "Das Kind darf den Kuchen nicht essen.",
                "L'enfant ne doit pas manger le gâteau.",
            ),
        ),
        # dative verb, weak noun, adjective endings, French adjective before a vowel
        (
            lambda: sc.say(clause(np("man", adj="old"), "help", obj=np("boy", "indef", "small"))),
            (
                "The old man helps a small boy.",
                "Der alte Mann hilft einem kleinen Jungen.",
                "Le vieil homme aide un petit garçon.",
            ),
        ),
        # ditransitive: dative + accusative in German, direct object + à in French
        (
            lambda: sc.say(
                clause(np("teacher"), "give", iobj=np("child"), obj=np("apple", "indef", "red"))
            ),
            (
                "The teacher gives the child a red apple.",
                "Der Lehrer gibt dem Kind einen roten Apfel.",
                "Le professeur donne une pomme rouge à l'enfant.",
            ),
        ),
        # strong adjective ending with no article; French adjective after the noun
        (
            lambda: sc.say(clause(np("man"), "drink", obj=np("coffee", "mass", "cold"))),
            (
                "The man drinks cold coffee.",
                "Der Mann trinkt kalten Kaffee.",
                "L'homme boit du café froid.",
            ),
        ),
        # likes to V -> V gern / aime V
        (
            lambda: sc.say(clause(np("child"), "play", place=P["garden"], gern=True)),
            (
                "The child likes to play in the garden.",
                "Das Kind spielt gern im Garten.",
                "L'enfant aime jouer dans le jardin.",
            ),
        ),
        # questions
        (
            lambda: sc.say_question(clause(np("man"), "read", obj=np("book"))),
            (
                "Does the man read the book?",
                "Liest der Mann das Buch?",
                "Est-ce que l'homme lit le livre ?",
            ),
        ),
        (
            lambda: sc.say_question(clause(np("train"), "arrive", time=T["tomorrow"]), "when"),
            (
                "When does the train arrive?",
                "Wann kommt der Zug an?",
                "Quand est-ce que le train arrive ?",
            ),
        ),
    ],
)
def test_hand_checked_translations(meaning, expected):
    assert meaning() == expected


def test_other_clause_types():
    located = sc.Located(np("book", "indef"), next(s for s in sc.SPOTS if s.key == "table"))
    assert sc.finish(located.en(), located.de_main(), located.fr()) == (
        "There is a book on the table.",
        "Auf dem Tisch liegt ein Buch.",
        "Il y a un livre sur la table.",
    )
    milk = sc.Located(np("milk", "mass"), next(s for s in sc.SPOTS if s.key == "fridge"), neg=True)
    assert sc.finish(milk.en(), milk.de_main(), milk.fr()) == (
        "There is no milk in the fridge.",
        "Im Kühlschrank ist keine Milch.",
        "Il n'y a pas de lait dans le réfrigérateur.",
    )
    age = sc.Age(np("child"), 7)
    assert sc.finish(age.en(), age.de_main(), age.fr()) == (
        "The child is seven years old.",
        "Das Kind ist sieben Jahre alt.",
        "L'enfant a sept ans.",
    )
    cmp = sc.Pred(np("dog"), A["big"], than=np("cat"))
    assert sc.say_that(sc.THAT_MATRICES[3], cmp) == (
        "I believe that the dog is bigger than the cat.",
        "Ich glaube, dass der Hund größer ist als die Katze.",
        "Je crois que le chien est plus grand que le chat.",
    )


def test_german_noun_phrases():
    assert sc.de_np(np("man", adj="old"), "acc") == "den alten Mann"
    assert sc.de_np(np("man", "indef", "old"), "nom") == "ein alter Mann"
    assert sc.de_np(np("house", "indef", "old"), "nom") == "ein altes Haus"
    assert sc.de_np(np("woman", adj="old"), "dat") == "der alten Frau"
    assert sc.de_np(np("coffee", "mass", "hot"), "acc", kein=True) == "keinen heißen Kaffee"
    assert sc.de_np(np("water", "mass", "cold"), "dat") == "kaltem Wasser"
    assert sc.de_np(np("apple", "num", "red", num=3), "acc") == "drei rote Äpfel"
    assert sc.de_np(np("neighbour"), "acc") == "den Nachbarn"
    assert sc.de_np(np("kitchen", adj="dark"), "nom") == "die dunkle Küche"


def test_french_orthography():
    f = sc.fr_finish
    assert f("si il pleut") == "s'il pleut"
    assert f("si elle chante") == "si elle chante"
    assert f("de le pain et de la eau") == "du pain et de l'eau"
    assert f("à le hôtel et à le marché") == "à l'hôtel et au marché"
    assert f("que un enfant ne aime pas") == "qu'un enfant n'aime pas"
    assert f("jouer à les échecs") == "jouer aux échecs"
    assert f("le onze") == "le onze"
    assert sc.fr_np(np("bird", "indef", "beautiful")) == "un bel oiseau"
    assert sc.fr_np(np("car", adj="red")) == "la voiture rouge"
    assert sc.fr_np(np("backpack", "num", "blue", num=2)) == "deux sacs à dos bleus"
    assert sc.fr_np(np("newspaper", "num", num=3)) == "trois journaux"


def test_generation_is_deterministic_and_unambiguous():
    a = sc.generate(7, 300, "de")
    assert a == sc.generate(7, 300, "de")
    assert len({s for s, _ in a}) == 300
