"""Fault test: the disk under the FAQ index fills up while an editor adds an entry.

The REAL action server runs in its own mount namespace (``unshare --user --mount``, no root
needed where user namespaces are allowed) with its index directory on a 1 MiB tmpfs; the test
fills that tmpfs through ``/proc/<pid>/root``, so saving the new index fails in the kernel with
ENOSPC — no code is patched. Then: the old index keeps serving, the watcher keeps running,
``/health`` reports the failed reload, and once space is freed the next edit goes live.
"""

from __future__ import annotations

import errno
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.actions.webhook import action_request, run_action, slots
from tests.retrieval.faq_samples import HANH_CHINH, Y_TE, write_corpus
from tests.stack import ActionServer

TMPFS_SIZE = "1m"
ENTRY = """\
  - id: {id}
    questions:
      - {question}
    answer: |-
      {answer}
    source: "Sở Giao thông vận tải"
    updated: 2025-08-01
"""
LICENCE = ENTRY.format(
    id="hcc-doi-bang-lai",
    question="Đổi giấy phép lái xe quá hạn ở đâu?",
    answer="Nộp hồ sơ đổi giấy phép lái xe trên Cổng dịch vụ công quốc gia.",
)
PARKING = ENTRY.format(
    id="hcc-ve-xe-thang",
    question="Đăng ký vé gửi xe tháng ở bến xe khách thế nào?",
    answer="Đăng ký tại quầy vé của bến xe với căn cước công dân.",
)


class NamespacedActionServer(ActionServer):
    """``python -m actions`` in its own user + mount namespace, ``index_dir`` on a small tmpfs."""

    def __init__(self, *, index_dir: Path, env: dict[str, str], log_dir: Path) -> None:
        super().__init__(env=env, log_dir=log_dir)
        self.index_dir = index_dir

    def _command(self) -> tuple[list[str], dict[str, str]]:
        cmd, env = super()._command()
        unshare = shutil.which("unshare")
        assert unshare, "this test needs util-linux's unshare (Debian: util-linux)"
        mount = f'mount -t tmpfs -o size={TMPFS_SIZE} tmpfs "$0" && exec "$@"'
        return [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", mount,
                str(self.index_dir), *cmd], env  # fmt: skip

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.proc.pid

    def seen(self, path: Path) -> Path:
        """``path`` as the server sees it (inside its mount namespace)."""
        return Path(f"/proc/{self.pid}/root") / path.relative_to("/")


@dataclass(frozen=True)
class Server:
    actions: NamespacedActionServer
    faq_dir: Path
    index_dir: Path

    def ask(self, text: str) -> dict:
        body = action_request("action_answer_faq", text, sender="editor-check", intent="ask_faq")
        with httpx.Client(timeout=120) as client:
            return run_action(client, self.actions.url, body)

    def health(self) -> dict:
        response = httpx.get(f"{self.actions.url}/health", timeout=30)
        assert response.status_code == 200  # the process serves: 200, the JSON says what failed
        return dict(response.json())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("disk-full")
    faq_dir = write_corpus(root / "faq", {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": HANH_CHINH})
    index_dir = root / "index"
    index_dir.mkdir()
    env = {"ASSISTANT_FAQ_DIR": str(faq_dir), "ASSISTANT_FAQ_INDEX_DIR": str(index_dir)}
    actions = NamespacedActionServer(index_dir=index_dir, env=env, log_dir=root)
    try:
        actions.start()
    except RuntimeError as exc:
        pytest.fail(f"cannot start the action server in a mount namespace: {exc}")
    try:
        yield Server(actions, faq_dir, index_dir)
    finally:
        actions.stop()


def _fill(directory: Path) -> Path:
    """Write one file in ``directory`` until its file system is full (ENOSPC)."""
    filler = directory / "filler.bin"
    chunk = b"\0" * 16384
    with filler.open("wb", buffering=0) as out:
        written = 0
        while written < 64 * 1024 * 1024:  # far more than the tmpfs holds
            try:
                written += out.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return filler
    raise AssertionError(f"wrote {written} bytes to {directory} without filling it")


def _wait(condition: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:.0f} s"
        time.sleep(0.2)


def test_disk_full_reload_keeps_old_index_then_next_edit_goes_live(server: Server) -> None:
    inside = server.actions.seen(server.index_dir)
    assert (inside / "current" / "manifest.json").is_file()  # the index is on the tmpfs
    assert not (server.index_dir / "current").exists()  # …which the host does not see
    before = server.health()
    assert (before["status"], before["faq"]["last_reload"]) == ("ok", "ok")
    entries = before["faq"]["entries"]

    filler = _fill(inside)
    hcc = server.faq_dir / "hanh_chinh_cong.yml"
    hcc.write_text(HANH_CHINH + LICENCE, encoding="utf-8")
    _wait(lambda: server.health()["faq"]["failed_reloads"] >= 1, "the reload failure")

    health = server.health()
    faq = health["faq"]
    assert health["status"] == "degraded"
    assert faq["last_reload"] == "failed"
    assert "No space left on device" in faq["last_error"]
    assert str(server.index_dir) in faq["last_error"]  # says where to free space
    assert (faq["entries"], faq["watching"]) == (entries, True)
    assert faq["serving_since"] == before["faq"]["serving_since"]  # the old snapshot serves
    assert slots(server.ask("Đổi giấy phép lái xe quá hạn ở đâu?"))["faq_id"] != "hcc-doi-bang-lai"
    assert slots(server.ask("gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu"))["faq_id"] == (
        "yte-bhyt-gia-han"
    )
    assert not [p.name for p in inside.iterdir() if p.name.startswith(".tmp-")]  # cleaned up
    log = server.actions.log()
    assert "FAQ reload failed, previous snapshot keeps serving" in log

    filler.unlink()  # space again: the next edit (by any editor) goes live
    hcc.write_text(HANH_CHINH + LICENCE + PARKING, encoding="utf-8")
    _wait(lambda: server.health()["faq"]["last_reload"] == "ok", "the next reload")
    after = server.health()
    assert after["status"] == "ok"
    assert after["faq"]["entries"] == entries + 2
    assert after["faq"]["last_error"] is None
    reply = server.ask("Đổi giấy phép lái xe quá hạn ở đâu?")
    assert slots(reply)["faq_id"] == "hcc-doi-bang-lai"
    assert reply["responses"][0]["text"].startswith("Nộp hồ sơ đổi giấy phép lái xe")
    assert slots(server.ask("vé gửi xe tháng ở bến xe khách"))["faq_id"] == "hcc-ve-xe-thang"
    manifest = (inside / "current" / "manifest.json").read_text(encoding="utf-8")
    assert "hcc-ve-xe-thang" in manifest  # persisted this time
