"""Vietnamese word tokenizer for Rasa 3.6 (underthesea segmentation, spans into the original)."""

# No `from __future__ import annotations` here: Rasa inspects the type hints of graph
# components at run time.
import hashlib
import itertools
import logging
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from assistant.nlu.options import check_flag, check_known
from settings.defaults import resolve_path
from settings.rasa import load_rasa_settings
from vitext import (
    Unit,
    VitextError,
    abbreviation_at,
    fold,
    has_diacritics,
    load_abbreviations,
    nfc_with_offsets,
    split_units,
    telex_at,
)

__all__ = ["VietnameseTokenizer"]

logger = logging.getLogger(__name__)

# (end of syllable a, start of syllable b): the segmenter put a and b in one word.
_Joins = Set[Tuple[int, int]]
_Spans = Set[Tuple[int, int]]

_BOOL_KEYS = ("intent_tokenization_flag", "lowercase", "segment_words", "folded_lemma")


def _resolve_table_path(value: Any) -> Optional[Path]:
    """Path of the abbreviation table for the option value, None when disabled."""
    if value is False:
        return None
    if value is True:
        return load_rasa_settings().lexicon_dir / "abbreviations.yml"
    return resolve_path(value)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Splits Vietnamese text into words (``học_sinh``) with spans into the original text."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Supported languages (see parent class for full docstring)."""
        return ["vi"]

    @staticmethod
    def required_packages() -> List[Text]:
        """Any extra python dependencies required for this component to run."""
        return ["underthesea"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            # Flag to check whether to split intents
            "intent_tokenization_flag": False,
            # Symbol on which intent should be split
            "intent_split_symbol": "_",
            # Regular expression to detect tokens
            "token_pattern": None,
            # Symbol on which prefix should be split
            "prefix_separator_symbol": None,
            # Expand abbreviations/teencode and repair words typed with Telex keys left in:
            # true (data/lexicon/abbreviations.yml), false (neither), or a path
            "abbreviations": True,
            # Lower-case token texts (spans still point into the original message)
            "lowercase": False,
            # Join syllables into words with underthesea (false: one token per syllable)
            "segment_words": True,
            # Token lemma = its syllables folded ("học_sinh" → "hoc sinh"): a featurizer with
            # use_lemma: true then matches accented training words with unaccented input
            "folded_lemma": False,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Raises InvalidConfigException naming the bad option and the fix."""
        name = cls.__name__
        check_known(name, config, cls.get_default_config())
        for key in _BOOL_KEYS:
            check_flag(name, config, key)
        for key in ("intent_split_symbol",):
            if key in config and not (isinstance(config[key], str) and config[key]):
                raise InvalidConfigException(
                    f"{name}: option '{key}' must be a non-empty string, got {config[key]!r}"
                )
        for key in ("token_pattern", "prefix_separator_symbol"):
            if config.get(key) is not None and not isinstance(config[key], str):
                raise InvalidConfigException(
                    f"{name}: option '{key}' must be a string or null, got {config[key]!r}"
                )
        if config.get("token_pattern"):
            try:
                re.compile(config["token_pattern"])
            except re.error as exc:
                raise InvalidConfigException(
                    f"{name}: option 'token_pattern' {config['token_pattern']!r} is not a "
                    f"valid regular expression ({exc})"
                ) from exc
        value = config.get("abbreviations", True)
        if not isinstance(value, (bool, str)) or value == "":
            raise InvalidConfigException(
                f"{name}: option 'abbreviations' must be true, false or a file path, got {value!r}"
            )
        path = _resolve_table_path(value)
        if path is not None and not path.is_file():
            raise InvalidConfigException(
                f"{name}: abbreviation file {path} does not exist; fix the path or set "
                "'abbreviations: false'"
            )

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Validates the config, loads the abbreviation table and the segmenter."""
        self.validate_config(config)
        config = {**self.get_default_config(), **config}
        super().__init__(config)
        self._lowercase: bool = config["lowercase"]
        self._folded_lemma: bool = config["folded_lemma"]
        self._table: Dict[Text, Text] = {}
        path = _resolve_table_path(config["abbreviations"])
        if path is not None:
            try:
                self._table = load_abbreviations(path)
            except VitextError as exc:
                raise InvalidConfigException(f"{type(self).__name__}: {exc}") from exc
        self._segment: Optional[Callable[[str], List[str]]] = None
        if config["segment_words"]:
            from underthesea import word_tokenize

            self._segment = word_tokenize

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseTokenizer":
        """Creates a new component (see parent class for full docstring)."""
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Makes Rasa retrain when the abbreviation table changes (it is external data)."""
        path = _resolve_table_path(config.get("abbreviations", True))
        if path is None or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        original = message.get(attribute)
        if not isinstance(original, str) or not original.strip():
            return []
        text, starts, ends = nfc_with_offsets(original)
        units = split_units(text)
        joins = self._segmenter_joins(text) if self._segment and has_diacritics(text) else set()

        tokens: List[Token] = []
        group: List[Unit] = []
        i = 0
        while i < len(units):
            unit = units[i]
            found = self._expansion(units, i)
            if unit.kind == "punct":
                i += 1
                continue
            if found is None and group and self._joined(group[-1], unit, joins):
                group.append(unit)
                i += 1
                continue
            if group:
                tokens.append(self._token(group, None, starts, ends))
            if found is None:
                group = [unit]
                i += 1
                continue
            expansion, n = found
            tokens.append(self._token(units[i : i + n], expansion, starts, ends))
            group = []
            i += n
        if group:
            tokens.append(self._token(group, None, starts, ends))

        if not tokens:
            # Only punctuation (":)", "???"): keep it as one token, like WhitespaceTokenizer.
            stripped = original.strip()
            start = original.index(stripped)
            tokens = [Token(stripped, start, start + len(stripped))]
        return self._apply_token_pattern(tokens)

    def _expansion(self, units: List[Unit], i: int) -> Optional[Tuple[str, int]]:
        """The expansion (one token, words joined by "_") of a table key at ``units[i]``, or
        the syllable of a word typed with Telex keys left in ("vaayj" → "vậy")."""
        if not self._table:
            return None
        found = abbreviation_at(units, i, self._table) or telex_at(units, i)
        if found is None:
            return None
        expansion, n = found
        words = [u.text for u in split_units(expansion) if u.kind != "punct"]
        return "_".join(words), n

    @staticmethod
    def _joined(left: Unit, right: Unit, joins: _Joins) -> bool:
        return left.kind == right.kind == "word" and (left.end, right.start) in joins

    def _token(
        self, group: List[Unit], expansion: Optional[str], starts: List[int], ends: List[int]
    ) -> Token:
        text = expansion if expansion is not None else "_".join(u.text for u in group)
        if self._lowercase:
            text = text.lower()
        # without the option the lemma is the text (Token's default)
        lemma = fold(text).replace("_", " ") if self._folded_lemma else None
        return Token(text, starts[group[0].start], ends[group[-1].end - 1], lemma=lemma)

    def _segmenter_joins(self, text: str) -> _Joins:
        """Syllable boundaries the segmenter joined, or none if its output does not re-align."""
        if self._segment is None:
            return set()
        words = self._segment(text)
        joins: _Joins = set()
        cursor = 0
        for word in words:
            spans: List[Tuple[int, int]] = []
            for part in word.split():
                while cursor < len(text) and text[cursor].isspace():
                    cursor += 1
                piece = text[cursor : cursor + len(part)]
                # The segmenter normalises tone placement (hoà -> hòa): compare folded forms.
                if piece != part and fold(piece) != fold(part):
                    logger.debug("segmenter output does not re-align; using syllables")
                    return set()
                spans.append((cursor, cursor + len(part)))
                cursor += len(part)
            joins.update((a[1], b[0]) for a, b in itertools.pairwise(spans))
        return joins
