"""ChitchatGuard: a small-talk intent needs its cue words, else the turn goes to FAQ retrieval.

It also needs to be free of a service question's words ("ở đâu", "thủ tục", "bao nhiêu", "được
không"…, the ``questions`` list): "Vé tàu ra Côn Đảo bán ở đâu dzậy, tui mua tại bến được hông"
came out as ``bot_challenge`` and "nhờ người khác nộp hồ sơ giùm có cần giấy ủy quyền không" as
``human_handoff``, although "bán", "nhờ người" look like their cues. No training example of a
small-talk intent holds one of these words (the test checks it).

DIET is confident on sentences it has never seen: "114 là số gì" comes out as ``bot_challenge``
and a harmful request as ``human_handoff``, both with confidence near 1.0, and get a canned
small-talk reply. Small talk is recognisable by its words (chào, cảm ơn, bot, cán bộ…), listed
per intent in ``data/lexicon/chitchat.yml``. When the predicted intent is a small-talk intent
and the message holds none of its cues, the intent becomes ``nlu_fallback`` (same confidence),
so ``action_answer_faq`` answers from the FAQ or declines politely. Placed after
FallbackClassifier and before EmergencyGuard (an emergency still wins).
"""

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Pattern, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from assistant.nlu.options import check_known, check_name
from settings.defaults import resolve_path
from settings.rasa import load_rasa_settings
from vitext import fold

__all__ = ["ChitchatCues", "ChitchatGuard", "load_chitchat_cues"]

logger = logging.getLogger(__name__)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ChitchatCues:
    """Per small-talk intent, one whole-word pattern over the folded text."""

    patterns: Mapping[str, Pattern[str]]
    questions: Optional[Pattern[str]] = None

    def asks_service(self, text: str) -> bool:
        """True when ``text`` holds a service question's words (folded, whole words)."""
        return self.questions is not None and bool(
            self.questions.search(_SPACE.sub(" ", fold(text)))
        )

    def guards(self, intent: Optional[str]) -> bool:
        """True when ``intent`` is a small-talk intent listed in the lexicon."""
        return intent in self.patterns

    def has_cue(self, intent: str, text: str) -> bool:
        """True when ``text`` holds one of ``intent``'s cue words (folded, whole words)."""
        pattern = self.patterns.get(intent)
        return pattern is None or bool(pattern.search(_SPACE.sub(" ", fold(text))))


def load_chitchat_cues(path: Path) -> ChitchatCues:
    """Read ``chitchat.yml``; a missing or malformed file raises InvalidConfigException."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidConfigException(f"{path}: cannot read the small-talk cues ({exc})") from exc
    intents = raw.get("intents") if isinstance(raw, dict) else None
    if not isinstance(intents, dict) or not intents:
        raise InvalidConfigException(f"{path}: expected 'intents:' mapping intent -> cue list")
    patterns: Dict[str, Pattern[str]] = {}
    for intent, cues in intents.items():
        patterns[str(intent)] = _whole_words(path, f"intent {intent!r}", cues)
    questions = raw.get("questions")
    return ChitchatCues(
        patterns, None if questions is None else _whole_words(path, "'questions'", questions)
    )


def _whole_words(path: Path, what: str, cues: Any) -> Pattern[str]:
    """One folded whole-word pattern for a list of cue strings; a bad list raises."""
    if not isinstance(cues, list) or not cues or not all(isinstance(c, str) for c in cues):
        raise InvalidConfigException(
            f"{path}: {what} needs a non-empty list of cue strings "
            "(quote words YAML reads as booleans, such as 'off')"
        )
    words = sorted({_SPACE.sub(" ", fold(c)).strip() for c in cues}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words if w)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ChitchatGuard(GraphComponent, IntentClassifier):
    """Replaces a small-talk intent without its cue words, or with a service question's words,
    by ``nlu_fallback``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            # Cue file; null means data/lexicon/chitchat.yml
            "lexicon": None,
            # Intent set instead of a small-talk intent without cues
            "fallback_intent": "nlu_fallback",
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Raises InvalidConfigException naming the bad option and the fix."""
        name = cls.__name__
        check_known(name, config, cls.get_default_config())
        check_name(
            name, config, "fallback_intent", "nlu_fallback", "an intent name", nullable=False
        )
        check_name(name, config, "lexicon", None, "a file path", nullable=True)

    def __init__(self, config: Dict[Text, Any], cues: ChitchatCues) -> None:
        """Creates the guard from a validated config and the compiled cues."""
        self._config = {**self.get_default_config(), **config}
        self._cues = cues

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChitchatGuard":
        """Creates a new component (see parent class for full docstring)."""
        cls.validate_config(config)
        value = config.get("lexicon")
        path = (
            load_rasa_settings().lexicon_dir / "chitchat.yml"
            if value is None
            else resolve_path(value)
        )
        return cls(config, load_chitchat_cues(path))

    def process(self, messages: List[Message]) -> List[Message]:
        """Demotes small-talk intents whose cue words are missing; other messages untouched."""
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if not isinstance(text, str) or not isinstance(name, str):
                continue
            if not self._cues.guards(name):
                continue
            if self._cues.has_cue(name, text) and not self._cues.asks_service(text):
                continue
            logger.debug("small-talk intent %s without its cues or with a question: FAQ", name)
            message.set(
                INTENT,
                {
                    INTENT_NAME_KEY: self._config["fallback_intent"],
                    PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY),
                },
                add_to_output=True,
            )
        return messages
