"""Generate Attnscope's bundled sample corpora: original English→German and English→French text.

    .venv/bin/python packaging/sample_corpus.py           # (re)write resources/corpora/*
    .venv/bin/python packaging/sample_corpus.py --check   # exit 1 if those files are out of date

Why a generator and not a downloaded corpus: the app ships a corpus so a first-time user can train
something in minutes, and shipping third-party text means shipping its licence. Everything here is
written from a small synchronous grammar and a bilingual lexicon, so the corpus is original and
licensed like the project (MIT). A fixed seed makes the output byte-identical on every run.

Why this grammar: an attention model is only interesting to watch when the alignment is not the
diagonal. The grammar therefore leans on constructions where German and French reorder, merge or
split words: verb-final subordinate clauses, V2 inversion after a fronted adverbial, separable
verbs, modal + infinitive and perfect participles at the end of the clause, compounds, case and
gender (der/den/dem, adjective endings), multi-word ↔ one-word translations (every day → täglich,
go for a walk → spazieren gehen), French adjective placement, ne…pas, partitives and elision.

How it works: sentences are built as small *meaning* records (a Clause: subject, verb, objects,
place, time, tense, negation…) and each language has its own realiser that turns the same record
into a sentence. The lexicon is plain data tables; every grammar rule is a small function. When a
construction is hard to inflect correctly it is simply not generated: correctness beats breadth.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from collections.abc import Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "corpora"

SEED_DE = 20240611          # fixed seeds: the corpus must be reproducible byte for byte
SEED_FR = 20240612
N_DE = 4000                 # unique English→German pairs
N_FR = 3000                 # unique English→French pairs
MIN_WORDS, MAX_WORDS = 3, 20

# ------------------------------------------------------------------------------------------------
# Lexicon: nouns
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    """One noun in three languages, with the facts the realisers need (gender, plurals, class).

    ``tags`` are semantic classes ("person", "fruit", "openable"...) that verbs and adjectives
    select on, so the grammar only combines words that make sense together.
    """

    key: str
    en: str
    de: str
    de_g: str                      # m / f / n
    fr: str
    fr_g: str                      # m / f
    tags: frozenset[str]
    en_pl: str | None = None
    de_pl: str | None = None
    fr_pl: str | None = None
    de_weak: str | None = None     # n-declension: the accusative/dative form (Junge -> Jungen)
    mass: bool = False             # "drinks coffee", "mange du pain"
    serving: bool = False          # a mass drink that can also be counted: "orders a coffee"
    position: str | None = None    # German positional verb on a surface: "lie" / "stand"
    fr_plural_only: bool = False   # les échecs, les cartes
    fr_bare: bool = False          # jouer à cache-cache (no article)

    def has(self, tags: Iterable[str]) -> bool:
        return not self.tags.isdisjoint(tags)

    @property
    def count(self) -> bool:
        return not self.mass


def _n(key: str, en: str, de: str, de_g: str, fr: str, fr_g: str, tags: str, **kw) -> Noun:
    return Noun(key, en, de, de_g, fr, fr_g, frozenset(tags.split()), **kw)


NOUNS: list[Noun] = [
    # --- people -------------------------------------------------------------------------------
    _n("man", "man", "Mann", "m", "homme", "m", "person adult"),
    _n("woman", "woman", "Frau", "f", "femme", "f", "person adult"),
    _n("child", "child", "Kind", "n", "enfant", "m", "person kid"),
    _n("girl", "girl", "Mädchen", "n", "fille", "f", "person kid"),
    _n("boy", "boy", "Junge", "m", "garçon", "m", "person kid", de_weak="Jungen"),
    _n("pupil", "pupil", "Schüler", "m", "élève", "m", "person kid"),
    _n("baby", "baby", "Baby", "n", "bébé", "m", "baby"),
    _n("teacher", "teacher", "Lehrer", "m", "professeur", "m", "person adult"),
    _n("doctor", "doctor", "Arzt", "m", "médecin", "m", "person adult"),
    _n("baker", "baker", "Bäcker", "m", "boulanger", "m", "person adult"),
    _n("cook", "cook", "Koch", "m", "cuisinier", "m", "person adult"),
    _n("waiter", "waiter", "Kellner", "m", "serveur", "m", "person adult"),
    _n("driver", "driver", "Fahrer", "m", "chauffeur", "m", "person adult"),
    _n("painter", "painter", "Maler", "m", "peintre", "m", "person adult"),
    _n("actor", "actor", "Schauspieler", "m", "acteur", "m", "person adult"),
    _n("nurse", "nurse", "Krankenschwester", "f", "infirmière", "f", "person adult"),
    _n("postman", "postman", "Briefträger", "m", "facteur", "m", "person adult"),
    _n("police_officer", "police officer", "Polizist", "m", "policier", "m", "person adult",
       de_weak="Polizisten"),
    _n("student", "student", "Student", "m", "étudiant", "m", "person adult", de_weak="Studenten"),
    _n("neighbour", "neighbour", "Nachbar", "m", "voisin", "m", "person adult", de_weak="Nachbarn"),
    _n("mother", "mother", "Mutter", "f", "mère", "f", "person adult"),
    _n("father", "father", "Vater", "m", "père", "m", "person adult"),
    _n("sister", "sister", "Schwester", "f", "sœur", "f", "person adult"),
    _n("brother", "brother", "Bruder", "m", "frère", "m", "person adult"),
    _n("friend", "friend", "Freund", "m", "ami", "m", "person adult"),
    _n("aunt", "aunt", "Tante", "f", "tante", "f", "person adult"),
    _n("uncle", "uncle", "Onkel", "m", "oncle", "m", "person adult"),
    _n("king", "king", "König", "m", "roi", "m", "person adult"),
    _n("queen", "queen", "Königin", "f", "reine", "f", "person adult"),
    _n("grandmother", "grandmother", "Großmutter", "f", "grand-mère", "f", "person elder"),
    _n("grandfather", "grandfather", "Großvater", "m", "grand-père", "m", "person elder"),
    # --- animals ------------------------------------------------------------------------------
    _n("dog", "dog", "Hund", "m", "chien", "m", "animal pet dog", de_pl="Hunde"),
    _n("cat", "cat", "Katze", "f", "chat", "m", "animal pet", de_pl="Katzen"),
    _n("horse", "horse", "Pferd", "n", "cheval", "m", "animal farm big_animal", de_pl="Pferde",
       fr_pl="chevaux"),
    _n("bird", "bird", "Vogel", "m", "oiseau", "m", "animal pet singer", de_pl="Vögel"),
    _n("cow", "cow", "Kuh", "f", "vache", "f", "animal farm big_animal", de_pl="Kühe"),
    _n("mouse", "mouse", "Maus", "f", "souris", "f", "animal small_animal", en_pl="mice",
       de_pl="Mäuse"),
    _n("rabbit", "rabbit", "Kaninchen", "n", "lapin", "m", "animal pet small_animal",
       de_pl="Kaninchen"),
    _n("duck", "duck", "Ente", "f", "canard", "m", "animal farm swimmer", de_pl="Enten"),
    _n("bear", "bear", "Bär", "m", "ours", "m", "animal wild big_animal", de_weak="Bären",
       de_pl="Bären"),
    _n("lion", "lion", "Löwe", "m", "lion", "m", "animal wild big_animal", de_weak="Löwen",
       de_pl="Löwen"),
    _n("monkey", "monkey", "Affe", "m", "singe", "m", "animal wild", de_weak="Affen",
       de_pl="Affen"),
    _n("elephant", "elephant", "Elefant", "m", "éléphant", "m", "animal wild big_animal",
       de_weak="Elefanten", de_pl="Elefanten"),
    # --- vehicles -----------------------------------------------------------------------------
    _n("train", "train", "Zug", "m", "train", "m", "vehicle public rail", de_pl="Züge"),
    _n("bus", "bus", "Bus", "m", "bus", "m", "vehicle public road", en_pl="buses", de_pl="Busse"),
    _n("tram", "tram", "Straßenbahn", "f", "tramway", "m", "vehicle public rail",
       de_pl="Straßenbahnen"),
    _n("plane", "plane", "Flugzeug", "n", "avion", "m", "vehicle public air", de_pl="Flugzeuge"),
    _n("ship", "ship", "Schiff", "n", "bateau", "m", "vehicle public sea", de_pl="Schiffe"),
    _n("car", "car", "Auto", "n", "voiture", "f", "vehicle road drivable colored", de_pl="Autos"),
    _n("taxi", "taxi", "Taxi", "n", "taxi", "m", "vehicle public road drivable", de_pl="Taxis"),
    _n("bicycle", "bicycle", "Fahrrad", "n", "vélo", "m", "vehicle bike colored",
       de_pl="Fahrräder"),
    _n("motorbike", "motorbike", "Motorrad", "n", "moto", "f", "vehicle bike colored",
       de_pl="Motorräder"),
    # --- things to read and write -------------------------------------------------------------
    _n("book", "book", "Buch", "n", "livre", "m", "readable nat giftable lie", de_pl="Bücher",
       position="lie"),
    _n("newspaper", "newspaper", "Zeitung", "f", "journal", "m", "readable nat lie",
       de_pl="Zeitungen", position="lie"),
    _n("letter", "letter", "Brief", "m", "lettre", "f", "readable writable sendable text lie",
       de_pl="Briefe", position="lie"),
    _n("magazine", "magazine", "Zeitschrift", "f", "magazine", "m", "readable nat lie",
       de_pl="Zeitschriften", position="lie"),
    _n("story", "story", "Geschichte", "f", "histoire", "f", "readable writable tellable text",
       de_pl="Geschichten"),
    _n("novel", "novel", "Roman", "m", "roman", "m", "readable writable nat text famous_work",
       de_pl="Romane"),
    _n("poem", "poem", "Gedicht", "n", "poème", "m", "readable writable text famous_work",
       de_pl="Gedichte"),
    _n("postcard", "postcard", "Postkarte", "f", "carte postale", "f",
       "readable writable sendable lie", de_pl="Postkarten", fr_pl="cartes postales",
       position="lie"),
    _n("email", "email", "E-Mail", "f", "e-mail", "m", "readable writable sendable text",
       de_pl="E-Mails", fr_pl="e-mails"),
    _n("childrens_book", "children's book", "Kinderbuch", "n", "livre pour enfants", "m",
       "readable giftable lie", en_pl="children's books", de_pl="Kinderbücher",
       fr_pl="livres pour enfants", position="lie"),
    _n("picture_book", "picture book", "Bilderbuch", "n", "livre d'images", "m",
       "readable giftable lie", de_pl="Bilderbücher", fr_pl="livres d'images", position="lie"),
    _n("cookbook", "cookbook", "Kochbuch", "n", "livre de cuisine", "m", "readable giftable lie",
       de_pl="Kochbücher", fr_pl="livres de cuisine", position="lie"),
    _n("map", "map", "Landkarte", "f", "carte", "f", "readable showable lie", de_pl="Landkarten",
       position="lie"),
    _n("menu", "menu", "Speisekarte", "f", "menu", "m", "readable lie", de_pl="Speisekarten",
       position="lie"),
    _n("timetable", "timetable", "Fahrplan", "m", "horaire", "m", "readable", de_pl="Fahrpläne"),
    _n("recipe", "recipe", "Rezept", "n", "recette", "f", "readable writable text",
       de_pl="Rezepte"),
    _n("report", "report", "Bericht", "m", "rapport", "m", "readable writable text",
       de_pl="Berichte"),
    _n("shopping_list", "shopping list", "Einkaufsliste", "f", "liste de courses", "f",
       "readable writable text lie", de_pl="Einkaufslisten", fr_pl="listes de courses",
       position="lie"),
    # --- food ---------------------------------------------------------------------------------
    _n("apple", "apple", "Apfel", "m", "pomme", "f", "food countfood fruit red_fruit green_fruit"
       " sour_fruit lie", de_pl="Äpfel", position="lie"),
    _n("pear", "pear", "Birne", "f", "poire", "f", "food countfood fruit green_fruit yellow_fruit"
       " lie", de_pl="Birnen", position="lie"),
    _n("banana", "banana", "Banane", "f", "banane", "f", "food countfood fruit yellow_fruit lie",
       de_pl="Bananen", position="lie"),
    _n("orange", "orange", "Orange", "f", "orange", "f", "food countfood fruit sour_fruit lie",
       de_pl="Orangen", position="lie"),
    _n("lemon", "lemon", "Zitrone", "f", "citron", "m", "food countfood fruit yellow_fruit"
       " sour_fruit lie", de_pl="Zitronen", position="lie"),
    _n("strawberry", "strawberry", "Erdbeere", "f", "fraise", "f", "food countfood fruit red_fruit",
       en_pl="strawberries", de_pl="Erdbeeren"),
    _n("tomato", "tomato", "Tomate", "f", "tomate", "f", "food countfood veg red_fruit lie",
       en_pl="tomatoes", de_pl="Tomaten", position="lie"),
    _n("carrot", "carrot", "Karotte", "f", "carotte", "f", "food countfood veg", de_pl="Karotten"),
    _n("potato", "potato", "Kartoffel", "f", "pomme de terre", "f", "food countfood veg",
       en_pl="potatoes", de_pl="Kartoffeln", fr_pl="pommes de terre"),
    _n("egg", "egg", "Ei", "n", "œuf", "m", "food countfood fresh lie", de_pl="Eier",
       position="lie"),
    _n("cake", "cake", "Kuchen", "m", "gâteau", "m", "food countfood baked sweet giftable stand",
       de_pl="Kuchen", position="stand"),
    _n("birthday_cake", "birthday cake", "Geburtstagskuchen", "m", "gâteau d'anniversaire", "m",
       "food countfood baked sweet stand", de_pl="Geburtstagskuchen",
       fr_pl="gâteaux d'anniversaire", position="stand"),
    _n("chocolate_cake", "chocolate cake", "Schokoladenkuchen", "m", "gâteau au chocolat", "m",
       "food countfood baked sweet stand", de_pl="Schokoladenkuchen",
       fr_pl="gâteaux au chocolat", position="stand"),
    _n("apple_pie", "apple pie", "Apfelkuchen", "m", "tarte aux pommes", "f",
       "food countfood baked sweet stand", de_pl="Apfelkuchen", fr_pl="tartes aux pommes",
       position="stand"),
    _n("sandwich", "sandwich", "Sandwich", "n", "sandwich", "m", "food countfood lie",
       en_pl="sandwiches", de_pl="Sandwiches", fr_pl="sandwichs", position="lie"),
    _n("pizza", "pizza", "Pizza", "f", "pizza", "f", "food countfood baked nat_food",
       de_pl="Pizzas"),
    _n("sausage", "sausage", "Wurst", "f", "saucisse", "f", "food countfood", de_pl="Würste"),
    _n("croissant", "croissant", "Croissant", "n", "croissant", "m", "food countfood baked fresh",
       de_pl="Croissants"),
    _n("bread", "bread", "Brot", "n", "pain", "m", "food massfood baked fresh lie", mass=True,
       position="lie"),
    _n("cheese", "cheese", "Käse", "m", "fromage", "m", "food massfood nat_food lie", mass=True,
       position="lie"),
    _n("soup", "soup", "Suppe", "f", "soupe", "f", "food massfood dish hot_food", mass=True),
    _n("vegetable_soup", "vegetable soup", "Gemüsesuppe", "f", "soupe aux légumes", "f",
       "food massfood dish hot_food", mass=True),
    _n("tomato_soup", "tomato soup", "Tomatensuppe", "f", "soupe à la tomate", "f",
       "food massfood dish hot_food", mass=True),
    _n("rice", "rice", "Reis", "m", "riz", "m", "food massfood dish", mass=True),
    _n("meat", "meat", "Fleisch", "n", "viande", "f", "food massfood dish fresh", mass=True),
    _n("chocolate", "chocolate", "Schokolade", "f", "chocolat", "m", "food massfood sweet",
       mass=True),
    _n("salad", "salad", "Salat", "m", "salade", "f", "food massfood fresh", mass=True),
    _n("honey", "honey", "Honig", "m", "miel", "m", "food massfood sweet", mass=True),
    # --- drinks -------------------------------------------------------------------------------
    _n("coffee", "coffee", "Kaffee", "m", "café", "m", "drink hot_drink strong_drink", mass=True,
       serving=True),
    _n("tea", "tea", "Tee", "m", "thé", "m", "drink hot_drink strong_drink", mass=True,
       serving=True),
    _n("milk", "milk", "Milch", "f", "lait", "m", "drink cold_drink fresh", mass=True),
    _n("water", "water", "Wasser", "n", "eau", "f", "drink cold_drink fresh", mass=True),
    _n("wine", "wine", "Wein", "m", "vin", "m", "drink nat_food pricey", mass=True),
    _n("beer", "beer", "Bier", "n", "bière", "f", "drink cold_drink nat_food", mass=True,
       serving=True),
    _n("apple_juice", "apple juice", "Apfelsaft", "m", "jus de pomme", "m",
       "drink cold_drink fresh", mass=True, serving=True),
    _n("orange_juice", "orange juice", "Orangensaft", "m", "jus d'orange", "m",
       "drink cold_drink fresh", mass=True, serving=True),
    _n("lemonade", "lemonade", "Limonade", "f", "limonade", "f", "drink cold_drink sweet",
       mass=True, serving=True),
    # --- things -------------------------------------------------------------------------------
    _n("key", "key", "Schlüssel", "m", "clé", "f", "thing portable small lie losable",
       de_pl="Schlüssel", position="lie"),
    _n("car_key", "car key", "Autoschlüssel", "m", "clé de voiture", "f",
       "thing portable small losable lie", de_pl="Autoschlüssel", fr_pl="clés de voiture",
       position="lie"),
    _n("house_key", "house key", "Hausschlüssel", "m", "clé de la maison", "f",
       "thing portable small losable lie", de_pl="Hausschlüssel", fr_pl="clés de la maison",
       position="lie"),
    _n("bag", "bag", "Tasche", "f", "sac", "m", "thing portable container openable carryable"
       " colored losable heavy_thing", de_pl="Taschen"),
    _n("backpack", "backpack", "Rucksack", "m", "sac à dos", "m", "thing portable container"
       " openable carryable colored heavy_thing", de_pl="Rucksäcke", fr_pl="sacs à dos"),
    _n("school_bag", "school bag", "Schultasche", "f", "cartable", "m", "thing portable container"
       " carryable colored heavy_thing", de_pl="Schultaschen"),
    _n("suitcase", "suitcase", "Koffer", "m", "valise", "f", "thing container openable carryable"
       " heavy_thing", de_pl="Koffer"),
    _n("umbrella", "umbrella", "Regenschirm", "m", "parapluie", "m", "thing portable colored"
       " losable", de_pl="Regenschirme"),
    _n("ball", "ball", "Ball", "m", "ballon", "m", "thing portable toy colored lie", de_pl="Bälle",
       position="lie"),
    _n("pen", "pen", "Stift", "m", "stylo", "m", "thing portable small colored losable lie",
       de_pl="Stifte", position="lie"),
    _n("watch", "watch", "Uhr", "f", "montre", "f", "thing portable small device pricey wearable"
       " losable lie", en_pl="watches", de_pl="Uhren", position="lie"),
    _n("phone", "phone", "Telefon", "n", "téléphone", "m", "thing portable device pricey losable"
       " lie", de_pl="Telefone", position="lie"),
    _n("camera", "camera", "Kamera", "f", "appareil photo", "m", "thing portable device pricey"
       " losable", de_pl="Kameras", fr_pl="appareils photo"),
    _n("computer", "computer", "Computer", "m", "ordinateur", "m", "thing device pricey",
       de_pl="Computer"),
    _n("lamp", "lamp", "Lampe", "f", "lampe", "f", "thing device furniture colored stand",
       de_pl="Lampen", position="stand"),
    _n("wallet", "wallet", "Geldbörse", "f", "portefeuille", "m", "thing portable small losable"
       " lie", de_pl="Geldbörsen", position="lie"),
    _n("train_ticket", "train ticket", "Fahrkarte", "f", "billet de train", "m",
       "thing portable small losable lie", de_pl="Fahrkarten", fr_pl="billets de train",
       position="lie"),
    _n("present", "present", "Geschenk", "n", "cadeau", "m", "thing portable giftable lie",
       de_pl="Geschenke", position="lie"),
    _n("birthday_present", "birthday present", "Geburtstagsgeschenk", "n",
       "cadeau d'anniversaire", "m", "thing portable giftable lie",
       de_pl="Geburtstagsgeschenke", fr_pl="cadeaux d'anniversaire", position="lie"),
    _n("flower", "flower", "Blume", "f", "fleur", "f", "thing giftable decor paintable",
       de_pl="Blumen"),
    _n("picture", "picture", "Bild", "n", "tableau", "m", "thing decor paintable showable",
       de_pl="Bilder"),
    _n("toothbrush", "toothbrush", "Zahnbürste", "f", "brosse à dents", "f", "thing portable small"
       " colored lie", en_pl="toothbrushes", de_pl="Zahnbürsten", fr_pl="brosses à dents",
       position="lie"),
    _n("cup", "cup", "Tasse", "f", "tasse", "f", "thing ware colored stand", de_pl="Tassen",
       position="stand"),
    _n("coffee_cup", "coffee cup", "Kaffeetasse", "f", "tasse à café", "f", "thing ware colored"
       " stand", de_pl="Kaffeetassen", fr_pl="tasses à café", position="stand"),
    _n("glass", "glass", "Glas", "n", "verre", "m", "thing ware stand", en_pl="glasses",
       de_pl="Gläser", position="stand"),
    _n("plate", "plate", "Teller", "m", "assiette", "f", "thing ware stand", de_pl="Teller",
       position="stand"),
    _n("bottle", "bottle", "Flasche", "f", "bouteille", "f", "thing ware openable stand",
       de_pl="Flaschen", position="stand"),
    _n("box", "box", "Kiste", "f", "boîte", "f", "thing container openable heavy_thing",
       en_pl="boxes", de_pl="Kisten"),
    _n("hat", "hat", "Hut", "m", "chapeau", "m", "thing wearable colored", de_pl="Hüte"),
    _n("coat", "coat", "Mantel", "m", "manteau", "m", "thing wearable colored warm_wear",
       de_pl="Mäntel"),
    _n("raincoat", "raincoat", "Regenmantel", "m", "imperméable", "m", "thing wearable colored",
       de_pl="Regenmäntel"),
    _n("dress", "dress", "Kleid", "n", "robe", "f", "thing wearable colored", en_pl="dresses",
       de_pl="Kleider"),
    _n("shirt", "shirt", "Hemd", "n", "chemise", "f", "thing wearable colored", de_pl="Hemden"),
    _n("jacket", "jacket", "Jacke", "f", "veste", "f", "thing wearable colored warm_wear",
       de_pl="Jacken"),
    _n("chair", "chair", "Stuhl", "m", "chaise", "f", "thing furniture colored heavy_thing",
       de_pl="Stühle"),
    _n("table", "table", "Tisch", "m", "table", "f", "thing furniture heavy_thing", de_pl="Tische"),
    _n("kitchen_table", "kitchen table", "Küchentisch", "m", "table de cuisine", "f",
       "thing furniture heavy_thing", de_pl="Küchentische", fr_pl="tables de cuisine"),
    _n("parcel", "parcel", "Paket", "n", "colis", "m", "thing sendable portable heavy_thing",
       de_pl="Pakete"),
    _n("door", "door", "Tür", "f", "porte", "f", "openable colored"),
    _n("window", "window", "Fenster", "n", "fenêtre", "f", "openable"),
    _n("fridge", "fridge", "Kühlschrank", "m", "réfrigérateur", "m", "openable device"),
    _n("letterbox", "letterbox", "Briefkasten", "m", "boîte aux lettres", "f", "openable"),
    # --- rooms and buildings ------------------------------------------------------------------
    _n("kitchen", "kitchen", "Küche", "f", "cuisine", "f", "room"),
    _n("bedroom", "bedroom", "Schlafzimmer", "n", "chambre", "f", "room"),
    _n("living_room", "living room", "Wohnzimmer", "n", "salon", "m", "room"),
    _n("bathroom", "bathroom", "Badezimmer", "n", "salle de bains", "f", "room"),
    _n("classroom", "classroom", "Klassenzimmer", "n", "salle de classe", "f", "room"),
    _n("office", "office", "Büro", "n", "bureau", "m", "room"),
    _n("garage", "garage", "Garage", "f", "garage", "m", "room"),
    _n("house", "house", "Haus", "n", "maison", "f", "building"),
    _n("flat", "flat", "Wohnung", "f", "appartement", "m", "building"),
    _n("garden", "garden", "Garten", "m", "jardin", "m", "garden"),
    # --- places worth a visit -----------------------------------------------------------------
    _n("museum", "museum", "Museum", "n", "musée", "m", "visitable"),
    _n("castle", "castle", "Schloss", "n", "château", "m", "visitable"),
    _n("zoo", "zoo", "Zoo", "m", "zoo", "m", "visitable"),
    _n("church", "church", "Kirche", "f", "église", "f", "visitable"),
    _n("cathedral", "cathedral", "Dom", "m", "cathédrale", "f", "visitable"),
    _n("exhibition", "exhibition", "Ausstellung", "f", "exposition", "f", "visitable"),
    _n("city", "city", "Stadt", "f", "ville", "f", "visitable"),
    _n("market", "market", "Markt", "m", "marché", "m", "visitable"),
    # --- abstract things to understand or tell ------------------------------------------------
    _n("question", "question", "Frage", "f", "question", "f", "understandable"),
    _n("answer", "answer", "Antwort", "f", "réponse", "f", "understandable"),
    _n("lesson", "lesson", "Lektion", "f", "leçon", "f", "understandable"),
    _n("joke", "joke", "Witz", "m", "blague", "f", "understandable tellable"),
    # --- languages and games: bare nouns in English and German --------------------------------
    _n("german", "German", "Deutsch", "n", "allemand", "m", "lang", mass=True),
    _n("french", "French", "Französisch", "n", "français", "m", "lang", mass=True),
    _n("english", "English", "Englisch", "n", "anglais", "m", "lang", mass=True),
    _n("spanish", "Spanish", "Spanisch", "n", "espagnol", "m", "lang", mass=True),
    _n("italian", "Italian", "Italienisch", "n", "italien", "m", "lang", mass=True),
    _n("football", "football", "Fußball", "m", "football", "m", "game", mass=True),
    _n("tennis", "tennis", "Tennis", "n", "tennis", "m", "game", mass=True),
    _n("chess", "chess", "Schach", "n", "échecs", "m", "game", mass=True, fr_plural_only=True),
    _n("cards", "cards", "Karten", "f", "cartes", "f", "game", mass=True, fr_plural_only=True),
    _n("hide_and_seek", "hide-and-seek", "Verstecken", "n", "cache-cache", "m", "game", mass=True,
       fr_bare=True),
]
NOUN = {n.key: n for n in NOUNS}

# ------------------------------------------------------------------------------------------------
# Lexicon: adjectives
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adj:
    """An adjective: German stem for endings, French forms and position, English comparative.

    ``fr_pre`` marks the short adjectives that precede the noun in French (le vieil homme); all
    others follow it (la voiture rouge). ``fr_vowel`` is the masculine form before a vowel (bel,
    vieil, nouvel). ``tags`` say which nouns it may describe.
    """

    key: str
    en: str
    de: str                        # predicative form: alt, dunkel, müde
    de_stem: str                   # stem for endings: alt, dunkl, müd
    fr_m: str
    fr_f: str
    fr_pre: bool
    tags: frozenset[str]
    fr_vowel: str | None = None
    en_cmp: str | None = None      # older / more expensive
    de_cmp: str | None = None      # älter
    fr_cmp: tuple[str, str] | None = None   # meilleur / meilleure (otherwise "plus" + adjective)
    attr: bool = True              # usable before a noun
    pred: bool = True              # usable after "is"

    def fr_form(self, g: str, plural: bool = False, before_vowel: bool = False) -> str:
        form = self.fr_f if g == "f" else self.fr_m
        if plural:
            return fr_plural(form)
        if g == "m" and before_vowel and self.fr_vowel:
            return self.fr_vowel
        return form


def _a(key: str, en: str, de: str, fr_m: str, fr_f: str, pos: str, tags: str,
       cmp: tuple[str, str] | None = None, de_stem: str | None = None, **kw) -> Adj:
    en_cmp, de_cmp = cmp if cmp else (None, None)
    return Adj(key, en, de, de_stem or de, fr_m, fr_f, pos == "pre", frozenset(tags.split()),
               en_cmp=en_cmp, de_cmp=de_cmp, **kw)


ADJS: list[Adj] = [
    _a("old", "old", "alt", "vieux", "vieille", "pre",
       "adult elder animal vehicle readable building wearable furniture", ("older", "älter"),
       fr_vowel="vieil"),
    _a("young", "young", "jung", "jeune", "jeune", "pre", "adult kid animal",
       ("younger", "jünger")),
    _a("new", "new", "neu", "nouveau", "nouvelle", "pre",
       "vehicle readable building wearable device furniture portable", fr_vowel="nouvel",
       pred=False),
    _a("big", "big", "groß", "grand", "grande", "pre",
       "big_animal vehicle building room container furniture", ("bigger", "größer")),
    _a("tall", "tall", "groß", "grand", "grande", "post", "adult", ("taller", "größer"),
       attr=False),
    _a("small", "small", "klein", "petit", "petite", "pre",
       "kid animal vehicle building room container furniture portable fruit",
       ("smaller", "kleiner")),
    _a("beautiful", "beautiful", "schön", "beau", "belle", "pre",
       "animal building room wearable decor visitable", ("more beautiful", "schöner"),
       fr_vowel="bel"),
    _a("good", "good", "gut", "bon", "bonne", "pre", "food drink readable",
       ("better", "besser"), fr_cmp=("meilleur", "meilleure")),
    _a("bad", "bad", "schlecht", "mauvais", "mauvaise", "pre", "food readable"),
    _a("red", "red", "rot", "rouge", "rouge", "post", "colored red_fruit"),
    _a("blue", "blue", "blau", "bleu", "bleue", "post", "colored"),
    _a("green", "green", "grün", "vert", "verte", "post", "colored green_fruit"),
    _a("black", "black", "schwarz", "noir", "noire", "post", "colored animal"),
    _a("white", "white", "weiß", "blanc", "blanche", "post", "colored animal"),
    _a("yellow", "yellow", "gelb", "jaune", "jaune", "post", "colored yellow_fruit"),
    _a("brown", "brown", "braun", "brun", "brune", "post", "animal"),
    _a("grey", "grey", "grau", "gris", "grise", "post", "animal colored"),
    _a("heavy", "heavy", "schwer", "lourd", "lourde", "post", "heavy_thing",
       ("heavier", "schwerer")),
    _a("light", "light", "leicht", "léger", "légère", "post", "heavy_thing",
       ("lighter", "leichter")),
    _a("expensive", "expensive", "teuer", "cher", "chère", "post", "vehicle wearable pricey",
       ("more expensive", "teurer"), de_stem="teur"),
    _a("interesting", "interesting", "interessant", "intéressant", "intéressante", "post",
       "readable visitable", ("more interesting", "interessanter")),
    _a("boring", "boring", "langweilig", "ennuyeux", "ennuyeuse", "post", "readable",
       ("more boring", "langweiliger")),
    _a("long", "long", "lang", "long", "longue", "pre", "text", ("longer", "länger")),
    _a("short", "short", "kurz", "court", "courte", "post", "text", ("shorter", "kürzer")),
    _a("fresh", "fresh", "frisch", "frais", "fraîche", "post", "fresh fruit veg"),
    _a("hot", "hot", "heiß", "chaud", "chaude", "post", "hot_drink hot_food",
       ("hotter", "heißer")),
    _a("cold", "cold", "kalt", "froid", "froide", "post", "drink hot_food",
       ("colder", "kälter")),
    _a("warm", "warm", "warm", "chaud", "chaude", "post", "warm_wear", ("warmer", "wärmer")),
    _a("sweet", "sweet", "süß", "sucré", "sucrée", "post", "fruit sweet", ("sweeter", "süßer")),
    _a("sour", "sour", "sauer", "acide", "acide", "post", "sour_fruit", de_stem="saur"),
    _a("ripe", "ripe", "reif", "mûr", "mûre", "post", "fruit"),
    _a("delicious", "delicious", "lecker", "délicieux", "délicieuse", "post", "food"),
    _a("hungry", "hungry", "hungrig", "affamé", "affamée", "post", "animal kid adult",
       pred=False),
    _a("tired", "tired", "müde", "fatigué", "fatiguée", "post", "person animal",
       ("more tired", "müder"), de_stem="müd"),
    _a("happy", "happy", "glücklich", "heureux", "heureuse", "post", "person",
       ("happier", "glücklicher")),
    _a("sad", "sad", "traurig", "triste", "triste", "post", "person", ("sadder", "trauriger")),
    _a("friendly", "friendly", "freundlich", "sympathique", "sympathique", "post",
       "adult elder dog", ("friendlier", "freundlicher")),
    _a("angry", "angry", "wütend", "en colère", "en colère", "post", "person"),
    _a("rich", "rich", "reich", "riche", "riche", "post", "adult elder", ("richer", "reicher")),
    _a("poor", "poor", "arm", "pauvre", "pauvre", "post", "adult elder", ("poorer", "ärmer")),
    _a("famous", "famous", "berühmt", "célèbre", "célèbre", "post", "adult visitable famous_work",
       ("more famous", "berühmter")),
    _a("strong", "strong", "stark", "fort", "forte", "post", "adult big_animal strong_drink",
       ("stronger", "stärker")),
    _a("fast", "fast", "schnell", "rapide", "rapide", "post", "vehicle animal",
       ("faster", "schneller")),
    _a("slow", "slow", "langsam", "lent", "lente", "post", "vehicle animal",
       ("slower", "langsamer")),
    _a("clean", "clean", "sauber", "propre", "propre", "post", "room wearable ware vehicle",
       ("cleaner", "sauberer")),
    _a("dirty", "dirty", "schmutzig", "sale", "sale", "post", "room wearable ware vehicle",
       ("dirtier", "schmutziger")),
    _a("empty", "empty", "leer", "vide", "vide", "post", "ware container"),
    _a("full", "full", "voll", "plein", "pleine", "post", "ware container"),
    _a("quiet", "quiet", "ruhig", "calme", "calme", "post", "room building",
       ("quieter", "ruhiger")),
    _a("dark", "dark", "dunkel", "sombre", "sombre", "post", "room wearable",
       ("darker", "dunkler"), de_stem="dunkl"),
    _a("bright", "bright", "hell", "clair", "claire", "post", "room", ("brighter", "heller")),
    _a("modern", "modern", "modern", "moderne", "moderne", "post",
       "building device vehicle furniture", ("more modern", "moderner")),
    _a("lazy", "lazy", "faul", "paresseux", "paresseuse", "post", "person pet",
       ("lazier", "fauler")),
    _a("clever", "clever", "klug", "intelligent", "intelligente", "post", "person dog",
       ("cleverer", "klüger")),
    _a("french_adj", "French", "französisch", "français", "française", "post", "nat nat_food"),
    _a("german_adj", "German", "deutsch", "allemand", "allemande", "post", "nat nat_food"),
    _a("italian_adj", "Italian", "italienisch", "italien", "italienne", "post", "nat nat_food"),
]
ADJ = {a.key: a for a in ADJS}
# Which adjectives take "very" (not colours, nationalities, empty/full) and which also "too".
GRADABLE = {a.key for a in ADJS} - {"red", "blue", "green", "black", "white", "yellow", "brown",
                                     "grey", "french_adj", "german_adj", "italian_adj", "empty",
                                     "full", "new", "delicious", "hungry"}
TOO_OK = {"hot", "cold", "heavy", "light", "expensive", "long", "short", "big", "small", "sweet",
          "sour", "old", "young", "tired", "dark", "tall", "slow", "fast", "strong", "warm"}

# ------------------------------------------------------------------------------------------------
# Lexicon: places, surfaces, adverbs, times, numbers
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A place phrase, written out in full: prepositions, case and contractions differ too much
    between the languages (im Park / dans le parc / in the park; zum Bahnhof / à la gare) to be
    worth deriving. ``dir`` phrases answer "where to?"; ``far`` places need a vehicle (fährt)."""

    key: str
    en: str
    de: str
    fr: str
    en_dir: str | None = None
    de_dir: str | None = None
    fr_dir: str | None = None
    far: bool = False


