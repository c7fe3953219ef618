"""Lexicon: places, surfaces, adverbs, times of day and dates, numbers."""

from __future__ import annotations

from dataclasses import dataclass


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


def _p(
    key: str, loc: tuple[str, str, str], to: tuple[str, str, str] | None = None, far: bool = False
) -> Place:
    en_dir, de_dir, fr_dir = to if to else (None, None, None)
    return Place(key, *loc, en_dir=en_dir, de_dir=de_dir, fr_dir=fr_dir, far=far)


PLACES: list[Place] = [
    _p(
        "kitchen",
        ("in the kitchen", "in der Küche", "dans la cuisine"),
        ("into the kitchen", "in die Küche", "dans la cuisine"),
    ),
    _p(
        "living_room",
        ("in the living room", "im Wohnzimmer", "dans le salon"),
        ("into the living room", "ins Wohnzimmer", "dans le salon"),
    ),
    _p(
        "bedroom",
        ("in the bedroom", "im Schlafzimmer", "dans la chambre"),
        ("into the bedroom", "ins Schlafzimmer", "dans la chambre"),
    ),
    _p(
        "garden",
        ("in the garden", "im Garten", "dans le jardin"),
        ("into the garden", "in den Garten", "dans le jardin"),
    ),
    _p("home", ("at home", "zu Hause", "à la maison")),
    _p(
        "park",
        ("in the park", "im Park", "dans le parc"),
        ("to the park", "in den Park", "au parc"),
    ),
    _p(
        "forest",
        ("in the forest", "im Wald", "dans la forêt"),
        ("to the forest", "in den Wald", "dans la forêt"),
    ),
    _p(
        "lake", ("at the lake", "am See", "au bord du lac"), ("to the lake", "an den See", "au lac")
    ),
    _p("in_lake", ("in the lake", "im See", "dans le lac")),
    _p("sea", ("in the sea", "im Meer", "dans la mer"), ("to the sea", "ans Meer", "à la mer")),
    _p(
        "beach",
        ("on the beach", "am Strand", "sur la plage"),
        ("to the beach", "an den Strand", "à la plage"),
    ),
    _p(
        "pool",
        ("in the swimming pool", "im Schwimmbad", "à la piscine"),
        ("to the swimming pool", "ins Schwimmbad", "à la piscine"),
    ),
    _p(
        "playground",
        ("on the playground", "auf dem Spielplatz", "sur l'aire de jeux"),
        ("to the playground", "auf den Spielplatz", "à l'aire de jeux"),
    ),
    _p(
        "mountains",
        ("in the mountains", "in den Bergen", "à la montagne"),
        ("to the mountains", "in die Berge", "à la montagne"),
        far=True,
    ),
    _p(
        "school",
        ("at school", "in der Schule", "à l'école"),
        ("to school", "in die Schule", "à l'école"),
    ),
    _p(
        "office",
        ("in the office", "im Büro", "au bureau"),
        ("to the office", "ins Büro", "au bureau"),
    ),
    _p(
        "library",
        ("in the library", "in der Bibliothek", "à la bibliothèque"),
        ("to the library", "in die Bibliothek", "à la bibliothèque"),
    ),
    _p(
        "station",
        ("at the station", "am Bahnhof", "à la gare"),
        ("to the station", "zum Bahnhof", "à la gare"),
    ),
    _p(
        "train_station",
        ("at the train station", "am Bahnhof", "à la gare"),
        ("to the train station", "zum Bahnhof", "à la gare"),
    ),
    _p(
        "bus_stop",
        ("at the bus stop", "an der Bushaltestelle", "à l'arrêt de bus"),
        ("to the bus stop", "zur Bushaltestelle", "à l'arrêt de bus"),
    ),
    _p(
        "airport",
        ("at the airport", "am Flughafen", "à l'aéroport"),
        ("to the airport", "zum Flughafen", "à l'aéroport"),
        far=True,
    ),
    _p(
        "harbour",
        ("in the harbour", "im Hafen", "au port"),
        ("to the harbour", "zum Hafen", "au port"),
    ),
    _p(
        "market",
        ("at the market", "auf dem Markt", "au marché"),
        ("to the market", "auf den Markt", "au marché"),
    ),
    _p(
        "supermarket",
        ("in the supermarket", "im Supermarkt", "au supermarché"),
        ("to the supermarket", "in den Supermarkt", "au supermarché"),
    ),
    _p(
        "bakery",
        ("in the bakery", "in der Bäckerei", "à la boulangerie"),
        ("to the bakery", "zur Bäckerei", "à la boulangerie"),
    ),
    _p("cafe", ("in the café", "im Café", "au café"), ("to the café", "ins Café", "au café")),
    _p(
        "restaurant",
        ("in the restaurant", "im Restaurant", "au restaurant"),
        ("to the restaurant", "ins Restaurant", "au restaurant"),
    ),
    _p(
        "cinema",
        ("at the cinema", "im Kino", "au cinéma"),
        ("to the cinema", "ins Kino", "au cinéma"),
    ),
    _p(
        "theatre",
        ("at the theatre", "im Theater", "au théâtre"),
        ("to the theatre", "ins Theater", "au théâtre"),
    ),
    _p(
        "museum",
        ("in the museum", "im Museum", "au musée"),
        ("to the museum", "ins Museum", "au musée"),
    ),
    _p("zoo", ("at the zoo", "im Zoo", "au zoo"), ("to the zoo", "in den Zoo", "au zoo")),
    _p(
        "hospital",
        ("in the hospital", "im Krankenhaus", "à l'hôpital"),
        ("to the hospital", "ins Krankenhaus", "à l'hôpital"),
    ),
    _p(
        "hotel",
        ("at the hotel", "im Hotel", "à l'hôtel"),
        ("to the hotel", "ins Hotel", "à l'hôtel"),
    ),
    _p("town", ("in town", "in der Stadt", "en ville"), ("into town", "in die Stadt", "en ville")),
    _p("garage", ("in the garage", "in der Garage", "dans le garage")),
    _p("on_train", ("on the train", "im Zug", "dans le train")),
    _p("on_bus", ("on the bus", "im Bus", "dans le bus")),
    # cities and countries: German "nach", French "à" for cities, "en"/"au" for countries
    *[
        _p(k, (f"in {en}", f"in {de}", f"à {fr}"), (f"to {en}", f"nach {de}", f"à {fr}"), far=True)
        for k, en, de, fr in [
            ("berlin", "Berlin", "Berlin", "Berlin"),
            ("paris", "Paris", "Paris", "Paris"),
            ("hamburg", "Hamburg", "Hamburg", "Hambourg"),
            ("munich", "Munich", "München", "Munich"),
            ("vienna", "Vienna", "Wien", "Vienne"),
            ("cologne", "Cologne", "Köln", "Cologne"),
            ("geneva", "Geneva", "Genf", "Genève"),
            ("zurich", "Zurich", "Zürich", "Zurich"),
            ("rome", "Rome", "Rom", "Rome"),
            ("london", "London", "London", "Londres"),
        ]
    ],
    *[
        _p(k, (f"in {en}", f"in {de}", f"{fr}"), (f"to {en}", f"nach {de}", f"{fr}"), far=True)
        for k, en, de, fr in [
            ("france", "France", "Frankreich", "en France"),
            ("germany", "Germany", "Deutschland", "en Allemagne"),
            ("italy", "Italy", "Italien", "en Italie"),
            ("spain", "Spain", "Spanien", "en Espagne"),
            ("austria", "Austria", "Österreich", "en Autriche"),
            ("portugal", "Portugal", "Portugal", "au Portugal"),
            ("canada", "Canada", "Kanada", "au Canada"),
        ]
    ],
    _p(
        "switzerland",
        ("in Switzerland", "in der Schweiz", "en Suisse"),
        ("to Switzerland", "in die Schweiz", "en Suisse"),
        far=True,
    ),
]
PLACE = {p.key: p for p in PLACES}
CITIES = (
    "berlin",
    "paris",
    "hamburg",
    "munich",
    "vienna",
    "cologne",
    "geneva",
    "zurich",
    "rome",
    "london",
)
COUNTRIES = ("france", "germany", "italy", "spain", "austria", "portugal", "canada", "switzerland")


