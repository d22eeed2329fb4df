"""General vocabulary of the diacritic restorer, beyond the FAQ corpus.

Two sources, both already in the project (nothing is downloaded):

- **The project's own texts** besides the FAQ: the NLU training examples (``data/nlu``), the
  bot's responses (``domain.yml``, ``data/messages``), the indicator catalog and areas
  (``data/ioc``) and the lexicons (``data/lexicon``). Only accented lines count (about a third
  of the NLU examples are written without diacritics on purpose).
- **A Vietnamese word list**: ``Viet74K.txt`` shipped inside the ``underthesea`` package (a
  declared dependency of both runtimes), 74,000 words of one to four syllables. It gives every
  syllable its accented forms and the syllable pairs inside words ("căn hộ", "chung cư"), but
  no frequencies: each entry counts little.

Weights (tuned on the project's own paraphrase set, docs/benchmarks.md): the FAQ corpus 1 per
occurrence, project texts :data:`PROJECT_WEIGHT`, a word-list entry :data:`WORDLIST_WEIGHT`.
The evaluation sets (``data/eval``) are never read.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from retrieval.restore import LanguageCounts
from settings.defaults import DATA_DIR, REPO_ROOT
from vitext import fold, has_diacritics, nfc

__all__ = [
    "PROJECT_WEIGHT",
    "WORDLIST_WEIGHT",
    "general_counts",
    "project_texts",
    "wordlist_path",
]

logger = logging.getLogger(__name__)

PROJECT_WEIGHT = 0.5
WORDLIST_WEIGHT = 0.05
_MARKUP = re.compile(r"\{[^}]*\}|\[([^\]]*)\]\([^)]*\)|https?://\S+|\S+@\S+")
_WORD = re.compile(r"\w+")
_MIN_ACCENTED = 0.3  # a line with fewer accented words is (partly) typed without diacritics


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _lines(text: str) -> Iterator[str]:
    for raw in text.splitlines():
        line = _MARKUP.sub(lambda m: m.group(1) or " ", raw.strip().removeprefix("- "))
        words = _WORD.findall(line)
        if words and sum(fold(w) != w for w in words) >= _MIN_ACCENTED * len(words):
            yield nfc(" ".join(line.split()))


def project_texts(data_dir: Path = DATA_DIR, domain_file: Path | None = None) -> Iterator[str]:
    """Accented lines of the project's texts other than the FAQ and the evaluation sets."""
    files = [domain_file or REPO_ROOT / "domain.yml"]
    for sub in ("nlu", "messages", "ioc", "lexicon"):
        files.extend(sorted((data_dir / sub).glob("*.yml")))
    for path in files:
        try:
            node = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            logger.warning("restorer vocabulary: %s skipped (%s)", path, exc)
            continue
        for text in _strings(node):
            if has_diacritics(text):
                yield from _lines(text)


def wordlist_path() -> Path | None:
    """underthesea's Viet74K.txt, found without importing the package (None if absent)."""
    spec = importlib.util.find_spec("underthesea")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "corpus" / "data" / "Viet74K.txt"
        if path.is_file():
            return path
    return None


@functools.cache
def general_counts(data_dir: Path = DATA_DIR) -> LanguageCounts:
    """Project texts and the word list, counted once per process."""
    counts = LanguageCounts()
    for line in project_texts(data_dir):
        counts.add_text(line, weight=PROJECT_WEIGHT)
    path = wordlist_path()
    if path is None:
        logger.warning("restorer vocabulary: underthesea's word list not found; project texts only")
    else:
        for entry in path.read_text(encoding="utf-8").splitlines():
            if has_diacritics(entry):
                counts.add_text(entry, weight=WORDLIST_WEIGHT, sentence=False)
    return counts
