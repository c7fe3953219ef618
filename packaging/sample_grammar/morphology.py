"""Morphology helpers: plurals, articles, capitals and French elision/contraction."""

from __future__ import annotations

from .nouns import Noun

FR_VOWELS = set("aeiouàâäéèêëîïôöûùüœæ")
FR_MUTE_H = (
    "homme",
    "hôtel",
    "hôpital",
    "histoire",
    "heure",
    "hiver",
    "horaire",
    "herbe",
    "huile",
    "habite",
    "habiter",
    "habitude",
)
FR_ELIDE = {
    "le": "l'",
    "la": "l'",
    "de": "d'",
    "que": "qu'",
    "ne": "n'",
    "je": "j'",
    "se": "s'",
    "me": "m'",
    "te": "t'",
    "jusque": "jusqu'",
    "lorsque": "lorsqu'",
    "puisque": "puisqu'",
}


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
        return word  # "en colère" does not change
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
            out.append(
                {"à": "aux", "de": "des"}[t.lower()]
                if t.islower()
                else {"à": "Aux", "de": "Des"}[t.lower()]
            )
            i += 2
            continue
        if t.lower() in ("à", "de") and nxt == "le" and not fr_vowel_initial(after):
            out.append(
                {"à": "au", "de": "du"}[t.lower()]
                if t.islower()
                else {"à": "Au", "de": "Du"}[t.lower()]
            )
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
