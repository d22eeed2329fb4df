"""Words typed with the Telex keys left in: "lamf" → "làm", "dduowcj" → "được", "hoir" → "hỏi".

Vietnamese keyboards (Unikey, the phones' own) type diacritics with Telex keys: a doubled vowel
(aa → â, ee → ê, oo → ô), w (aw → ă, ow → ơ, uw → ư, uow → ươ), dd → đ, and a final tone key (s
sắc, f huyền, r hỏi, x ngã, j nặng). With the input method switched off, the keys stay in the
text, and neither the NLU nor search knows "vaayj" or "phaan loaij".

A word is repaired only when the result is a well-formed Vietnamese syllable (an onset and a
rhyme of the language, a stop final only with sắc or nặng) and the word as typed is not one
already, so Vietnamese words ("xoong", "ban", "tra") and most English ones ("check", "form",
"online") are left alone. English words that happen to decode to a syllable ("is", "gas",
"bus", "how", "down", "ddos") are listed in ``KEPT_WORDS``; words with a capital after the first
letter are acronyms or brands ("DDoS", "VNeID"). No library does this (the Vietnamese NLP
packages expect typed diacritics), so it is written here: a table of onsets and rhymes.
"""

from __future__ import annotations

import re
import unicodedata

from vitext.text import fold, has_diacritics

__all__ = ["KEPT_WORDS", "read_telex", "repair_telex", "telex_word"]

_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_NUCLEI = {
    # nucleus: the finals it takes ("" = an open syllable)
    "a": "|c|ch|m|n|ng|nh|p|t|i|o|u|y",
    "ă": "c|m|n|ng|p|t",
    "â": "c|m|n|ng|p|t|u|y",
    "e": "|c|m|n|ng|p|t|o",
    "ê": "|ch|m|n|nh|p|t|u",
    "i": "|ch|m|n|nh|p|t|u|a",
    "o": "|c|m|n|ng|p|t|i",  # not "xoong": "khoong" is "không"
    "ô": "|c|m|n|ng|p|t|i",
    "ơ": "|m|n|p|t|i",
    "u": "|c|m|n|ng|p|t|i|a",
    "ư": "|c|m|n|ng|t|i|u|a",
    "y": "|",
    "iê": "c|m|n|ng|p|t|u",
    "yê": "m|n|t|u|ng",
    "uô": "c|m|n|ng|t|i",
    "ươ": "c|m|n|ng|p|t|i|u",
    "oa": "|c|ch|m|n|ng|nh|p|t|i|y|o",
    "oă": "c|m|n|ng|t",
    "oe": "|n|t|o",
    "uâ": "n|ng|t|y",
    "uê": "|ch|nh",
    "uy": "|ch|n|nh|p|t|a|u",
    "uyê": "n|t",
    "ơi": "",
}
_FINALS = {nucleus: frozenset(finals.split("|")) for nucleus, finals in _NUCLEI.items()}
_LONGEST_FIRST = sorted(_NUCLEI, key=len, reverse=True)  # "uyê" before "uy" before "u"
_VOWELS = "aăâeêioôơuưy"
_TONE_BEFORE_FINAL = re.compile(
    r"(?P<head>.*[aeiouwy])(?P<tone>[sfrxj])(?P<final>ch|nh|ng|[cmnpt])$"
)
_WORD = re.compile(r"(?<![\w.@/])[A-Za-z]{2,8}(?![\w.@/])")
# English and loan words that decode to a syllable: kept as typed.
KEPT_WORDS = frozenset({
    "as", "is", "us", "its", "has", "his", "gas", "bus", "bar", "car", "or", "max", "sex",
    "tax", "mix", "box", "ex", "how", "now", "down", "town", "cow", "row", "low", "bow", "see",
    "tree", "been", "seen", "queen", "moon", "noon", "room", "boom", "too", "door", "per",
    "dos", "yes", "vs", "ok", "cs", "her", "if", "of", "this", "hix", "sos", "teen", "own",
    "keeps", "does", "nor", "ddos",
})  # fmt: skip


