"""The inbox over real turn rows, the real e5 encoder and the real FAQ retriever."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from inbox.errors import InboxError, UnknownCluster
from inbox.service import Inbox, Suggestion
from retrieval.service import FaqService
from tests.inbox.conftest import NOW, AddTurn

DOGS = [  # declined (or answered wrongly and rated 👎): the pets entry should take them
    "nhà nuôi chó có phải khai báo với phường không",
    "nuôi chó trong nhà có phải đăng ký với ủy ban phường không",
    "Nuôi chó có cần đăng ký với chính quyền địa phương không?",
]
PETS_ENTRY = "yte-cho-meo-can-phong-dai"
LICENCE = [  # an international driving licence: not this province's business
    "đổi bằng lái xe quốc tế ở đâu",
    "cấp đổi giấy phép lái xe quốc tế cần gì",
    "Giấy phép lái xe quốc tế làm ở đâu?",
]


def _suggester(service: FaqService):
    def suggest(text: str) -> Suggestion | None:
        hits = service.searcher.search(text, top_k=1).hits
        if not hits:
            return None
        entry = service.corpus.by_id[hits[0].faq_id]
        return Suggestion(entry.id, entry.questions[0], hits[0].dense)

    return suggest


@pytest.fixture
def inbox(db: Engine, encoder, faq_service: FaqService) -> Inbox:
    return Inbox(
        db,
        encoder,
        suggest=_suggester(faq_service),
        prepare=lambda text: faq_service.searcher.dense_query(text)[0],
    )


def _script(add_turn: AddTurn) -> None:
    add_turn(DOGS[0], guessed_domain="y_te")
    add_turn(DOGS[1], guessed_domain="y_te", decision="suggest")
    # answered with the marriage entry, rated 👎
    add_turn(DOGS[2], guessed_domain="y_te", decision="answer", faq_id="hcc-ket-hon", feedback=-1)
    add_turn(DOGS[0], guessed_domain="y_te")  # asked twice
    for text in LICENCE:
        add_turn(text, guessed_domain="y_te")
    # answered well: not the editors' business
    add_turn("Mua bảo hiểm y tế hộ gia đình ở đâu?", decision="answer", faq_id="x")
    add_turn("Gọi cấp cứu số mấy?", decision="emergency")


def test_two_topics_arrive_as_two_clusters_with_counts_and_times(
    inbox: Inbox, add_turn: AddTurn
) -> None:
    _script(add_turn)
    clusters = inbox.clusters(now=NOW)
    assert [sorted(c.texts) for c in clusters] == [sorted(DOGS), sorted(LICENCE)]
    dogs, rice = clusters
    assert (dogs.count, rice.count) == (4, 3)  # turns: the first question was asked twice
    assert dogs.questions[0].text == DOGS[0]
    assert dogs.questions[0].count == 2
    assert dogs.first_seen < dogs.last_seen <= NOW
    assert {dogs.domain, rice.domain} == {"y_te"}
    assert dogs.thumbs_down == 1
    assert dogs.suggestion is not None  # the retriever's closest entry, shown to the editor


def test_personal_data_is_redacted_and_thumbs_down_answers_join(
    inbox: Inbox, add_turn: AddTurn
) -> None:
    add_turn("Tôi gọi 0912345678 hỏi về hỗ trợ giống lúa sau lũ mà không ai nghe máy")
    add_turn("Thẻ căn cước làm mất bao lâu thì có", decision="answer", faq_id="a", feedback=-1)
    add_turn("Làm căn cước ở đâu", decision="answer", faq_id="a", feedback=1)
    texts = [t for c in inbox.clusters(now=NOW) for t in c.texts]
    assert "0912345678" not in " ".join(texts)
    assert any("hỗ trợ giống lúa" in t for t in texts)
    assert "Thẻ căn cước làm mất bao lâu thì có" in texts
    assert "Làm căn cước ở đâu" not in texts
    down = next(c for c in inbox.clusters(now=NOW) if c.thumbs_down)
    assert down.thumbs_down == 1


def test_accepting_a_cluster_makes_its_questions_answered_after_publish(
    inbox: Inbox, add_turn: AddTurn, faq_service: FaqService, faq_copy: Path
) -> None:
    from editorial.yamledit import add_phrasings  # the editors' library (ruamel edits)

    _script(add_turn)
    dogs = inbox.clusters(now=NOW)[0]
    before = [faq_service.ask(t).decision for t in dogs.texts]
    assert all((d.kind, d.faq_id) != ("answer", PETS_ENTRY) for d in before)
    add_phrasings(faq_copy, PETS_ENTRY, dogs.texts)  # the editor's choice of entry
    inbox.decide(dogs, "accept", author="bientap", faq_id=PETS_ENTRY, now=NOW)
    faq_service.reload()  # what publishing does on every action server
    for text in dogs.texts:
        decision = faq_service.ask(text).decision
        assert (decision.kind, decision.faq_id) == ("answer", PETS_ENTRY), text
    assert [sorted(c.texts) for c in inbox.clusters(now=NOW)] == [sorted(LICENCE)]


def test_an_ignored_cluster_stays_ignored_when_the_question_comes_again(
    inbox: Inbox, add_turn: AddTurn
) -> None:
    _script(add_turn)
    rice = inbox.clusters(now=NOW)[1]
    inbox.decide(rice, "ignore", author="bientap", now=NOW)
    add_turn("đổi bằng lái xe quốc tế ở đâu", guessed_domain="y_te")
    add_turn("cấp đổi giấy phép lái xe quốc tế cần những gì", guessed_domain="y_te")
    add_turn("Giờ mở cửa của bảo tàng tỉnh?", guessed_domain="du_lich")
    texts = sorted(t for c in inbox.clusters(now=NOW) for t in c.texts)
    assert texts == sorted([*DOGS, "Giờ mở cửa của bảo tàng tỉnh?"])
    with pytest.raises(UnknownCluster):
        inbox.find(rice.key, now=NOW)


def test_bad_decisions_are_refused(inbox: Inbox, add_turn: AddTurn) -> None:
    add_turn(LICENCE[0])
    cluster = inbox.clusters(now=NOW)[0]
    with pytest.raises(InboxError, match="unknown action"):
        inbox.decide(cluster, "delete", author="a")
    with pytest.raises(InboxError, match="needs the entry id"):
        inbox.decide(cluster, "accept", author="a")
