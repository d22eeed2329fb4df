"""Questions the assistant declines before searching: another province, a private provider's own
business, a request to do harm.

Both actions ask these first: ``action_answer_faq`` (a retrieval hit is evidence of topic, not of
place or provider) and ``action_query_indicator`` (which hands such a question to the FAQ action,
so the decline is worded once: "giá vé cáp treo Phú Quốc" is not a missing provincial figure).
Each check is skipped, with a warning, when its data file does not load.
"""

from __future__ import annotations

import logging
from typing import Literal

from actions import runtime
from actions.errors import MessagesError

__all__ = ["Reach", "out_of_reach"]

logger = logging.getLogger(__name__)

Reach = Literal["other_place", "other_service", "harm"]


def out_of_reach(text: str) -> Reach | None:
    """Why ``text`` is declined before any search, or None when it may be searched."""
    try:
        places = runtime.PLACES.get()
    except MessagesError as exc:
        logger.warning("place lists not loaded, scope not checked: %s", exc)
    else:
        if places.outside_only(text) is not None:
            return "other_place"
        if places.other_service(text) is not None:
            return "other_service"
    try:
        if runtime.HARM.get().matched(text) is not None:
            return "harm"
    except MessagesError as exc:
        logger.warning("harmful-request patterns not loaded, not checked: %s", exc)
    return None
