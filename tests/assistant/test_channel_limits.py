"""TurnLimits: the checks of the Rasa server's REST and socket.io channels (assistant.channels)."""

from __future__ import annotations

from pathlib import Path

from assistant.channels import TurnLimits
from settings.rasa import load_rasa_settings


def _limits(**env: str) -> TurnLimits:
    return TurnLimits(load_rasa_settings(env, env_file=None))


def test_an_over_long_message_gets_the_polite_refusal() -> None:
    limits = _limits(ASSISTANT_MAX_MESSAGE_CHARS="10")
    refusal = limits.check("s", "203.0.113.5", "x" * 11)
    assert refusal is not None
    assert not refusal.rate_limited
    assert "10 ký tự" in refusal.text
    assert limits.check("s", "203.0.113.5", "x" * 10) is None


def test_sender_and_client_rate_limits() -> None:
    limits = _limits(
        ASSISTANT_RATE_LIMIT_PER_MIN="2",
        ASSISTANT_CLIENT_RATE_LIMIT_PER_MIN="3",
        ASSISTANT_RATE_LIMIT_EXEMPT_CLIENTS="10.0.0.1",
    )
    client = "203.0.113.5"
    assert [limits.check("a", client, "hi") is None for _ in range(3)] == [True, True, False]
    refusal = limits.check("b", client, "hi")  # 4th message of this client
    assert refusal is not None
    assert refusal.rate_limited
    assert "hơi nhanh" in refusal.text
    # the bridges' address has no per-client limit (they limit each user themselves)
    assert all(limits.check(f"user-{i}", "10.0.0.1", "hi") is None for i in range(10))


def test_client_limit_can_be_switched_off() -> None:
    limits = _limits(ASSISTANT_CLIENT_RATE_LIMIT_PER_MIN="0", ASSISTANT_RATE_LIMIT_PER_MIN="100")
    assert all(limits.check(f"u{i}", "203.0.113.5", "hi") is None for i in range(50))


def test_refusal_texts_come_from_the_messages_file(tmp_path: Path) -> None:
    messages = tmp_path / "messages"
    messages.mkdir()
    (messages / "channels.yml").write_text(
        'too_long: "Dài quá {max_chars}"\nrate_limited: "Chậm lại"\n', encoding="utf-8"
    )
    limits = _limits(ASSISTANT_DATA_DIR=str(tmp_path), ASSISTANT_MAX_MESSAGE_CHARS="5")
    refusal = limits.check("s", "c", "123456")
    assert refusal is not None
    assert refusal.text == "Dài quá 5"
