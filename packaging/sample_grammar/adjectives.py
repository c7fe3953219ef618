"""Lexicon: adjectives (forms, position in French, comparatives) and which take "very"/"too"."""

from __future__ import annotations

from dataclasses import dataclass

from .morphology import fr_plural


@dataclass(frozen=True)
class Adj:
    """An adjective: German stem for endings, French forms and position, English comparative.

    ``fr_pre`` marks the short adjectives that precede the noun in French (le vieil homme); all
    others follow it (la voiture rouge). ``fr_vowel`` is the masculine form before a vowel (bel,
    vieil, nouvel). ``tags`` say which nouns it may describe.
    """

    key: str
    en: str
    de: str  # predicative form: alt, dunkel, müde
    de_stem: str  # stem for endings: alt, dunkl, müd
    fr_m: str
    fr_f: str
    fr_pre: bool
    tags: frozenset[str]
    fr_vowel: str | None = None
    en_cmp: str | None = None  # older / more expensive
    de_cmp: str | None = None  # älter
    fr_cmp: tuple[str, str] | None = None  # meilleur / meilleure (otherwise "plus" + adjective)
    attr: bool = True  # usable before a noun
    pred: bool = True  # usable after "is"

    def fr_form(self, g: str, plural: bool = False, before_vowel: bool = False) -> str:
        form = self.fr_f if g == "f" else self.fr_m
        if plural:
            return fr_plural(form)
        if g == "m" and before_vowel and self.fr_vowel:
            return self.fr_vowel
        return form


def _a(
    key: str,
    en: str,
    de: str,
    fr_m: str,
    fr_f: str,
    pos: str,
    tags: str,
    cmp: tuple[str, str] | None = None,
    de_stem: str | None = None,
    **kw,
) -> Adj:
    en_cmp, de_cmp = cmp if cmp else (None, None)
    return Adj(
        key,
        en,
        de,
        de_stem or de,
        fr_m,
        fr_f,
        pos == "pre",
        frozenset(tags.split()),
        en_cmp=en_cmp,
        de_cmp=de_cmp,
        **kw,
    )


