"""Answer, suggest or decline, from the best dense score and the margin to the next distinct entry.

Thresholds are per route (accented / unaccented queries score differently) and live in
`retrieval/thresholds.yml`, written by `python -m tools.evaluation.calibrate`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import yaml

from retrieval.errors import RetrievalError
from retrieval.search import SearchResult

__all__ = ["DEFAULT_THRESHOLDS_PATH", "Decision", "RouteThresholds", "Thresholds", "decide"]

DEFAULT_THRESHOLDS_PATH = Path(__file__).with_name("thresholds.yml")
MAX_SUGGESTIONS = 3
Kind = Literal["answer", "suggest", "decline"]


@dataclass(frozen=True)
class RouteThresholds:
    answer_min: float  # best cosine needed to answer directly
    margin_min: float  # ... and its lead over the next distinct entry
    suggest_min: float  # below this cosine: decline


@dataclass(frozen=True)
class Thresholds:
    accented: RouteThresholds
    unaccented: RouteThresholds

    def for_route(self, route: str) -> RouteThresholds:
        return self.accented if route == "accented" else self.unaccented

    @classmethod
    def load(cls, path: Path = DEFAULT_THRESHOLDS_PATH) -> Thresholds:
        """Read thresholds; a missing or malformed file raises RetrievalError naming it."""
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            return cls(
                **{
                    route: RouteThresholds(**{k: float(v) for k, v in raw[route].items()})
                    for route in ("accented", "unaccented")
                }
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            raise RetrievalError(
                f"{path}: cannot read FAQ thresholds ({exc}); regenerate with "
                "`python -m tools.evaluation.calibrate --write`"
            ) from exc

    def dump(self, path: Path, *, comment: str = "") -> None:
        header = "".join(f"# {line}\n" for line in comment.splitlines())
        body = yaml.safe_dump(
            {"accented": asdict(self.accented), "unaccented": asdict(self.unaccented)},
            sort_keys=False,
        )
        Path(path).write_text(header + body, encoding="utf-8")


@dataclass(frozen=True)
class Decision:
    kind: Kind
    route: str
    score: float  # best dense cosine (0 without hits)
    margin: float  # best minus the next distinct entry's cosine
    faq_id: str | None = None  # set when kind == "answer"
    suggestions: tuple[str, ...] = ()  # entry ids when kind == "suggest"


def decide(result: SearchResult, thresholds: Thresholds) -> Decision:
    """Apply the route's thresholds to ranked hits (already filtered by audience)."""
    hits = result.hits
    if not hits:
        return Decision("decline", result.route, 0.0, 0.0)
    t = thresholds.for_route(result.route)
    best = hits[0].dense
    runner_up = max((h.dense for h in hits[1:]), default=0.0)
    margin = best - runner_up
    if best >= t.answer_min and margin >= t.margin_min:
        return Decision("answer", result.route, best, margin, faq_id=hits[0].faq_id)
    if best >= t.suggest_min:
        picks = [h.faq_id for h in hits if h.dense >= t.suggest_min][:MAX_SUGGESTIONS]
        return Decision("suggest", result.route, best, margin, suggestions=tuple(picks))
    return Decision("decline", result.route, best, margin)
