"""Redaction of personal data before anything is logged or stored.

Covers what citizens type into a government assistant: e-mail addresses, Vietnamese mobile and
landline numbers in their common spellings (``0912 345 678``, ``+84 912.345.678``,
``(028) 3822 1234``), CCCD / CMND numbers (``079095012345``, ``0790 9501 2345``,
``079-095-012-345``), social-insurance numbers (10 digits), health-insurance card numbers
(``DN4797912345678``) and bank card numbers (16-19 digits).

Numbers that are not personal survive: dates, times, amounts (``1.500.000 đồng``,
``150000000 đồng``), legal references (``13/2023/NĐ-CP``), postcodes, years, hotlines
(``1900 1234``).
A long digit run directly followed by a currency or quantity unit is an amount, not an ID.

Standard library only (both runtimes import it). :func:`redacting_record_factory` plugs the
redaction into :mod:`logging` for every logger of a process, including third-party ones.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from vitext.text import nfc

__all__ = [
    "CARD_PLACEHOLDER",
    "EMAIL_PLACEHOLDER",
    "ID_PLACEHOLDER",
    "PHONE_PLACEHOLDER",
    "PLACEHOLDERS",
    "install_log_redaction",
    "redact_pii",
]

EMAIL_PLACEHOLDER = "<email>"
PHONE_PLACEHOLDER = "<phone>"
ID_PLACEHOLDER = "<id>"
CARD_PLACEHOLDER = "<card>"
PLACEHOLDERS = (EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, ID_PLACEHOLDER, CARD_PLACEHOLDER)

_SEP = r"[ .\-]?"  # at most one separator between two digits


def _digits(count: int) -> str:
    return rf"(?:{_SEP}[0-9]){{{count}}}"


# A match starts neither inside a number (digit, or digit + decimal/thousands mark) nor inside a
# word, and ends before the next digit (also across one separator) or letter.
_START = r"(?<![\w/+])(?<![0-9][.,\-])"
_END = r"(?![0-9])(?![.,\-/][0-9])(?![^\W\d_])"

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Health-insurance card: 2 letters (beneficiary group), 1 digit (benefit level), 2 digits
# (province), 10 digits (social-insurance number); spaces or dashes sometimes typed between.
_HEALTH_CARD_RE = re.compile(rf"(?<!\w)[A-Za-z]{{2}}[ \-]?[0-9]{_digits(12)}{_END}")
# Bank cards: 4-digit groups separated by a space or a dash (a contiguous run is handled below).
_CARD_GROUPS_RE = re.compile(
    rf"{_START}[0-9]{{4}}(?:[ \-][0-9]{{4}}){{3}}(?:[ \-]?[0-9]{{1,3}})?{_END}"
)
# CCCD (12 digits; the first three are the province code 001-096, so it starts with 0) written
# with separators; a contiguous run is handled below.
_CCCD_RE = re.compile(rf"{_START}0{_digits(11)}{_END}")
# +84 / (+84) / 84 before the subscriber number, with an optional "(0)" after it.
_INTL = r"(?:\(\s?\+?\s?84\s?\)|\+\s?84|(?<![0-9])84(?=[ ]?[1-9]))[ .\-]?(?:\(0\)\s?)?"
_PHONE_RE = re.compile(
    _START
    + r"(?:"
    # mobile: 0 + 9 digits starting 3/5/7/8/9 (or the pre-2018 11-digit 01xx numbers)
    + rf"(?:{_INTL}|0{_SEP})(?:[35789]{_digits(8)}|1{_digits(9)})"
    # landline: 0 + 2 + area code rest + subscriber = 11 digits
    + rf"|(?:{_INTL}|0{_SEP})2{_digits(9)}"
    # landline with the area code in parentheses: (028) 3822 1234, (0254) 385 2123, (28) ...
    + rf"|(?:\+\s?84\s?)?\(\s?0?2[0-9]\s?\)\s?[0-9]{_digits(7)}"
    + rf"|(?:\+\s?84\s?)?\(\s?0?2[0-9]{{2}}\s?\)\s?[0-9]{_digits(6)}"
    + r")"
    + _END
)
# Any other contiguous run of 9-12 or 16-19 digits: CMND (9), social-insurance number (10),
# CCCD (12), bank card (16-19). 13-15 digit runs are left alone (document and record codes).
_DIGIT_RUN_RE = re.compile(r"(?<![0-9])(?<![0-9][.,\-/])[0-9]{9,19}(?![0-9])(?![.,\-/][0-9])")
# A number followed (or preceded) by one of these is an amount or a count, not an identifier.
_UNIT_AFTER_RE = re.compile(
    r"\s?(?:đồng|đ|vnđ|vnd|usd|\$|triệu|tr\b|tỷ|nghìn|ngàn|người|lượt|hộ|kg|tấn|ha\b|m2|m²|km|%)",
    re.IGNORECASE,
)
_UNIT_BEFORE_RE = re.compile(r"(?:vnđ|vnd|usd|\$)\s?$", re.IGNORECASE)


def _is_amount(match: re.Match[str]) -> bool:
    text = match.string
    return bool(
        _UNIT_AFTER_RE.match(text, match.end()) or _UNIT_BEFORE_RE.search(text[: match.start()])
    )


def _replace_with(placeholder: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return match.group(0) if _is_amount(match) else placeholder

    return replace


def _replace_digit_run(match: re.Match[str]) -> str:
    if _is_amount(match):
        return match.group(0)
    digits = match.group(0)
    if len(digits) >= 16:
        return CARD_PLACEHOLDER
    if len(digits) == 11 and digits.startswith(("01", "02", "84")):
        return PHONE_PLACEHOLDER
    return ID_PLACEHOLDER if len(digits) in (9, 10, 12) else digits


def redact_pii(text: str) -> str:
    """Return ``text`` (NFC) with personal identifiers replaced by ``<email>``, ``<phone>``…"""
    text = nfc(text)
    if not any(char.isdigit() or char == "@" for char in text):
        return text  # the common case in logs: nothing to look for
    text = _EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
    text = _HEALTH_CARD_RE.sub(ID_PLACEHOLDER, text)
    text = _CARD_GROUPS_RE.sub(_replace_with(CARD_PLACEHOLDER), text)
    text = _CCCD_RE.sub(_replace_with(ID_PLACEHOLDER), text)
    text = _PHONE_RE.sub(_replace_with(PHONE_PLACEHOLDER), text)
    return _DIGIT_RUN_RE.sub(_replace_digit_run, text)


class _RedactingFactory:
    """A log record factory: the message (arguments merged) and any traceback are redacted."""

    def __init__(self, wrapped: Callable[..., logging.LogRecord]) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: object, **kwargs: object) -> logging.LogRecord:
        record = self.wrapped(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: let logging report it
            return record
        record.msg, record.args = redact_pii(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact_pii(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact_pii(record.stack_info)
        return record


def install_log_redaction() -> None:
    """Redact personal data in every log record of this process (idempotent).

    A record factory rather than a handler filter: it also covers handlers that libraries (Rasa,
    Sanic, uvicorn) install after this call, and it runs only for records that pass the level.
    """
    current = logging.getLogRecordFactory()
    if not isinstance(current, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(current))