def _p(key: str, loc: tuple[str, str, str], to: tuple[str, str, str] | None = None,
       far: bool = False) -> Place:
    en_dir, de_dir, fr_dir = to if to else (None, None, None)
    return Place(key, *loc, en_dir=en_dir, de_dir=de_dir, fr_dir=fr_dir, far=far)


PLACES: list[Place] = [
    _p("kitchen", ("in the kitchen", "in der Küche", "dans la cuisine"),
       ("into the kitchen", "in die Küche", "dans la cuisine")),
    _p("living_room", ("in the living room", "im Wohnzimmer", "dans le salon"),
       ("into the living room", "ins Wohnzimmer", "dans le salon")),
    _p("bedroom", ("in the bedroom", "im Schlafzimmer", "dans la chambre"),
       ("into the bedroom", "ins Schlafzimmer", "dans la chambre")),
    _p("garden", ("in the garden", "im Garten", "dans le jardin"),
       ("into the garden", "in den Garten", "dans le jardin")),
    _p("home", ("at home", "zu Hause", "à la maison")),
    _p("park", ("in the park", "im Park", "dans le parc"),
       ("to the park", "in den Park", "au parc")),
    _p("forest", ("in the forest", "im Wald", "dans la forêt"),
       ("to the forest", "in den Wald", "dans la forêt")),
    _p("lake", ("at the lake", "am See", "au bord du lac"),
       ("to the lake", "an den See", "au lac")),
    _p("in_lake", ("in the lake", "im See", "dans le lac")),
    _p("sea", ("in the sea", "im Meer", "dans la mer"), ("to the sea", "ans Meer", "à la mer")),
    _p("beach", ("on the beach", "am Strand", "sur la plage"),
       ("to the beach", "an den Strand", "à la plage")),
    _p("pool", ("in the swimming pool", "im Schwimmbad", "à la piscine"),
       ("to the swimming pool", "ins Schwimmbad", "à la piscine")),
    _p("playground", ("on the playground", "auf dem Spielplatz", "sur l'aire de jeux"),
       ("to the playground", "auf den Spielplatz", "à l'aire de jeux")),
    _p("mountains", ("in the mountains", "in den Bergen", "à la montagne"),
       ("to the mountains", "in die Berge", "à la montagne"), far=True),
    _p("school", ("at school", "in der Schule", "à l'école"),
       ("to school", "in die Schule", "à l'école")),
    _p("office", ("in the office", "im Büro", "au bureau"),
       ("to the office", "ins Büro", "au bureau")),
    _p("library", ("in the library", "in der Bibliothek", "à la bibliothèque"),
       ("to the library", "in die Bibliothek", "à la bibliothèque")),
    _p("station", ("at the station", "am Bahnhof", "à la gare"),
       ("to the station", "zum Bahnhof", "à la gare")),
    _p("train_station", ("at the train station", "am Bahnhof", "à la gare"),
       ("to the train station", "zum Bahnhof", "à la gare")),
    _p("bus_stop", ("at the bus stop", "an der Bushaltestelle", "à l'arrêt de bus"),
       ("to the bus stop", "zur Bushaltestelle", "à l'arrêt de bus")),
    _p("airport", ("at the airport", "am Flughafen", "à l'aéroport"),
       ("to the airport", "zum Flughafen", "à l'aéroport"), far=True),
    _p("harbour", ("in the harbour", "im Hafen", "au port"),
       ("to the harbour", "zum Hafen", "au port")),
    _p("market", ("at the market", "auf dem Markt", "au marché"),
       ("to the market", "auf den Markt", "au marché")),
    _p("supermarket", ("in the supermarket", "im Supermarkt", "au supermarché"),
       ("to the supermarket", "in den Supermarkt", "au supermarché")),
    _p("bakery", ("in the bakery", "in der Bäckerei", "à la boulangerie"),
       ("to the bakery", "zur Bäckerei", "à la boulangerie")),
    _p("cafe", ("in the café", "im Café", "au café"), ("to the café", "ins Café", "au café")),
    _p("restaurant", ("in the restaurant", "im Restaurant", "au restaurant"),
       ("to the restaurant", "ins Restaurant", "au restaurant")),
    _p("cinema", ("at the cinema", "im Kino", "au cinéma"),
       ("to the cinema", "ins Kino", "au cinéma")),
    _p("theatre", ("at the theatre", "im Theater", "au théâtre"),
       ("to the theatre", "ins Theater", "au théâtre")),
    _p("museum", ("in the museum", "im Museum", "au musée"),
       ("to the museum", "ins Museum", "au musée")),
    _p("zoo", ("at the zoo", "im Zoo", "au zoo"), ("to the zoo", "in den Zoo", "au zoo")),
    _p("hospital", ("in the hospital", "im Krankenhaus", "à l'hôpital"),
       ("to the hospital", "ins Krankenhaus", "à l'hôpital")),
    _p("hotel", ("at the hotel", "im Hotel", "à l'hôtel"),
       ("to the hotel", "ins Hotel", "à l'hôtel")),
    _p("town", ("in town", "in der Stadt", "en ville"), ("into town", "in die Stadt", "en ville")),
    _p("garage", ("in the garage", "in der Garage", "dans le garage")),
    _p("on_train", ("on the train", "im Zug", "dans le train")),
    _p("on_bus", ("on the bus", "im Bus", "dans le bus")),
    # cities and countries: German "nach", French "à" for cities, "en"/"au" for countries
    *[_p(k, (f"in {en}", f"in {de}", f"à {fr}"), (f"to {en}", f"nach {de}", f"à {fr}"), far=True)
      for k, en, de, fr in [("berlin", "Berlin", "Berlin", "Berlin"),
                            ("paris", "Paris", "Paris", "Paris"),
                            ("hamburg", "Hamburg", "Hamburg", "Hambourg"),
                            ("munich", "Munich", "München", "Munich"),
                            ("vienna", "Vienna", "Wien", "Vienne"),
                            ("cologne", "Cologne", "Köln", "Cologne"),
                            ("geneva", "Geneva", "Genf", "Genève"),
                            ("zurich", "Zurich", "Zürich", "Zurich"),
                            ("rome", "Rome", "Rom", "Rome"),
                            ("london", "London", "London", "Londres")]],
    *[_p(k, (f"in {en}", f"in {de}", f"{fr}"), (f"to {en}", f"nach {de}", f"{fr}"), far=True)
      for k, en, de, fr in [("france", "France", "Frankreich", "en France"),
                            ("germany", "Germany", "Deutschland", "en Allemagne"),
                            ("italy", "Italy", "Italien", "en Italie"),
                            ("spain", "Spain", "Spanien", "en Espagne"),
                            ("austria", "Austria", "Österreich", "en Autriche"),
                            ("portugal", "Portugal", "Portugal", "au Portugal"),
                            ("canada", "Canada", "Kanada", "au Canada")]],
    _p("switzerland", ("in Switzerland", "in der Schweiz", "en Suisse"),
       ("to Switzerland", "in die Schweiz", "en Suisse"), far=True),
]
PLACE = {p.key: p for p in PLACES}
CITIES = ("berlin", "paris", "hamburg", "munich", "vienna", "cologne", "geneva", "zurich", "rome",
          "london")
