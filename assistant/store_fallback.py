"""Polite apology when a shared store (Redis lock store, SQL tracker store) fails during a turn.

Rasa 3.6 logs the exception and answers the REST channel with an empty list (socket.io: nothing).
In a cluster the lock store and tracker store are other servers that can be lost while Rasa runs;
the user then gets ``utter_action_unavailable`` instead of silence, and the next turn works again
as soon as the store is back (Rasa reconnects by itself). ``install()`` wraps
``Agent.handle_message`` once per process; the normal path is Rasa's own code, untouched.
"""

import logging
from typing import Any, Dict, List, Optional, Text, Tuple, Type

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_action_unavailable"
FALLBACK_TEXT = "Xin lỗi, hệ thống đang tạm gián đoạn. Bạn vui lòng thử lại sau ít phút."

__all__ = ["APOLOGY_RESPONSE", "install", "store_errors"]

_installed = False


def store_errors() -> Tuple[Type[BaseException], ...]:
    """Exceptions that mean "a store is unreachable", not a bug."""
    found: List[Type[BaseException]] = [LockError, ConnectionError, OSError]
    try:
        from redis.exceptions import RedisError

        found.append(RedisError)
    except ImportError:  # pragma: no cover - redis is in the Rasa runtime's lock
        pass
    try:
        from sqlalchemy.exc import SQLAlchemyError

        found.append(SQLAlchemyError)
    except ImportError:  # pragma: no cover - sqlalchemy is in the Rasa runtime's lock
        pass
    return tuple(found)


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
    errors = store_errors()

    async def handle_or_apologise(
        self: Agent, message: UserMessage
    ) -> Optional[List[Dict[Text, Any]]]:
        try:
            return await original(self, message)
        except errors as exc:
            # no message text or sender id in the log: they may hold personal data
            logger.warning("a store failed during a turn, apologising: %r", exc)
            await message.output_channel.send_text_message(message.sender_id, _apology(self))
            return None

    Agent.handle_message = handle_or_apologise
    _installed = True
