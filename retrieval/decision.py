"""Answer, suggest or decline, from the retrieval evidence of the best entry.

The evidence of the top-ranked entry is its best dense cosine plus ``lexical_weight`` times
``ln(1 + BM25)``: real citizens' questions that the FAQ covers share content words with its
phrasings, out-of-scope questions rarely do, and the sum separates them better than the cosine
alone (docs/benchmarks.md, issue #12). Thresholds are per route (accented / unaccented queries
score differently) and live in `retrieval/thresholds.yml`, written by
`python -m tools.evaluation.calibrate_real` (real questions, dev half of the independent set).

A close call (runner-up within ``margin_min``) either becomes a suggestion list
(``close_call: suggest``) or the top entry's answer with the close entries offered as related
questions (``close_call: answer``). A *second opinion* (``decide(..., second_opinion=True)``)
is asked when the NLU put the question out of scope or found no indicator in it: it answers
only above ``second_opinion_min`` and never suggests.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import yaml

from retrieval.errors import RetrievalError
from retrieval.search import FaqHit, SearchResult

__all__ = [
    "CLOSE_CALLS",
    "DEFAULT_THRESHOLDS_PATH",
    "Decision",
    "RouteThresholds",
    "Thresholds",
    "decide",
    "evidence",
]

DEFAULT_THRESHOLDS_PATH = Path(__file__).with_name("thresholds.yml")
MAX_SUGGESTIONS = 3
CLOSE_CALLS = ("suggest", "answer")
NEVER = 2.0  # above any evidence a threshold can see: the option is off
Kind = Literal["answer", "suggest", "decline"]


@dataclass(frozen=True)
class RouteThresholds:
    answer_min: float  # evidence needed to answer directly
    margin_min: float  # lead over the next distinct entry below which the call is close
    suggest_min: float  # below this evidence: decline
    second_opinion_min: float = NEVER  # evidence needed to answer over the NLU's "no"


@dataclass(frozen=True)
class Thresholds:
    accented: RouteThresholds
    unaccented: RouteThresholds
    lexical_weight: float = 0.0  # weight of ln(1 + BM25) in the evidence (0: cosine only)
    close_call: str = "suggest"  # "suggest" | "answer" (answer + related questions)

    def for_route(self, route: str) -> RouteThresholds:
        return self.accented if route == "accented" else self.unaccented

    @classmethod
    def load(cls, path: Path = DEFAULT_THRESHOLDS_PATH) -> Thresholds:
        """Read thresholds; a missing or malformed file raises RetrievalError naming it."""
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            close_call = str(raw.get("close_call", "suggest"))
            if close_call not in CLOSE_CALLS:
                raise ValueError(f"close_call {close_call!r} is not one of {CLOSE_CALLS}")
            return cls(
                **{
                    route: RouteThresholds(**{k: float(v) for k, v in raw[route].items()})
                    for route in ("accented", "unaccented")
                },
                lexical_weight=float(raw.get("lexical_weight", 0.0)),
                close_call=close_call,
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RetrievalError(
                f"{path}: cannot read FAQ thresholds ({exc}); regenerate with "
                "`python -m tools.evaluation.calibrate_real --write`"
            ) from exc

    def dump(self, path: Path, *, comment: str = "") -> None:
        header = "".join(f"# {line}\n" for line in comment.splitlines())
        body = yaml.safe_dump(
            {
                "lexical_weight": self.lexical_weight,
                "close_call": self.close_call,
                "accented": asdict(self.accented),
                "unaccented": asdict(self.unaccented),
            },
            sort_keys=False,
        )
        Path(path).write_text(header + body, encoding="utf-8")


@dataclass(frozen=True)
class Decision:
    kind: Kind
    route: str
    score: float  # best dense cosine of the top entry (0 without hits)
    margin: float  # its best cosine minus the next distinct entry's cosine
    faq_id: str | None = None  # set when kind == "answer"
    suggestions: tuple[str, ...] = ()  # entry ids when kind == "suggest"
    related: tuple[str, ...] = ()  # close entries offered beside an answer (close_call answer)
    evidence: float = 0.0  # what the thresholds were applied to (cosine + lexical term)


def evidence(hit: FaqHit, lexical_weight: float) -> float:
    """Best cosine plus ``lexical_weight`` times ln(1 + BM25) of one hit."""
    return hit.dense + lexical_weight * math.log1p(max(hit.lexical, 0.0))


def decide(
    result: SearchResult, thresholds: Thresholds, *, second_opinion: bool = False
) -> Decision:
    """Apply the route's thresholds to ranked hits (already filtered by audience)."""
    hits = result.hits
    if not hits:
        return Decision("decline", result.route, 0.0, 0.0)
    t = thresholds.for_route(result.route)
    top = hits[0]
    score = evidence(top, thresholds.lexical_weight)
    best = top.dense
    runner_up = max((h.dense for h in hits[1:]), default=0.0)
    margin = top.dense - runner_up
    close = [h.faq_id for h in hits[1:] if top.dense - h.dense < t.margin_min]
    if second_opinion:
        if score >= t.second_opinion_min:
            return Decision("answer", result.route, best, margin, faq_id=top.faq_id, evidence=score)
        return Decision("decline", result.route, best, margin, evidence=score)
    if score >= t.answer_min and (margin >= t.margin_min or thresholds.close_call == "answer"):
        related = tuple(close[: MAX_SUGGESTIONS - 1])
        return Decision(
            "answer", result.route, best, margin, faq_id=top.faq_id, related=related, evidence=score
        )
    if score >= t.suggest_min:
        picks = [h.faq_id for h in hits if evidence(h, thresholds.lexical_weight) >= t.suggest_min][
            :MAX_SUGGESTIONS
        ]
        return Decision(
            "suggest", result.route, best, margin, suggestions=tuple(picks), evidence=score
        )
    return Decision("decline", result.route, best, margin, evidence=score)