ADJS: list[Adj] = [
    _a(
        "old",
        "old",
        "alt",
        "vieux",
        "vieille",
        "pre",
        "adult elder animal vehicle readable building wearable furniture",
        ("older", "älter"),
        fr_vowel="vieil",
    ),
    _a(
        "young", "young", "jung", "jeune", "jeune", "pre", "adult kid animal", ("younger", "jünger")
    ),
    _a(
        "new",
        "new",
        "neu",
        "nouveau",
        "nouvelle",
        "pre",
        "vehicle readable building wearable device furniture portable",
        fr_vowel="nouvel",
        pred=False,
    ),
    _a(
        "big",
        "big",
        "groß",
        "grand",
        "grande",
        "pre",
        "big_animal vehicle building room container furniture",
        ("bigger", "größer"),
    ),
    _a(
        "tall", "tall", "groß", "grand", "grande", "post", "adult", ("taller", "größer"), attr=False
    ),
    _a(
        "small",
        "small",
        "klein",
        "petit",
        "petite",
        "pre",
        "kid animal vehicle building room container furniture portable fruit",
        ("smaller", "kleiner"),
    ),
    _a(
        "beautiful",
        "beautiful",
        "schön",
        "beau",
        "belle",
        "pre",
        "animal building room wearable decor visitable",
        ("more beautiful", "schöner"),
        fr_vowel="bel",
    ),
    _a(
        "good",
        "good",
        "gut",
        "bon",
        "bonne",
        "pre",
        "food drink readable",
        ("better", "besser"),
        fr_cmp=("meilleur", "meilleure"),
    ),
    _a("bad", "bad", "schlecht", "mauvais", "mauvaise", "pre", "food readable"),
    _a("red", "red", "rot", "rouge", "rouge", "post", "colored red_fruit"),
    _a("blue", "blue", "blau", "bleu", "bleue", "post", "colored"),
    _a("green", "green", "grün", "vert", "verte", "post", "colored green_fruit"),
    _a("black", "black", "schwarz", "noir", "noire", "post", "colored animal"),
    _a("white", "white", "weiß", "blanc", "blanche", "post", "colored animal"),
    _a("yellow", "yellow", "gelb", "jaune", "jaune", "post", "colored yellow_fruit"),
    _a("brown", "brown", "braun", "brun", "brune", "post", "animal"),
    _a("grey", "grey", "grau", "gris", "grise", "post", "animal colored"),
    _a(
        "heavy",
        "heavy",
        "schwer",
        "lourd",
        "lourde",
        "post",
        "heavy_thing",
        ("heavier", "schwerer"),
    ),
    _a(
        "light",
        "light",
        "leicht",
        "léger",
        "légère",
        "post",
        "heavy_thing",
        ("lighter", "leichter"),
    ),
    _a(
        "expensive",
        "expensive",
        "teuer",
        "cher",
        "chère",
        "post",
        "vehicle wearable pricey",
        ("more expensive", "teurer"),
        de_stem="teur",
    ),
    _a(
        "interesting",
        "interesting",
        "interessant",
        "intéressant",
        "intéressante",
        "post",
        "readable visitable",
        ("more interesting", "interessanter"),
    ),
    _a(
        "boring",
        "boring",
        "langweilig",
        "ennuyeux",
        "ennuyeuse",
        "post",
        "readable",
        ("more boring", "langweiliger"),
    ),
    _a("long", "long", "lang", "long", "longue", "pre", "text", ("longer", "länger")),
    _a("short", "short", "kurz", "court", "courte", "post", "text", ("shorter", "kürzer")),
    _a("fresh", "fresh", "frisch", "frais", "fraîche", "post", "fresh fruit veg"),
    _a("hot", "hot", "heiß", "chaud", "chaude", "post", "hot_drink hot_food", ("hotter", "heißer")),
    _a("cold", "cold", "kalt", "froid", "froide", "post", "drink hot_food", ("colder", "kälter")),
    _a("warm", "warm", "warm", "chaud", "chaude", "post", "warm_wear", ("warmer", "wärmer")),
    _a("sweet", "sweet", "süß", "sucré", "sucrée", "post", "fruit sweet", ("sweeter", "süßer")),
    _a("sour", "sour", "sauer", "acide", "acide", "post", "sour_fruit", de_stem="saur"),
    _a("ripe", "ripe", "reif", "mûr", "mûre", "post", "fruit"),
    _a("delicious", "delicious", "lecker", "délicieux", "délicieuse", "post", "food"),
    _a("hungry", "hungry", "hungrig", "affamé", "affamée", "post", "animal kid adult", pred=False),
    _a(
        "tired",
        "tired",
        "müde",
        "fatigué",
        "fatiguée",
        "post",
        "person animal",
        ("more tired", "müder"),
        de_stem="müd",
    ),
    _a(
        "happy",
        "happy",
        "glücklich",
        "heureux",
        "heureuse",
        "post",
        "person",
        ("happier", "glücklicher"),
    ),
    _a("sad", "sad", "traurig", "triste", "triste", "post", "person", ("sadder", "trauriger")),
    _a(
        "friendly",
        "friendly",
        "freundlich",
        "sympathique",
        "sympathique",
        "post",
        "adult elder dog",
        ("friendlier", "freundlicher"),
    ),
    _a("angry", "angry", "wütend", "en colère", "en colère", "post", "person"),
    _a("rich", "rich", "reich", "riche", "riche", "post", "adult elder", ("richer", "reicher")),
    _a("poor", "poor", "arm", "pauvre", "pauvre", "post", "adult elder", ("poorer", "ärmer")),
    _a(
        "famous",
        "famous",
        "berühmt",
        "célèbre",
        "célèbre",
        "post",
        "adult visitable famous_work",
        ("more famous", "berühmter"),
    ),
    _a(
        "strong",
        "strong",
        "stark",
        "fort",
        "forte",
        "post",
        "adult big_animal strong_drink",
        ("stronger", "stärker"),
    ),
    _a(
        "fast",
        "fast",
        "schnell",
        "rapide",
        "rapide",
        "post",
        "vehicle animal",
        ("faster", "schneller"),
    ),
    _a(
        "slow",
        "slow",
        "langsam",
        "lent",
        "lente",
        "post",
        "vehicle animal",
        ("slower", "langsamer"),
    ),
    _a(
        "clean",
        "clean",
        "sauber",
        "propre",
        "propre",
        "post",
        "room wearable ware vehicle",
        ("cleaner", "sauberer"),
    ),
    _a(
        "dirty",
        "dirty",
        "schmutzig",
        "sale",
        "sale",
        "post",
        "room wearable ware vehicle",
        ("dirtier", "schmutziger"),
    ),
    _a("empty", "empty", "leer", "vide", "vide", "post", "ware container"),
    _a("full", "full", "voll", "plein", "pleine", "post", "ware container"),
    _a(
        "quiet", "quiet", "ruhig", "calme", "calme", "post", "room building", ("quieter", "ruhiger")
    ),
    _a(
        "dark",
        "dark",
        "dunkel",
        "sombre",
        "sombre",
        "post",
        "room wearable",
        ("darker", "dunkler"),
        de_stem="dunkl",
    ),
    _a("bright", "bright", "hell", "clair", "claire", "post", "room", ("brighter", "heller")),
    _a(
        "modern",
        "modern",
        "modern",
        "moderne",
        "moderne",
        "post",
        "building device vehicle furniture",
        ("more modern", "moderner"),
    ),
    _a(
        "lazy",
        "lazy",
        "faul",
        "paresseux",
        "paresseuse",
        "post",
        "person pet",
        ("lazier", "fauler"),
    ),
    _a(
        "clever",
        "clever",
        "klug",
        "intelligent",
        "intelligente",
        "post",
        "person dog",
        ("cleverer", "klüger"),
    ),
    _a("french_adj", "French", "französisch", "français", "française", "post", "nat nat_food"),
    _a("german_adj", "German", "deutsch", "allemand", "allemande", "post", "nat nat_food"),
    _a("italian_adj", "Italian", "italienisch", "italien", "italienne", "post", "nat nat_food"),
]
ADJ = {a.key: a for a in ADJS}
# Which adjectives take "very" (not colours, nationalities, empty/full) and which also "too".
GRADABLE = {a.key for a in ADJS} - {
    "red",
    "blue",
    "green",
    "black",
    "white",
    "yellow",
    "brown",
    "grey",
    "french_adj",
    "german_adj",
    "italian_adj",
    "empty",
    "full",
    "new",
    "delicious",
    "hungry",
}
TOO_OK = {
    "hot",
    "cold",
    "heavy",
    "light",
    "expensive",
    "long",
    "short",
    "big",
    "small",
    "sweet",
    "sour",
    "old",
    "young",
    "tired",
    "dark",
    "tall",
    "slow",
    "fast",
    "strong",
    "warm",
}
