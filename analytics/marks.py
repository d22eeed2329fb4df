"""What an action tells the analytics consumer about its turn (bot-utterance metadata).

Rasa keeps unknown keys of an action's message as the ``BotUttered`` event's ``metadata``; the
channels never show them. Each custom action puts one :class:`TurnMark` under
:data:`TURN_MARK_KEY` on its reply, so the event stream carries the decision, the retrieval
score and the role the action resolved without a new slot (and without retraining Rasa).
"""

from __future__ import annotations

from typing import Any, TypedDict

from analytics.schema import Decision

__all__ = ["TURN_MARK_KEY", "TurnMark", "turn_mark"]

TURN_MARK_KEY = "turn"


class TurnMark(TypedDict, total=False):
    decision: Decision
    role: str  # the role the action resolved (verified claims only)
    score: float  # best retrieval score (FAQ turns)
    guessed_domain: str  # best retrieval domain, also when the turn was declined


def turn_mark(
    decision: Decision,
    *,
    role: str,
    score: float | None = None,
    guessed_domain: str | None = None,
) -> dict[str, Any]:
    """The keyword argument for ``dispatcher.utter_message(**turn_mark(...))``."""
    mark: TurnMark = {"decision": decision, "role": role}
    if score is not None:
        mark["score"] = round(float(score), 4)
    if guessed_domain:
        mark["guessed_domain"] = guessed_domain
    return {TURN_MARK_KEY: dict(mark)}
