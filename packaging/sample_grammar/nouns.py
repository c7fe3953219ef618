"""Lexicon: nouns with their English, German and French forms, genders and tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
