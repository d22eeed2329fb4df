"""EmergencyGuard: forces intent ``emergency`` when a message reports an emergency in progress.

Placed after the intent classifier and after FallbackClassifier, so it overrides both
(``nlu_fallback`` included). When the classifier predicted ``emergency`` but a guard of the
lexicon says the message is not an event in progress (a past incident, a lasting problem to
report, news, a statistic, a procedure, a question about a number) and no urgent cue is
present, or when the message carries no word of danger (the lexicon's ``signs``) and reads as a
question or a keyword search (the lexicon's ``asks``), the classifier's next intent is used
instead: the guards are explicit evidence, the classifier's guess is not (DIET learns the topics
and style of its emergency examples as well as their content). A report with no word of danger
("nước tràn qua đập, lên nhanh lắm") keeps the classifier's guess when the classifier is at
least ``unsigned_min_confidence`` sure: indirect wordings are what the lexicon misses, and below
0.95 such guesses were false alarms on every dev set. ``classifier_needs_signs: true`` restores
the stricter rule (a sign always needed).
"""

import logging
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from assistant.nlu.emergency_lexicon import (
    EmergencyLexicon,
    EmergencyMatch,
    load_emergency_lexicon,
)
from assistant.nlu.options import check_flag, check_known, check_name
from settings.defaults import resolve_path
from settings.rasa import load_rasa_settings
from vitext import nfc_with_offsets, repair_telex

__all__ = ["EMERGENCY_DATA_KEY", "EmergencyGuard"]

logger = logging.getLogger(__name__)

# Message data key (also in the parse output) with kind, all kinds and the matched text.
EMERGENCY_DATA_KEY = "emergency"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyGuard(GraphComponent, IntentClassifier):
    """Sets intent ``emergency`` (confidence 1.0) on messages matching emergency.yml."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            # Pattern file; null means data/lexicon/emergency.yml
            "lexicon": None,
            # Intent set when a pattern matches
            "intent": "emergency",
            # Entity carrying the kind (fire|medical|crime|accident|rescue); null: none added
            "entity": "emergency_kind",
            # A vetoed classifier guess falls to its next intent only when that one is at
            # least this sure, else to nlu_fallback (FallbackClassifier's threshold)
            "fallback_threshold": 0.45,
            # The classifier's own `emergency` guess also needs a word of danger (the
            # lexicon's `signs`). false: without one it still stands when the message reads
            # as a report, not a question or a keyword search (the lexicon's `asks`); the
            # classifier is trained on look-alikes (data/nlu/emergency_contrast.yml)
            "classifier_needs_signs": False,
            # ...and without a word of danger it must be at least this sure: on the dev sets
            # every unsigned guess below 0.95 was a false alarm ("vneid bi loi … huhu" 0.88)
            "unsigned_min_confidence": 0.95,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Raises InvalidConfigException naming the bad option and the fix."""
        name = cls.__name__
        check_known(name, config, cls.get_default_config())
        check_name(name, config, "intent", "emergency", "an intent name", nullable=False)
        check_name(name, config, "entity", None, "an entity name", nullable=True)
        defaults = cls.get_default_config()
        for option in ("fallback_threshold", "unsigned_min_confidence"):
            value = config.get(option, defaults[option])
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (0.0 <= value <= 1.0)
            ):
                raise InvalidConfigException(
                    f"{name}: option '{option}' must be a number in [0, 1], got {value!r}"
                )
        check_name(name, config, "lexicon", None, "a file path", nullable=True)
        check_flag(name, config, "classifier_needs_signs")

    @staticmethod
    def _lexicon_path(config: Dict[Text, Any]) -> Path:
        value = config.get("lexicon")
        if value is None:
            return load_rasa_settings().lexicon_dir / "emergency.yml"
        return resolve_path(value)

    def __init__(self, config: Dict[Text, Any], lexicon: EmergencyLexicon) -> None:
        """Creates the guard from a validated config and a compiled lexicon."""
        self._config = {**self.get_default_config(), **config}
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EmergencyGuard":
        """Creates a new component (see parent class for full docstring)."""
        cls.validate_config(config)
        return cls(config, load_emergency_lexicon(cls._lexicon_path(config)))

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrides the intent of emergency messages; other messages are left untouched."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            match = self._lexicon.match(text)
            if match is not None:
                self._mark(message, text, match)
            elif self._predicted(message) and not self._guess_stands(text, message):
                self._demote(message)
        return messages

    def _guess_stands(self, text: str, message: Message) -> bool:
        """The classifier's `emergency` stands: no guard vetoes it, and it either carries a word
        of danger or (``classifier_needs_signs: false``) reads as a report, not a question,
        and the classifier is at least ``unsigned_min_confidence`` sure.
        Words typed with Telex keys left in are read as meant ("co ko vaayj" asks)."""
        text = repair_telex(text)
        if self._lexicon.vetoes(text):
            return False
        if self._lexicon.signals(text):
            return True
        if self._config["classifier_needs_signs"] or self._lexicon.asks(text):
            return False
        confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0
        return float(confidence) >= float(self._config["unsigned_min_confidence"])

    def _predicted(self, message: Message) -> bool:
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self._config["intent"]

    def _demote(self, message: Message) -> None:
        name = self._config["intent"]
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name
        ]
        if not ranking:
            return
        best = dict(ranking[0])
        threshold = self._config["fallback_threshold"]
        if float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < threshold:
            # the classifier was sure of `emergency` and has no real second choice: let the
            # FAQ decide (it answers or declines), as FallbackClassifier would have
            best = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: threshold}
            ranking = [best, *ranking]
        logger.debug("emergency vetoed; intent %s", best.get(INTENT_NAME_KEY))
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _mark(self, message: Message, text: str, match: EmergencyMatch) -> None:
        name = self._config["intent"]
        previous = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        logger.debug("emergency %s overrides intent %s", match.kind, previous)
        message.set(
            INTENT, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True
        )
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name
        ]
        ranking.insert(0, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0})
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        message.set(
            EMERGENCY_DATA_KEY,
            {
                "kind": match.kind,
                "kinds": list(match.kinds),
                "matched": match.matched,
                "previous_intent": previous,
            },
            add_to_output=True,
        )
        entity_name = self._config["entity"]
        if entity_name is None:
            return
        # Spans were computed on the NFC text; map them back onto the original message.
        _, starts, ends = nfc_with_offsets(text)
        entity = {
            ENTITY_ATTRIBUTE_TYPE: entity_name,
            ENTITY_ATTRIBUTE_VALUE: match.kind,
            ENTITY_ATTRIBUTE_START: starts[match.start],
            ENTITY_ATTRIBUTE_END: ends[match.end - 1],
            ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            EXTRACTOR: type(self).__name__,
        }
        entities = [
            e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != entity_name
        ]
        message.set(ENTITIES, [*entities, entity], add_to_output=True)
