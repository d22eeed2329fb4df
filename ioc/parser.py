"""Understand indicator questions: indicator x period x area, with spaCy Matchers.

The Doc is built from syllables (``Doc(vocab, words=...)``): ``LOWER`` keeps the diacritics,
``NORM`` is the folded form. Alias patterns are generated from the catalog and areas files; a
syllable typed with diacritics must match exactly, one typed without diacritics matches the folded
alias, so "mua" finds "mưa" but "mùa" does not.

Memory: spaCy adds every new string of a Doc to the shared vocabulary for good, so the words of
every question ever asked would pile up in a long-running action server. A word (or its folded
form) that no pattern can match is replaced by a placeholder before the Doc is built: the
vocabulary then holds only the patterns' own strings (and the few numbers the period patterns
read), whatever users type, and matching is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from ioc import periods as P
from ioc.areas import Area, Areas
from ioc.catalog import Catalog
from ioc.errors import PeriodError
from vitext import fold, has_diacritics, nfc

__all__ = ["ParsedQuestion", "QuestionParser"]

_Pattern = list[dict[str, Any]]
_WORD_RE = re.compile(r"\w+|/", re.UNICODE)
# words asking for a rate rather than a count (matched on folded, lower-case text)
_RATE_WORDS = re.compile(r"phan tram|%|\bt[yi] le\b|\bdung (han|hen)\b|\bchiem\b")
_YEAR = r"^(19|20)\d\d$"
_YEAR_WORDS = {"nay": 0, "ngoai": -1, "truoc": -1, "qua": -1, "roi": -1}
_SUFFIX: _Pattern = [
    {"ORTH": "/", "OP": "?"},
    {"NORM": "nam", "OP": "?"},
    {"NORM": {"REGEX": r"^((19|20)\d\d|nay|ngoai|truoc|qua|roi)$"}},
]
_NUM: dict[str, Any] = {"NORM": {"REGEX": r"^\d{1,2}$"}}
_QUARTER_NUM: dict[str, Any] = {"NORM": {"REGEX": r"^(\d|i|ii|iii|iv)$"}}
_FIRST_N: dict[str, Any] = {"NORM": {"REGEX": r"^([2-578]|1[01])$"}}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# stands for a word no pattern can match (the word regex never yields "<")
_UNSEEN = "<?>"
_TEXT_ATTRS = ("ORTH", "LOWER")  # the token text is lower-cased: ORTH and LOWER are the same


def _words(*texts: str) -> _Pattern:
    return [{"NORM": word} for text in texts for word in text.split()]


_PERIOD_PATTERNS: dict[str, list[_Pattern]] = {
    "TODAY": [_words("hom nay"), _words("ngay nay"), _words("hnay"), _words("bua nay")],
    "YESTERDAY": [_words("hom qua"), _words("ngay hom qua")],
    "THIS_WEEK": [_words("tuan nay")],
    "LAST_WEEK": [_words("tuan truoc"), _words("tuan qua"), _words("tuan vua qua")],
    "THIS_MONTH": [_words("thang nay")],
    "LAST_MONTH": [_words("thang truoc"), _words("thang qua"), _words("thang vua qua")],
    "THIS_QUARTER": [_words("quy nay")],
    "LAST_QUARTER": [_words("quy truoc"), _words("quy vua qua")],
    "MONTH": [[*_words("thang"), _NUM], [*_words("thang"), _NUM, *_SUFFIX]],
    "QUARTER": [
        [*_words("quy"), _QUARTER_NUM],
        [*_words("quy"), _QUARTER_NUM, *_SUFFIX],
        [{"NORM": {"REGEX": r"^q[1-4]$"}}],
        [{"NORM": {"REGEX": r"^q[1-4]$"}}, *_SUFFIX],
    ],
    "HALF": [
        [*_words("6 thang dau nam")],
        [*_words("6 thang dau"), *_SUFFIX],
        [*_words("6 thang"), *_SUFFIX],
        [*_words("6 thang")],
        [*_words("nua dau nam")],
        [*_words("nua dau"), *_SUFFIX],
    ],
    "NINE": [
        [*_words("9 thang dau nam")],
        [*_words("9 thang dau"), *_SUFFIX],
        [*_words("9 thang"), *_SUFFIX],
        [*_words("9 thang")],
    ],
    # "5 tháng đầu năm", "11 tháng năm 2023" (bare "N tháng" only for 6 and 9 above)
    "FIRST_MONTHS": [
        [_FIRST_N, *_words("thang dau nam")],
        [_FIRST_N, *_words("thang dau"), *_SUFFIX],
        [_FIRST_N, *_words("thang"), *_SUFFIX],
    ],
    # "ngày 16/6", "ngày 16/6/2025", "ngày 16 tháng 6 (năm 2025)"
    "DAY": [
        [*_words("ngay"), _NUM, {"ORTH": "/"}, _NUM],
        [*_words("ngay"), _NUM, {"ORTH": "/"}, _NUM, {"ORTH": "/"}, {"NORM": {"REGEX": _YEAR}}],
        [*_words("ngay"), _NUM, *_words("thang"), _NUM],
        [*_words("ngay"), _NUM, *_words("thang"), _NUM, *_SUFFIX],
    ],
    "THIS_YEAR": [_words("nam nay")],
    "LAST_YEAR": [_words("nam ngoai"), _words("nam truoc"), _words("nam qua"), _words("nam roi")],
    "YEAR": [[*_words("nam"), {"NORM": {"REGEX": _YEAR}}], [{"NORM": {"REGEX": _YEAR}}]],
    "YTD": [
        _words("tu dau nam den nay"),
        _words("tu dau nam toi nay"),
        _words("tu dau nam"),
        _words("dau nam den nay"),
        _words("luy ke"),
        _words("luy ke tu dau nam"),
        _words("luy ke tu dau nam den nay"),
        _words("luy ke nam nay"),
        _words("luy ke den nay"),
    ],
}


@dataclass(frozen=True)
class ParsedQuestion:
    indicator_codes: tuple[str, ...]  # empty: none recognised; several: ambiguous
    period: P.Period | None  # None: no period in the question → latest available
    area: Area
    area_explicit: bool


def _alias_pattern(alias: str) -> _Pattern:
    pattern: _Pattern = []
    for syllable in _WORD_RE.findall(nfc(alias).lower()):
        folded = fold(syllable)
        pattern.append({"NORM": folded, "LOWER": {"IN": sorted({syllable, folded})}})
    return pattern


def _longest(spans: list[Span]) -> list[Span]:
    """Drop spans contained in (or overlapping with) a longer one; keep all exact ties."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))
    kept: list[Span] = []
    for span in ordered:
        clash = [k for k in kept if span.start < k.end and k.start < span.end]
        if all((k.start, k.end) == (span.start, span.end) for k in clash):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


