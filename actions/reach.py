"""Questions the assistant declines before searching: another province, a private provider's own
business, a request to do harm, a request for a personal decision.

Both actions ask these first: ``action_answer_faq`` (a retrieval hit is evidence of topic, not of
place or provider) and ``action_query_indicator`` (which hands such a question to the FAQ action,
so the decline is worded once: "giá vé cáp treo Phú Quốc" is not a missing provincial figure).
Each check is skipped, with a warning, when its data file does not load.
"""

from __future__ import annotations

import logging
from typing import Literal, TypeVar

from actions import runtime
from actions.errors import MessagesError
from actions.harm import HarmfulRequests
from actions.scope import PlaceScope
from vitext import read_telex

__all__ = ["Reach", "out_of_reach", "reach_of"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

Reach = Literal["other_place", "other_service", "harm", "personal"]


def reach_of(
    text: str,
    places: PlaceScope | None,
    harm: HarmfulRequests | None,
    personal: HarmfulRequests | None = None,
) -> Reach | None:
    """Why ``text`` is declined before any search (None: it may be searched); a list that is
    None is not checked. Also replayed offline by tools.evaluation.calibrate_real. Words typed
    with Telex keys left in are read as meant ("tooi cos neen nghir vieecj")."""
    text = read_telex(text)
    if places is not None:
        if places.outside_only(text) is not None:
            return "other_place"
        if places.other_service(text) is not None:
            return "other_service"
    if harm is not None and harm.matched(text) is not None:
        return "harm"
    if personal is not None and personal.matched(text) is not None:
        return "personal"
    return None


def _served(lazy: runtime.Lazy[T]) -> T | None:
    """The served list, or None (with a warning) when its data file does not load."""
    try:
        return lazy.get()
    except MessagesError as exc:
        logger.warning("%s not loaded, not checked: %s", lazy.name, exc)
        return None


def out_of_reach(text: str) -> Reach | None:
    """``reach_of`` with the served lists; a list that does not load is skipped with a warning."""
    return reach_of(text, _served(runtime.PLACES), _served(runtime.HARM), _served(runtime.PERSONAL))
