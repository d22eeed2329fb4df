"""Reply texts of the actions are validated at load: a broken file never reaches a turn."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from actions.errors import MessagesError
from actions.messages import FaqMessages, load_messages
from settings.defaults import REPO_ROOT

SHIPPED = REPO_ROOT / "data" / "messages" / "faq.yml"
TEXT = SHIPPED.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faq.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_faq_messages_load() -> None:
    messages = load_messages(SHIPPED, FaqMessages)
    assert messages.source.format(source="Luật Hộ tịch") == "Nguồn: Luật Hộ tịch"
    assert messages.suggest_lead == "Ý bạn là…?"


@pytest.mark.parametrize("key", ["decline", "not_found", "empty"])
def test_missing_message_fails_at_load_naming_file_and_key(tmp_path: Path, key: str) -> None:
    text = re.sub(rf"(?ms)^{key}: .*?\n(?=\w|\Z)", "", TEXT)
    assert f"{key}:" not in text
    path = _write(tmp_path, text)
    with pytest.raises(MessagesError, match=rf"{re.escape(str(path))}:1: missing message '{key}'"):
        load_messages(path, FaqMessages)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("{source}", "{src}", r":3: message 'source' uses \{src\}, which the code does not fill"),
        ("{domains}", "các lĩnh vực", r":6: message 'decline' lacks \{domains\}"),
        ("Ý bạn là", unicodedata.normalize("NFD", "Ý bạn là"), r":5: .* is not Unicode NFC"),
        ('"Cập nhật: {date}"', '""', r":4: message 'updated' must be a non-empty text"),
        ('"Cập nhật: {date}"', "[1, 2]", r":4: message 'updated' must be a non-empty text"),
        ("{date}", "{date", r":4: message 'updated' has unbalanced braces"),
        ("{source}", "{source} {}", r":3: message 'source' uses \{\}"),
        ('empty: "', 'empty: [ "', r":\d+: invalid YAML"),
    ],
    ids=["unknown", "lacks", "nfd", "empty", "not-text", "braces", "positional", "yaml"],
)
def test_unusable_message_fails_at_load_with_line(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    assert old in TEXT
    path = _write(tmp_path, TEXT.replace(old, new, 1))
    with pytest.raises(MessagesError, match=error):
        load_messages(path, FaqMessages)


def test_every_problem_is_listed_in_one_error(tmp_path: Path) -> None:
    text = TEXT.replace("{source}", "{src}").replace("{domains}", "").replace("empty:", "emty:")
    with pytest.raises(MessagesError) as info:
        load_messages(_write(tmp_path, text), FaqMessages)
    assert [line.split(": ", 1)[1].split("'")[1] for line in str(info.value).splitlines()] == [
        "source",
        "decline",
        "empty",
    ]


def test_unreadable_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(MessagesError, match=r"nowhere\.yml: cannot read messages"):
        load_messages(tmp_path / "nowhere.yml", FaqMessages)