@dataclass(frozen=True)
class Spot:
    """Where a thing can be: a surface (German picks liegen/stehen) or a container ("ist")."""

    key: str
    en: str
    de: str
    fr: str
    surface: bool
    holds: frozenset[str]  # noun tags that fit here


def _s(key: str, en: str, de: str, fr: str, surface: bool, holds: str) -> Spot:
    return Spot(key, en, de, fr, surface, frozenset(holds.split()))


SPOTS: list[Spot] = [
    _s("table", "on the table", "auf dem Tisch", "sur la table", True, "lie stand"),
    _s(
        "kitchen_table",
        "on the kitchen table",
        "auf dem Küchentisch",
        "sur la table de cuisine",
        True,
        "lie stand",
    ),
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
    _s(
        "fridge",
        "in the fridge",
        "im Kühlschrank",
        "dans le réfrigérateur",
        False,
        "fruit veg cold_drink massfood",
    ),
]


@dataclass(frozen=True)
class Adverb:
    key: str
    en: str
    de: str
    fr: str
    kind: str  # "manner" / "freq"


ADVERBS: list[Adverb] = [
    Adverb(*row)
    for row in [
        ("quickly", "quickly", "schnell", "vite", "manner"),
        ("slowly", "slowly", "langsam", "lentement", "manner"),
        ("well", "well", "gut", "bien", "manner"),
        ("badly", "badly", "schlecht", "mal", "manner"),
        ("loudly", "loudly", "laut", "fort", "manner"),
        ("quietly", "quietly", "leise", "doucement", "manner"),
        ("early", "early", "früh", "tôt", "manner"),
        ("late", "late", "spät", "tard", "manner"),
        ("on_time", "on time", "pünktlich", "à l'heure", "manner"),
        ("behind", "late", "zu spät", "en retard", "manner"),  # behind schedule
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
    ]
]
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
    1: ("one", "ein", "une"),
    2: ("two", "zwei", "deux"),
    3: ("three", "drei", "trois"),
    4: ("four", "vier", "quatre"),
    5: ("five", "fünf", "cinq"),
    6: ("six", "sechs", "six"),
    7: ("seven", "sieben", "sept"),
    8: ("eight", "acht", "huit"),
    9: ("nine", "neun", "neuf"),
    10: ("ten", "zehn", "dix"),
    11: ("eleven", "elf", "onze"),
    12: ("twelve", "zwölf", "douze"),
    20: ("twenty", "zwanzig", "vingt"),
    30: ("thirty", "dreißig", "trente"),
    40: ("forty", "vierzig", "quarante"),
    50: ("fifty", "fünfzig", "cinquante"),
    60: ("sixty", "sechzig", "soixante"),
    70: ("seventy", "siebzig", "soixante-dix"),
    80: ("eighty", "achtzig", "quatre-vingts"),
    90: ("ninety", "neunzig", "quatre-vingt-dix"),
}
# "ein" counts in German ("ein Jahr"), but "one o'clock" is "ein Uhr" and "une heure" in French.


