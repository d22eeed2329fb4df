"""Draft → publish → rollback: numbered immutable versions, atomic live pointer, audit rows."""

from __future__ import annotations

import threading

import pytest

from editorial import NothingToPublish, ValidationFailed, VersionNotFound, Workspace, yamledit

NEW_ENTRY = {
    "id": "nn-ho-tro-giong",
    "questions": [
        "Hỗ trợ giống cây trồng sau thiên tai nhận ở đâu?",
        "xin hỗ trợ giống lúa sau bão thế nào",
        "ho tro giong cay trong sau thien tai",
    ],
    "answer": "Nộp đơn tại UBND xã; Phòng Nông nghiệp cấp giống trong 10 ngày.",
    "source": "Sở Nông nghiệp và Môi trường",
    "updated": "2026-01-02",
}


def _add_domain(workspace: Workspace) -> None:
    yamledit.domain_new(workspace.draft_dir, "nong_nghiep", name="Nông nghiệp")
    yamledit.add_entry(workspace.draft_dir, "nong_nghiep", NEW_ENTRY)


def test_publish_numbers_versions_and_moves_live(workspace: Workspace) -> None:
    first = workspace.publish("bien-tap-1", "khởi tạo")
    assert (first.number, first.author, first.message, first.live) == (
        1,
        "bien-tap-1",
        "khởi tạo",
        True,
    )
    _add_domain(workspace)
    second = workspace.publish("bien-tap-2", "thêm nông nghiệp")
    assert second.number == 2
    assert second.domains == first.domains + 1
    assert [v.number for v in workspace.versions()] == [2, 1]
    assert workspace.live() == second
    assert "nong_nghiep.yml" in workspace.store.files(2)
    assert "nong_nghiep.yml" not in workspace.store.files(1)
    actions = [(r.action, r.target, r.author) for r in workspace.store.audit_log()]
    assert actions == [("publish", "2", "bien-tap-2"), ("publish", "1", "bien-tap-1")]


def test_rollback_goes_to_the_previous_version_and_is_audited(workspace: Workspace) -> None:
    workspace.publish("a", "v1")
    _add_domain(workspace)
    workspace.publish("a", "v2")
    back = workspace.rollback(author="b")
    assert back.number == 1
    assert workspace.live().number == 1
    assert workspace.store.audit_log()[0].action == "rollback"
    assert workspace.rollback(2, author="b").number == 2
    with pytest.raises(VersionNotFound):
        workspace.rollback(7, author="b")


def test_rollback_before_any_publish_is_refused(workspace: Workspace) -> None:
    with pytest.raises(VersionNotFound, match="nothing was published"):
        workspace.rollback(author="a")


def test_saved_draft_does_not_change_the_live_version(workspace: Workspace) -> None:
    workspace.publish("a", "v1")
    before = workspace.store.files(1)
    _add_domain(workspace)
    assert workspace.live().number == 1
    assert workspace.store.files(1) == before
    folder = workspace.materialize(1)
    assert sorted(p.name for p in folder.glob("*.yml")) == sorted(before)


def test_broken_draft_is_refused_with_path_and_line(workspace: Workspace) -> None:
    workspace.publish("a", "v1")
    path = workspace.draft_dir / "y_te.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("updated: 2025-03-10", "updated: 10/03/2025"), encoding="utf-8")
    checked = workspace.validate()
    assert not checked.ok
    line = text.splitlines().index("    updated: 2025-03-10") + 1
    assert any(e.startswith(f"{path}:{line}:") and "YYYY-MM-DD" in e for e in checked.errors)
    with pytest.raises(ValidationFailed) as refused:
        workspace.publish("a", "broken")
    assert any(p.startswith(f"{path}:{line}:") for p in refused.value.problems)
    assert [v.number for v in workspace.versions()] == [1]


def test_first_start_publishes_the_draft_once(workspace: Workspace) -> None:
    assert workspace.ensure_live().number == 1
    _add_domain(workspace)
    assert workspace.ensure_live().number == 1  # later starts serve what is live


def test_domain_list_counts_entries_and_unpublished_changes(workspace: Workspace) -> None:
    workspace.publish("a", "v1")
    _add_domain(workspace)
    listed = {d.code: d for d in workspace.domain_list()}
    assert listed["y_te"].entries == listed["y_te"].live_entries == 4
    assert listed["y_te"].last_published.number == 1
    assert not listed["y_te"].draft_changed
    assert listed["nong_nghiep"].entries == 1
    assert listed["nong_nghiep"].live_entries is None
    assert listed["nong_nghiep"].draft_changed
    workspace.publish("a", "v2")
    listed = {d.code: d for d in workspace.domain_list()}
    assert listed["nong_nghiep"].last_published.number == 2
    assert listed["y_te"].last_published.number == 1


