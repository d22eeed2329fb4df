"""An action server's FAQ service follows the live version: swap on publish/rollback, refuse bad."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from editorial import Workspace, yamledit
from editorial.live import LiveFollower, start_published
from retrieval.service import FaqService
from tests.editorial.test_workspace import NEW_ENTRY
from tests.retrieval.test_service import THRESHOLDS, _wait

QUESTION = NEW_ENTRY["questions"][0]


@pytest.fixture
def served(workspace: Workspace, encoder) -> Iterator[tuple[FaqService, LiveFollower]]:
    number, folder = start_published(workspace)
    service = FaqService(folder, encoder, thresholds=THRESHOLDS)
    service.load()
    service.version = number
    follower = LiveFollower(service, workspace, poll_s=0.1, name="test:1")
    follower.start()
    _wait(lambda: bool(workspace.servers()))  # its first report
    yield service, follower
    service.close()


def _answers(service: FaqService) -> str | None:
    return service.ask(QUESTION).decision.faq_id


def test_publish_swaps_and_rollback_swaps_back(
    workspace: Workspace, served: tuple[FaqService, LiveFollower]
) -> None:
    service, _ = served
    assert service.version == 1
    assert _answers(service) != "nn-ho-tro-giong"
    yamledit.domain_new(workspace.draft_dir, "nong_nghiep", name="Nông nghiệp")
    yamledit.add_entry(workspace.draft_dir, "nong_nghiep", NEW_ENTRY)
    time.sleep(0.5)
    assert service.version == 1  # a saved draft changes nothing
    version = workspace.publish("a", "nông nghiệp")
    result = workspace.wait_for_servers(version.number, timeout_s=30)
    print(f"publish → swapped: {result.elapsed_s:.2f} s")
    assert not result.timed_out
    assert [s.server_id for s in result.swapped] == ["test:1"]
    assert service.version == 2
    assert _answers(service) == "nn-ho-tro-giong"
    assert service.status()["version"] == 2
    workspace.rollback(author="a")
    _wait(lambda: service.version == 1)
    assert _answers(service) != "nn-ho-tro-giong"


def test_version_that_fails_to_load_is_refused_and_reported(
    workspace: Workspace, served: tuple[FaqService, LiveFollower]
) -> None:
    service, _ = served
    files = workspace.store.files(1)
    files["y_te.yml"] = files["y_te.yml"].replace("updated: 2025-03-10", "updated: sai")
    bad = workspace.store.create(files, author="x", message="hỏng", domains=2, entries=7)
    result = workspace.wait_for_servers(bad.number, timeout_s=30)
    assert [s.server_id for s in result.failed] == ["test:1"]
    assert "YYYY-MM-DD" in (result.failed[0].error or "")
    assert service.version == 1
    assert service.ask("gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu").decision.faq_id == (
        "yte-bhyt-gia-han"
    )