def _split(word: str) -> tuple[str, str, str] | None:
    """(onset, nucleus, final) of a syllable without tone marks, or None if it is not one."""
    for onset in _ONSETS:
        if not word.startswith(onset):
            continue
        rest = word[len(onset) :]
        if onset in ("gi", "qu") and rest and rest[0] not in _VOWELS:
            continue
        if onset == "gi" and not rest:
            return "g", "i", ""  # "gì": the i is the vowel
        for nucleus in _LONGEST_FIRST:
            if rest.startswith(nucleus):
                final = rest[len(nucleus) :]
                if final in _FINALS[nucleus] and _onset_fits(onset, nucleus):
                    return onset, nucleus, final
    return None


def _onset_fits(onset: str, nucleus: str) -> bool:
    front = nucleus[0] in "eêiy"
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "g", "ng"):
        return not front or (onset == "g" and nucleus.startswith("i"))
    if onset == "qu":
        return nucleus[0] != "u"
    return True


def _marks(core: str) -> str:
    """Apply the vowel and đ keys: dd → đ, uow → ươ, aa/aw/ee/oo/ow/uw → â/ă/ê/ô/ơ/ư."""
    if core.startswith("dd"):
        core = "đ" + core[2:]
    for key, letter in (("uow", "ươ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê")):
        core = core.replace(key, letter)
    for key, letter in (("oo", "ô"), ("ow", "ơ"), ("uw", "ư")):
        core = core.replace(key, letter)
    return core


def _place_tone(onset: str, nucleus: str, final: str, tone: str) -> str:
    """Put the tone mark on the vowel that carries it (modern rules, "hóa", "thủy")."""
    marked = [i for i, ch in enumerate(nucleus) if ch in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif len(nucleus) == 1:
        at = 0
    elif final and (final[0] not in _VOWELS or nucleus in ("oa", "oe", "uy")):
        at = len(nucleus) - 1
    elif len(nucleus) == 3:
        at = 1
    else:
        at = 0
    vowels = nucleus[: at + 1] + _TONES[tone] + nucleus[at + 1 :]
    return unicodedata.normalize("NFC", onset + vowels + final)


def telex_word(word: str) -> str | None:
    """The syllable ``word`` was meant to be when typed with Telex keys left in, else None.

    >>> telex_word("dduowcj"), telex_word("Lamf"), telex_word("ban"), telex_word("check")
    ('được', 'Làm', None, None)
    """
    lower = word.lower()
    if not lower.isascii() or not lower.isalpha() or lower in KEPT_WORDS or _split(lower):
        return None
    if any(ch.isupper() for ch in word[1:]):
        return None  # an acronym or a brand ("DDoS", "SOS", "VNeID"), not a typing slip
    tone, core = "", lower
    moved = _TONE_BEFORE_FINAL.match(lower)  # "nuowsc": the tone key typed before the final
    if moved and _marks(lower) != lower:  # only with a vowel key: "list", "test" are English
        tone, core = moved["tone"], moved["head"] + moved["final"]
    elif lower[-1] in _TONES:
        tone, core = lower[-1], lower[:-1]
    core = _marks(core)
    if core == lower:
        return None
    parts = _split(core)
    if parts is None:
        return None
    onset, nucleus, final = parts
    if final in ("c", "ch", "p", "t") and tone not in ("s", "j"):
        return None
    repaired = _place_tone(onset, nucleus, final, tone) if tone else core
    return repaired[0].upper() + repaired[1:] if word[0].isupper() else repaired


def repair_telex(text: str) -> str:
    """``text`` with every word typed with Telex keys left in replaced by its syllable."""
    return _WORD.sub(lambda m: telex_word(m.group()) or m.group(), text)


def read_telex(text: str) -> str:
    """``text`` as its writer meant it, for search.

    Words typed with Telex keys left in are repaired when the rest of the text has diacritics
    or when most words carried keys (the writer types every word that way). In otherwise
    unaccented text ("giowf mowr cua chua laf may gio") the repaired words lose their marks
    again, so the text stays unaccented and is read as such (diacritics restored from context);
    only the stray keys are gone.
    """
    words = _WORD.findall(text)
    syllables = {w: telex_word(w) for w in words}
    keyed = sum(1 for w in words if syllables[w] is not None)
    if not keyed:
        return text
    repaired = _WORD.sub(lambda m: syllables[m.group()] or m.group(), text)
    if has_diacritics(text) or keyed * 2 >= len(words):
        return repaired
    return fold(repaired)