@dataclass
class _Matchable:
    """Every value a pattern tests, by attribute: equal to one of ``values`` or a ``regexes``."""

    values: set[str]
    regexes: list[re.Pattern[str]]

    def keep(self, value: str) -> str:
        """``value`` if some pattern may match it, else the placeholder (not added to the vocab)."""
        if value in self.values or any(r.search(value) for r in self.regexes):
            return value
        return _UNSEEN


def _matchable(patterns: Iterable[_Pattern]) -> tuple[_Matchable, _Matchable]:
    """(token text, NORM) values that any of ``patterns`` can match."""
    text, norm = _Matchable(set(), []), _Matchable(set(), [])
    for pattern in patterns:
        for token in pattern:
            for attr, test in token.items():
                if attr == "OP":
                    continue
                if attr not in (*_TEXT_ATTRS, "NORM"):
                    raise ValueError(f"pattern attribute {attr!r} is not handled by the parser")
                into = norm if attr == "NORM" else text
                if isinstance(test, str):
                    into.values.add(test)
                elif set(test) == {"IN"}:
                    into.values.update(test["IN"])
                elif set(test) == {"REGEX"}:
                    regex = re.compile(test["REGEX"])
                    if regex not in into.regexes:
                        into.regexes.append(regex)
                else:
                    raise ValueError(f"pattern test {test!r} is not handled by the parser")
    return text, norm