COUNTRIES = ("france", "germany", "italy", "spain", "austria", "portugal", "canada", "switzerland")


@dataclass(frozen=True)
class Spot:
    """Where a thing can be: a surface (German picks liegen/stehen) or a container ("ist")."""

    key: str
    en: str
    de: str
    fr: str
    surface: bool
    holds: frozenset[str]          # noun tags that fit here


def _s(key: str, en: str, de: str, fr: str, surface: bool, holds: str) -> Spot:
    return Spot(key, en, de, fr, surface, frozenset(holds.split()))


SPOTS: list[Spot] = [
    _s("table", "on the table", "auf dem Tisch", "sur la table", True, "lie stand"),
    _s("kitchen_table", "on the kitchen table", "auf dem Küchentisch", "sur la table de cuisine",
       True, "lie stand"),
    _s("desk", "on the desk", "auf dem Schreibtisch", "sur le bureau", True, "readable small"),
    _s("chair", "on the chair", "auf dem Stuhl", "sur la chaise", True, "readable small"),
    _s("bed", "on the bed", "auf dem Bett", "sur le lit", True, "readable small"),
    _s("floor", "on the floor", "auf dem Boden", "par terre", True, "readable small toy"),
    _s("kitchen", "in the kitchen", "in der Küche", "dans la cuisine", True, "lie stand"),
    _s("bag", "in the bag", "in der Tasche", "dans le sac", False, "small readable"),
    _s("backpack", "in the backpack", "im Rucksack", "dans le sac à dos", False, "small readable"),
    _s("suitcase", "in the suitcase", "im Koffer", "dans la valise", False, "wearable small"),
    _s("drawer", "in the drawer", "in der Schublade", "dans le tiroir", False, "small"),
    _s("box", "in the box", "in der Kiste", "dans la boîte", False, "toy readable"),
    _s("car", "in the car", "im Auto", "dans la voiture", False, "small carryable"),
    _s("fridge", "in the fridge", "im Kühlschrank", "dans le réfrigérateur", False,
       "fruit veg cold_drink massfood"),
]


@dataclass(frozen=True)
class Adverb:
    key: str
    en: str
    de: str
    fr: str
    kind: str                      # "manner" / "freq"


