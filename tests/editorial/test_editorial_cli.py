"""``bin/assistant domain|faq`` without a running bot: Vietnamese help, exit codes, path:line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.retrieval.faq_samples import write_corpus
from tests.stack import REPO_ROOT


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_FAQ_DIR": str(write_corpus(tmp_path / "faq")),
        "ASSISTANT_DB_URL": f"sqlite:///{tmp_path / 'assistant.sqlite3'}",
        "ASSISTANT_FAQ_LIVE_DIR": str(tmp_path / "live"),
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO_ROOT / "bin" / "assistant"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_is_vietnamese() -> None:
    out = _cli(dict(os.environ), "faq", "publish", "--help")
    assert out.returncode == 0
    assert "ghi chú" in out.stdout
    assert "lĩnh vực" in _cli(dict(os.environ), "domain", "--help").stdout


def test_publish_versions_rollback_and_domain_list(env: dict[str, str]) -> None:
    first = _cli(env, "faq", "publish", "-m", "khởi tạo", "--author", "bt1", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["version"]["number"] == 1
    assert report["servers"] == []  # no action server runs: the next start serves it
    new = _cli(env, "domain", "new", "nong_nghiep", "--name", "Nông nghiệp")
    assert new.returncode == 0, new.stderr
    assert "faq publish" in new.stdout
    from editorial import VersionStore

    audit = VersionStore(env["ASSISTANT_DB_URL"]).audit_log()
    assert [(a.action, a.target) for a in audit[:2]] == [
        ("domain_new", "nong_nghiep"),
        ("publish", "1"),
    ]
    refused = _cli(env, "faq", "publish")
    assert refused.returncode == 1
    assert "nong_nghiep.yml:" in refused.stderr
    listed = {d["code"]: d for d in json.loads(_cli(env, "domain", "list", "--json").stdout)}
    assert listed["y_te"]["entries"] == 4
    assert listed["y_te"]["last_published"]["number"] == 1
    assert listed["nong_nghiep"]["entries"] is None
    Path(env["ASSISTANT_FAQ_DIR"], "nong_nghiep.yml").unlink()
    Path(env["ASSISTANT_FAQ_DIR"], "y_te.yml").write_text(
        Path(env["ASSISTANT_FAQ_DIR"], "y_te.yml").read_text().replace("ngủ màn", "ngủ mùng")
    )
    assert _cli(env, "faq", "publish", "-m", "sửa").returncode == 0
    rolled = _cli(env, "faq", "rollback", "1", "--json")
    assert rolled.returncode == 0, rolled.stderr
    assert json.loads(rolled.stdout)["version"]["number"] == 1
    versions = json.loads(_cli(env, "faq", "versions", "--json").stdout)
    assert [(v["number"], v["live"]) for v in versions] == [(2, False), (1, True)]
    assert _cli(env, "faq", "rollback", "9").returncode == 1


def test_validate_names_path_and_line(env: dict[str, str]) -> None:
    path = Path(env["ASSISTANT_FAQ_DIR"], "hanh_chinh_cong.yml")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("source:"))
    lines[number - 1] = "    source:\n"
    path.write_text("".join(lines), encoding="utf-8")
    out = _cli(env, "faq", "validate")
    assert out.returncode == 1
    assert f"{path}:{number}: entry 'hcc-khai-sinh' has no 'source'; add a 'source:' field" in (
        out.stderr
    )
    checked = json.loads(_cli(env, "faq", "validate", "--json").stdout)
    assert checked["ok"] is False
    assert checked["entries"] == 4  # the other file still loads


def test_xlsx_export_import_through_the_cli(env: dict[str, str], tmp_path: Path) -> None:
    book = tmp_path / "faq.xlsx"
    out = _cli(env, "faq", "export", "--xlsx", str(book))
    assert out.returncode == 0, out.stderr
    imported = _cli(env, "faq", "import", "--xlsx", str(book), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {"changes": []}
