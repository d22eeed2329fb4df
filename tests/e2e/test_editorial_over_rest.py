"""Editors' CLI against the running bot: publish and rollback go live over REST without restart.

The session stack serves the published version of a temporary draft (tests/conftest.py); these
tests change that draft with ``bin/assistant domain|faq`` exactly as an editor would.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest

from tests.conftest import Stack
from tests.stack import REPO_ROOT

pytestmark = pytest.mark.e2e

QUESTION = "Hỗ trợ giống cây trồng sau thiên tai nhận ở đâu?"
ENTRY = """\
entries:
  - id: nn-ho-tro-giong-sau-thien-tai
    questions:
      - Hỗ trợ giống cây trồng sau thiên tai nhận ở đâu?
      - bão làm hỏng lúa thì xin hỗ trợ giống thế nào
      - ho tro giong cay trong sau thien tai o dau
    answer: |-
      {marker}: nộp đơn đề nghị hỗ trợ tại UBND xã trong 15 ngày sau thiên tai.
    source: "Nghị định 02/2017/NĐ-CP — Sở Nông nghiệp và Môi trường"
    updated: 2026-01-05
"""


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO_ROOT / "bin" / "assistant"), *args],
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _reply(stack: Stack, text: str) -> tuple[str, dict]:
    sender = f"test-{uuid.uuid4().hex[:12]}"
    messages = stack.rasa.say(text, sender=sender)
    slots = stack.rasa.tracker(sender)["slots"]
    return "\n".join(m.get("text") or "" for m in messages), slots


def _until(stack: Stack, check, *, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if check(*_reply(stack, QUESTION)):
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not seen over REST within {timeout_s} s")


def test_new_domain_goes_live_on_publish_and_leaves_on_rollback(stack: Stack) -> None:
    marker = f"Mã {uuid.uuid4().hex[:6]}"
    created = _cli(stack, "domain", "new", "nong_nghiep", "--name", "Nông nghiệp")
    assert created.returncode == 0, created.stderr
    path = stack.faq_dir / "nong_nghiep.yml"
    try:
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("entries: []\n", ENTRY.format(marker=marker)), encoding="utf-8"
        )
        assert _cli(stack, "faq", "validate").returncode == 0

        time.sleep(1.5)  # three polls of the action server: a saved draft is not served
        reply, slots = _reply(stack, QUESTION)
        assert marker not in reply
        assert slots["answer_domain"] != "nong_nghiep"

        started = time.monotonic()
        published = _cli(
            stack, "faq", "publish", "--message", "Thêm lĩnh vực Nông nghiệp", "--json"
        )
        cli_done = time.monotonic() - started
        assert published.returncode == 0, published.stderr
        report = json.loads(published.stdout)
        assert report["swapped"] == 1
        assert not report["timed_out"]
        _until(stack, lambda r, s: marker in r, timeout_s=10)
        elapsed = time.monotonic() - started
        print(
            f"faq publish → first answer over REST: {elapsed:.1f} s "
            f"(CLI {cli_done:.1f} s, action server swap {report['elapsed_s']:.1f} s)"
        )
        assert elapsed < 10
        _, slots = _reply(stack, QUESTION)
        assert slots["answer_domain"] == "nong_nghiep"
        assert slots["faq_id"] == "nn-ho-tro-giong-sau-thien-tai"

        rolled = _cli(stack, "faq", "rollback", "--json")
        assert rolled.returncode == 0, rolled.stderr
        assert json.loads(rolled.stdout)["version"]["number"] == report["version"]["number"] - 1
        _until(
            stack,
            lambda r, s: marker not in r and s["answer_domain"] != "nong_nghiep",
            timeout_s=10,
        )
        listed = json.loads(_cli(stack, "domain", "list", "--json").stdout)
        nong = next(d for d in listed if d["code"] == "nong_nghiep")
        assert (nong["entries"], nong["live_entries"]) == (1, None)
    finally:
        path.unlink(missing_ok=True)  # the draft goes back to what is live


def test_broken_draft_is_refused_and_live_keeps_serving(stack: Stack) -> None:
    path = stack.faq_dir / "an_ninh_trat_tu.yml"
    original = path.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(original.splitlines(), 1) if t.startswith("    updated:"))
    lines = original.splitlines(keepends=True)
    lines[line - 1] = "    updated: 31/12/2025\n"
    path.write_text("".join(lines), encoding="utf-8")
    try:
        before = json.loads(_cli(stack, "faq", "versions", "--json").stdout)
        checked = _cli(stack, "faq", "validate")
        assert checked.returncode == 1
        assert f"{path}:{line}:" in checked.stderr
        assert "YYYY-MM-DD" in checked.stderr
        refused = _cli(stack, "faq", "publish", "--message", "hỏng")
        assert refused.returncode == 1
        assert f"{path}:{line}:" in refused.stderr
        assert json.loads(_cli(stack, "faq", "versions", "--json").stdout) == before
        sender = f"test-{uuid.uuid4().hex[:12]}"
        stack.rasa.say("Thủ tục cấp thẻ căn cước lần đầu như thế nào?", sender=sender)
        assert stack.rasa.tracker(sender)["slots"]["faq_id"] == "antt-can-cuoc-lan-dau"
    finally:
        path.write_text(original, encoding="utf-8")