ADVERBS: list[Adverb] = [Adverb(*row) for row in [
    ("quickly", "quickly", "schnell", "vite", "manner"),
    ("slowly", "slowly", "langsam", "lentement", "manner"),
    ("well", "well", "gut", "bien", "manner"),
    ("badly", "badly", "schlecht", "mal", "manner"),
    ("loudly", "loudly", "laut", "fort", "manner"),
    ("quietly", "quietly", "leise", "doucement", "manner"),
    ("early", "early", "früh", "tôt", "manner"),
    ("late", "late", "spät", "tard", "manner"),
    ("on_time", "on time", "pünktlich", "à l'heure", "manner"),
    ("behind", "late", "zu spät", "en retard", "manner"),     # behind schedule
    ("patiently", "patiently", "geduldig", "patiemment", "manner"),
    ("hard", "hard", "hart", "dur", "manner"),
    ("happily", "happily", "fröhlich", "joyeusement", "manner"),
    ("carefully", "carefully", "vorsichtig", "prudemment", "manner"),
    ("deeply", "deeply", "tief", "profondément", "manner"),
    ("often", "often", "oft", "souvent", "freq"),
    ("always", "always", "immer", "toujours", "freq"),
    ("sometimes", "sometimes", "manchmal", "parfois", "freq"),
    ("rarely", "rarely", "selten", "rarement", "freq"),
    ("never", "never", "nie", "jamais", "freq"),
]]
ADV = {a.key: a for a in ADVERBS}
FREQ = [a for a in ADVERBS if a.kind == "freq"]


@dataclass(frozen=True)
class Time:
    """A time adverbial. ``tense``: which clause tenses it fits ("pres", "past", "future" (needs
    a modal or a scheduled event), "any"). ``freq``: it already says how often (every day)."""

    key: str
    en: str
    de: str
    fr: str
    tense: str
    freq: bool = False
    clock: bool = False


NUMBERS: dict[int, tuple[str, str, str]] = {
    1: ("one", "ein", "une"), 2: ("two", "zwei", "deux"), 3: ("three", "drei", "trois"),
    4: ("four", "vier", "quatre"), 5: ("five", "fünf", "cinq"), 6: ("six", "sechs", "six"),
    7: ("seven", "sieben", "sept"), 8: ("eight", "acht", "huit"), 9: ("nine", "neun", "neuf"),
    10: ("ten", "zehn", "dix"), 11: ("eleven", "elf", "onze"), 12: ("twelve", "zwölf", "douze"),
    20: ("twenty", "zwanzig", "vingt"), 30: ("thirty", "dreißig", "trente"),
    40: ("forty", "vierzig", "quarante"), 50: ("fifty", "fünfzig", "cinquante"),
    60: ("sixty", "sechzig", "soixante"), 70: ("seventy", "siebzig", "soixante-dix"),
    80: ("eighty", "achtzig", "quatre-vingts"), 90: ("ninety", "neunzig", "quatre-vingt-dix"),
}
# "ein" counts in German ("ein Jahr"), but "one o'clock" is "ein Uhr" and "une heure" in French.


def _clock_times() -> list[Time]:
    """Clock times: "at eight o'clock" / "um acht Uhr" / "à huit heures"; "half past seven" is
    "halb acht" in German (counted towards the next hour) and "sept heures et demie" in French."""
    out = []
    for h in range(1, 12):
        en, de, fr = NUMBERS[h]
        heures = "heure" if h == 1 else "heures"
        out.append(Time(f"at_{h}", f"at {en} o'clock", f"um {de} Uhr", f"à {fr} {heures}", "any",
                        clock=True))
        nxt = NUMBERS[h + 1][1] if h < 11 else "zwölf"
        nxt = "eins" if nxt == "ein" else nxt
        out.append(Time(f"half_{h}", f"at half past {en}", f"um halb {nxt}",
                        f"à {fr} {heures} et demie", "any", clock=True))
        out.append(Time(f"quarter_{h}", f"at a quarter past {en}", f"um Viertel nach {de}s"
                        if de == "ein" else f"um Viertel nach {de}",
                        f"à {fr} {heures} et quart", "any", clock=True))
    out.append(Time("noon", "at noon", "am Mittag", "à midi", "any", clock=True))
    out.append(Time("midnight", "at midnight", "um Mitternacht", "à minuit", "any", clock=True))
    return out


TIMES: list[Time] = [Time(*row[:5], freq=len(row) > 5) for row in [
    ("today", "today", "heute", "aujourd'hui", "pres"),
    ("tomorrow", "tomorrow", "morgen", "demain", "future"),
    ("day_after_tomorrow", "the day after tomorrow", "übermorgen", "après-demain", "future"),
    ("yesterday", "yesterday", "gestern", "hier", "past"),
    ("day_before_yesterday", "the day before yesterday", "vorgestern", "avant-hier", "past"),
    ("last_week", "last week", "letzte Woche", "la semaine dernière", "past"),
    ("last_year", "last year", "letztes Jahr", "l'année dernière", "past"),
    ("this_morning", "this morning", "heute Morgen", "ce matin", "past"),
    ("last_night", "last night", "gestern Abend", "hier soir", "past"),
    ("morning", "in the morning", "am Morgen", "le matin", "pres"),
    ("afternoon", "in the afternoon", "am Nachmittag", "l'après-midi", "pres"),
    ("evening", "in the evening", "am Abend", "le soir", "pres"),
    ("night", "at night", "in der Nacht", "la nuit", "pres"),
    ("weekend", "at the weekend", "am Wochenende", "le week-end", "pres"),
    ("summer", "in summer", "im Sommer", "en été", "pres"),
    ("winter", "in winter", "im Winter", "en hiver", "pres"),
    ("spring", "in spring", "im Frühling", "au printemps", "pres"),
    ("autumn", "in autumn", "im Herbst", "en automne", "pres"),
    ("every_day", "every day", "täglich", "tous les jours", "pres", True),
    ("every_morning", "every morning", "jeden Morgen", "tous les matins", "pres", True),
    ("every_evening", "every evening", "jeden Abend", "tous les soirs", "pres", True),
    ("every_week", "every week", "jede Woche", "chaque semaine", "pres", True),
    ("once_a_week", "once a week", "einmal pro Woche", "une fois par semaine", "pres", True),
    ("twice_a_day", "twice a day", "zweimal am Tag", "deux fois par jour", "pres", True),
    *[(f"on_{en.lower()}", f"on {en}", f"am {de}", fr, "any") for en, de, fr in [
        ("Monday", "Montag", "lundi"), ("Tuesday", "Dienstag", "mardi"),
        ("Wednesday", "Mittwoch", "mercredi"), ("Thursday", "Donnerstag", "jeudi"),
        ("Friday", "Freitag", "vendredi"), ("Saturday", "Samstag", "samedi"),
        ("Sunday", "Sonntag", "dimanche")]],
]] + _clock_times()
TIME = {t.key: t for t in TIMES}
DAY_WORDS = {"today", "tomorrow", "yesterday", "day_after_tomorrow", "day_before_yesterday"}

# ------------------------------------------------------------------------------------------------
# Lexicon: verbs
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verb:
    """A verb sense in three languages.

    English ``en``: base, 3rd person singular, past, past participle ("pick up", "picks up"...);
    objects always follow the whole English form. German ``de``: infinitive, 3sg, participle,
    auxiliary. ``de_part`` is what a main clause sends to the end: a separable particle ("an"
    in ankommen) or the first half of a two-word verb ("spazieren" in spazieren gehen); in a
    subordinate clause it joins the verb again (ankommt / spazieren geht). French ``fr``:
    infinitive, 3sg, participle, auxiliary ("a"/"est"); ``fr_tail`` follows the verb form
    (regarde *la télévision*, va *chercher*), ``fr_refl`` adds "se".

    ``kind``: intr / tr / ditr (give someone something) / dir (needs a destination).
    """

    key: str
    kind: str
    en: tuple[str, str, str, str]
    de: tuple[str, str, str, str]
    fr: tuple[str, str, str, str]
    subj: frozenset[str]
    obj: frozenset[str] = frozenset()
    iobj: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()
    manner: tuple[str, ...] = ()
    de_part: str = ""
    de_case: str = "acc"           # acc / dat / "auf+acc" (warten auf) / "vor+dat" (Angst vor)
    de_animal: tuple[str, str, str, str] | None = None   # fressen for animals
    de_fixed: tuple[str, str] | None = None   # ("Hunger", "keinen Hunger"): hat Hunger
    fr_tail: str = ""
    fr_refl: bool = False
    fr_prep: str = ""              # "à" / "de": a prepositional object in French
    fr_bare: bool = False          # parler allemand: no article before a bare noun
    generic: bool = False          # likes coffee -> aime *le* café (and only definite counts)
    obj_optional: bool = False
    flags: frozenset[str] = frozenset()

    def allows(self, flag: str) -> bool:
        return flag not in self.flags


def _v(key: str, kind: str, en: str, de: str, fr: str, subj: str, obj: str = "",
       iobj: str = "", places: Sequence[str] = (), manner: str = "", flags: str = "",
       **kw) -> Verb:
    """Verb rows keep each language on one line: "base|3sg|past|participle"."""
    en_t = tuple(en.split("|"))
    de_t = tuple(de.split("|"))
    fr_t = tuple(fr.split("|"))
    assert len(en_t) == len(de_t) == len(fr_t) == 4, key
    if "de_animal" in kw:
        kw["de_animal"] = tuple(kw["de_animal"].split("|"))
    return Verb(key, kind, en_t, de_t, fr_t, frozenset(subj.split()), frozenset(obj.split()),
                frozenset(iobj.split()), tuple(places), tuple(manner.split()),
                flags=frozenset(flags.split()), **kw)


# Place groups that verbs choose from.
HOME = ("kitchen", "living_room", "bedroom", "garden", "home")
OUTDOORS = ("garden", "park", "forest", "lake", "beach", "playground", "mountains")
TOWN = ("park", "cafe", "restaurant", "library", "market", "supermarket", "station", "school",
        "office", "museum", "cinema", "theatre", "zoo", "hospital", "town", "hotel", "bakery",
        "beach", "lake", "forest", "pool", "playground", "harbour", "airport")
FAR = ("mountains",) + CITIES + COUNTRIES
ROOMS_DIR = ("kitchen", "living_room", "bedroom", "garden")
ADULT = "adult elder"
PEOPLE = "adult elder kid"

