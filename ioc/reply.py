"""What the indicator service answers: text, slot, chart URL and choices, as plain data.

``ioc`` knows nothing of chat platforms or Rasa: a choice between indicators is returned as
:class:`IndicatorChoice` values, and the action turns them into buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ioc.periods import Period

__all__ = ["IndicatorChoice", "IndicatorReply"]


@dataclass(frozen=True)
class IndicatorChoice:
    """One indicator the user may pick when a question matched several."""

    code: str
    title: str  # the indicator's name, shown to the user
    area_code: str
    period: Period | None  # None: no period was asked → the latest one


@dataclass(frozen=True)
class IndicatorReply:
    text: str
    fallback: bool
    domain: str | None = None
    indicator_slot: dict[str, Any] | None = None  # the turn-contract ``indicator`` slot
    image: str | None = None  # absolute chart URL
    choices: tuple[IndicatorChoice, ...] = ()
    refused: bool = False  # a staff-only indicator asked without the staff role
    unnamed: bool = False  # the text names no indicator and no sector (maybe not a figure)