def test_restore_draft_brings_back_a_version(workspace: Workspace) -> None:
    workspace.publish("a", "v1")
    _add_domain(workspace)
    changed = workspace.restore_draft(1, author="a")
    assert changed == ["nong_nghiep.yml"]
    assert not (workspace.draft_dir / "nong_nghiep.yml").exists()


def test_swap_wait_reports_every_running_server(workspace: Workspace) -> None:
    version = workspace.publish("a", "v1")
    workspace.store.report_server("host:1", version=1, wanted=1, status="ok", error=None)
    workspace.store.report_server("host:2", version=None, wanted=1, status="failed", error="x")
    result = workspace.wait_for_servers(version.number, timeout_s=5)
    assert not result.timed_out
    assert [s.server_id for s in result.swapped] == ["host:1"]
    assert [s.server_id for s in result.failed] == ["host:2"]


def test_two_first_starts_publish_the_draft_once(workspace: Workspace) -> None:
    first = workspace.ensure_live()
    again = workspace.publish("system", "lần nữa", only_first=True)
    assert again.number == first.number == 1
    assert [v.number for v in workspace.versions()] == [1]


def test_changes_list_what_a_publish_would_do(workspace: Workspace) -> None:
    workspace.publish("a", "v1")
    with pytest.raises(NothingToPublish):
        workspace.publish("a", "lại")
    _add_domain(workspace)
    yamledit.update_entry(workspace.draft_dir, "hcc-khai-sinh", {"answer": "Mới."})
    yamledit.remove_entry(workspace.draft_dir, "hcc-ket-hon")
    assert workspace.changes() == [
        "hanh_chinh_cong: bỏ hcc-ket-hon",
        "hanh_chinh_cong: sửa hcc-khai-sinh",
        "nong_nghiep: lĩnh vực mới (1 mục)",
    ]


def test_first_start_with_a_broken_draft_names_the_problem(workspace: Workspace) -> None:
    from editorial.live import start_published

    path = workspace.draft_dir / "y_te.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("code: y_te", "code: yte"))
    with pytest.raises(ValidationFailed, match=r"y_te\.yml:2: domain code 'yte' differs"):
        start_published(workspace)
    assert workspace.live() is None


def test_live_folder_of_a_reset_database_is_never_reused(workspace: Workspace) -> None:
    first = workspace.materialize(workspace.publish("a", "v1").number)
    other = Workspace(
        workspace.draft_dir, workspace.live_dir, f"sqlite:///{workspace.live_dir / 'new.db'}"
    )
    path = workspace.draft_dir / "y_te.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("ngủ màn", "ngủ mùng"))
    second = other.materialize(other.publish("a", "v1 của cơ sở dữ liệu mới").number)
    assert first != second
    assert "ngủ mùng" in (second / "y_te.yml").read_text(encoding="utf-8")
    assert "ngủ màn" in (first / "y_te.yml").read_text(encoding="utf-8")


def test_servers_materialising_one_version_at_once_never_remove_a_complete_folder(
    workspace: Workspace,
) -> None:
    """Two action servers reload the same new version together: the one that finishes second
    must not delete the folder the first already renamed into place (and is reading)."""
    servers = [
        Workspace(workspace.draft_dir, workspace.live_dir, workspace.store.db_url) for _ in range(4)
    ]
    path = workspace.draft_dir / "y_te.yml"
    base = path.read_text(encoding="utf-8")
    problems: list[str] = []

    def load(server: Workspace, number: int, names: list[str]) -> None:
        try:
            folder = server.materialize(number)
            for name in names:  # what the FAQ loader does right after
                (folder / name).read_text(encoding="utf-8")
        except OSError as exc:
            problems.append(f"v{number}: {exc!r}")

    for round_ in range(12):
        # a big file widens the window between one server's rename and another's check
        path.write_text(base + f"# vòng {round_}\n" + "# đệm\n" * 20_000, encoding="utf-8")
        number = workspace.publish("a", f"v{round_}").number
        names = sorted(workspace.store.files(number))
        threads = [
            threading.Thread(target=load, args=(server, number, names)) for server in servers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not problems, problems
