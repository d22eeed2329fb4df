"""Polite apology when the action server is down, slow or broken.

Rasa 3.6 logs a failed custom action and sends the user nothing at all; it has no hook for
this, so we wrap ``RemoteAction.run`` once per process (``install()``). The wrapper only adds
behaviour on failure: the normal path is Rasa's own code, untouched.
"""

import asyncio
import logging
from typing import Any, List

from rasa.core.actions.action import (
    ActionExecutionRejection,
    RemoteAction,
    create_bot_utterance,
)
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

UNAVAILABLE_RESPONSE = "utter_action_unavailable"
DEFAULT_TIMEOUT_S = 30.0

__all__ = ["UNAVAILABLE_RESPONSE", "install"]

_installed = False


def install(timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Make every custom action answer with ``utter_action_unavailable`` when it fails."""
    global _installed
    if _installed:
        return
    original_run = RemoteAction.run

    async def run_or_apologise(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> List[Event]:
        try:
            return await asyncio.wait_for(
                original_run(self, output_channel, nlg, tracker, domain), timeout=timeout_s
            )
        except ActionExecutionRejection:
            raise
        except (RasaException, asyncio.TimeoutError) as exc:
            logger.warning("custom action %s failed, apologising: %s", self.name(), exc)
            draft = await nlg.generate(UNAVAILABLE_RESPONSE, tracker, output_channel.name())
            if not draft:
                raise
            draft["utter_action"] = UNAVAILABLE_RESPONSE
            return [create_bot_utterance(draft), SlotSet("fallback", True)]

    RemoteAction.run = run_or_apologise
    _installed = True
