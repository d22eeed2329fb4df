"""assistant.speedups: Rasa's event lookup and action-response check give the same results."""

from __future__ import annotations

import asyncio
import gc
import inspect
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events

from assistant import speedups


def _walk(cls: Any) -> list[Any]:
    found = cls.__subclasses__() + [g for s in cls.__subclasses__() for g in _walk(s)]
    return [c for c in found if not inspect.isabstract(c)]


def _rasa_lookup(type_name: str) -> type[Event] | None:
    """Rasa 3.6's own loop, written out: the first non-abstract subclass with that name."""
    return next((cls for cls in _walk(Event) if cls.type_name == type_name), None)


@pytest.fixture(autouse=True)
def _installed() -> None:
    speedups.install()
    speedups.install()  # idempotent


def test_every_event_type_resolves_as_rasa_does() -> None:
    names = {cls.type_name for cls in _walk(Event)}
    assert {"user", "bot", "action", "slot", "session_started"} <= names
    for name in sorted(names):
        assert Event.resolve_by_type(name) is _rasa_lookup(name), name


def test_unknown_names_keep_rasa_behaviour() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found() -> None:
    class Reviewed(SlotSet):  # a project's custom event, imported after install()
        type_name = "reviewed_by_editor"

    assert Event.resolve_by_type("reviewed_by_editor") is Reviewed
    events = deserialise_events([UserUttered("chào", {"name": "greet"}).as_dict()])
    assert isinstance(events[0], UserUttered)
    assert events[0].text == "chào"


def test_action_responses_are_checked_with_rasa_message() -> None:
    action = RemoteAction("action_answer_faq", None)
    good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "ok"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_heap_is_frozen_after_a_model_load_and_its_first_turn() -> None:
    kept: list[object] = []

    class Loader:  # the two methods of rasa's Agent the wrapper hooks
        def load_model(self, path: str) -> None:
            kept.extend([path, i] for i in range(2000))  # lists: tracked by the collector

        async def handle_message(self, text: str) -> list[str]:
            kept.extend([text, i] for i in range(2000))
            return [text]

    speedups._freezing_after_load(Loader)
    agent = Loader()
    gc.unfreeze()
    try:
        agent.load_model("m1")
        after_load = gc.get_freeze_count()
        assert after_load >= 2000
        assert asyncio.run(agent.handle_message("a")) == ["a"]
        after_first = gc.get_freeze_count()
        assert after_first >= after_load + 2000  # TensorFlow builds its graph on the first turn
        asyncio.run(agent.handle_message("b"))
        assert gc.get_freeze_count() == after_first  # later turns are left to the collector
    finally:
        gc.unfreeze()
