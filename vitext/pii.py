"""Redaction of personal data (ID numbers, phone numbers, e-mails) before logging."""

from __future__ import annotations

import re

from vitext.text import nfc

__all__ = ["EMAIL_PLACEHOLDER", "ID_PLACEHOLDER", "PHONE_PLACEHOLDER", "redact_pii"]

EMAIL_PLACEHOLDER = "<email>"
PHONE_PLACEHOLDER = "<phone>"
ID_PLACEHOLDER = "<id>"

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Mobile 0[35789]x xxx xxxx (10 digits), landline 02xx xxxx xxxx (11 digits); +84/84 instead of
# the leading 0; ".", "-" or a space allowed between digits.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+84|84|0)[\s.-]?(?:[35789](?:[\s.-]?\d){8}|2(?:[\s.-]?\d){9})(?![\d])"
)
# CMND (9 digits) and CCCD / personal ID (12 digits).
_ID_RE = re.compile(r"(?<![\d.,])(?:\d{12}|\d{9})(?![\d.,]?\d)")


def redact_pii(text: str) -> str:
    """Return ``text`` with e-mails, Vietnamese phone numbers and 9/12-digit IDs replaced."""
    text = nfc(text)
    text = _EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
    text = _PHONE_RE.sub(PHONE_PLACEHOLDER, text)
    return _ID_RE.sub(ID_PLACEHOLDER, text)
