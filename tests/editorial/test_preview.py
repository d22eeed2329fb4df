"""``faq preview``: the draft and the live version side by side, with scores and the reason."""

from __future__ import annotations

from pathlib import Path

from editorial import Workspace, yamledit
from editorial.preview import Previewer, render
from settings.services import load_settings
from tests.editorial.test_workspace import NEW_ENTRY


def test_draft_answers_a_new_entry_that_live_does_not(
    workspace: Workspace, encoder, tmp_path: Path
) -> None:
    workspace.publish("a", "v1")
    yamledit.domain_new(workspace.draft_dir, "nong_nghiep", name="Nông nghiệp")
    yamledit.add_entry(workspace.draft_dir, "nong_nghiep", NEW_ENTRY)
    settings = load_settings({"ASSISTANT_FAQ_INDEX_DIR": str(tmp_path / "no-index")})
    report = Previewer(settings, workspace, encoder=encoder).ask(NEW_ENTRY["questions"][0])
    draft, live = report["draft"], report["live"]
    assert (draft["decision"], draft["faq_id"], draft["domain"]) == (
        "answer",
        "nn-ho-tro-giong",
        "nong_nghiep",
    )
    assert draft["hits"][0]["dense"] >= draft["thresholds"]["answer_min"]
    assert "trả lời thẳng" in draft["why"]
    assert live["version"] == 1
    assert live["faq_id"] != "nn-ho-tro-giong"
    assert all(h["faq_id"] != "nn-ho-tro-giong" for h in live["hits"])
    assert report["same"] is False
    text = render(report)
    assert "BẢN NHÁP: TRẢ LỜI" in text
    assert "ĐANG PHỤC VỤ (phiên bản 1)" in text
    assert "KHÁC NHAU" in text
