"""Words typed with Telex keys left in are read as meant (vitext.telex)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from vitext import expand_abbreviations, fold, read_telex, repair_telex, telex_word
from vitext.telex import KEPT_WORDS

FAQ_DIR = Path(__file__).resolve().parents[2] / "data" / "faq"
_TONE_KEYS = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_LETTER_KEYS = {"â": "aa", "ă": "aw", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw", "đ": "dd"}


def _typed_in_telex(syllable: str) -> tuple[str, tuple[str, str]]:
    """How a Telex user types ``syllable`` with the input method off, and what it must read
    back as: (the letters with their vowel marks, the tone key). Tone placement ("hoà"/"hòa")
    is a matter of style, so the comparison leaves it out."""
    tone = ""
    letters = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_KEYS:
            tone = _TONE_KEYS[ch]
        else:
            letters.append(ch)
    base = unicodedata.normalize("NFC", "".join(letters))
    typed = base.replace("ươ", "uow")
    typed = "".join(_LETTER_KEYS.get(ch, ch) for ch in typed)
    return typed + tone, (base, tone)


def _reading(word: str) -> tuple[str, str]:
    return _typed_in_telex(word)[1]


def _corpus_syllables() -> set[str]:
    words: set[str] = set()
    for path in sorted(FAQ_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            for text in [*entry["questions"], entry["answer"]]:
                words.update(w for w in re.findall(r"\w+", text.lower()) if w.isalpha())
    return {w for w in words if fold(w) != w and fold(w).isascii()}


def test_every_accented_syllable_of_the_faq_reads_back_from_telex() -> None:
    syllables = _corpus_syllables()
    assert len(syllables) > 1000
    wrong = []
    for syllable in syllables:
        typed, meant = _typed_in_telex(syllable)
        if typed in KEPT_WORDS or not re.search("[aeiouy]", typed):
            continue  # an English look-alike ("sex" is "sẽ"), an abbreviation ("đc")
        got = telex_word(typed)
        if got is None or _reading(got) != meant:
            wrong.append(f"{syllable} typed {typed} -> {got}")
    # teencode onsets ("dzô") and loan words are not syllables of the table
    assert len(wrong) <= len(syllables) // 400, wrong[:30]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lamf", "làm"),
        ("dduowcj", "được"),
        ("hoir", "hỏi"),
        ("vaayj", "vậy"),
        ("nuowsc", "nước"),  # the tone key typed before the final
        ("Truwowngf", "Trường"),
        ("giowf", "giờ"),
        ("kys", "ký"),
        ("owr", "ở"),
    ],
)
def test_telex_words_are_repaired(typed: str, meant: str) -> None:
    assert telex_word(typed) == meant


@pytest.mark.parametrize(
    "word",
    # Vietnamese words as typed, English words, abbreviations, an emergency cry
    ["ban", "tra", "gio", "check", "online", "form", "list", "test", "how", "gas", "sos", "bus"],
)
def test_other_words_are_left_alone(word: str) -> None:
    assert telex_word(word) is None


@pytest.mark.parametrize(
    "word",
    [
        "DDoS",
        "ddos",
        "SOS",
        "LAMF",
        "is",
        "cccd",
        "bhyt",
        "ko",
        "dc",
        "vneid",
        "lam",
        "ddc",
        "cuuw",
    ],
)
def test_abbreviations_and_plain_syllables_are_left_alone(word: str) -> None:
    assert telex_word(word) is None


def test_sentences_are_repaired_word_by_word_and_urls_kept() -> None:
    assert repair_telex("Cho hoir phaan loaij rac vaf ... ?") == "Cho hỏi phân loại rac và ... ?"
    kept = "mail a.lamf@gmail.com, http://x.vn/laf"
    assert repair_telex(kept) == kept


def test_read_telex_keeps_unaccented_text_unaccented() -> None:
    # a few stray keys in unaccented text: the keys go, the text stays unaccented
    assert read_telex("giowf mowr cua chua laf may gio") == "gio mo cua chua la may gio"
    # most words typed with keys, or diacritics elsewhere: the words are repaired
    assert read_telex("tooi muoosn hoir veef thur tucj") == "tôi muốn hỏi về thủ tục"
    assert read_telex("đăng kys tạm trú") == "đăng ký tạm trú"
    assert read_telex("lam cccd o dau") == "lam cccd o dau"


def test_abbreviation_expansion_repairs_telex_too() -> None:
    assert expand_abbreviations("lamf cccd ko", {"cccd": "căn cước công dân", "ko": "không"}) == (
        "làm căn cước công dân không"
    )
