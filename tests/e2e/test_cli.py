"""``bin/assistant ask --json``: the same pipeline as the bot, one JSON object per question."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.stack import REPO_ROOT

pytestmark = pytest.mark.e2e

FIELDS = {
    "text",
    "intent",
    "intent_confidence",
    "domain",
    "answer",
    "faq_id",
    "indicator",
    "fallback",
    "suggestions",
}


def _ask(*args: str, stdin: str | None = None) -> list[dict]:
    env = {**os.environ, "ASSISTANT_ACTIONS_URL": ""}
    out = subprocess.run(
        [str(REPO_ROOT / "bin" / "assistant"), "ask", "--json", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def test_emergency_question_returns_hotlines_and_is_not_a_fallback() -> None:
    (result,) = _ask("Cháy nhà ở hẻm 5, cứu với")
    assert set(result) == FIELDS
    assert result["intent"] == "emergency"
    assert result["fallback"] is False
    assert "114" in result["answer"]
    assert "115" in result["answer"]
    assert "113" in result["answer"]


def test_stdin_gives_json_lines_in_order() -> None:
    questions = ["xin chào", "cháy nhà cứu với", "kể chuyện cười đi"]
    results = _ask(stdin="\n".join(questions) + "\n")
    assert [r["text"] for r in results] == questions
    assert [r["intent"] for r in results] == ["greet", "emergency", "out_of_scope"]
    assert results[2]["fallback"] is True
    assert all(set(r) == FIELDS for r in results)
