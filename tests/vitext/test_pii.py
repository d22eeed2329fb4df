"""Tests for vitext.redact_pii and the log redaction: the corpus in data/pii_corpus.txt."""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import pytest

from vitext import redact_pii
from vitext.pii import PLACEHOLDERS, install_log_redaction

CORPUS = Path(__file__).parent / "data" / "pii_corpus.txt"


def _corpus() -> tuple[list[tuple[str, str]], list[str]]:
    positives: list[tuple[str, str]] = []
    negatives: list[str] = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("+ "):
            text, expected = line[2:].split(" => ")
            positives.append((text, expected))
        elif line.startswith("-"):
            negatives.append(line[2:])
    return positives, negatives


POSITIVES, NEGATIVES = _corpus()


def test_corpus_is_large_enough() -> None:
    assert len(POSITIVES) >= 100
    assert len(NEGATIVES) >= 100


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact_pii(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_other_numbers_survive(text: str) -> None:
    assert redact_pii(text) == text


def test_nfd_input_is_normalised_and_redacted() -> None:
    text = unicodedata.normalize("NFD", "Số điện thoại 0912345678")
    assert redact_pii(text) == "Số điện thoại <phone>"


def test_placeholders_are_stable_under_a_second_pass() -> None:
    for text, expected in POSITIVES:
        assert redact_pii(expected) == expected, text
    assert all(redact_pii(p) == p for p in PLACEHOLDERS)


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    install_log_redaction()  # idempotent
    logger = logging.getLogger("tests.pii")
    with caplog.at_level(logging.INFO, logger="tests.pii"):
        logger.error("Message handling timed out for user message '%s'.", "cccd 079123456789")
        try:
            raise ValueError("bad phone 0912 345 678")
        except ValueError:
            logger.exception("failed for %s", "a.b@gmail.com")
    text = caplog.text
    assert "079123456789" not in text
    assert "0912 345 678" not in text
    assert "a.b@gmail.com" not in text
    assert "cccd <id>" in text
    assert "bad phone <phone>" in text
