"""The independent understanding set (data/eval/understanding/): loading and the dev/test split.

The split is a pure function of each sentence: the SHA-256 of its normalised form (NFC,
lower-case, diacritics folded, whitespace collapsed) decides, so it is reproducible, independent
of file order and stable when items are added. Even first byte → ``dev``, odd → ``test``.
Only ``dev`` failures may be looked at; ``test`` is reported as numbers only.

A file may instead say ``split: dev`` at its top level: all its items are development data
(read freely, tuned on). data/eval/understanding_dev2/ is such a set, written later and apart
from the first one, so that error analysis can go on without reading the test half.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

from vitext import fold, nfc

__all__ = [
    "FILES",
    "SPLITS",
    "EvalItem",
    "EvalSet",
    "load_set",
    "normalise",
    "split_of",
]

Split = Literal["dev", "test"]
SPLITS = ("dev", "test", "all")
FILES = ("citizen", "out_of_scope", "staff", "emergency")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, lower-case, diacritics folded (đ → d), whitespace collapsed."""
    return _SPACE.sub(" ", fold(nfc(text).lower())).strip()


def split_of(text: str) -> Split:
    """``dev`` or ``test``, from the hash of the normalised sentence."""
    digest = hashlib.sha256(normalise(text).encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


@dataclass(frozen=True)
class EvalItem:
    """One sentence of the set with its labels (the file's own keys)."""

    kind: str  # citizen | out_of_scope | staff | emergency
    text: str
    labels: dict[str, Any]
    fixed: Split | None = None  # the file's ``split:``; None: decided by the sentence's hash

    @property
    def split(self) -> Split:
        return self.fixed or split_of(self.text)


@dataclass(frozen=True)
class EvalSet:
    """All items of the set and the reference date relative periods are read against."""

    items: tuple[EvalItem, ...]
    reference_date: date

    def select(self, split: str, kind: str | None = None) -> list[EvalItem]:
        """Items of ``split`` (``dev``, ``test`` or ``all``), optionally of one file."""
        return [
            i
            for i in self.items
            if (split == "all" or i.split == split) and (kind is None or i.kind == kind)
        ]


def load_set(folder: Path) -> EvalSet:
    """Load the four files of ``folder``; raise ValueError naming the file on bad content."""
    items: list[EvalItem] = []
    reference: date | None = None
    for kind in FILES:
        path = folder / f"{kind}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise ValueError(f"{path}: expected a mapping with an 'items:' list")
        if isinstance(data.get("reference_date"), date):
            reference = data["reference_date"]
        fixed = data.get("split")
        if fixed not in (None, "dev", "test"):
            raise ValueError(f"{path}: 'split:' must be dev or test, got {fixed!r}")
        for n, raw in enumerate(data["items"], 1):
            if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
                raise ValueError(f"{path}: item {n} has no 'text:'")
            labels = {k: v for k, v in raw.items() if k != "text"}
            items.append(EvalItem(kind, nfc(raw["text"]).replace("\n", " "), labels, fixed))
    if reference is None:
        raise ValueError(f"{folder}: no file gives reference_date: YYYY-MM-DD")
    return EvalSet(tuple(items), reference)