VERBS: list[Verb] = [
    # --- intransitive ---------------------------------------------------------------------
    _v("sleep", "intr", "sleep|sleeps|slept|slept", "schlafen|schläft|geschlafen|hat",
       "dormir|dort|dormi|a", PEOPLE + " animal baby",
       places=("bedroom", "living_room", "garden", "home", "hotel", "on_train"),
       manner="well badly deeply"),
    _v("work", "intr", "work|works|worked|worked", "arbeiten|arbeitet|gearbeitet|hat",
       "travailler|travaille|travaillé|a", ADULT,
       places=("office", "garden", "kitchen", "home", "hospital", "library", "school",
               "restaurant", "bakery", "supermarket", "hotel", "town") + CITIES,
       manner="hard quickly slowly carefully"),
    _v("play", "intr", "play|plays|played|played", "spielen|spielt|gespielt|hat",
       "jouer|joue|joué|a", "kid pet",
       places=("garden", "park", "playground", "living_room", "bedroom", "beach"),
       manner="quietly happily"),
    _v("sing", "intr", "sing|sings|sang|sung", "singen|singt|gesungen|hat",
       "chanter|chante|chanté|a", PEOPLE + " singer",
       places=("kitchen", "garden", "school", "theatre", "living_room"),
       manner="loudly quietly well badly"),
    _v("dance", "intr", "dance|dances|danced|danced", "tanzen|tanzt|getanzt|hat",
       "danser|danse|dansé|a", PEOPLE, places=("living_room", "garden", "restaurant", "theatre"),
       manner="well badly happily"),
    _v("laugh", "intr", "laugh|laughs|laughed|laughed", "lachen|lacht|gelacht|hat",
       "rire|rit|ri|a", PEOPLE + " baby", manner="loudly quietly"),
    _v("smile", "intr", "smile|smiles|smiled|smiled", "lächeln|lächelt|gelächelt|hat",
       "sourire|sourit|souri|a", PEOPLE + " baby", manner="happily"),
    _v("cry", "intr", "cry|cries|cried|cried", "weinen|weint|geweint|hat",
       "pleurer|pleure|pleuré|a", "kid baby", manner="loudly quietly"),
    _v("wait", "intr", "wait|waits|waited|waited", "warten|wartet|gewartet|hat",
       "attendre|attend|attendu|a", PEOPLE,
       places=("station", "train_station", "bus_stop", "airport", "cafe", "hotel", "park",
               "school", "harbour"), manner="patiently"),
    _v("swim", "intr", "swim|swims|swam|swum", "schwimmen|schwimmt|geschwommen|ist",
       "nager|nage|nagé|a", "kid adult dog swimmer", places=("in_lake", "sea", "pool"),
       manner="quickly slowly well"),
    _v("run", "intr", "run|runs|ran|run", "laufen|läuft|gelaufen|ist", "courir|court|couru|a",
       "kid adult animal", places=("park", "forest", "beach", "garden"), manner="quickly slowly"),
    _v("bark", "intr", "bark|barks|barked|barked", "bellen|bellt|gebellt|hat",
       "aboyer|aboie|aboyé|a", "dog", places=("garden",), manner="loudly",
       flags="no_modal no_zu"),
    _v("cook_i", "intr", "cook|cooks|cooked|cooked", "kochen|kocht|gekocht|hat",
       "cuisiner|cuisine|cuisiné|a", ADULT, places=("kitchen", "restaurant", "home"),
       manner="well badly"),
    _v("study", "intr", "study|studies|studied|studied", "lernen|lernt|gelernt|hat",
       "étudier|étudie|étudié|a", "kid adult", places=("library", "home", "bedroom", "school"),
       manner="hard"),
    _v("live", "intr", "live|lives|lived|lived", "wohnen|wohnt|gewohnt|hat",
       "habiter|habite|habité|a", PEOPLE, places=CITIES + COUNTRIES + ("town",),
       flags="no_perf place_required no_modal no_gern stative no_zu"),
    _v("stay", "intr", "stay|stays|stayed|stayed", "bleiben|bleibt|geblieben|ist",
       "rester|reste|resté|est", PEOPLE + " animal", places=HOME + ("hotel",),
       flags="place_required"),
    _v("drive_i", "intr", "drive|drives|drove|driven", "fahren|fährt|gefahren|ist",
       "conduire|conduit|conduit|a", ADULT, manner="carefully quickly slowly well badly"),
    _v("arrive", "intr", "arrive|arrives|arrived|arrived", "ankommen|kommt|angekommen|ist",
       "arriver|arrive|arrivé|est", ADULT + " public",
       places=("station", "train_station", "airport", "hotel", "harbour") + CITIES + COUNTRIES,
       manner="on_time behind", de_part="an", flags="sched"),
    _v("leave", "intr", "leave|leaves|left|left", "abfahren|fährt|abgefahren|ist",
       "partir|part|parti|est", "public", manner="on_time behind", de_part="ab",
       flags="sched"),
    _v("get_up", "intr", "get up|gets up|got up|got up", "aufstehen|steht|aufgestanden|ist",
       "lever|lève|levé|est", PEOPLE, manner="early late", de_part="auf", fr_refl=True),
    _v("wake_up", "intr", "wake up|wakes up|woke up|woken up", "aufwachen|wacht|aufgewacht|ist",
       "réveiller|réveille|réveillé|est", PEOPLE + " baby", manner="early late", de_part="auf",
       fr_refl=True, flags="no_gern"),
    _v("fall_asleep", "intr", "fall asleep|falls asleep|fell asleep|fallen asleep",
       "einschlafen|schläft|eingeschlafen|ist", "endormir|endort|endormi|est",
       PEOPLE + " baby pet", places=("living_room", "bedroom", "on_train", "garden"),
       manner="quickly", de_part="ein", fr_refl=True, flags="no_gern"),
    _v("walk", "intr", "go for a walk|goes for a walk|went for a walk|gone for a walk",
       "spazieren gehen|geht|spazieren gegangen|ist", "promener|promène|promené|est", PEOPLE,
       places=("park", "forest", "lake", "beach", "town", "garden"), de_part="spazieren",
       fr_refl=True),
    _v("shop", "intr", "go shopping|goes shopping|went shopping|gone shopping",
       "einkaufen gehen|geht|einkaufen gegangen|ist", "faire|fait|fait|a", ADULT,
       places=("supermarket", "market", "town"), de_part="einkaufen", fr_tail="les courses"),
    _v("tv", "intr", "watch television|watches television|watched television|watched television",
       "fernsehen|sieht|ferngesehen|hat", "regarder|regarde|regardé|a", PEOPLE,
       places=("living_room", "bedroom", "home", "hotel"), de_part="fern",
       fr_tail="la télévision"),
    _v("come_home", "intr", "come home|comes home|came home|come home",
       "nach Hause kommen|kommt|nach Hause gekommen|ist", "rentrer|rentre|rentré|est",
       ADULT + " kid", manner="early late", de_part="nach Hause"),
    _v("shower", "intr", "take a shower|takes a shower|took a shower|taken a shower",
       "duschen|duscht|geduscht|hat", "doucher|douche|douché|est", PEOPLE, fr_refl=True),
    _v("breakfast", "intr", "have breakfast|has breakfast|had breakfast|had breakfast",
       "frühstücken|frühstückt|gefrühstückt|hat", "prendre|prend|pris|a", PEOPLE,
       places=("kitchen", "garden", "hotel", "cafe", "home"), fr_tail="le petit déjeuner"),
    _v("lunch", "intr", "have lunch|has lunch|had lunch|had lunch",
       "zu Mittag essen|isst|zu Mittag gegessen|hat", "déjeuner|déjeune|déjeuné|a", PEOPLE,
       places=("restaurant", "cafe", "kitchen", "garden", "office", "school", "home"),
       de_part="zu Mittag"),
    _v("dinner", "intr", "have dinner|has dinner|had dinner|had dinner",
       "zu Abend essen|isst|zu Abend gegessen|hat", "dîner|dîne|dîné|a", PEOPLE,
       places=("restaurant", "kitchen", "garden", "hotel", "home"), de_part="zu Abend"),
    _v("travel", "dir", "travel|travels|travelled|travelled", "reisen|reist|gereist|ist",
       "voyager|voyage|voyagé|a", ADULT, places=COUNTRIES),
    _v("go", "dir", "go|goes|went|gone", "gehen|geht|gegangen|ist", "aller|va|allé|est",
       PEOPLE, places=TOWN + ROOMS_DIR + FAR),
    # be + adjective in English, "have" + noun in German and French
    _v("hungry", "intr", "be hungry|is hungry|was hungry|been hungry", "haben|hat|gehabt|hat",
       "avoir|a|eu|a", PEOPLE + " animal", de_fixed=("Hunger", "keinen Hunger"), fr_tail="faim",
       flags="be"),
    _v("thirsty", "intr", "be thirsty|is thirsty|was thirsty|been thirsty",
       "haben|hat|gehabt|hat", "avoir|a|eu|a", PEOPLE + " animal",
       de_fixed=("Durst", "keinen Durst"), fr_tail="soif", flags="be"),
    _v("afraid", "tr", "be afraid of|is afraid of|was afraid of|been afraid of",
       "haben|hat|gehabt|hat", "avoir|a|eu|a", "kid adult", obj="animal",
       de_fixed=("Angst", "keine Angst"), de_case="vor+dat", fr_tail="peur", fr_prep="de",
       flags="be"),
    # --- transitive -----------------------------------------------------------------------
    _v("read", "tr", "read|reads|read|read", "lesen|liest|gelesen|hat", "lire|lit|lu|a",
       "kid adult elder", obj="readable",
       places=HOME + ("park", "library", "cafe", "on_train", "on_bus", "beach"),
       manner="slowly quickly", obj_optional=True),
    _v("write", "tr", "write|writes|wrote|written", "schreiben|schreibt|geschrieben|hat",
       "écrire|écrit|écrit|a", "kid adult elder", obj="writable",
       places=("kitchen", "office", "library", "cafe", "home", "living_room", "bedroom"),
       manner="slowly quickly", obj_optional=True),
    _v("eat", "tr", "eat|eats|ate|eaten", "essen|isst|gegessen|hat", "manger|mange|mangé|a",
       PEOPLE + " animal", obj="food",
       places=("kitchen", "restaurant", "cafe", "garden", "home", "park"),
       manner="slowly quickly", obj_optional=True, de_animal="fressen|frisst|gefressen|hat"),
    _v("drink", "tr", "drink|drinks|drank|drunk", "trinken|trinkt|getrunken|hat",
       "boire|boit|bu|a", PEOPLE, obj="drink",
       places=("kitchen", "cafe", "restaurant", "garden", "home"), manner="slowly"),
    _v("buy", "tr", "buy|buys|bought|bought", "kaufen|kauft|gekauft|hat",
       "acheter|achète|acheté|a", ADULT,
       obj="food drink readable portable wearable vehicle furniture decor",
       places=("market", "supermarket", "town", "bakery")),
    _v("sell", "tr", "sell|sells|sold|sold", "verkaufen|verkauft|verkauft|hat",
       "vendre|vend|vendu|a", ADULT, obj="food vehicle furniture wearable device decor",
       places=("market", "town")),
    _v("see", "tr", "see|sees|saw|seen", "sehen|sieht|gesehen|hat", "voir|voit|vu|a",
       PEOPLE + " animal", obj="animal person vehicle", places=OUTDOORS + ("zoo", "town")),
    _v("find", "tr", "find|finds|found|found", "finden|findet|gefunden|hat",
       "trouver|trouve|trouvé|a", PEOPLE + " dog", obj="losable toy",
       places=HOME + ("park", "forest", "beach")),
    _v("lose", "tr", "lose|loses|lost|lost", "verlieren|verliert|verloren|hat",
       "perdre|perd|perdu|a", PEOPLE, obj="losable", flags="no_modal no_gern no_zu",
       places=("park", "forest", "town", "on_train", "on_bus", "beach", "station")),
    _v("forget", "tr", "forget|forgets|forgot|forgotten", "vergessen|vergisst|vergessen|hat",
       "oublier|oublie|oublié|a", PEOPLE, obj="losable", flags="no_modal no_gern no_zu",
       places=("on_train", "on_bus", "cafe", "restaurant", "office", "school")),
    _v("look_for", "tr", "look for|looks for|looked for|looked for", "suchen|sucht|gesucht|hat",
       "chercher|cherche|cherché|a", PEOPLE + " dog", obj="losable toy pet",
       places=HOME + ("park", "forest"), flags="no_what"),
    _v("like", "tr", "like|likes|liked|liked", "mögen|mag|gemocht|hat", "aimer|aime|aimé|a",
       PEOPLE + " pet", obj="food drink animal person", generic=True,
       flags="no_perf no_past no_modal no_gern stative no_zu"),
    _v("love", "tr", "love|loves|loved|loved", "lieben|liebt|geliebt|hat", "adorer|adore|adoré|a",
       PEOPLE, obj="food drink pet", generic=True,
       flags="no_perf no_past no_modal no_gern stative no_zu"),
    _v("help", "tr", "help|helps|helped|helped", "helfen|hilft|geholfen|hat",
       "aider|aide|aidé|a", PEOPLE, obj="person", de_case="dat",
       places=("kitchen", "garden", "office", "school", "station")),
    _v("thank", "tr", "thank|thanks|thanked|thanked", "danken|dankt|gedankt|hat",
       "remercier|remercie|remercié|a", PEOPLE, obj="person", de_case="dat"),
    _v("follow", "tr", "follow|follows|followed|followed", "folgen|folgt|gefolgt|ist",
       "suivre|suit|suivi|a", PEOPLE + " animal", obj="person animal", de_case="dat",
       places=("park", "forest", "town")),
    _v("answer", "tr", "answer|answers|answered|answered", "antworten|antwortet|geantwortet|hat",
       "répondre|répond|répondu|a", PEOPLE, obj="person", de_case="dat", fr_prep="à"),
    _v("ask", "tr", "ask|asks|asked|asked", "fragen|fragt|gefragt|hat",
       "demander|demande|demandé|a", PEOPLE, obj="person", fr_prep="à"),
    _v("listen", "tr", "listen to|listens to|listened to|listened to", "zuhören|hört|zugehört|hat",
       "écouter|écoute|écouté|a", PEOPLE, obj="person", de_case="dat", de_part="zu",
       flags="no_what"),
    _v("meet", "tr", "meet|meets|met|met", "treffen|trifft|getroffen|hat",
       "rencontrer|rencontre|rencontré|a", ADULT + " kid", obj="person",
       places=("park", "cafe", "restaurant", "station", "town", "market", "library")),
    _v("know", "tr", "know|knows|knew|known", "kennen|kennt|gekannt|hat",
       "connaître|connaît|connu|a", PEOPLE, obj="person visitable",
       flags="no_perf no_past no_modal no_gern stative no_zu"),
    _v("visit_place", "tr", "visit|visits|visited|visited", "besuchen|besucht|besucht|hat",
       "visiter|visite|visité|a", ADULT + " kid", obj="visitable", flags="sched"),
    _v("visit_person", "tr", "visit|visits|visited|visited", "besuchen|besucht|besucht|hat",
       "rendre|rend|rendu|a", ADULT + " kid", obj="person", fr_tail="visite", fr_prep="à",
       flags="sched"),
    _v("call", "tr", "call|calls|called|called", "anrufen|ruft|angerufen|hat",
       "appeler|appelle|appelé|a", ADULT + " kid", obj="person", de_part="an"),
    _v("invite", "tr", "invite|invites|invited|invited", "einladen|lädt|eingeladen|hat",
       "inviter|invite|invité|a", ADULT + " kid", obj="person", de_part="ein"),
    _v("pick_up", "tr", "pick up|picks up|picked up|picked up", "abholen|holt|abgeholt|hat",
       "aller|va|allé|est", ADULT, obj="person", de_part="ab", fr_tail="chercher",
       places=("station", "train_station", "airport", "school", "bus_stop")),
    _v("tidy", "tr", "tidy up|tidies up|tidied up|tidied up", "aufräumen|räumt|aufgeräumt|hat",
       "ranger|range|rangé|a", PEOPLE, obj="room", de_part="auf", manner="quickly"),
    _v("clean", "tr", "clean|cleans|cleaned|cleaned", "putzen|putzt|geputzt|hat",
       "nettoyer|nettoie|nettoyé|a", ADULT + " kid", obj="room ware openable"),
    _v("wash", "tr", "wash|washes|washed|washed", "waschen|wäscht|gewaschen|hat",
       "laver|lave|lavé|a", ADULT + " kid", obj="drivable bike wearable ware dog"),
    _v("open", "tr", "open|opens|opened|opened", "aufmachen|macht|aufgemacht|hat",
       "ouvrir|ouvre|ouvert|a", PEOPLE, obj="openable", de_part="auf", manner="slowly quietly"),
    _v("close", "tr", "close|closes|closed|closed", "zumachen|macht|zugemacht|hat",
       "fermer|ferme|fermé|a", PEOPLE, obj="openable", de_part="zu", manner="slowly quietly"),
    _v("bring", "tr", "bring|brings|brought|brought", "mitbringen|bringt|mitgebracht|hat",
       "apporter|apporte|apporté|a", ADULT + " kid", obj="baked giftable", de_part="mit"),
    _v("cook", "tr", "cook|cooks|cooked|cooked", "kochen|kocht|gekocht|hat",
       "préparer|prépare|préparé|a", ADULT, obj="dish", places=("kitchen", "restaurant")),
    _v("bake", "tr", "bake|bakes|baked|baked", "backen|backt|gebacken|hat", "faire|fait|fait|a",
       ADULT, obj="baked", places=("kitchen", "bakery")),
    _v("feed", "tr", "feed|feeds|fed|fed", "füttern|füttert|gefüttert|hat",
       "nourrir|nourrit|nourri|a", PEOPLE, obj="animal baby", places=("garden", "zoo")),
    _v("hear", "tr", "hear|hears|heard|heard", "hören|hört|gehört|hat",
       "entendre|entend|entendu|a", PEOPLE + " animal", obj="animal baby person",
       places=("garden", "forest", "park"), flags="no_zu"),
    _v("understand", "tr", "understand|understands|understood|understood",
       "verstehen|versteht|verstanden|hat", "comprendre|comprend|compris|a", PEOPLE,
       obj="understandable readable lang person", flags="no_gern stative"),
    _v("learn", "tr", "learn|learns|learned|learned", "lernen|lernt|gelernt|hat",
       "apprendre|apprend|appris|a", "kid adult elder", obj="lang",
       places=("school", "home") + CITIES + COUNTRIES),
    _v("speak", "tr", "speak|speaks|spoke|spoken", "sprechen|spricht|gesprochen|hat",
       "parler|parle|parlé|a", "kid adult elder", obj="lang", fr_bare=True),
    _v("teach", "tr", "teach|teaches|taught|taught", "unterrichten|unterrichtet|unterrichtet|hat",
       "enseigner|enseigne|enseigné|a", "adult", obj="lang", places=("school",) + CITIES),
    _v("play_game", "tr", "play|plays|played|played", "spielen|spielt|gespielt|hat",
       "jouer|joue|joué|a", "kid adult elder", obj="game", fr_prep="à",
       places=("garden", "park", "playground", "living_room", "school"), flags="no_neg no_what"),
    _v("paint", "tr", "paint|paints|painted|painted", "malen|malt|gemalt|hat",
       "peindre|peint|peint|a", PEOPLE, obj="paintable animal", places=("garden", "living_room"),
       obj_optional=True),
    _v("repair", "tr", "repair|repairs|repaired|repaired", "reparieren|repariert|repariert|hat",
       "réparer|répare|réparé|a", ADULT, obj="drivable bike device furniture",
       places=("garage",)),
    _v("carry", "tr", "carry|carries|carried|carried", "tragen|trägt|getragen|hat",
       "porter|porte|porté|a", ADULT + " kid", obj="carryable baby"),
    _v("wear", "tr", "wear|wears|wore|worn", "tragen|trägt|getragen|hat", "porter|porte|porté|a",
       PEOPLE, obj="wearable", flags="no_perf no_past"),
    _v("order", "tr", "order|orders|ordered|ordered", "bestellen|bestellt|bestellt|hat",
       "commander|commande|commandé|a", ADULT, obj="food drink", places=("restaurant", "cafe")),
    _v("take", "tr", "take|takes|took|taken", "nehmen|nimmt|genommen|hat",
       "prendre|prend|pris|a", ADULT + " kid", obj="public", flags="def_only"),
    _v("miss", "tr", "miss|misses|missed|missed", "verpassen|verpasst|verpasst|hat",
       "rater|rate|raté|a", ADULT + " kid", obj="public", flags="def_only no_modal no_gern no_zu"),
    _v("drive", "tr", "drive|drives|drove|driven", "fahren|fährt|gefahren|hat",
       "conduire|conduit|conduit|a", ADULT, obj="drivable public", flags="def_only"),
    _v("wait_for", "tr", "wait for|waits for|waited for|waited for", "warten|wartet|gewartet|hat",
       "attendre|attend|attendu|a", PEOPLE, obj="public person", de_case="auf+acc",
       places=("station", "train_station", "bus_stop", "airport", "cafe", "harbour"),
       manner="patiently", flags="def_only no_what"),
    _v("look_at", "tr", "look at|looks at|looked at|looked at", "ansehen|sieht|angesehen|hat",
       "regarder|regarde|regardé|a", PEOPLE, obj="decor showable animal baby",
       de_part="an", flags="no_what"),
    # --- ditransitive: German dative + accusative, French direct object + à ----------------
    _v("give", "ditr", "give|gives|gave|given", "geben|gibt|gegeben|hat", "donner|donne|donné|a",
       ADULT + " kid", obj="giftable countfood toy", iobj="person"),
    _v("show", "ditr", "show|shows|showed|shown", "zeigen|zeigt|gezeigt|hat",
       "montrer|montre|montré|a", ADULT + " kid", obj="showable decor readable", iobj="person"),
    _v("send", "ditr", "send|sends|sent|sent", "schicken|schickt|geschickt|hat",
       "envoyer|envoie|envoyé|a", ADULT + " kid", obj="sendable giftable", iobj="person"),
    _v("tell", "ditr", "tell|tells|told|told", "erzählen|erzählt|erzählt|hat",
       "raconter|raconte|raconté|a", ADULT + " kid", obj="tellable", iobj="person"),
    _v("read_to", "ditr", "read|reads|read|read", "vorlesen|liest|vorgelesen|hat",
       "lire|lit|lu|a", "adult elder", obj="tellable readable", iobj="kid", de_part="vor",
       flags="no_what"),
    _v("serve", "ditr", "bring|brings|brought|brought", "bringen|bringt|gebracht|hat",
       "apporter|apporte|apporté|a", "adult", obj="countfood drink", iobj="adult elder",
       places=("restaurant", "cafe"), flags="serving"),
]
VERB = {v.key: v for v in VERBS}
EVENT_VERBS = [v for v in VERBS if "stative" not in v.flags and "be" not in v.flags]
# "last year" only goes with things one does once a year or over a year
YEAR_VERBS = {"travel", "live", "visit_place", "visit_person", "buy", "sell", "learn", "go",
              "paint", "write", "teach", "understand", "work", "study", "invite"}


