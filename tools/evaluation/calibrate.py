"""Calibrate answer/suggest/decline thresholds: `python -m tools.evaluation.calibrate [--write]`.

Grid search per route (accented / unaccented) on the `calib` half of the dev set, maximising a
utility where a wrong answer costs more than a suggestion or a decline. Prints the thresholds and
the holdout outcomes; `--write` stores them in retrieval/thresholds.yml (cosine only, a close
call suggests). The shipped file now comes from `tools.evaluation.calibrate_real`, fitted on real
citizens' questions (issue #12): the own paraphrases are too close to the FAQ phrasings.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import numpy as np

from retrieval.decision import MAX_SUGGESTIONS, RouteThresholds, Thresholds
from tools.evaluation.faq_devset import (
    Probe,
    build_searcher,
    decision_report,
    load_devset,
    probe,
    warm,
)

__all__ = ["UTILITY", "calibrate_route", "main"]

# Outcome → utility. Answering wrongly (or answering an out-of-corpus question) is the costly error.
UTILITY = {
    "answer_right": 1.0,
    "answer_wrong": -3.0,
    "suggest_hit": 0.5,
    "suggest_miss": -0.5,
    "decline_known": -0.5,
    "neg_decline": 1.0,
    "neg_suggest": -0.5,
    "neg_answer": -3.0,
}


def calibrate_route(probes: Sequence[Probe]) -> tuple[RouteThresholds, float]:
    """Best thresholds for one route's probes (vectorised grid search) and their mean utility."""
    n = len(probes)
    best = np.zeros(n)
    margin = np.zeros(n)
    top_right = np.zeros(n, bool)
    gold_dense = np.full(n, -1.0)  # dense score of the gold entry if it is within the first 3
    negative = np.array([p.item.gold is None for p in probes])
    for i, p in enumerate(probes):
        hits = p.result.hits
        if not hits:
            best[i] = -1.0
            continue
        best[i] = hits[0].dense
        margin[i] = hits[0].dense - max((h.dense for h in hits[1:]), default=0.0)
        top_right[i] = hits[0].faq_id == p.item.gold
        gold = [h.dense for h in hits[:MAX_SUGGESTIONS] if h.faq_id == p.item.gold]
        gold_dense[i] = gold[0] if gold else -1.0
    # negatives weigh as much in total as half the known queries (they are few)
    n_neg = max(int(negative.sum()), 1)
    weight = np.where(negative, 0.5 * max(n - n_neg, 1) / n_neg, 1.0)
    u = UTILITY
    choice: tuple[float, RouteThresholds] = (-np.inf, RouteThresholds(0.9, 0.02, 0.85))
    for answer_min in np.arange(0.80, 0.985, 0.005):
        for margin_min in np.arange(0.0, 0.0601, 0.005):
            answered = (best >= answer_min) & (margin >= margin_min)
            for suggest_min in np.arange(0.75, answer_min + 1e-9, 0.005):
                suggested = ~answered & (best >= suggest_min)
                declined = ~answered & ~suggested
                hit = gold_dense >= suggest_min
                score = np.where(
                    negative,
                    np.select(
                        [answered, suggested], [u["neg_answer"], u["neg_suggest"]], u["neg_decline"]
                    ),
                    np.select(
                        [answered & top_right, answered, suggested & hit, suggested, declined],
                        [
                            u["answer_right"],
                            u["answer_wrong"],
                            u["suggest_hit"],
                            u["suggest_miss"],
                            u["decline_known"],
                        ],
                    ),
                )
                total = float((score * weight).sum() / weight.sum())
                if total > choice[0] + 1e-9:
                    choice = (
                        total,
                        RouteThresholds(
                            round(float(answer_min), 3),
                            round(float(margin_min), 3),
                            round(float(suggest_min), 3),
                        ),
                    )
    return choice[1], choice[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write retrieval/thresholds.yml")
    args = parser.parse_args(argv)
    from retrieval.encoder import load_encoder
    from settings.services import get_settings

    settings = get_settings()
    encoder = load_encoder(settings.retrieval, models_dir=settings.paths.models_dir)
    searcher, memo = build_searcher(settings, encoder, settings.paths.cache_dir / "eval")
    items, problems = load_devset(settings.paths.data_dir / "eval" / "faq", searcher.corpus)
    for problem in problems:
        print("skipped:", problem, file=sys.stderr)
    warm(searcher, memo, items)
    probes = probe(searcher, items, searcher.strategy)
    calib = [p for p in probes if p.item.half == "calib"]
    chosen, utilities = {}, {}
    for route, accented in (("accented", True), ("unaccented", False)):
        chosen[route], utilities[route] = calibrate_route(
            [p for p in calib if p.item.accented == accented]
        )
    thresholds = Thresholds(accented=chosen["accented"], unaccented=chosen["unaccented"])
    holdout = [p for p in probes if p.item.half == "holdout"]
    report = {
        "strategy": searcher.strategy,
        "thresholds": {k: vars(v) for k, v in chosen.items()},
        "calib_utility": {k: round(v, 4) for k, v in utilities.items()},
        "calib_queries": len(calib),
        "holdout": decision_report(holdout, thresholds),
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.write:
        thresholds.dump(
            settings.paths.faq_thresholds,
            comment=(
                "Answer/suggest/decline thresholds (cosine of multilingual-e5-small,\n"
                "'query: ' prompt). Generated by `python -m tools.evaluation.calibrate --write`\n"
                f"on the calib half of data/eval/faq ({len(calib)} queries, strategy "
                f"{searcher.strategy}); do not hand-tune."
            ),
        )
        print(f"wrote {settings.paths.faq_thresholds}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
