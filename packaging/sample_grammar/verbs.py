"""Lexicon: verbs (forms in three languages, what they take), verb groups and modals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .places_times import CITIES, COUNTRIES


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