def _clock(*hours: int) -> tuple[str, ...]:
    return tuple(f"{k}_{h}" for h in hours for k in ("at", "half", "quarter"))


DAYS = ("today", "tomorrow", "day_after_tomorrow", "yesterday", "day_before_yesterday",
        "last_week", "last_year", "weekend", "summer", "winter", "spring", "autumn", "every_day",
        "on_monday", "on_tuesday", "on_wednesday", "on_thursday", "on_friday", "on_saturday",
        "on_sunday")
# Verbs that only make sense at some times of day: no breakfast in the evening, no getting up
# at night. Verbs not listed here take any time adverbial that fits their tense.
VERB_TIMES: dict[str, tuple[str, ...]] = {
    "breakfast": DAYS + ("morning", "every_morning", "this_morning") + _clock(6, 7, 8, 9),
    "lunch": DAYS + ("noon",) + _clock(1),
    "dinner": DAYS + ("evening", "every_evening", "last_night") + _clock(6, 7, 8),
    "get_up": DAYS + ("morning", "every_morning", "this_morning") + _clock(5, 6, 7, 8, 9, 10),
    "wake_up": DAYS + ("morning", "every_morning", "this_morning") + _clock(5, 6, 7, 8, 9, 10),
    "fall_asleep": DAYS + ("evening", "every_evening", "night", "last_night", "midnight")
    + _clock(8, 9, 10, 11),
    "shower": DAYS + ("morning", "every_morning", "this_morning", "evening", "every_evening",
                      "last_night"),
    "hungry": ("today", "morning", "afternoon", "evening", "night"),
    "thirsty": ("today", "morning", "afternoon", "evening", "night"),
    "afraid": ("today", "night"),
    "come_home": DAYS + ("evening", "every_evening", "night", "last_night", "afternoon",
                         "midnight") + _clock(4, 5, 6, 7, 8, 9, 10, 11),
}

# Arrival and departure places depend on the vehicle.
VEHICLE_PLACES: dict[str, tuple[str, ...]] = {
    "train": ("station", "train_station") + CITIES,
    "tram": ("station",),
    "bus": ("station", "bus_stop", "airport"),
    "plane": ("airport",) + CITIES,
    "ship": ("harbour",),
    "taxi": ("station", "airport", "hotel"),
}


@dataclass(frozen=True)
class Modal:
    key: str
    en: str                        # wants to / can / must / would like to
    en_neg: str | None
    de: str
    de_neg: str | None             # "must not" is "darf nicht", not "muss nicht"
    fr: str


MODALS: list[Modal] = [
    Modal("want", "wants to", "does not want to", "will", "will", "veut"),
    Modal("can", "can", "cannot", "kann", "kann", "peut"),
    Modal("must", "must", "must not", "muss", "darf", "doit"),
    Modal("would_like", "would like to", None, "möchte", None, "voudrait"),
]
MODAL = {m.key: m for m in MODALS}

# ------------------------------------------------------------------------------------------------
# Morphology helpers
# ------------------------------------------------------------------------------------------------

FR_VOWELS = set("aeiouàâäéèêëîïôöûùüœæ")
FR_MUTE_H = ("homme", "hôtel", "hôpital", "histoire", "heure", "hiver", "horaire", "herbe",
             "huile", "habite", "habiter", "habitude")
FR_ELIDE = {"le": "l'", "la": "l'", "de": "d'", "que": "qu'", "ne": "n'", "je": "j'", "se": "s'",
            "me": "m'", "te": "t'", "jusque": "jusqu'", "lorsque": "lorsqu'", "puisque": "puisqu'"}


def fr_vowel_initial(word: str) -> bool:
    """Does a French word elide the word before it? Vowels and mute h do; "huit"/"onze" don't."""
    w = word.lower()
    if w.startswith(("huit", "onze", "oui")):
        return False
    return w[:1] in FR_VOWELS or w.startswith(FR_MUTE_H)


def fr_plural(word: str) -> str:
    """Regular French plural of one word: -s, -x after -eau, -aux for -al, unchanged after
    -s/-x/-z (bleu → bleus: the -eu nouns that take -x are given explicitly in the tables)."""
    if " " in word or word.endswith(("s", "x", "z")):
        return word                        # "en colère" does not change
    if word.endswith("eau"):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


def en_plural(noun: Noun) -> str:
    if noun.en_pl:
        return noun.en_pl
    w = noun.en
    if w.endswith(("s", "x", "ch", "sh")):
        return w + "es"
    if w.endswith("y") and w[-2:-1] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


def fr_noun_plural(noun: Noun) -> str:
    if noun.fr_pl:
        return noun.fr_pl
    assert " " not in noun.fr and "-" not in noun.fr, f"{noun.key}: multi-word plural needs data"
    return fr_plural(noun.fr)


EN_AN_EXCEPTIONS = ("uni", "use", "eu", "one", "once")


def en_article(next_word: str) -> str:
    """'a' or 'an' by the sound of the next word (the lexicon avoids the tricky cases)."""
    w = next_word.lower()
    if w.startswith(EN_AN_EXCEPTIONS):
        return "a"
    return "an" if w[:1] in "aeiou" or w.startswith(("hour", "honest")) else "a"


def capitalize(s: str) -> str:
    return s[:1].upper() + s[1:]


def fr_finish(text: str) -> str:
    """French orthography on a space-separated draft: contractions (à le → au, de le → du,
    à/de les → aux/des) and elision (le → l', que → qu', si il → s'il), left to right."""
    toks = text.split()
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        after = toks[i + 2] if i + 2 < len(toks) else ""
        if t.lower() in ("à", "de") and nxt == "les":
            out.append({"à": "aux", "de": "des"}[t.lower()] if t.islower() else
                       {"à": "Aux", "de": "Des"}[t.lower()])
            i += 2
            continue
        if t.lower() in ("à", "de") and nxt == "le" and not fr_vowel_initial(after):
            out.append({"à": "au", "de": "du"}[t.lower()] if t.islower() else
                       {"à": "Au", "de": "Du"}[t.lower()])
            i += 2
            continue
        out.append(t)
        i += 1
    # elision: glue the elided word onto the next one
    res: list[str] = []
    j = 0
    while j < len(out):
        t = out[j]
        nxt = out[j + 1] if j + 1 < len(out) else ""
        low = t.lower()
        if nxt and low in FR_ELIDE and fr_vowel_initial(nxt):
            el = FR_ELIDE[low]
            res.append((capitalize(el) if t[:1].isupper() else el) + nxt)
            j += 2
            continue
        if nxt and low == "si" and nxt in ("il", "ils"):
            res.append(("S'" if t[:1].isupper() else "s'") + nxt)
            j += 2
            continue
        res.append(t)
        j += 1
    return " ".join(res)


# ------------------------------------------------------------------------------------------------
# Noun phrases
# ------------------------------------------------------------------------------------------------


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
    pron: str | None = None        # "he" / "she"

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
    return " ".join(words)               # mass


# --- German ---

DE_DEF = {"nom": {"m": "der", "f": "die", "n": "das", "pl": "die"},
          "acc": {"m": "den", "f": "die", "n": "das", "pl": "die"},
          "dat": {"m": "dem", "f": "der", "n": "dem", "pl": "den"}}
DE_EIN = {"nom": {"m": "ein", "f": "eine", "n": "ein"},
          "acc": {"m": "einen", "f": "eine", "n": "ein"},
          "dat": {"m": "einem", "f": "einer", "n": "einem"}}
# adjective endings after der/die/das (weak), after ein/kein (mixed), with no article (strong)
DE_WEAK = {"nom": {"m": "e", "f": "e", "n": "e", "pl": "en"},
           "acc": {"m": "en", "f": "e", "n": "e", "pl": "en"},
           "dat": {"m": "en", "f": "en", "n": "en", "pl": "en"}}
DE_MIXED = {"nom": {"m": "er", "f": "e", "n": "es"},
            "acc": {"m": "en", "f": "e", "n": "es"},
            "dat": {"m": "en", "f": "en", "n": "en"}}
DE_STRONG = {"nom": {"m": "er", "f": "e", "n": "es", "pl": "e"},
             "acc": {"m": "en", "f": "e", "n": "es", "pl": "e"},
             "dat": {"m": "em", "f": "er", "n": "em", "pl": "en"}}
DE_PRON = {"he": "er", "she": "sie"}
DE_REL = DE_DEF                   # relative pronouns der/die/das, den, dem (no genitive here)
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
    else:                                  # bare mass noun
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
    else:                                   # bare
        art = ""
    return " ".join(w for w in [art] + words if w)


# ------------------------------------------------------------------------------------------------
# Clauses
# ------------------------------------------------------------------------------------------------


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
    to: Place | None = None         # destination of a "dir" verb
    time: Time | None = None
    adv: Adverb | None = None
    tense: str = "pres"
    modal: Modal | None = None
    neg: bool = False
    gern: bool = False               # likes to V / V gern / aime V

    @property
    def never(self) -> bool:
        return bool(self.adv and self.adv.key == "never")

    @property
    def freq(self) -> Adverb | None:
        return self.adv if self.adv and self.adv.kind == "freq" else None

    @property
    def manner(self) -> Adverb | None:
        return self.adv if self.adv and self.adv.kind == "manner" else None


# --- English -------------------------------------------------------------------------------


def en_vp(c: Clause, *, drop_obj: bool = False, drop_place: bool = False, drop_time: bool = False,
          inverted: bool = False) -> str:
    """English verb phrase (everything after the subject). ``inverted``: the auxiliary went to
    the front of a question, so the verb is in its bare form."""
    base, s3, past, pp = c.verb.en
    be = "be" in c.verb.flags
    words: list[str] = []
    if inverted:
        if c.tense == "perf":
            words.append(pp)
        elif c.tense == "modal":
            assert c.modal
            words.append({"want": "want to", "can": "", "would_like": "like to"}[c.modal.key])
            words.append(base)
        else:
            words.append(base)
    elif be:
        is_, rest = s3.split(" ", 1)
        words += [is_, "not", rest] if c.neg else [s3]
    elif c.tense == "pres":
        if c.gern:
            words.append("does not like to" if c.neg else "likes to")
            words.append(base)
        elif c.neg:
            words += ["does not", base]
        else:
            if c.freq:
                words.append(c.freq.en)
            words.append(s3)
    elif c.tense == "perf":
        words += ["has", "not", pp] if c.neg else ["has", pp]
    elif c.tense == "past":
        words += ["did not", base] if c.neg else [past]
    else:
        assert c.modal
        words += [c.modal.en_neg if c.neg else c.modal.en, base]
        assert not c.neg or c.modal.en_neg
    if c.iobj:
        words.append(en_np(c.iobj))
    if c.obj and not drop_obj:
        words.append(en_np(c.obj))
    if c.place and not drop_place:
        words.append(c.place.en)
    if c.to and not drop_place:
        words.append(c.to.en_dir or "")
    if c.manner:
        words.append(c.manner.en)
    if c.time and not drop_time:
        words.append(c.time.en)
    return " ".join(w for w in words if w)


def en_clause(c: Clause, **kw) -> str:
    return f"{en_np(c.subj)} {en_vp(c, **kw)}"


def en_question(c: Clause, wh: str | None = None) -> str:
    """Yes/no or wh-question with do-support: Does the man read…? What does the man read?"""
    if wh == "who":
        return "who " + en_vp(c)
    aux = {"pres": "does", "perf": "has", "past": "did"}.get(c.tense)
    if c.tense == "modal":
        assert c.modal
        aux = {"want": "does", "can": "can", "would_like": "would"}[c.modal.key]
    assert aux
    drop = dict(drop_obj=wh == "what", drop_place=wh == "where", drop_time=wh == "when")
    head = f"{aux} {en_np(c.subj)} {en_vp(c, inverted=True, **drop)}"
    return f"{wh} {head}" if wh else head


# --- German --------------------------------------------------------------------------------


def de_verb(c: Clause) -> tuple[str, str, str]:
    """(finite verb, right bracket, verb cluster of a subordinate clause).

    Main clause: "Der Zug *kommt* am Bahnhof *an*." Subordinate: "…, weil der Zug am Bahnhof
    *ankommt*." Perfect and modal put the participle or infinitive in the right bracket.
    """
    v = c.verb
    inf, fin, pp, aux = v.de
    if v.de_animal and c.subj.noun and c.subj.noun.has({"animal"}):
        inf, fin, pp, aux = v.de_animal      # animals "fressen", people "essen"
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
    if "+" in case:                        # prepositional object: auf den Bus, vor dem Hund
        prep, case = case.split("+")
        return f"{prep} {de_np(np, case)}"
    return de_np(np, case, kein=kein)


