"""Polite apology when a shared store (Redis lock store, SQL tracker store) fails during a turn.

Rasa 3.6 logs the exception and answers the REST channel with an empty list (socket.io: nothing).
In a cluster the lock store and tracker store are other servers that can be lost while Rasa runs;
the user then gets ``utter_action_unavailable`` instead of silence, and the next turn works again
as soon as the store is back (Rasa reconnects by itself). ``install()`` wraps
``Agent.handle_message`` once per process; the normal path is Rasa's own code, untouched.
"""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_action_unavailable"
FALLBACK_TEXT = "Xin lỗi, hệ thống đang tạm gián đoạn. Bạn vui lòng thử lại sau ít phút."

__all__ = ["APOLOGY_RESPONSE", "install", "is_store_error"]

_installed = False


# the stores' client libraries come with Rasa (not our direct dependencies): matched by module
_STORE_MODULES = ("redis.", "sqlalchemy.", "psycopg2")


def is_store_error(exc: BaseException) -> bool:
    """True when ``exc`` means "a store is unreachable" (lock, tracker), not a bug."""
    if isinstance(exc, (LockError, ConnectionError, OSError)):
        return True
    return any(cls.__module__.startswith(_STORE_MODULES) for cls in type(exc).__mro__)


def _apology(agent: Agent) -> Text:
    domain = agent.domain
    responses = domain.responses.get(APOLOGY_RESPONSE) if domain is not None else None
    text = responses[0].get("text") if responses else None
    return text if isinstance(text, str) and text else FALLBACK_TEXT


def install() -> None:
    """Make a turn whose store fails answer with the apology instead of nothing."""
    global _installed
    if _installed:
        return
    original = Agent.handle_message

    async def handle_or_apologise(
        self: Agent, message: UserMessage
    ) -> Optional[List[Dict[Text, Any]]]:
        try:
            return await original(self, message)
        except Exception as exc:
            if not is_store_error(exc):
                raise
            # no message text or sender id in the log: they may hold personal data
            logger.warning("a store failed during a turn, apologising: %r", exc)
            await message.output_channel.send_text_message(message.sender_id, _apology(self))
            return None

    Agent.handle_message = handle_or_apologise
    _installed = True
