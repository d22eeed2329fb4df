"""Three hot spots of Rasa 3.6's turn, made cheap without changing what they return.

Found with py-spy on the Rasa process of ``python -m tools.bench.turn_latency`` (one 300-turn
conversation over REST, docs/benchmarks.md "Where a long conversation's time went"):

- ``Event.resolve_by_type`` walks the whole subclass tree of ``Event`` (and asks
  ``inspect.isabstract`` of every class) for *each* event it deserialises. Loading a tracker
  from a store deserialises every event of the session, so this was a quarter of the Rasa
  process's CPU. Here a name → class table answers; a name it does not know (a class imported
  later, the legacy ``topic`` event, an unknown name) goes to Rasa's own function, so the result,
  the default and the error are Rasa's.
- ``RemoteAction._validate_action_result`` checks the (constant) response JSON schema itself
  before validating every action server response (``jsonschema.validate``). Here the validator
  is built once; the response is validated the same way and the same error, with Rasa's hint,
  is raised.

- Python's full garbage collection walks every object of the process; with TensorFlow, the
  tokenizers and the model loaded that is ≈ 300 ms, and a long conversation (many events
  deserialised per turn) triggers one every 20–30 turns: most of the single-user p95. Here the
  objects alive once a model is loaded and has answered its first turn are frozen
  (``gc.freeze``: moved out of the collector's sight, still freed by reference counting), so a
  full collection walks only what turns create.

``install()`` is idempotent and called by :mod:`assistant.serve` before Rasa starts.
"""

import functools
import gc
import threading
from typing import Any, Callable, Dict, Optional, Text, Type

import rasa.shared.utils.common
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.shared.core.events import Event

__all__ = ["install"]

_installed = False
_lock = threading.Lock()


class _EventTypes:
    """``type_name`` → event class, first match in Rasa's own order (as its loop returns)."""

    def __init__(self, original: Callable[..., Optional[Type[Event]]]) -> None:
        self._original = original
        self._table: Dict[Text, Type[Event]] = {}

    def _rebuild(self) -> None:
        classes = rasa.shared.utils.common.all_subclasses(Event)
        table: Dict[Text, Type[Event]] = {}
        for cls in classes:
            table.setdefault(cls.type_name, cls)
        self._table = table

    def __call__(
        self, type_name: Text, default: Optional[Type[Event]] = None
    ) -> Optional[Type[Event]]:
        found = self._table.get(type_name)
        if found is not None:
            return found
        result = self._original(type_name, default)
        if result is not None and result is not default:
            self._rebuild()  # a class imported since the last look (custom events)
        return result


def _validating(original: Callable[[RemoteAction, Dict[Text, Any]], bool]) -> Callable[..., bool]:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    spec = RemoteAction.action_response_format_spec()  # a constant in Rasa 3.6
    cls = validator_for(spec)
    cls.check_schema(spec)
    validator = cls(spec)

    def validate(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if best_match(validator.iter_errors(result)) is None:
            return True
        return original(self, result)  # raises Rasa's own error, with its hint

    return validate


def freeze_heap() -> None:
    """Collect once, then keep everything alive now out of later full collections."""
    gc.collect()
    gc.freeze()


def _freezing_after_load(agent_class: Any) -> None:
    load_model = agent_class.load_model
    handle_message = agent_class.handle_message
    pending = {"freeze": False}

    @functools.wraps(load_model)
    def load_and_freeze(self: Agent, *args: Any, **kwargs: Any) -> None:
        load_model(self, *args, **kwargs)
        freeze_heap()
        pending["freeze"] = True  # the first prediction builds TensorFlow's graph: once more

    @functools.wraps(handle_message)
    async def handle_and_freeze(self: Agent, *args: Any, **kwargs: Any) -> Any:
        try:
            return await handle_message(self, *args, **kwargs)
        finally:
            if pending["freeze"]:
                pending["freeze"] = False
                freeze_heap()

    agent_class.load_model = load_and_freeze
    agent_class.handle_message = handle_and_freeze


def install() -> None:
    """Replace the two hot spots in this process (once)."""
    global _installed
    with _lock:
        if _installed:
            return
        table = _EventTypes(Event.resolve_by_type)
        table._rebuild()
        Event.resolve_by_type = staticmethod(table)
        RemoteAction._validate_action_result = _validating(RemoteAction._validate_action_result)
        _freezing_after_load(Agent)
        _installed = True
