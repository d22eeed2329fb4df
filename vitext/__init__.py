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
)
from vitext.pii import install_log_redaction, redact_pii
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
    "redact_pii",
    "split_units",
]