class QuestionParser:
    """Extract indicator codes, period and area from a Vietnamese question."""

    def __init__(self, catalog: Catalog, areas: Areas) -> None:
        self._nlp = spacy.blank("xx")
        self._areas = areas
        every: list[_Pattern] = []
        self._indicators = Matcher(self._nlp.vocab)
        self._ratio = {i.code for i in catalog if i.aggregation == "rate" or i.unit == "%"}
        # one-syllable aliases written with diacritics ("mưa", "cháy"): typed bare inside a
        # sentence that has diacritics, the word is another one ("Mua đất", "xe chay")
        self._bare_homographs: set[str] = set()
        for indicator in catalog:
            names = {indicator.name, *indicator.aliases}
            for name in names:
                words = _WORD_RE.findall(nfc(name).lower())
                if len(words) == 1 and has_diacritics(words[0]):
                    self._bare_homographs.add(fold(words[0]))
            aliases = [_alias_pattern(a) for a in names]
            self._indicators.add(indicator.code, aliases)
            every += aliases
        self._area_matcher = Matcher(self._nlp.vocab)
        for area in areas:
            aliases = [_alias_pattern(a) for a in {area.name, *area.aliases}]
            self._area_matcher.add(area.code, aliases)
            every += aliases
        self._periods = Matcher(self._nlp.vocab)
        for label, patterns in _PERIOD_PATTERNS.items():
            self._periods.add(label, patterns)
            every += patterns
        self._text, self._norm = _matchable(every)

    @property
    def vocab_size(self) -> int:
        """Strings in the spaCy vocabulary (bounded: see the module docstring)."""
        return len(self._nlp.vocab.strings)

    def doc(self, text: str) -> Doc:
        """Doc of syllables: LOWER keeps diacritics, NORM is folded; unmatchable words → ``<?>``."""
        words = _WORD_RE.findall(nfc(text).lower())
        doc = Doc(self._nlp.vocab, words=[self._text.keep(w) for w in words])
        for token, word in zip(doc, words, strict=True):
            token.norm_ = self._norm.keep(fold(word))
        return doc

    def parse(self, text: str, today: date) -> ParsedQuestion:
        """Parse ``text`` relative to ``today``; raise PeriodError for impossible periods."""
        doc = self.doc(text)
        strings = self._nlp.vocab.strings
        every_span = list(self._indicators(doc, as_spans=True))
        if has_diacritics(text):
            every_span = [s for s in every_span if not self._homograph(s)]
        spans = _longest(every_span)
        codes = self._narrow(
            tuple(dict.fromkeys(span.label_ for span in spans)), every_span, fold(text.lower())
        )
        area_spans = _longest(self._area_matcher(doc, as_spans=True))
        area = self._areas.get(area_spans[0].label_) if area_spans else self._areas.root
        period_matches = [
            Span(doc, start, end, label=strings[match_id])
            for match_id, start, end in self._periods(doc)
        ]
        taken = {i for s in spans for i in range(s.start, s.end)}
        free = [s for s in period_matches if not taken.intersection(range(s.start, s.end))]
        period_spans = _longest(free)
        period = _resolve(period_spans[0], today) if period_spans else None
        return ParsedQuestion(codes, period, area, bool(area_spans))

    def _homograph(self, span: Span) -> bool:
        """A one-word span typed without diacritics whose alias has them ("mua" for "mưa")."""
        return len(span) == 1 and span[0].lower_ in self._bare_homographs

    def _narrow(self, codes: tuple[str, ...], every: list[Span], folded: str) -> tuple[str, ...]:
        """Pick among candidate indicators with the question's own words.

        Rate words ("phần trăm", "%", "tỷ lệ", "đúng hạn") ask for a rate: a rate indicator
        matched anywhere wins ("xử lý được bao nhiêu % phản ánh" → the resolved rate, not the
        count). Otherwise a count is asked, so rates drop out of a tie. Among what is left, the
        indicator more of the question's phrases point to wins ("trễ hạn … hồ sơ" → overdue).
        """
        if _RATE_WORDS.search(folded):
            rates = [c for c in dict.fromkeys(s.label_ for s in every) if c in self._ratio]
            if rates:
                codes = tuple(c for c in codes if c in rates) or tuple(rates)
        elif len(codes) > 1:
            codes = tuple(c for c in codes if c not in self._ratio) or codes
        if len(codes) > 1:
            hits = {c: len({(s.start, s.end) for s in every if s.label_ == c}) for c in codes}
            top = max(hits.values())
            codes = tuple(c for c in codes if hits[c] == top)
        return codes


