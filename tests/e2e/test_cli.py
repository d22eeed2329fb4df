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


def test_role_staff_uses_a_local_claim_and_citizen_is_refused() -> None:
    question = "số vụ phạm pháp hình sự quý 1 ở Phú Mỹ"  # staff-only indicator
    (staff,) = _ask("--role", "staff", "--now", "2025-06-15", question)
    assert staff["indicator"]["code"] == "criminal_cases"
    assert staff["answer"].startswith("📊")


def test_token_mint_signs_a_claim_bound_to_the_sender() -> None:
    from actions.identity import ClaimVerifier
    from settings.services import IdentitySettings

    secret = "mint-test-secret-0123456789abcdef0123"
    env = {**os.environ, "ASSISTANT_ROLE_SECRET": secret}

    def mint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(REPO_ROOT / "bin" / "assistant"), "token", "mint", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )

    out = mint("--sender", "web-abc", "--sub", "canbo01", "--ttl", "600", "--json")
    assert out.returncode == 0, out.stderr
    minted = json.loads(out.stdout)
    verifier = ClaimVerifier(IdentitySettings(role_secret=secret))
    claims = verifier.verify(minted["token"], "web-abc")
    assert claims is not None
    assert claims.subject == "canbo01"
    assert verifier.verify(minted["token"], "web-other") is None
    too_long = mint("--sender", "web-abc", "--ttl", "999999")
    assert too_long.returncode == 2
    assert "ttl" in too_long.stderr
    assert "mã cuộc hội thoại" in mint("--help").stdout  # Vietnamese help
