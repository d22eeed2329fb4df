"""Abbreviation (teencode) table: loading from ``data/lexicon/abbreviations.yml`` and expansion."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from settings.defaults import DATA_DIR
from vitext.errors import LexiconError
from vitext.telex import telex_word
from vitext.units import Unit, split_units

__all__ = [
    "DEFAULT_ABBREVIATIONS_PATH",
    "MAX_PHRASE_WORDS",
    "abbreviation_at",
    "expand_abbreviations",
    "load_abbreviations",
    "telex_at",
]

logger = logging.getLogger(__name__)

# the shipped table; deployments pass the one under their data dir (ASSISTANT_DATA_DIR)
DEFAULT_ABBREVIATIONS_PATH = DATA_DIR / "lexicon" / "abbreviations.yml"

# one word, or a phrase of words separated by single spaces ("được hông", "id card")
_KEY_RE = re.compile(r"^[^\W\d_]+(?: [^\W\d_]+)*$")
# the longest phrase a key may be: the matcher tries no longer span
MAX_PHRASE_WORDS = 4


def _scalar(node: Any, path: Path, what: str) -> str:
    import yaml

    line = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raise LexiconError(f"{path}:{line}: {what} must be a text value; quote it")
    value = str(node.value).strip()
    if not value:
        raise LexiconError(f"{path}:{line}: {what} is empty; write the text or delete the entry")
    if not unicodedata.is_normalized("NFC", value):
        fixed = unicodedata.normalize("NFC", value)
        raise LexiconError(f"{path}:{line}: {what} {value!r} is not NFC; write it as {fixed!r}")
    return value


def load_abbreviations(path: Path | str | None = None) -> dict[str, str]:
    """Load the abbreviation table (lower-case key -> expansion), validating every entry."""
    import yaml

    path = Path(path) if path is not None else DEFAULT_ABBREVIATIONS_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(
            f"{path}: cannot read abbreviation table ({exc}); check the path"
        ) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise LexiconError(f"{path}:1: expected a mapping with the key 'abbreviations'")
    section = next((v for k, v in root.value if k.value == "abbreviations"), None)
    if not isinstance(section, yaml.MappingNode):
        line = (section or root).start_mark.line + 1
        raise LexiconError(f"{path}:{line}: 'abbreviations' must be a mapping 'short: expansion'")
    table: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in section.value:
        line = key_node.start_mark.line + 1
        key = _scalar(key_node, path, "abbreviation")
        if not _KEY_RE.match(key) or key != key.lower():
            raise LexiconError(
                f"{path}:{line}: abbreviation {key!r} must be lower-case words without "
                "digits or punctuation, separated by single spaces"
            )
        if key.count(" ") >= MAX_PHRASE_WORDS:
            raise LexiconError(
                f"{path}:{line}: abbreviation {key!r} has more than {MAX_PHRASE_WORDS} words; "
                "shorten the phrase"
            )
        if key in table:
            raise LexiconError(
                f"{path}:{line}: duplicate abbreviation {key!r} (first at line {lines[key]}); "
                "keep one entry"
            )
        value = _scalar(value_node, path, f"expansion of {key!r}")
        if value.lower() == key:
            raise LexiconError(f"{path}:{line}: {key!r} expands to itself; delete the entry")
        table[key] = value
        lines[key] = line
    logger.debug("loaded %d abbreviations from %s", len(table), path)
    return table


def abbreviation_at(units: Sequence[Unit], i: int, table: dict[str, str]) -> tuple[str, int] | None:
    """The expansion of the longest table key that starts at ``units[i]``, with its length in
    units; None when no key starts there.

    Keys match whole words, case-insensitively; a phrase (up to ``MAX_PHRASE_WORDS`` words)
    matches consecutive word units (only spaces between them: punctuation is a unit of its own
    and breaks it). Nothing is expanded right after a number (``50 k`` means 50 thousand, not
    "50 không").
    """
    if units[i].kind != "word" or (i > 0 and units[i - 1].kind == "number"):
        return None
    words: list[str] = []
    for unit in units[i : i + MAX_PHRASE_WORDS]:
        if unit.kind != "word":
            break
        words.append(unit.text.lower())
    for n in range(len(words), 0, -1):
        expansion = table.get(" ".join(words[:n]))
        if expansion is not None:
            return expansion, n
    return None


def telex_at(units: Sequence[Unit], i: int) -> tuple[str, int] | None:
    """The syllable a word typed with Telex keys left in was meant to be ("lamf" → "làm"), as a
    one-unit expansion; None for any other unit (see vitext.telex)."""
    if units[i].kind != "word":
        return None
    repaired = telex_word(units[i].text)
    return (repaired, 1) if repaired is not None else None


def expand_abbreviations(text: str, table: dict[str, str]) -> str:
    """Replace whole-word abbreviations and phrases (case-insensitive) by their expansion, and
    words typed with Telex keys left in by their syllable ("vaayj" → "vậy").

    URLs, e-mails and words glued to digits are left alone, and nothing is expanded right after
    a number (``50 k`` means 50 thousand, not "50 không").
    """
    from vitext.text import nfc

    text = nfc(text)
    units = split_units(text)
    out: list[str] = []
    cursor = 0
    i = 0
    while i < len(units):
        found = abbreviation_at(units, i, table) or telex_at(units, i)
        if found is None:
            i += 1
            continue
        expansion, n = found
        out.append(text[cursor : units[i].start])
        out.append(expansion)
        cursor = units[i + n - 1].end
        i += n
    out.append(text[cursor:])
    return "".join(out)
