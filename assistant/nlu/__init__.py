"""Rasa NLU components for Vietnamese (`assistant.nlu.VietnameseTokenizer` in config.yml)."""

from assistant.nlu.emergency import EmergencyGuard
from assistant.nlu.vi_tokenizer import VietnameseTokenizer

__all__ = ["EmergencyGuard", "VietnameseTokenizer"]