def de_middle(c: Clause, *, drop_obj: bool = False, drop_place: bool = False,
              drop_time: bool = False) -> list[str]:
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
    if v.de_fixed:                         # hat Hunger / hat keine Angst
        out.append(v.de_fixed[1] if neg_pending else v.de_fixed[0])
        neg_pending = False
    prep_obj = "+" in v.de_case and c.obj and not drop_obj
    if prep_obj and c.place and not drop_place:
        out.append(c.place.de)             # wartet im Hafen auf den König
    if neg_pending and prep_obj:
        out.append("nicht")                # wartet nicht auf den Bus
        neg_pending = False
    if prep_obj and c.manner:
        out.append(c.manner.de)            # wartet (nicht) geduldig auf den Arzt
    if c.iobj:
        out.append(de_np(c.iobj, "dat"))
    bare = ""                              # Kaffee, Deutsch, Fußball: stays next to the verb
    if c.obj and not drop_obj:
        kein = (neg_pending and c.obj.det in ("indef", "mass") and v.de_case == "acc")
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
        out.append(bare)                   # spielt im Park Fußball, trinkt langsam Kaffee
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
        rest = inf[len(part):].strip()
        zu = f"{part} zu {rest}" if " " in inf else f"{part}zu{rest}"
    else:
        zu = f"zu {inf}"
    return " ".join(de_middle(c) + [zu])


# --- French --------------------------------------------------------------------------------


def fr_obj_det(c: Clause, np: NP) -> str:
    """French determiner for an object: partitive for bare mass nouns, definite for generic
    objects of aimer and for languages and games, "de" under a negation (pas de café)."""
    v = c.verb
    n = np.noun
    det = np.det
    if det == "mass":
        assert n
        if v.fr_bare or n.fr_bare:
            det = "bare"
        elif v.generic or n.has({"lang", "game"}):
            det = "def"
        else:
            det = "part"
    if (c.neg or c.never) and det in ("indef", "part") and not v.fr_prep:
        det = "de"
    return det


def fr_vp(c: Clause, *, drop_obj: bool = False, drop_place: bool = False,
          drop_time: bool = False, subj_gender: str | None = None) -> str:
    """French verb phrase: ne + (se) + verb + pas/jamais + …; objects, à-objects, place,
    manner, time. Participles agree with the subject after être."""
    v = c.verb
    inf, fin, pp, aux = v.fr
    g = subj_gender or c.subj.fr_gender
    neg_word = "jamais" if c.never else ("pas" if c.neg else "")
    se = "se" if v.fr_refl else ""
    ne = "ne" if neg_word else ""
    words: list[str]
    if c.gern:
        words = [ne, "aime", neg_word, se, inf]
    elif c.tense == "pres":
        words = [ne, se, fin, neg_word]
        if c.freq and not c.never:
            words.append(c.freq.fr)
    elif c.tense in ("perf", "past"):
        aux_form = {"a": "a", "est": "est"}[aux]
        part = pp + ("e" if aux == "est" and g == "f" else "")
        words = [ne, se, aux_form, neg_word, part]
    else:
        assert c.modal
        words = [ne, c.modal.fr, neg_word, se, inf]
    if v.fr_tail:
        words.append(v.fr_tail)
    if c.obj and not drop_obj:
        obj = fr_np(c.obj, fr_obj_det(c, c.obj))
        words.append(f"{v.fr_prep} {obj}" if v.fr_prep else obj)
    if c.iobj:
        words.append("à " + fr_np(c.iobj))
    if c.place and not drop_place:
        words.append(c.place.fr)
    if c.to and not drop_place:
        words.append(c.to.fr_dir or "")
    if c.manner:
        words.append(c.manner.fr)
    if c.time and not drop_time:
        words.append(c.time.fr)
    return " ".join(w for w in words if w)


def fr_clause(c: Clause, **kw) -> str:
    return f"{fr_np(c.subj)} {fr_vp(c, **kw)}"


def fr_question(c: Clause, wh: str | None = None) -> str:
    """Questions with est-ce que, the common neutral register: Est-ce que l'homme lit… ?"""
    if wh == "who":
        return "qui " + fr_vp(c, subj_gender="m")
    word = {"what": "qu'est-ce que", "where": "où est-ce que", "when": "quand est-ce que",
            None: "est-ce que"}[wh]
    drop = dict(drop_obj=wh == "what", drop_place=wh == "where", drop_time=wh == "when")
    return f"{word} {fr_clause(c, **drop)}"


# ------------------------------------------------------------------------------------------------
# Other clause types: predicates, location, age, weather
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pred:
    """"X is (very/too/not) ADJ" or "X is ADJ-er than Y"."""

    subj: NP
    adj: Adj
    degree: str = ""                 # "", "very", "too"
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
            form = (self.adj.fr_cmp[g == "f"] if self.adj.fr_cmp
                    else "plus " + self.adj.fr_form(g))
            return f"{fr_np(self.subj)} est {form} que {fr_np(self.than)}"
        deg = {"": "", "very": "très", "too": "trop"}[self.degree]
        words = [fr_np(self.subj), "n'est pas" if self.neg else "est", deg, self.adj.fr_form(g)]
        return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Located:
    """"The key is on the table" (definite) or "There is a key on the table" (existential).

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
            return {"lie": "liegen", "stand": "stehen"}[n.position] if self.plural else \
                {"lie": "liegt", "stand": "steht"}[n.position]
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
    """"The child is seven years old" – "Das Kind ist sieben Jahre alt" – "L'enfant a sept ans"."""

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


WEATHER: list[Weather] = [Weather(*row) for row in [
    ("rain", "it rains", "it is raining", "es regnet", "il pleut"),
    ("snow", "it snows", "it is snowing", "es schneit", "il neige"),
    ("sun", "the sun shines", "the sun is shining", "die Sonne scheint", "le soleil brille"),
    ("cold", "it is cold", "it is cold", "es kalt ist", "il fait froid"),
    ("warm", "it is warm", "it is warm", "es warm ist", "il fait chaud"),
    ("nice", "the weather is nice", "the weather is nice", "das Wetter schön ist", "il fait beau"),
    ("windy", "it is windy", "it is windy", "es windig ist", "il y a du vent"),
]]

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


# ------------------------------------------------------------------------------------------------
# Sentence frames: fixed matrix clauses and connectives
# ------------------------------------------------------------------------------------------------

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
    ("says", "sagt", "dit"), ("knows", "weiß", "sait"), ("thinks", "denkt", "pense"),
    ("believes", "glaubt", "croit"), ("hopes", "hofft", "espère"),
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
    ("Because", "Weil", "Comme"),          # a fronted "because" clause is "comme" in French
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


# ------------------------------------------------------------------------------------------------
# Sentences: meaning in, (English, German, French) out
# ------------------------------------------------------------------------------------------------

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
    return finish(f"{capitalize(t.en)} {en_clause(c, drop_time=True)}",
                  de_main(c, front=capitalize(t.de), drop_time=True),
                  f"{capitalize(t.fr)}, {fr_clause(c, drop_time=True)}")


def say_that(matrix: tuple[str, str, str], s: SubClause) -> Triple:
    """I know that the woman drinks coffee. / Ich weiß, dass die Frau Kaffee trinkt."""
    en_m, de_m, fr_m = matrix
    return finish(f"{en_m} {en_of(s)}", f"{de_m} {de_sub_of(s)}", f"{fr_m} {fr_of(s)}")


def say_after(main: Clause, conj: tuple[str, str, str], s: SubClause) -> Triple:
    """The woman smiles because the man reads. / Die Frau lächelt, weil der Mann liest."""
    return finish(f"{en_clause(main)} {conj[0]} {en_of(s)}",
                  f"{de_main(main)}, {conj[1]} {de_sub_of(s)}",
                  f"{fr_clause(main)} {conj[2]} {fr_of(s)}")


def say_question(c: Clause, wh: str | None = None) -> Triple:
    """Does the man read the book? / Liest der Mann das Buch? / Est-ce que l'homme lit… ?"""
    return finish(en_question(c, wh), de_question(c, wh), fr_question(c, wh), "?")


# ------------------------------------------------------------------------------------------------
# Sampling
# ------------------------------------------------------------------------------------------------


class Retry(Exception):
    """A sampled combination is not allowed; the caller draws again."""


