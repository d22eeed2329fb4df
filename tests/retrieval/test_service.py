"""FaqService hot reload: watcher on a real folder, incremental re-embedding, broken files."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.decision import RouteThresholds, Thresholds
from retrieval.service import FaqService
from tests.retrieval.faq_samples import HANH_CHINH, Y_TE, write_corpus
from vitext import fold

THRESHOLDS = Thresholds(RouteThresholds(0.9, 0.02, 0.85), RouteThresholds(0.9, 0.02, 0.85))
NEW_ENTRY = """\
  - id: yte-kham-suc-khoe-lai-xe
    questions:
      - Khám sức khỏe để thi bằng lái xe ở đâu?
      - đi khám sức khỏe lái xe ở bệnh viện nào
      - kham suc khoe thi bang lai o dau
    answer: |-
      Khám tại bệnh viện đa khoa cấp huyện trở lên có đủ điều kiện khám sức khỏe lái xe.
    source: "Thông tư 36/2024/TT-BYT"
    updated: 2025-07-01
"""


class CountingEncoder:
    def __init__(self, encoder) -> None:
        self._encoder = encoder
        self.dim, self.model_id = encoder.dim, encoder.model_id
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self._encoder.encode(texts)


def _wait(condition: Callable[[], bool], timeout_s: float = 30.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout_s:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(0.05)
    return time.perf_counter() - started


@pytest.fixture
def service(encoder, tmp_path: Path) -> Iterator[FaqService]:
    svc = FaqService(
        write_corpus(tmp_path / "faq"),
        CountingEncoder(encoder),
        index_dir=tmp_path / "index",
        thresholds=THRESHOLDS,
        debounce_ms=100,
    )
    svc.load()
    svc.start_watching()
    yield svc
    svc.close()


def test_answer_edit_goes_live_without_reembedding(service: FaqService) -> None:
    assert (
        service.ask("gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu").decision.faq_id
        == "yte-bhyt-gia-han"
    )
    counting = service.encoder
    counting.seen.clear()  # type: ignore[attr-defined]
    path = service.faq_dir / "y_te.yml"
    path.write_text(
        Y_TE.replace("hoặc đại lý thu BHXH.", "hoặc trên Cổng dịch vụ công."), encoding="utf-8"
    )
    seconds = _wait(lambda: "Cổng dịch vụ công" in service.entry("yte-bhyt-gia-han").answer)
    assert seconds < 10
    assert counting.seen == []  # type: ignore[attr-defined]
    reply = service.ask("gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu")
    assert "Cổng dịch vụ công" in reply.entries[0].answer


def test_new_entry_becomes_searchable_and_only_it_is_embedded(service: FaqService) -> None:
    counting = service.encoder
    counting.seen.clear()  # type: ignore[attr-defined]
    path = service.faq_dir / "y_te.yml"
    path.write_text(Y_TE + NEW_ENTRY, encoding="utf-8")
    _wait(lambda: service.entry("yte-kham-suc-khoe-lai-xe") is not None)
    entry = service.entry("yte-kham-suc-khoe-lai-xe")
    assert entry is not None
    # only the new entry's phrasings and their folded copies (identical texts embedded once)
    assert set(counting.seen) == {t for q in entry.questions for t in (q, fold(q))}  # type: ignore[attr-defined]
    result = service.ask("muốn thi bằng lái thì khám sức khỏe ở đâu").result
    assert result.hits[0].faq_id == "yte-kham-suc-khoe-lai-xe"


def test_broken_file_keeps_previous_entries_and_logs_path_line(
    service: FaqService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="retrieval.corpus")
    before = service.reloads
    (service.faq_dir / "hanh_chinh_cong.yml").write_text(
        HANH_CHINH.replace("    updated: 2025-02-01", "    updated: 01/02/2025"), encoding="utf-8"
    )
    (service.faq_dir / "y_te.yml").write_text(Y_TE.replace("ngủ màn", "ngủ mùng"), encoding="utf-8")
    _wait(lambda: "ngủ mùng" in service.entry("yte-sot-xuat-huyet").answer)
    assert service.reloads > before
    report = service.last_report
    assert report is not None
    assert report.kept_previous == ("hanh_chinh_cong.yml",)
    line = HANH_CHINH.splitlines().index("    updated: 2025-02-01") + 1
    expected = f"{service.faq_dir / 'hanh_chinh_cong.yml'}:{line}:"
    assert any(e.startswith(expected) for e in report.errors)
    assert any(expected in r.getMessage() for r in caplog.records)
    assert service.ask("dang ky khai sinh can giay to gi").decision.faq_id == "hcc-khai-sinh"


def test_persisted_index_is_reused_by_a_new_process(
    service: FaqService, encoder, tmp_path: Path
) -> None:
    fresh = FaqService(
        service.faq_dir,
        CountingEncoder(encoder),
        index_dir=tmp_path / "index",
        thresholds=THRESHOLDS,
    )
    fresh.load()
    assert fresh.encoder.seen == []  # type: ignore[attr-defined]
    assert len(fresh.searcher.index) == len(service.searcher.index)
    assert (tmp_path / "index" / "current" / "manifest.json").is_file()


def test_os_error_while_saving_keeps_the_snapshot_and_the_watcher(
    service: FaqService, tmp_path: Path
) -> None:
    # a file where the index directory should be: saving fails in the file system (EEXIST)
    index_dir = tmp_path / "index"
    moved = tmp_path / "index-moved"
    index_dir.rename(moved)
    index_dir.write_text("not a directory", encoding="utf-8")
    before = service.status()
    path = service.faq_dir / "y_te.yml"
    path.write_text(Y_TE + NEW_ENTRY, encoding="utf-8")
    _wait(lambda: service.failed_reloads == 1)
    status = service.status()
    assert status["last_reload"] == "failed"
    assert status["last_error"].startswith("FAQ reload failed ([Errno 17] File exists:")
    assert "the previous index keeps serving" in status["last_error"]
    assert status["entries"] == before["entries"]
    assert status["serving_since"] == before["serving_since"]
    assert status["watching"] is True
    assert service.entry("yte-kham-suc-khoe-lai-xe") is None
    index_dir.unlink()
    moved.rename(index_dir)
    path.write_text(Y_TE + NEW_ENTRY + " ", encoding="utf-8")  # the next edit
    _wait(lambda: service.entry("yte-kham-suc-khoe-lai-xe") is not None)
    assert service.status()["last_reload"] == "ok"
    assert service.status()["entries"] == before["entries"] + 1
