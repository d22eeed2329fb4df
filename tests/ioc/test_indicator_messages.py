"""Reply templates (data/messages/indicators.yml) are checked when they are loaded."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ioc.answer import load_messages
from ioc.errors import DataFileError
from settings.defaults import REPO_ROOT

SHIPPED = REPO_ROOT / "data" / "messages" / "indicators.yml"
TEXT = SHIPPED.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "indicators.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_templates_load() -> None:
    messages = load_messages(SHIPPED)
    partial = messages.get("partial", last_end=date(2024, 5, 31))
    assert partial == "Số liệu mới có đến ngày 31/05/2024."


@pytest.mark.parametrize("key", ["partial", "stale", "chart_demo"])
def test_missing_template_fails_at_load_naming_file_and_key(tmp_path: Path, key: str) -> None:
    text = re.sub(rf"(?m)^{key}: .*\n", "", TEXT)
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError, match=rf"{re.escape(str(path))}:1: missing template '{key}'"):
        load_messages(path)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("{agency}. Cập nhật", "{agencyy}. Cập nhật", r":\d+: template 'source' uses \{agencyy\}"),
        (": {value}.", ".", r":\d+: template 'answer' lacks \{value\}"),
        ('demo: "⚠️', 'demo: "{⚠️', r":\d+: template 'demo' has unbalanced braces"),
        ("{name} – {area}", "{name:d} – {area}", r"template 'chart_title' cannot be filled"),
        ('chart_current: "12 kỳ gần nhất"', 'chart_current: ""', r"must be a non-empty text"),
        ("{month}/{year}", "{month}/{nam}", r":7: template 'period_labels.month' uses \{nam\}"),
        ('  year: "{year}"\n', "", r":\d+: missing template 'chart_ticks.year'"),
    ],
    ids=["unknown", "lacks", "braces", "format", "empty", "label", "tick"],
)
def test_unusable_template_fails_at_load_with_line(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    assert old in TEXT
    path = _write(tmp_path, TEXT.replace(old, new, 1))
    with pytest.raises(DataFileError, match=error):
        load_messages(path)
