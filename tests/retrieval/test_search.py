"""Search channels, fusion and routing on the sample corpus with the real encoder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from retrieval.corpus import load_corpus
from retrieval.index import FaqIndex
from retrieval.lexical import LexicalIndex, tokenize
from retrieval.restore import DiacriticRestorer
from retrieval.search import _RRF_K, UNACCENTED_LEXICAL_WEIGHT, FaqSearcher, rrf
from settings.defaults import REPO_ROOT
from settings.services import RetrievalSettings
from tests.retrieval.faq_samples import sample_index
from vitext import load_abbreviations


@pytest.fixture(scope="module")
def searcher(encoder, tmp_path_factory) -> FaqSearcher:
    corpus, index = sample_index(encoder, tmp_path_factory.mktemp("faq"))
    return FaqSearcher(corpus, index, encoder, abbreviations=load_abbreviations())


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Thẻ BHYT ở đâu?", ["the", "bao", "hiem", "y", "te", "o", "dau"]),
        ("the bhyt o dau", ["the", "bao", "hiem", "y", "te", "o", "dau"]),
        ("Đăng ký  khai sinh", ["dang", "ky", "khai", "sinh"]),
        ("", []),
    ],
    ids=["accented-abbrev", "unaccented-abbrev", "d-stroke", "empty"],
)
def test_tokenize_folds_and_expands_abbreviations(text: str, tokens: list[str]) -> None:
    assert tokenize(text, load_abbreviations()) == tokens


def test_lexical_index_matches_unaccented_query_against_accented_docs() -> None:
    index = LexicalIndex(
        ["Đăng ký khai sinh cho con", "Gia hạn thẻ bảo hiểm y tế"],
        ["a", "b"],
        abbreviations=load_abbreviations(),
    )
    assert index.search("gia han the bhyt")[0][0] == "b"
    assert index.search("xyz không có") == []


def test_accent_preserving_lexical_index_tells_apart_words_folding_merges() -> None:
    texts = ["Thế chấp sổ đỏ ở ngân hàng", "Thẻ căn cước gắn chip"]
    folded = LexicalIndex(texts, ["mortgage", "card"])
    keeping = LexicalIndex(texts, ["mortgage", "card"], fold_accents=False)
    assert tokenize("Thẻ BHYT", load_abbreviations(), fold_accents=False) == [
        "thẻ",
        "bảo",
        "hiểm",
        "y",
        "tế",
    ]
    assert {k for k, _ in folded.search("thẻ")} == {"mortgage", "card"}  # 'the' in both
    assert [k for k, _ in keeping.search("thẻ")] == ["card"]
    assert keeping.search("the") == []  # unaccented queries take the folded channel


def test_rrf_rewards_agreement_between_channels() -> None:
    fused = rrf({"dense": ["a", "b", "c"], "lexical": ["b", "a"]}, {"dense": 1.0, "lexical": 1.0})
    assert fused["a"] == pytest.approx(fused["b"])
    assert fused["b"] > fused["c"]
    light = rrf({"dense": ["a", "b"], "lexical": ["b", "a"]}, {"dense": 1.0, "lexical": 0.3})
    assert light["a"] > light["b"]


@pytest.mark.parametrize(
    ("query", "route", "expected"),
    [
        (
            "Thẻ bảo hiểm y tế của gia đình tôi sắp hết hạn, gia hạn ở chỗ nào?",
            "accented",
            "yte-bhyt-gia-han",
        ),
        (
            "the bao hiem y te gia dinh sap het han gia han cho nao",
            "unaccented",
            "yte-bhyt-gia-han",
        ),
        ("bé mới sinh cần tiêm những mũi vắc xin nào", "accented", "yte-tiem-chung-tre-em"),
        ("thu tuc lam giay khai sinh cho con", "unaccented", "hcc-khai-sinh"),
        ("muon dang ky ket hon can lam gi", "unaccented", "hcc-ket-hon"),
    ],
)
def test_route_strategy_finds_the_entry(
    searcher: FaqSearcher, query: str, route: str, expected: str
) -> None:
    result = searcher.search(query)
    assert result.route == route
    assert result.hits[0].faq_id == expected
    assert result.hits[0].dense > 0.8
    assert len({h.faq_id for h in result.hits}) == len(result.hits)


@pytest.mark.parametrize("strategy", ["dense", "rrf", "route"])
def test_every_strategy_ranks_an_exact_phrasing_first(searcher: FaqSearcher, strategy: str) -> None:
    result = searcher.search("Phòng chống sốt xuất huyết tại nhà như thế nào?", strategy=strategy)
    assert result.hits[0].faq_id == "yte-sot-xuat-huyet"
    assert result.hits[0].dense == pytest.approx(1.0, abs=0.02)


def test_staff_entries_are_never_returned_to_citizens(searcher: FaqSearcher) -> None:
    query = "Quy trình báo cáo ca bệnh truyền nhiễm nội bộ cho cán bộ y tế"
    for strategy in ("dense", "rrf", "route"):
        citizen = searcher.search(query, top_k=10, strategy=strategy)
        assert "yte-bao-cao-dich-noi-bo" not in {h.faq_id for h in citizen.hits}
    staff = searcher.search(query, role="staff")
    assert staff.hits[0].faq_id == "yte-bao-cao-dich-noi-bo"


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        # a few stray Telex keys in unaccented text: read as the unaccented question
        ("thu tucj lamf giay khai sinh cho con", "thu tuc lam giay khai sinh cho con"),
        # every word typed with its keys: read as the accented question
        ("Phòng chống soots xuaats huyeets taij nhaf nhuw theese naof?", None),
    ],
)
def test_words_typed_with_telex_keys_are_searched_as_meant(
    searcher: FaqSearcher, typed: str, plain: str | None
) -> None:
    result = searcher.search(typed)
    if plain is None:
        assert result.route == "accented"
        assert result.hits[0].faq_id == "yte-sot-xuat-huyet"
        return
    expected = searcher.search(plain)
    assert result.route == expected.route == "unaccented"
    assert [h.faq_id for h in result.hits] == [h.faq_id for h in expected.hits]


def test_empty_query_returns_no_hits(searcher: FaqSearcher) -> None:
    assert searcher.search("   ").hits == ()


def test_unknown_strategy_is_rejected(searcher: FaqSearcher) -> None:
    with pytest.raises(ValueError, match="unknown strategy 'bm42'"):
        FaqSearcher(searcher.corpus, searcher.index, searcher.encoder, strategy="bm42")


def test_restorer_puts_back_accents_learned_from_the_corpus() -> None:
    restorer = DiacriticRestorer.from_texts(
        ["Gia hạn thẻ bảo hiểm y tế ở đâu?", "Thẻ hết hạn thì làm sao", "Đăng ký khai sinh"]
    )
    assert restorer.restore("the bao hiem y te het han o dau") == "thẻ bảo hiểm y tế hết hạn ở đâu"
    assert restorer.restore("dang ky khai sinh online") == "đăng ký khai sinh online"
    assert restorer.restore("") == ""


def test_unaccented_query_is_restored_before_dense_encoding(searcher: FaqSearcher) -> None:
    text, variant = searcher.dense_query("gia han the bhyt o dau")
    assert variant == "orig"
    assert text == "gia hạn thẻ bảo hiểm y tế ở đâu"
    assert searcher.dense_query("Gia hạn thẻ BHYT", strategy="route") == (
        "Gia hạn thẻ bảo hiểm y tế",
        "orig",
    )
    assert searcher.dense_query("gia han the", strategy="rrf") == ("gia han the", "folded")


def test_hesitant_words_can_stay_as_typed(searcher: FaqSearcher) -> None:
    """restore_min_posterior > 0 leaves words under that posterior folded (off by default)."""
    careful = FaqSearcher(
        searcher.corpus, searcher.index, searcher.encoder, restore_min_posterior=1.01
    )
    text, variant = careful.dense_query("gia han the o dau")
    assert (text, variant) == ("gia han the o dau", "orig")
    assert searcher.dense_query("gia han the o dau")[0] == searcher.restorer.restore(
        "gia han the o dau"
    )


def _identity_card_entries(folder: Path) -> Path:
    """The shipped FAQ's identity-card entries (tag can-cuoc) as a corpus of their own."""
    raw = yaml.safe_load((REPO_ROOT / "data/faq/an_ninh_trat_tu.yml").read_text(encoding="utf-8"))
    raw["entries"] = [e for e in raw["entries"] if "can-cuoc" in e.get("tags", [])]
    (folder / "an_ninh_trat_tu.yml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    return folder


def test_unaccented_fusion_default_is_the_setting() -> None:
    """The searcher's default is what ASSISTANT_FAQ_UNACCENTED_* ship (one number, two places)."""
    shipped = RetrievalSettings()
    assert shipped.faq_unaccented_lexical_weight == UNACCENTED_LEXICAL_WEIGHT
    assert shipped.faq_unaccented_rrf_k == _RRF_K


def test_unaccented_lexical_weight_zero_ranks_as_the_dense_channel(searcher: FaqSearcher) -> None:
    """Weight 0: the unaccented route is the dense channel on the restored query, whatever BM25
    says; the accented route is untouched by the unaccented setting."""
    dense_only = searcher.with_unaccented_fusion(0.0, _RRF_K)
    for query in ("thu tuc lam giay khai sinh cho con", "gia han the bhyt o dau", "tiem chung"):
        restored = searcher.restorer.restore(searcher.expand(query))
        expected = [h.faq_id for h in searcher.search(restored, top_k=5, strategy="dense").hits]
        assert [h.faq_id for h in dense_only.search(query, top_k=5).hits] == expected
    accented = "Gia hạn thẻ bảo hiểm y tế ở đâu?"
    assert dense_only.search(accented).hits == searcher.search(accented).hits


def test_unaccented_lexical_weight_moves_the_route_from_dense_to_bm25(
    encoder, tmp_path_factory
) -> None:
    """On the shipped identity-card entries, "lam cccd o dau" (the README's example) splits the
    channels: dense (restored "làm căn cước công dân ở đâu") ranks the where-to entry first,
    folded BM25 another card entry. Weight 0 returns the dense pick, a dominant weight the BM25
    pick; ASSISTANT_FAQ_UNACCENTED_LEXICAL_WEIGHT sets where in between the route sits."""
    corpus = load_corpus(_identity_card_entries(tmp_path_factory.mktemp("cccd"))).corpus
    searcher = FaqSearcher(
        corpus, FaqIndex.build(corpus, encoder), encoder, abbreviations=load_abbreviations()
    )
    query = "lam cccd o dau"

    def top(weight: float) -> str:
        return searcher.with_unaccented_fusion(weight, _RRF_K).search(query).hits[0].faq_id

    lexical_top = searcher.lexical.search(query, top_k=1)[0][0]
    # BM25's pick depends on which card entries exist (first issue, then progress); it is not
    # the where-to entry
    assert top(0.0) == "antt-noi-lam-can-cuoc" != lexical_top
    assert top(100.0) == lexical_top
