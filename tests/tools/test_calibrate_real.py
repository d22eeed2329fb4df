"""tools.evaluation.calibrate_real: replaying the FAQ decision on recorded pipeline answers."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.decision import RouteThresholds, Thresholds
from settings.defaults import DATA_DIR
from tools.evaluation.calibrate_real import Case, calibrate, cross_fit, load_cases, replay

ROUTE = RouteThresholds(0.90, 0.01, 0.90, 0.96)
T = Thresholds(ROUTE, ROUTE, lexical_weight=0.0, close_call="answer")


def _citizen(dense: float, domain: str, mode: str = "faq") -> Case:
    return Case("citizen", "q", ("y_te",), mode, False, False, dense=dense, domain=domain)


def _outside(dense: float, mode: str = "faq") -> Case:
    return Case("out_of_scope", "q", (), mode, False, False, dense=dense, domain="y_te")


def test_replay_scores_routing_rejection_and_second_opinion() -> None:
    cases = [
        _citizen(0.95, "y_te"),  # answered in an accepted domain
        _citizen(0.95, "du_lich"),  # answered in the wrong domain
        _citizen(0.85, "y_te"),  # declined
        _citizen(0.93, "y_te", mode="second"),  # below the second-opinion threshold
        _outside(0.80),  # declined
        _outside(0.97, mode="second"),  # strong evidence overrules the NLU: answered
        Case("out_of_scope", "q", (), "fixed", True, True),  # the pipeline's own decline
    ]
    assert replay(cases, T) == {
        "routing": 0.25,
        "oos_rejection": round(2 / 3, 4),
        "false_rejection": 0.5,
    }


def test_calibration_keeps_the_out_of_scope_floor() -> None:
    cases = [_citizen(0.93, "y_te"), _citizen(0.95, "y_te"), _outside(0.92), _outside(0.80)]
    chosen = calibrate(cases, T, oos_min=1.0)
    assert replay(cases, chosen) == {"routing": 1.0, "oos_rejection": 1.0, "false_rejection": 0.0}
    assert 0.92 < chosen.accented.answer_min <= 0.93


def test_dump_rows_are_joined_to_the_dev_sentences(tmp_path: Path) -> None:
    data_dir = DATA_DIR / "eval" / "understanding"
    from tools.evaluation.understanding_set import load_set

    dev = [i for i in load_set(data_dir).select("dev") if i.kind in ("citizen", "out_of_scope")]
    dump = tmp_path / "dev.jsonl"
    got = {"intent": "out_of_scope", "fallback": True, "domain": None}
    dump.write_text(
        "".join(json.dumps({"text": i.text, "got": got}, ensure_ascii=False) + "\n" for i in dev),
        encoding="utf-8",
    )
    cases = load_cases(dump, data_dir, DATA_DIR / "lexicon" / "places.yml")
    assert len(cases) == len(dev)
    assert {c.mode for c in cases} <= {"second", "fixed"}
    assert all(c.fixed_declined for c in cases)


def test_cross_fit_compares_a_refit_with_the_current_thresholds_on_held_out_halves() -> None:
    # Separable cases: a refit on any half finds a threshold that also holds on the other half.
    cases = [_citizen(0.94 + i / 1000, "y_te") for i in range(10)]
    cases += [_outside(0.80 + i / 1000) for i in range(10)]
    strict = Thresholds(
        RouteThresholds(0.97, 0.01, 0.97, 0.99),
        RouteThresholds(0.97, 0.01, 0.97, 0.99),
        lexical_weight=0.0,
        close_call="answer",
    )
    check = cross_fit(cases, strict, repeats=3)
    assert check["current"] == {"routing": 0.0, "oos_rejection": 1.0, "false_rejection": 1.0}
    assert check["refit"] == {"routing": 1.0, "oos_rejection": 1.0, "false_rejection": 0.0}
