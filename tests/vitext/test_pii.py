"""Tests for vitext.redact_pii."""

from __future__ import annotations

import pytest

from vitext import redact_pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sđt 0912345678", "sđt <phone>"),
        ("gọi 0912 345 678 nhé", "gọi <phone> nhé"),
        ("số 0912.345.678", "số <phone>"),
        ("+84912345678", "<phone>"),
        ("bàn 028 3829 1234", "bàn <phone>"),
        ("0254.3852.123", "<phone>"),
        ("cccd 079123456789", "cccd <id>"),
        ("cmnd 123456789", "cmnd <id>"),
        ("mail a.b+c@gmail.com.", "mail <email>."),
        ("số tiền 1.500.000 đồng năm 2024", "số tiền 1.500.000 đồng năm 2024"),
        ("mã 12345678901234", "mã 12345678901234"),
        ("ngày 12/03/2024 lúc 10:30", "ngày 12/03/2024 lúc 10:30"),
        ("", ""),
    ],
)
def test_redact_pii(text: str, expected: str) -> None:
    assert redact_pii(text) == expected