class Maker:
    """Draws random meanings from the lexicon and realises them as sentence triples.

    Every ``t_*`` method is one sentence template; ``clause`` draws a compatible clause
    (verb, subject, objects, place, tense, negation…) and raises Retry for combinations the
    realisers cannot get right, so only safe sentences come out.
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

    def adj_for(self, n: Noun, *, attr: bool = True, pred: bool = False,
                cmp: bool = False) -> Adj | None:
        opts = [a for a in ADJS if n.has(a.tags) and (not attr or a.attr) and (not pred or a.pred)
                and (not cmp or a.de_cmp)]
        return self.pick(opts) if opts else None

    def np(self, tags: Iterable[str], *, dets: Sequence[str] = ("def", "def", "indef"),
           p_adj: float = 0.3, allow_pron: bool = False, noun: Noun | None = None) -> NP:
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

    def clause(self, *, tenses: Sequence[str] = ("pres", "pres", "pres", "perf", "past", "modal",
                                                  "modal"),
               p_time: float = 0.25, p_neg: float = 0.2, p_adv: float = 0.3,
               verbs: Sequence[Verb] | None = None, need_place: bool = False,
               simple: bool = False, allow_freq: bool = True, p_indef: float = 0.2) -> Clause:
        """Draw one clause that all three realisers handle correctly."""
        if verbs is not None and not verbs:
            raise Retry
        for _ in range(100):
            try:
                return self._clause(tenses, p_time, p_neg, p_adv, verbs, need_place, simple,
                                    allow_freq, p_indef)
            except Retry:
                continue
        raise Retry                          # this template's constraints were too tight

    def _clause(self, tenses, p_time, p_neg, p_adv, verbs, need_place, simple, allow_freq,
                p_indef) -> Clause:
        v: Verb = self.pick(VERBS if verbs is None else list(verbs))
        subj = self.subject(v, p_indef)
        vehicle = bool(subj.noun and subj.noun.has({"vehicle"}))
        # objects
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
            raise Retry                     # "A king asks a father" is grammatical but odd
        if v.kind == "ditr":
            iobj = self.np(v.iobj, dets=("def", "def", "indef"), p_adj=0.0 if simple else 0.2)
            if subj.noun and iobj.noun and iobj.noun.key == subj.noun.key:
                raise Retry
        # place
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
        # tense
        tense = self.pick(tenses)
        if "be" in v.flags and tense != "pres":
            tense = "pres"
        if tense == "perf" and not v.allows("no_perf"):
            raise Retry
        if tense == "past" and not v.allows("no_past"):
            raise Retry
        if tense == "modal" and (not v.allows("no_modal") or vehicle or subj.noun and
                                 subj.noun.has({"baby"})):
            raise Retry
        modal = self.pick(MODALS) if tense == "modal" else None
        # time
        time = None
        if tense == "past" or self.chance(p_time):
            time = self._time_for(v, tense, modal)
        if tense == "past" and "stative" in v.flags and not time:
            raise Retry
        # adverb
        adv = None
        gern = False
        if self.chance(p_adv) and not simple:
            kinds = []
            if v.manner and not place and "stative" not in v.flags:
                kinds.append("manner")
            if (allow_freq and tense == "pres" and "be" not in v.flags and not (time and time.freq)
                    and "stative" not in v.flags):
                kinds.append("freq")
            if (tense == "pres" and v.allows("no_gern") and "be" not in v.flags and not time
                    and not vehicle and subj.person):
                kinds.append("gern")
            kind = self.pick(kinds) if kinds else None
            if kind == "manner":
                adv = ADV[self.pick(v.manner)]
                if time and time.key in DAY_WORDS:
                    raise Retry             # "heute früh" would mean "this morning"
                if adv.key in ("well", "badly") and (tense != "pres" or obj or v.fr_tail):
                    raise Retry             # French "bien/mal" move before participles/objects
            elif kind == "freq":
                adv = self.pick(FREQ)
            elif kind == "gern":
                gern = True
        # negation
        neg = False
        if self.chance(p_neg) and v.allows("no_neg") and not (adv and adv.kind == "freq"):
            neg = True
            if place or (time and (time.clock or time.freq)):
                raise Retry                 # "nicht im Garten" reads as a contrast
            if obj and obj.det == "indef" and self.chance(0.5):
                raise Retry                 # keep "kein"/"pas de" but not everywhere
            if tense == "modal" and modal and not modal.en_neg:
                raise Retry
            if obj and obj.det == "indef" and (v.de_case != "acc" or gern or v.fr_prep):
                raise Retry
            if iobj and iobj.det == "indef":
                raise Retry
        if (gern or (adv and adv.key == "never")) and obj and obj.det == "indef":
            raise Retry
        if obj and obj.det == "indef" and obj.noun and obj.noun.count and tense == "pres" and \
                (adv and adv.kind == "freq"):
            raise Retry
        c = Clause(subj, v, obj, iobj, place, to, time, adv, tense, modal, neg, gern)
        return c

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
            if "be" in v.flags and t.clock:
                return False
            return True
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
            matrix = (f"{en_np(subj)} {verb[0]} that", f"{de_np(subj, 'nom')} {verb[1]}, dass",
                      f"{fr_np(subj)} {verb[2]} que")
        else:
            matrix = self.pick(THAT_MATRICES)
        return say_that(matrix, s)

    def t_whether(self) -> Triple:
        """I do not know whether the train arrives today → …, ob der Zug heute ankommt."""
        c = self.clause(p_neg=0.0, p_adv=0.2, allow_freq=False)
        en_m, de_m, fr_m = self.pick(ASK_MATRICES)
        return finish(f"{en_m} whether {en_clause(c)}", f"{de_m}, ob {de_sub(c)}",
                      f"{fr_m} si {fr_clause(c)}")

    def t_indirect(self) -> Triple:
        """We want to know where the woman works → …, wo die Frau arbeitet / wohin sie geht."""
        c = self.clause(need_place=True, p_neg=0.0, p_time=0.3, allow_freq=False,
                        tenses=("pres", "pres", "modal", "perf"))
        en_m, de_m, fr_m = self.pick(ASK_MATRICES)
        if c.time and not c.time.freq and self.chance(0.4) and c.tense != "perf":
            return finish(f"{en_m} when {en_clause(c, drop_time=True)}",
                          f"{de_m}, wann {de_sub(c, drop_time=True)}",
                          f"{fr_m} quand {fr_clause(c, drop_time=True)}")
        wo = "wohin" if c.to else "wo"
        return finish(f"{en_m} where {en_clause(c, drop_place=True)}",
                      f"{de_m}, {wo} {de_sub(c, drop_place=True)}",
                      f"{fr_m} où {fr_clause(c, drop_place=True)}")

    def weather_or_clause(self, conj_en: str) -> tuple[str, str, str]:
        if self.chance(0.3):
            w = self.pick(WEATHER)
            en = w.en_now if conj_en.lower() == "because" else w.en
            return en, w.de_sub, w.fr
        if conj_en.lower() in ("because", "while"):
            s: SubClause = self.sub_clause()
        else:                                 # when / if / as soon as: an event, not a state
            s = self.clause(tenses=("pres", "pres", "modal"), p_time=0.0, p_neg=0.0,
                            allow_freq=False, verbs=EVENT_VERBS)
        return en_of(s), de_sub_of(s), fr_of(s)

    def main_clause(self) -> Clause:
        return self.clause(tenses=("pres", "pres", "modal"), p_time=0.0, p_adv=0.2,
                           allow_freq=False, verbs=EVENT_VERBS)

    def t_conj_after(self) -> Triple:
        """The child stays at home because it is raining → …, weil es regnet → parce qu'il…"""
        m = self.main_clause()
        conj = self.pick(AFTER_CONJ)
        s_en, s_de, s_fr = self.weather_or_clause(conj[0])
        return finish(f"{en_clause(m)} {conj[0]} {s_en}", f"{de_main(m)}, {conj[1]} {s_de}",
                      f"{fr_clause(m)} {conj[2]} {s_fr}")

    def t_conj_front(self) -> Triple:
        """When it rains, the dog sleeps in the kitchen → Wenn es regnet, schläft der Hund…"""
        conj = self.pick(FRONT_CONJ)
        s_en, s_de, s_fr = self.weather_or_clause(conj[0])
        m = self.main_clause()
        return finish(f"{conj[0]} {s_en}, {en_clause(m)}",
                      de_main(m, front=f"{conj[1]} {s_de},"),
                      f"{conj[2]} {s_fr}, {fr_clause(m)}")

    def t_coord(self) -> Triple:
        a = self.clause(tenses=("pres", "perf"), p_time=0.0, p_adv=0.1, simple=True)
        b = self.clause(tenses=("pres", "perf"), p_time=0.0, p_adv=0.1, simple=True)
        if a.tense != b.tense or a.verb.key == b.verb.key:
            raise Retry
        if self.chance(0.5):
            return finish(f"{en_clause(a)} and {en_clause(b)}", f"{de_main(a)} und {de_main(b)}",
                          f"{fr_clause(a)} et {fr_clause(b)}")
        return finish(f"{en_clause(a)}, but {en_clause(b)}", f"{de_main(a)}, aber {de_main(b)}",
                      f"{fr_clause(a)}, mais {fr_clause(b)}")

    def t_question(self) -> Triple:
        """Does the man read the book? → Liest der Mann das Buch? → Est-ce que l'homme lit… ?"""
        c = self.clause(p_neg=0.0, p_adv=0.15, tenses=("pres", "pres", "perf", "modal", "past"),
                        allow_freq=False, p_indef=0.05)
        if "be" in c.verb.flags or c.adv and c.adv.kind == "freq" or c.gern:
            raise Retry
        if c.tense == "modal" and c.modal and c.modal.key == "must":
            raise Retry
        r = self.rng.random()
        wh: str | None = None
        if r < 0.2 and c.obj and c.verb.allows("no_what") and c.obj.noun and \
                not c.obj.noun.has({"person", "animal", "baby", "lang", "game"}) and \
                not c.iobj and not c.obj.adj:
            wh = "what"
        elif r < 0.35 and (c.place or c.to) and c.tense != "past":
            wh = "where"
        elif r < 0.45 and c.time and not c.time.freq and c.tense in ("pres", "past", "modal"):
            wh = "when"
        elif r < 0.55 and c.subj.person and not c.subj.pron and c.tense != "past":
            wh = "who"
        if c.tense == "past" and wh != "when":
            raise Retry                     # "did" questions only ask "when"
        return say_question(c, wh)

    def rel_head(self, tags: Iterable[str]) -> NP:
        return self.np(tags, dets=("def",), p_adj=0.0)

    def t_relative(self) -> Triple:
        """The man who reads the newspaper is old → Der Mann, der die Zeitung liest, ist alt."""
        r = self.rng.random()
        if r < 0.4:                           # subject relative + predicate
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
            return finish(f"{en_np(head)} {who} {en_vp(c)} is {adj.en}",
                          f"{de_np(head, 'nom')}, {de_rel}, ist {pred_de}",
                          f"{fr_np(head)} qui {fr_vp(c)} est {adj.fr_form(head.fr_gender)}")
        if r < 0.75:                          # object relative + predicate
            c = self.clause(tenses=("pres",), p_time=0.0, p_adv=0.2,
                            verbs=[v for v in VERBS if v.kind == "tr" and not v.fr_prep
                                   and v.de_case in ("acc", "dat") and not v.de_fixed
                                   and not v.generic and not v.fr_tail])
            if not c.obj or not c.obj.noun or c.obj.det == "mass" or c.gern:
                raise Retry
            head = replace(c.obj, det="def", adj=None)
            adj = self.adj_for(head.noun, attr=False, pred=True)
            if not adj:
                raise Retry
            c = replace(c, obj=head)
            g = head.noun.de_g
            rel = DE_REL_DAT[g] if c.verb.de_case == "dat" else DE_DEF["acc"][g]
            return finish(f"{en_np(head)} that {en_clause(c, drop_obj=True)} is {adj.en}",
                          f"{de_np(head, 'nom')}, {rel} {de_sub(c, drop_obj=True)}, ist {adj.de}",
                          f"{fr_np(head)} que {fr_clause(c, drop_obj=True)} est "
                          f"{adj.fr_form(head.fr_gender)}")
        # relative clause on the object of a main clause
        main_v = self.pick([VERB[k] for k in ("see", "hear", "find", "look_at", "like", "know",
                                              "feed", "help", "meet", "call")])
        if main_v.de_part:
            raise Retry                       # keep "an" etc. out of the way of the relative
        subj = self.subject(main_v)
        obj = self.np(main_v.obj, dets=("def",), p_adj=0.25)
        if not obj.noun or obj.noun.mass or (subj.noun and subj.noun.key == obj.noun.key):
            raise Retry
        rel_verbs = [v for v in VERBS if v.kind in ("intr", "tr") and obj.noun.has(v.subj)
                     and "be" not in v.flags]
        c = self.clause(tenses=("pres",), p_time=0.0, p_adv=0.2, verbs=rel_verbs, p_neg=0.1)
        c = replace(c, subj=replace(obj, adj=None))
        m = Clause(subj, main_v, obj)
        who = "who" if obj.person else "that"
        g = obj.noun.de_g
        return finish(f"{en_clause(m)} {who} {en_vp(c)}",
                      f"{de_main(m)}, {de_sub(c, subj=DE_DEF['nom'][g])}",
                      f"{fr_clause(m)} qui {fr_vp(c)}")

    def pred(self) -> Pred:
        tags = {"person", "animal", "vehicle", "readable", "food", "drink", "thing", "room",
                "building", "visitable"}
        n = self.pick(self.nouns(tags))
        if n.has({"lang", "game"}):
            raise Retry
        subj = self.np(tags, dets=("def",), p_adj=0.0, noun=n)
        if self.chance(0.3):
            adj = self.adj_for(n, attr=False, pred=True, cmp=True)
            if not adj:
                raise Retry
            others = [m for m in NOUNS if m.key != n.key and m.has(adj.tags)
                      and m.has(n.tags & {"person", "animal", "vehicle", "readable", "food",
                                          "drink", "thing", "room", "building", "visitable"})]
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
            thing = NP(n, "mass" if n.mass else "indef",
                       self.adj_for(n) if self.chance(0.3) else None)
        else:
            if n.mass or not n.de_pl:
                raise Retry
            thing = NP(n, "num", self.adj_for(n) if self.chance(0.25) else None,
                       num=self.pick(range(2, 13)))
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
        v = self.pick([VERB[k] for k in ("buy", "see", "find", "eat", "sell", "order", "bake",
                                         "carry", "paint", "read", "write", "feed")])
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
        subj = self.np({"adult", "elder", "kid"}, dets=("def", "def", "indef"), p_adj=0.2,
                       allow_pron=True)
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
        rest = rest[len("can "):]
        assert rest.startswith(base)
        fr_inf = fr_vp(replace(c, tense="modal", modal=MODAL["can"]))
        fr_inf = fr_inf[len("peut "):]
        return finish(f"{en_np(c.subj)} {zu[0]} to {rest}",
                      f"{de_np(c.subj, 'nom')} {zu[1]}{comma} {inner}",
                      f"{fr_np(c.subj)} {zu[2]} {fr_inf}")

    TEMPLATES: list[tuple[str, float]] = [
        ("t_simple", 26), ("t_fronted_time", 12), ("t_that", 11), ("t_whether", 4),
        ("t_indirect", 4), ("t_conj_after", 7), ("t_conj_front", 6), ("t_coord", 4),
        ("t_question", 8), ("t_relative", 7), ("t_pred", 4), ("t_located", 4), ("t_age", 1.5),
        ("t_numbers", 3), ("t_have", 2), ("t_zu", 4),
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
# Corpus assembly and files
# ------------------------------------------------------------------------------------------------


def generate(seed: int, n: int, lang: str) -> list[tuple[str, str]]:
    """``n`` unique (English, target) pairs for ``lang`` ("de"/"fr"), in generation order.

    Raises if one English sentence ever came out with two different translations: the grammar
    is a function from meaning to text, so that would be a bug, not variation."""
    rng = random.Random(seed)
    maker = Maker(rng)
    seen: dict[str, str] = {}
    out: list[tuple[str, str]] = []
    idx = 1 if lang == "de" else 2
    while len(out) < n:
        triple = maker.sentence()
        en, tgt = triple[0], triple[idx]
        if en in seen:
            if seen[en] != tgt:
                raise AssertionError(f"ambiguous source {en!r}: {seen[en]!r} vs {tgt!r}")
            continue
        seen[en] = tgt
        out.append((en, tgt))
    return out


def tsv(pairs: Sequence[tuple[str, str]]) -> str:
    for en, tgt in pairs:
        assert "\t" not in en + tgt and "\n" not in en + tgt
    return "".join(f"{en}\t{tgt}\n" for en, tgt in pairs)


README = """\
# Sample corpora

Small English→German and English→French parallel corpora for trying Attnscope out: train a model
in minutes, then look at its attention.

| file | pairs | format |
|------|-------|--------|
| `en-de.tsv` | {n_de} | one pair a line: English, a tab, German |
| `en-fr.tsv` | {n_fr} | one pair a line: English, a tab, French |

UTF-8, `\\n` line endings, natural untokenised text (Attnscope tokenises it with sacremoses).
Every English sentence appears once, with exactly one translation. Sentences have
{min_w}–{max_w} words.

## How it was made

The text is **original**: it was generated by `packaging/sample_corpus.py`, a small synchronous
grammar with a bilingual lexicon ({n_lex} entries: nouns with German and French gender, verbs,
adjectives, adverbs, places, times, numbers). No third-party corpus was used or copied. The
grammar builds the meaning of a sentence once and realises it in each language, so the pairs
are faithful translations. A fixed seed makes the output reproducible:

    python packaging/sample_corpus.py          # rewrites en-de.tsv, en-fr.tsv, README.md, LICENSE
    python packaging/sample_corpus.py --check  # exit status 0 if the files on disk are identical

Do not edit the files by hand; change the generator and re-run it.

Vocabulary: {de_types} German word types, {fr_types} French word types, {en_types} English.

## What it exercises

The constructions were chosen because they make attention leave the diagonal:

- German verb-final subordinate clauses: *I know that the woman drinks coffee.* → *Ich weiß,
  dass die Frau Kaffee trinkt.*; relative clauses (*Der Mann, der die Zeitung liest, ist alt.*)
- German V2 inversion after a fronted adverbial or clause: *Today the dog sleeps.* → *Heute
  schläft der Hund.*; *Wenn es regnet, bleibt das Kind zu Hause.*
- separable verbs: *The train arrives at the station.* → *Der Zug kommt am Bahnhof an.*
- modal + infinitive and perfect participle at the end: *Das Kind will ein Buch lesen.*,
  *Der Mann hat den Brief geschrieben.*; zu-infinitives (*versucht, den Arzt anzurufen*)
- compounds: train station → Bahnhof, apple juice → Apfelsaft, children's book → Kinderbuch
- case and gender: der/den/dem, ein/einen/einem, kein; dative verbs (*hilft der Frau*);
  adjective endings after der, ein/kein and with no article (*kalten Kaffee*)
- multi-word ↔ one-word: every day → täglich, go for a walk → spazieren gehen, likes to play →
  spielt gern, is hungry → hat Hunger / a faim, must not → darf nicht
- French: adjectives after most nouns (*une voiture rouge*) and before a few (*un vieil homme*),
  gender agreement, *ne … pas* with *pas de*, partitives (*du café*), elision (*l'*, *d'*, *qu'*,
  *s'il*), contractions (*au*, *du*), participle agreement after *être*
- also: questions, comparatives, ages, clock times (*halb acht* / *sept heures et demie*),
  numbers with plurals, "there is" (*Auf dem Tisch liegt ein Buch.* / *Il y a un livre…*)

French questions are written with a space before the question mark, as in France.

## Licence

The corpus is original, generated by this project, and licensed under the project's licence
(MIT), like the generator. See `LICENSE` in this folder.
"""

LICENSE = """\
The sample corpora in this folder (en-de.tsv, en-fr.tsv) are original text generated by
Attnscope's packaging/sample_corpus.py. They contain no third-party text.

They are part of Attnscope and are licensed under the same terms as the project: the MIT
License.
"""


def word_types(lines: Iterable[str]) -> int:
    """Distinct lower-cased words with punctuation stripped (a rough, tokenizer-free count)."""
    types: set[str] = set()
    for line in lines:
        for w in line.split():
            w = w.strip(".,?!").lower()
            if w:
                types.add(w)
    return len(types)


def lexicon_size() -> int:
    return (len(NOUNS) + len(ADJS) + len(VERBS) + len(ADVERBS) + len(PLACES) + len(SPOTS)
            + len([t for t in TIMES if not t.clock]) + len(NUMBERS) + len(MODALS))


def check_lexicon() -> None:
    """Cheap consistency checks on the tables, so a typo fails loudly instead of silently."""
    for table in (NOUNS, ADJS, VERBS, PLACES, SPOTS, ADVERBS, TIMES):
        keys = [x.key for x in table]
        assert len(keys) == len(set(keys)), f"duplicate keys in {type(table[0]).__name__}"
    for v in VERBS:
        for p in v.places:
            assert p in PLACE, f"{v.key}: unknown place {p}"
        for m in v.manner:
            assert m in ADV and ADV[m].kind == "manner", f"{v.key}: unknown manner adverb {m}"
        assert v.kind != "dir" or all(PLACE[p].en_dir for p in v.places), v.key
        assert not v.de_part or v.de[0].startswith(v.de_part), v.key
        assert not v.de_part or v.de[2].startswith(v.de_part), v.key
        assert v.de[3] in ("hat", "ist") and v.fr[3] in ("a", "est"), v.key
        assert not v.fr_refl or v.fr[3] == "est", v.key
    for places in VEHICLE_PLACES.values():
        assert all(p in PLACE for p in places)
    for n in NOUNS:
        assert n.de_g in "mfn" and n.fr_g in "mf" and n.de[:1].isupper(), n.key
        if n.de_pl:                        # countable with a plural: French plural must be known
            fr_noun_plural(n)


def build() -> dict[str, str]:
    """All files of resources/corpora, name → text."""
    check_lexicon()
    de = generate(SEED_DE, N_DE, "de")
    fr = generate(SEED_FR, N_FR, "fr")
    readme = README.format(
        n_de=len(de), n_fr=len(fr), min_w=MIN_WORDS, max_w=MAX_WORDS, n_lex=lexicon_size(),
        de_types=word_types(t for _, t in de), fr_types=word_types(t for _, t in fr),
        en_types=word_types([e for e, _ in de] + [e for e, _ in fr]))
    return {"en-de.tsv": tsv(de), "en-fr.tsv": tsv(fr), "README.md": readme, "LICENSE": LICENSE}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the files on disk differ from what would be generated")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR})")
    args = ap.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, text in files.items()
                 if not (args.out / name).is_file()
                 or (args.out / name).read_bytes() != text.encode("utf-8")]
        if stale:
            print(f"out of date in {args.out}: {', '.join(stale)}; "
                  f"run python packaging/sample_corpus.py", file=sys.stderr)
            return 1
        print(f"{args.out}: up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_bytes(text.encode("utf-8"))
    print(f"wrote {', '.join(files)} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