def _year_from(tokens: list[str], today: date) -> int | None:
    for token in tokens:
        if re.match(_YEAR, token):
            return int(token)
    if tokens and tokens[-1] in _YEAR_WORDS:
        return today.year + _YEAR_WORDS[tokens[-1]]
    return None


def _resolve(span: Span, today: date) -> P.Period:
    label = span.label_
    tokens = [t.norm_ for t in span]
    explicit_year = _year_from(tokens[1:], today)
    chosen_year = explicit_year if explicit_year is not None else today.year
    simple = {
        "TODAY": lambda: P.day(today),
        "YESTERDAY": lambda: P.day(today - timedelta(days=1)),
        "THIS_WEEK": lambda: P.week(today),
        "LAST_WEEK": lambda: P.week(today - timedelta(days=7)),
        "THIS_MONTH": lambda: P.month(today.year, today.month),
        "LAST_MONTH": lambda: P.bucket("month", today.replace(day=1) - timedelta(days=1)),
        "THIS_QUARTER": lambda: P.bucket("quarter", today),
        "LAST_QUARTER": lambda: P.bucket(
            "quarter", P.bucket("quarter", today).start - timedelta(days=1)
        ),
        "THIS_YEAR": lambda: P.year(today.year),
        "LAST_YEAR": lambda: P.year(today.year - 1),
        "YTD": lambda: P.year_to_date(today),
        "HALF": lambda: P.first_half(chosen_year),
        "NINE": lambda: P.nine_months(chosen_year),
        "FIRST_MONTHS": lambda: P.first_months(chosen_year, int(tokens[0])),
    }
    if label in simple:
        return simple[label]()
    if label == "YEAR":
        return P.year(int(next(t for t in tokens if re.match(_YEAR, t))))
    if label == "DAY":
        day_, month_ = (int(t) for t in tokens[1:] if t.isdigit() and not re.match(_YEAR, t))
        try:
            return P.day(date(chosen_year, month_, day_))
        except ValueError as exc:
            raise PeriodError(f"no such day: {span.text}") from exc
    if label == "MONTH":
        number = int(tokens[1])
        period = P.month(chosen_year, number)
    elif label == "QUARTER":
        raw = tokens[0][1:] if tokens[0].startswith("q") and len(tokens[0]) == 2 else tokens[1]
        number = _ROMAN[raw] if raw in _ROMAN else int(raw)
        period = P.quarter(chosen_year, number)
    else:
        raise PeriodError(f"unknown period label {label!r}")
    if explicit_year is None and period.start > today:
        # "tháng 11" asked in May means last November, not a future month
        period = (
            P.month(today.year - 1, number)
            if label == "MONTH"
            else P.quarter(today.year - 1, number)
        )
    return period
