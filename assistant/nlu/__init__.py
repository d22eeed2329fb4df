"""Rasa NLU components for Vietnamese (`assistant.nlu.VietnameseTokenizer` in config.yml)."""

from assistant.nlu.chitchat import ChitchatGuard
from assistant.nlu.emergency import EmergencyGuard
from assistant.nlu.sentence_featurizer import SentenceEncoderFeaturizer
from assistant.nlu.vi_tokenizer import VietnameseTokenizer

__all__ = [
    "ChitchatGuard",
    "EmergencyGuard",
    "SentenceEncoderFeaturizer",
    "VietnameseTokenizer",
]
