"""Sentence-aware splitting of long documents into overlapping passages that fit the encoder.

e5 reads at most 512 tokens (prompt and special tokens included) and silently drops the rest, so a
long answer is indexed as several passages and scored by its best one (the index keeps the max
over an entry's rows). A text that fits is one passage, unchanged: FAQ phrasings never split.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PassageSplitter", "word_count"]

# a sentence ends at . ! ? … ; followed by space, or at a line break (lists in answers)
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\s*\n+\s*")
_WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    """Whitespace words: a stand-in token count when no tokenizer is at hand."""
    return len(_WORD.findall(text))


@dataclass(frozen=True)
class PassageSplitter:
    """Greedy packing of whole sentences up to ``max_tokens``; consecutive passages share
    trailing sentences of up to ``overlap_tokens``; a sentence too long alone is cut by words."""

    max_tokens: int
    overlap_tokens: int = 0
    count_tokens: Callable[[str], int] = word_count

    def __post_init__(self) -> None:
        if self.max_tokens < 8:
            raise ValueError(f"max_tokens={self.max_tokens} is too small; use 64 or more")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise ValueError(
                f"overlap_tokens={self.overlap_tokens} must be ≥ 0 and below "
                f"max_tokens={self.max_tokens}"
            )

    def split(self, text: str) -> list[str]:
        """The passages of ``text`` (``[text]`` when it fits)."""
        text = text.strip()
        if not text or self.count_tokens(text) <= self.max_tokens:
            return [text]
        units: list[tuple[str, int]] = []
        for sentence in _SENTENCE_END.split(text):
            if sentence.strip():
                units.extend(self._fit(sentence.strip()))
        passages: list[str] = []
        current: list[tuple[str, int]] = []
        for unit in units:
            if current and self._size([*current, unit]) > self.max_tokens:
                passages.append(" ".join(s for s, _ in current))
                current = self._overlap(current)
                while current and self._size([*current, unit]) > self.max_tokens:
                    current.pop(0)
            current.append(unit)
        if current:
            passages.append(" ".join(s for s, _ in current))
        return passages

    def _size(self, units: list[tuple[str, int]]) -> int:
        # tokens of sentences add up (the prompt/special tokens counted once per sentence make
        # this an over-estimate, which keeps every passage inside the window)
        return sum(n for _, n in units)

    def _overlap(self, units: list[tuple[str, int]]) -> list[tuple[str, int]]:
        kept: list[tuple[str, int]] = []
        for unit in reversed(units):
            if self._size([unit, *kept]) > self.overlap_tokens:
                break
            kept.insert(0, unit)
        return kept

    def _fit(self, sentence: str) -> list[tuple[str, int]]:
        """One sentence as units of at most ``max_tokens`` (cut by words when too long)."""
        size = self.count_tokens(sentence)
        if size <= self.max_tokens:
            return [(sentence, size)]
        words = sentence.split()
        step = max(1, len(words) * self.max_tokens // size)
        while True:
            pieces = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
            sizes = [self.count_tokens(p) for p in pieces]
            if max(sizes) <= self.max_tokens or step == 1:
                return list(zip(pieces, sizes, strict=True))
            step = max(1, step * 9 // 10)
