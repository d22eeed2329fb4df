"""Indicator catalog loaded from ``data/ioc/catalog.yml``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ioc.datafile import line_of, load_yaml
from ioc.errors import DataFileError, UnknownIndicator
from vitext import fold

__all__ = [
    "AGGREGATIONS",
    "AUDIENCES",
    "DOMAINS",
    "PERIODICITIES",
    "Catalog",
    "Indicator",
    "load_catalog",
]

DOMAINS = (
    "kinh_te_xa_hoi",
    "y_te",
    "giao_duc",
    "tai_nguyen_moi_truong",
    "du_lich",
    "hanh_chinh_cong",
    "an_ninh_trat_tu",
    "phan_anh_hien_truong",
)
PERIODICITIES = ("day", "week", "month", "quarter", "year")
# rate = Σnumerator / Σdenominator x 100; growth = (Σnumerator / Σdenominator - 1) x 100
AGGREGATIONS = ("sum", "mean", "last", "rate", "growth")
AUDIENCES = ("public", "staff")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD_RE = re.compile(r"\w+")
_REQUIRED = ("code", "name", "aliases", "domain", "unit", "periodicity", "aggregation", "agency")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    aliases: tuple[str, ...]
    domain: str
    unit: str
    periodicity: str
    aggregation: str
    agency: str
    audience: str = "public"
    decimals: int = 0  # digits after the comma when displaying values
    targets: Mapping[int, float] = field(default_factory=dict)  # yearly plan target by year

    @property
    def is_ratio(self) -> bool:
        """True when changes are expressed in percentage points (rates, growth, % indices)."""
        return self.aggregation in ("rate", "growth") or self.unit == "%"


@dataclass(frozen=True)
class Catalog:
    indicators: Mapping[str, Indicator]
    # domain -> words naming the sector (folded), for questions about figures we do not have
    sectors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def sector_of(self, text: str) -> str | None:
        """The domain whose sector word occurs in ``text`` (longest word wins), else None."""
        folded = " " + " ".join(_WORD_RE.findall(fold(text.lower()))) + " "
        best: tuple[int, str] | None = None
        for domain, words in self.sectors.items():
            for word in words:
                if f" {word} " in folded and (best is None or len(word) > best[0]):
                    best = (len(word), domain)
        return best[1] if best else None

    def in_domain(self, domain: str, *, role: str) -> list[Indicator]:
        """Indicators of ``domain`` that ``role`` may read, catalog order."""
        return [
            i for i in self if i.domain == domain and (i.audience == "public" or role == "staff")
        ]

    def get(self, code: str) -> Indicator:
        """Indicator by code; raise UnknownIndicator naming the valid codes."""
        try:
            return self.indicators[code]
        except KeyError:
            raise UnknownIndicator(
                f"unknown indicator code {code!r}; use one of {', '.join(sorted(self.indicators))}"
            ) from None

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)


def _fail(path: Path, entry: Any, message: str) -> DataFileError:
    return DataFileError(f"{path}:{line_of(entry)}: {message}")


def _targets(path: Path, entry: dict[str, Any]) -> dict[int, float]:
    raw = entry.get("targets") or {}
    if not isinstance(raw, dict):
        raise _fail(path, entry, f"indicator {entry['code']!r}: 'targets' must map year → value")
    targets: dict[int, float] = {}
    for year, value in raw.items():
        if year == "__line__":
            continue
        if not isinstance(year, int) or not isinstance(value, int | float):
            raise _fail(
                path,
                entry,
                f"indicator {entry['code']!r}: target {year!r}: {value!r} must be 'YYYY: number'",
            )
        targets[year] = float(value)
    return targets


def _parse_entry(path: Path, entry: Any) -> Indicator:
    if not isinstance(entry, dict):
        raise _fail(path, entry, f"catalog entry must be a mapping, got {entry!r}")
    missing = [key for key in _REQUIRED if not entry.get(key)]
    if missing:
        raise _fail(
            path,
            entry,
            f"indicator {entry.get('code')!r} lacks {', '.join(missing)}; add these fields",
        )
    code = entry["code"]
    checks = (
        (bool(_CODE_RE.match(str(code))), f"code {code!r} must be ASCII snake_case"),
        (entry["domain"] in DOMAINS, f"domain {entry['domain']!r} must be one of {DOMAINS}"),
        (
            entry["periodicity"] in PERIODICITIES,
            f"periodicity {entry['periodicity']!r} must be one of {PERIODICITIES}",
        ),
        (
            entry["aggregation"] in AGGREGATIONS,
            f"aggregation {entry['aggregation']!r} must be one of {AGGREGATIONS}",
        ),
        (
            entry.get("audience", "public") in AUDIENCES,
            f"audience {entry.get('audience')!r} must be one of {AUDIENCES}",
        ),
        (
            isinstance(entry["aliases"], list)
            and all(isinstance(a, str) for a in entry["aliases"]),
            "aliases must be a list of strings",
        ),
    )
    for ok, message in checks:
        if not ok:
            raise _fail(path, entry, f"indicator {code!r}: {message}")
    return Indicator(
        code=code,
        name=entry["name"],
        aliases=tuple(entry["aliases"]),
        domain=entry["domain"],
        unit=entry["unit"],
        periodicity=entry["periodicity"],
        aggregation=entry["aggregation"],
        agency=entry["agency"],
        audience=entry.get("audience", "public"),
        decimals=int(entry.get("decimals", 0)),
        targets=_targets(path, entry),
    )


def load_catalog(path: Path) -> Catalog:
    """Load and validate the catalog; errors name ``path:line`` and the fix."""
    data = load_yaml(path)
    entries = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DataFileError(f"{path}:1: expected a top-level 'indicators:' list")
    indicators: dict[str, Indicator] = {}
    for entry in entries:
        indicator = _parse_entry(path, entry)
        if indicator.code in indicators:
            raise _fail(path, entry, f"duplicate indicator code {indicator.code!r}; rename one")
        indicators[indicator.code] = indicator
    return Catalog(indicators=indicators, sectors=_sectors(path, data.get("sectors") or {}))


def _sectors(path: Path, raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}:{line_of(raw)}: 'sectors:' must map a domain to a word list")
    sectors: dict[str, tuple[str, ...]] = {}
    for domain, words in raw.items():
        if str(domain).startswith("__"):  # load_yaml's line bookkeeping
            continue
        if domain not in DOMAINS:
            raise DataFileError(
                f"{path}:{line_of(raw)}: sector {domain!r} must be one of {DOMAINS}"
            )
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise DataFileError(
                f"{path}:{line_of(raw)}: sector {domain!r} must list words, e.g. [kinh tế, giá]"
            )
        sectors[domain] = tuple(dict.fromkeys(" ".join(fold(w.lower()).split()) for w in words))
    return sectors
