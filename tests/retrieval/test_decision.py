"""Answer / suggest / decline from the best score and the margin to the next distinct entry."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval.decision import RouteThresholds, Thresholds, decide
from retrieval.errors import RetrievalError
from retrieval.search import FaqHit, FaqSearcher, SearchResult
from tests.retrieval.faq_samples import sample_index
from vitext import load_abbreviations

T = Thresholds(
    accented=RouteThresholds(0.90, 0.02, 0.85), unaccented=RouteThresholds(0.88, 0.03, 0.84)
)


def _result(*scores: float, route: str = "accented", lexical: float = 0.0) -> SearchResult:
    hits = tuple(
        FaqHit(f"e{i}", "y_te", 1.0 / (i + 1), s, lexical if i == 0 else 0.0)
        for i, s in enumerate(scores)
    )
    return SearchResult("q", route, hits)


# answer on a close call, BM25 in the evidence, a second opinion only on strong evidence
REAL = replace(
    T,
    accented=RouteThresholds(0.90, 0.02, 0.90, 0.95),
    lexical_weight=0.02,
    close_call="answer",
)


def test_answers_when_best_is_high_and_clearly_ahead() -> None:
    d = decide(_result(0.95, 0.90, 0.80), T)
    assert (d.kind, d.faq_id, d.suggestions) == ("answer", "e0", ())
    assert d.margin == pytest.approx(0.05)


def test_suggests_up_to_three_distinct_entries_when_top_two_are_close() -> None:
    d = decide(_result(0.95, 0.94, 0.93, 0.92, 0.70), T)
    assert d.kind == "suggest"
    assert d.faq_id is None
    assert d.suggestions == ("e0", "e1", "e2")


def test_suggests_only_entries_above_the_suggest_threshold() -> None:
    d = decide(_result(0.87, 0.86, 0.80), T)
    assert (d.kind, d.suggestions) == ("suggest", ("e0", "e1"))


def test_declines_below_the_suggest_threshold_or_without_hits() -> None:
    assert decide(_result(0.84, 0.70), T).kind == "decline"
    assert decide(SearchResult("q", "accented", ()), T).kind == "decline"


def test_unaccented_route_uses_its_own_thresholds() -> None:
    assert decide(_result(0.89, 0.80), T).kind == "suggest"
    assert decide(_result(0.89, 0.80, route="unaccented"), T).kind == "answer"


def test_runner_up_with_higher_dense_score_blocks_a_direct_answer() -> None:
    # lexical evidence ranked e0 first although e1 is closer in meaning: ask, don't guess
    d = decide(_result(0.93, 0.96), T)
    assert d.kind == "suggest"
    assert d.margin < 0


def test_close_call_answers_the_top_entry_and_offers_the_close_ones_as_related() -> None:
    d = decide(_result(0.95, 0.94, 0.90, 0.70), REAL)
    assert (d.kind, d.faq_id, d.related, d.suggestions) == ("answer", "e0", ("e1",), ())


def test_clear_lead_answers_without_related_entries() -> None:
    assert decide(_result(0.95, 0.90), REAL).related == ()


def test_shared_content_words_lift_a_borderline_cosine_over_the_answer_threshold() -> None:
    # 0.89 alone is below 0.90; with BM25 8.0: 0.89 + 0.02 * ln(9) = 0.934
    assert decide(_result(0.89, 0.80), REAL).kind == "decline"
    d = decide(_result(0.89, 0.80, lexical=8.0), REAL)
    assert d.kind == "answer"
    assert (d.score, d.evidence) == (0.89, pytest.approx(0.89 + 0.02 * math.log(9.0)))


def test_second_opinion_answers_only_on_strong_evidence_and_never_suggests() -> None:
    assert decide(_result(0.93, 0.80), REAL, second_opinion=True).kind == "decline"
    d = decide(_result(0.93, 0.80, lexical=12.0), REAL, second_opinion=True)
    assert (d.kind, d.faq_id) == ("answer", "e0")
    # without a second-opinion threshold (the default) the NLU's "no" always stands
    assert decide(_result(0.99, 0.50, lexical=30.0), T, second_opinion=True).kind == "decline"


def test_thresholds_round_trip_and_bad_file_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yml"
    T.dump(path, comment="test")
    assert path.read_text().startswith("# test\n")
    assert Thresholds.load(path) == T
    REAL.dump(path)
    assert Thresholds.load(path) == REAL
    path.write_text(path.read_text().replace("close_call: answer", "close_call: maybe"))
    with pytest.raises(RetrievalError, match="close_call"):
        Thresholds.load(path)
    path.write_text("accented: {answer_min: 0.9}\n")
    with pytest.raises(RetrievalError, match=r"thresholds.yml: cannot read FAQ thresholds"):
        Thresholds.load(path)


def test_shipped_thresholds_are_ordered() -> None:
    shipped = Thresholds.load()
    for route in (shipped.accented, shipped.unaccented):
        assert 0.0 < route.suggest_min <= route.answer_min < 1.0
        assert route.margin_min >= 0.0


@pytest.fixture(scope="module")
def searcher(encoder, tmp_path_factory) -> FaqSearcher:
    corpus, index = sample_index(encoder, tmp_path_factory.mktemp("faq"))
    return FaqSearcher(corpus, index, encoder, abbreviations=load_abbreviations())


@pytest.mark.parametrize(
    "query",
    [
        "Cách nấu phở bò ngon như ngoài hàng?",
        "gia vang hom nay bao nhieu mot chi",
        "Tối nay đội tuyển Việt Nam đá với đội nào?",
    ],
)
def test_shipped_thresholds_decline_out_of_corpus_questions(
    searcher: FaqSearcher, query: str
) -> None:
    assert decide(searcher.search(query), Thresholds.load()).kind == "decline"


def test_shipped_thresholds_answer_an_exact_phrasing(searcher: FaqSearcher) -> None:
    d = decide(searcher.search("Đăng ký khai sinh cho con cần giấy tờ gì?"), Thresholds.load())
    assert (d.kind, d.faq_id) == ("answer", "hcc-khai-sinh")
