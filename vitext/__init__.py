"""Shared, dependency-free Vietnamese text helpers for both runtimes (Rasa and services).

Only the standard library is imported at module level; PyYAML is imported lazily by the
abbreviation loader.
"""

from __future__ import annotations

from vitext.errors import LexiconError, VitextError
from vitext.lexicon import (
    DEFAULT_ABBREVIATIONS_PATH,
    MAX_PHRASE_WORDS,
    abbreviation_at,
    expand_abbreviations,
    load_abbreviations,
    telex_at,
)
from vitext.pii import install_log_redaction, redact_pii
from vitext.telex import read_telex, repair_telex, telex_word
from vitext.text import fold, has_diacritics, nfc, nfc_with_offsets
from vitext.units import Unit, split_units

__all__ = [
    "DEFAULT_ABBREVIATIONS_PATH",
    "MAX_PHRASE_WORDS",
    "LexiconError",
    "Unit",
    "VitextError",
    "abbreviation_at",
    "expand_abbreviations",
    "fold",
    "has_diacritics",
    "install_log_redaction",
    "load_abbreviations",
    "nfc",
    "nfc_with_offsets",
    "read_telex",
    "redact_pii",
    "repair_telex",
    "split_units",
    "telex_at",
    "telex_word",
]