def _clock_times() -> list[Time]:
    """Clock times: "at eight o'clock" / "um acht Uhr" / "à huit heures"; "half past seven" is
    "halb acht" in German (counted towards the next hour) and "sept heures et demie" in French."""
    out = []
    for h in range(1, 12):
        en, de, fr = NUMBERS[h]
        heures = "heure" if h == 1 else "heures"
        out.append(
            Time(
                f"at_{h}", f"at {en} o'clock", f"um {de} Uhr", f"à {fr} {heures}", "any", clock=True
            )
        )
        nxt = NUMBERS[h + 1][1] if h < 11 else "zwölf"
        nxt = "eins" if nxt == "ein" else nxt
        out.append(
            Time(
                f"half_{h}",
                f"at half past {en}",
                f"um halb {nxt}",
                f"à {fr} {heures} et demie",
                "any",
                clock=True,
            )
        )
        out.append(
            Time(
                f"quarter_{h}",
                f"at a quarter past {en}",
                f"um Viertel nach {de}s" if de == "ein" else f"um Viertel nach {de}",
                f"à {fr} {heures} et quart",
                "any",
                clock=True,
            )
        )
    out.append(Time("noon", "at noon", "am Mittag", "à midi", "any", clock=True))
    out.append(Time("midnight", "at midnight", "um Mitternacht", "à minuit", "any", clock=True))
    return out


TIMES: list[Time] = [
    Time(*row[:5], freq=len(row) > 5)
    for row in [
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
        *[
            (f"on_{en.lower()}", f"on {en}", f"am {de}", fr, "any")
            for en, de, fr in [
                ("Monday", "Montag", "lundi"),
                ("Tuesday", "Dienstag", "mardi"),
                ("Wednesday", "Mittwoch", "mercredi"),
                ("Thursday", "Donnerstag", "jeudi"),
                ("Friday", "Freitag", "vendredi"),
                ("Saturday", "Samstag", "samedi"),
                ("Sunday", "Sonntag", "dimanche"),
            ]
        ],
    ]
] + _clock_times()
TIME = {t.key: t for t in TIMES}
DAY_WORDS = {"today", "tomorrow", "yesterday", "day_after_tomorrow", "day_before_yesterday"}
