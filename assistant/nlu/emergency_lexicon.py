"""Emergency patterns from ``data/lexicon/emergency.yml``: loading, compiling and matching.

Patterns are regular expressions written in lower-case Vietnamese WITH diacritics. Every
accented letter also matches its unaccented form, so ``cháy`` matches "cháy" and "chay" but
not "chạy": unaccented input works while accented input keeps its precision. A space matches
any run of whitespace, `` ~ `` matches a gap of up to four words, and patterns only match whole
words. A few words also match their chat spellings (``không`` matches "ko", "k", "hông"; ``người``
matches "ng"; ``được``, ``với``, ``rồi``), so one pattern covers teen code too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Tuple

from rasa.shared.exceptions import InvalidConfigException

from settings.defaults import DATA_DIR
from vitext import fold, nfc

__all__ = [
    "DEFAULT_EMERGENCY_PATH",
    "EMERGENCY_KINDS",
    "EmergencyLexicon",
    "EmergencyMatch",
    "LexiconError",
    "load_emergency_lexicon",
]

DEFAULT_EMERGENCY_PATH = DATA_DIR / "lexicon" / "emergency.yml"
EMERGENCY_KINDS = ("fire", "medical", "crime", "accident", "rescue")

_GAP = r"(?:\s+\S+){0,4}\s+"

# Chat spellings a pattern word also matches (teen code, abbreviations); applied to whole words.
_ALIASES = {
    "không": ("ko", "k", "hông", "hổng", "hok", "khg", "kh"),
    "người": ("ng", "ngừoi"),
    "được": ("dc", "đc", "dk"),
    "với": ("vs", "zới"),
    "rồi": ("r", "rùi"),
}
_ALIAS_WORD = re.compile(r"(?<![\w\\])(" + "|".join(_ALIASES) + r")(?!\w)")


class LexiconError(InvalidConfigException):
    """``emergency.yml`` is missing or malformed (the message names ``path:line``)."""


@dataclass(frozen=True)
class EmergencyMatch:
    """Result of matching one message."""

    kind: str  # kind whose match starts first (ties: file order)
    kinds: Tuple[str, ...]  # every matching kind, file order
    start: int  # span of the first match of `kind` in the NFC text
    end: int
    matched: str


@dataclass(frozen=True)
class EmergencyLexicon:
    """Compiled patterns; ``match`` returns None for non-emergencies."""

    kinds: Tuple[Tuple[str, Pattern[str]], ...]
    guards: Optional[Pattern[str]]
    urgent: Optional[Pattern[str]]
    signs: Optional[Pattern[str]] = None
    # figures of speech and everyday troubles ("cứu tui bài tập với!!", "cổng DVC sập, cứu với"):
    # they veto even an urgent cue, since the cue is part of the figure
    figurative: Optional[Pattern[str]] = None
    # questions and keyword searches: the classifier's guess alone (no word of danger) does not
    # make them an emergency ("tàu đi Côn Đảo", "mùa này biển có sóng to không?")
    asks_patterns: Optional[Pattern[str]] = None

    def _figurative(self, squeezed: str) -> bool:
        return self.figurative is not None and self.figurative.search(squeezed) is not None

    def vetoes(self, text: str) -> bool:
        """True when a guard says the message is not an event in progress (and no urgent cue)."""
        text, _ = _squeeze(_lower_keep_length(nfc(text)))
        if self._figurative(text):
            return True
        if self.guards is None or self.guards.search(text) is None:
            return False
        return self.urgent is None or self.urgent.search(text) is None

    def signals(self, text: str) -> bool:
        """True when ``text`` carries a word of danger or urgency (always, without ``signs``)."""
        if self.signs is None:
            return True
        text, _ = _squeeze(_lower_keep_length(nfc(text)))
        if self.signs.search(text) is not None:
            return True
        return self.urgent is not None and self.urgent.search(text) is not None

    def asks(self, text: str) -> bool:
        """True when ``text`` is a question or a short keyword search (the ``asks`` patterns)."""
        if self.asks_patterns is None:
            return False
        text, _ = _squeeze(_lower_keep_length(nfc(text)))
        return self.asks_patterns.search(text) is not None

    def match(self, text: str) -> Optional[EmergencyMatch]:
        """Match ``text``; guards (statistics, procedures) veto unless an urgent cue is present."""
        lowered = _lower_keep_length(nfc(text))
        text, origin = _squeeze(lowered)
        hits = [(kind, m) for kind, pattern in self.kinds if (m := pattern.search(text))]
        if not hits or self._figurative(text):
            return None
        vetoed = self.guards is not None and self.guards.search(text) is not None
        if vetoed and (self.urgent is None or self.urgent.search(text) is None):
            return None
        # The event mentioned first is the topic ("tai nan xe may, nguoi chay mau": accident).
        kind, first = min(hits, key=lambda hit: hit[1].start())
        start, end = origin[first.start()], origin[first.end() - 1] + 1
        return EmergencyMatch(
            kind=kind,
            kinds=tuple(k for k, _ in hits),
            start=start,
            end=end,
            matched=lowered[start:end],
        )


# Longest run of one letter Vietnamese spelling has: "cuu" (cứu unaccented), "xoong".
_MAX_RUN = {"u": 2, "o": 2}


def _squeeze(text: str) -> Tuple[str, List[int]]:
    """Shorten letters stretched for emphasis ("chayy", "cuuu"); map back to ``text`` offsets."""
    out: List[str] = []
    origin: List[int] = []
    run = 0
    for i, ch in enumerate(text):
        run = run + 1 if out and ch == out[-1] and ch.isalpha() else 1
        if run > _MAX_RUN.get(ch, 1) and ch.isalpha():
            continue
        out.append(ch)
        origin.append(i)
    return "".join(out), origin


def _lower_keep_length(text: str) -> str:
    # str.lower() may lengthen a few characters (İ); spans must stay valid.
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _with_aliases(pattern: str) -> str:
    """Let the words of ``_ALIASES`` also match their chat spellings (outside [...] classes)."""
    parts = re.split(r"(\[[^\]]*\])", pattern)
    return "".join(
        part
        if part.startswith("[")
        else _ALIAS_WORD.sub(
            lambda m: "(?:" + "|".join((m.group(1), *_ALIASES[m.group(1)])) + ")", part
        )
        for part in parts
    )


def _lenient(pattern: str) -> str:
    """Let every accented letter of ``pattern`` also match its unaccented form."""
    pattern = _with_aliases(pattern)
    out: List[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        base = fold(ch)
        if ch.isalpha() and base != ch and len(base) == 1:
            out.append(ch + base if in_class else f"[{ch}{base}]")
        elif ch == " " and not in_class:
            out.append(r"\s+")
        elif ch == "~" and not in_class:
            # " ~ " -> the spaces around it were already turned into \s+; fold them in.
            while out and out[-1] == r"\s+":
                out.pop()
            out.append(_GAP)
            i += 1
            while i < len(pattern) and pattern[i] == " ":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _compile(entries: List[Tuple[str, int]], path: Path) -> Optional[Pattern[str]]:
    if not entries:
        return None
    parts = []
    for pattern, line in entries:
        try:
            re.compile(pattern)
            lenient = _lenient(pattern)
            re.compile(lenient)
        except re.error as exc:
            raise LexiconError(
                f"{path}:{line}: pattern {pattern!r} is not a valid regex ({exc}); note that a "
                "space becomes \\s+ (write \\s inside look-behinds)"
            ) from exc
        parts.append(f"(?:{lenient})")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _patterns(node: Any, path: Path, where: str) -> List[Tuple[str, int]]:
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        line = node.start_mark.line + 1
        raise LexiconError(f"{path}:{line}: '{where}' must be a list of patterns")
    entries = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise LexiconError(f"{path}:{line}: every entry of '{where}' must be a pattern text")
        pattern = str(item.value).strip()
        if not unicodedata.is_normalized("NFC", pattern):
            fixed = unicodedata.normalize("NFC", pattern)
            raise LexiconError(f"{path}:{line}: pattern {pattern!r} is not NFC; write {fixed!r}")
        if pattern != pattern.lower() and not re.search(r"\\[A-Z]", pattern):
            raise LexiconError(
                f"{path}:{line}: pattern {pattern!r} must be lower-case; write {pattern.lower()!r}"
            )
        entries.append((pattern, line))
    return entries


def load_emergency_lexicon(path: Optional[Path] = None) -> EmergencyLexicon:
    """Load and compile ``emergency.yml``; raise LexiconError with ``path:line`` on bad entries."""
    import yaml

    path = Path(path) if path is not None else DEFAULT_EMERGENCY_PATH
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except OSError as exc:
        raise LexiconError(
            f"{path}: cannot read emergency lexicon ({exc}); check the path"
        ) from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise LexiconError(
            f"{path}:1: expected a mapping with keys 'kinds', 'guards', 'urgent', 'signs', "
            "'figurative', 'asks'"
        )
    sections: Dict[str, Any] = {key.value: value for key, value in root.value}
    kinds_node = sections.get("kinds")
    if not isinstance(kinds_node, yaml.MappingNode) or not kinds_node.value:
        raise LexiconError(f"{path}:1: 'kinds' must map an emergency kind to a list of patterns")
    kinds: List[Tuple[str, Pattern[str]]] = []
    for key, value in kinds_node.value:
        line = key.start_mark.line + 1
        if key.value not in EMERGENCY_KINDS:
            raise LexiconError(
                f"{path}:{line}: unknown emergency kind {key.value!r}; use one of {EMERGENCY_KINDS}"
            )
        if any(kind == key.value for kind, _ in kinds):
            raise LexiconError(f"{path}:{line}: kind {key.value!r} is listed twice; merge them")
        compiled = _compile(_patterns(value, path, f"kinds.{key.value}"), path)
        if compiled is None:
            raise LexiconError(f"{path}:{line}: kind {key.value!r} has no patterns")
        kinds.append((key.value, compiled))
    guards = (
        _compile(_patterns(sections["guards"], path, "guards"), path)
        if "guards" in sections
        else None
    )
    urgent = (
        _compile(_patterns(sections["urgent"], path, "urgent"), path)
        if "urgent" in sections
        else None
    )
    signs = (
        _compile(_patterns(sections["signs"], path, "signs"), path) if "signs" in sections else None
    )
    figurative = (
        _compile(_patterns(sections["figurative"], path, "figurative"), path)
        if "figurative" in sections
        else None
    )
    asks = _compile(_patterns(sections["asks"], path, "asks"), path) if "asks" in sections else None
    return EmergencyLexicon(
        kinds=tuple(kinds),
        guards=guards,
        urgent=urgent,
        signs=signs,
        figurative=figurative,
        asks_patterns=asks,
    )
