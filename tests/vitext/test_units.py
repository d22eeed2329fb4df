"""Tests for vitext.units.split_units."""

from __future__ import annotations

import pytest

from vitext import split_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hồ sơ  gồm\ngì?",
            [("Hồ", "word"), ("sơ", "word"), ("gồm", "word"), ("gì", "word"), ("?", "punct")],
        ),
        (
            "Xem https://dichvucong.gov.vn/abc?x=1. nhé",
            [
                ("Xem", "word"),
                ("https://dichvucong.gov.vn/abc?x=1", "url"),
                (".", "punct"),
                ("nhé", "word"),
            ],
        ),
        ("vào dichvucong.gov.vn", [("vào", "word"), ("dichvucong.gov.vn", "url")]),
        ("mail a.b@gmail.com", [("mail", "word"), ("a.b@gmail.com", "email")]),
        (
            "giá 10.000đ 3,5% 50k",
            [
                ("giá", "word"),
                ("10.000đ", "number"),
                ("3,5", "number"),
                ("%", "punct"),
                ("50k", "number"),
            ],
        ),
        ("covid19 F0", [("covid19", "alnum"), ("F0", "alnum")]),
        ("ok 👍🏽 👨‍👩‍👧", [("ok", "word"), ("👍🏽", "emoji"), ("👨‍👩‍👧", "emoji")]),
        ("", []),
        ("  \n ", []),
    ],
)
def test_split_units(text: str, expected: list[tuple[str, str]]) -> None:
    units = split_units(text)
    assert [(u.text, u.kind) for u in units] == expected
    for unit in units:
        assert text[unit.start : unit.end] == unit.text
