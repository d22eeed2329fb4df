"""The independent understanding set never leaks into what the bot is built from.

No evaluation sentence (normalised: NFC, lower-case, diacritics folded, whitespace collapsed)
may appear in the NLU training data or the FAQ phrasings, and none may be a near duplicate
(token Jaccard ≥ 0.8) of one. The lexicons and the indicator catalog hold vocabulary (terms such
as "sốt xuất huyết", official indicator names), so a bare keyword query may equal one of their
terms; no evaluation SENTENCE (five words or more) may appear there.

The same holds for the development-only sets (data/eval/understanding_dev2/, the emergency
set data/eval/understanding_dev3/ and the citizen / out-of-scope set data/eval/understanding_dev4/,
every file ``split: dev``). They are tuned on, so they must
also stay apart from the first set's test half: no sentence of them may equal or nearly duplicate
a test-half sentence, else tuning on them would tune on the test.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.evaluation.understanding_set import EvalItem, EvalSet, load_set, normalise, split_of

DATA = Path(__file__).resolve().parent.parent / "data"
FIRST = load_set(DATA / "eval" / "understanding")
DEV2 = load_set(DATA / "eval" / "understanding_dev2")
DEV3 = load_set(DATA / "eval" / "understanding_dev3")
DEV4 = load_set(DATA / "eval" / "understanding_dev4")
EVAL = EvalSet(FIRST.items + DEV2.items + DEV3.items + DEV4.items, FIRST.reference_date)
NEAR_JACCARD = 0.8
_TOKEN = re.compile(r"\w+")


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _nlu_examples(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in data.get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:]))
    return out


def _faq_phrasings(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [q for entry in data.get("entries") or [] for q in entry.get("questions") or []]


def _collect(sources: list[tuple[Path, list[str]]]) -> dict[str, str]:
    """normalised sentence -> where it comes from"""
    found: dict[str, str] = {}
    for path, texts in sources:
        for text in texts:
            found.setdefault(normalise(text), str(path.relative_to(DATA.parent)))
    return found


TRAINING = _collect(
    [(p, _nlu_examples(p)) for p in sorted((DATA / "nlu").glob("*.yml"))]
    + [(p, _faq_phrasings(p)) for p in sorted((DATA / "faq").glob("*.yml"))]
)
LEXICON_FILES = [*sorted((DATA / "lexicon").glob("*.yml")), DATA / "ioc" / "catalog.yml"]
VOCABULARY = _collect(
    [(p, _strings(yaml.safe_load(p.read_text(encoding="utf-8")))) for p in LEXICON_FILES]
)
SENTENCE_WORDS = 5


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_TOKEN.findall(text))


def test_training_sources_are_found() -> None:
    assert len(TRAINING) > 1000
    assert len(EVAL.items) > 1200


def test_split_is_deterministic_and_balanced() -> None:
    dev = FIRST.select("dev")
    assert len(dev) + len(FIRST.select("test")) == len(FIRST.items)
    assert 0.4 < len(dev) / len(FIRST.items) < 0.6
    assert split_of("Cháy nhà!") == split_of("  chay   NHA! ")


def test_no_evaluation_sentence_is_in_training_data() -> None:
    leaks = [
        f"{item.kind}: {item.text!r} in {TRAINING[normalise(item.text)]}"
        for item in EVAL.items
        if normalise(item.text) in TRAINING
    ]
    assert not leaks, "evaluation sentences copied into training data:\n" + "\n".join(leaks)


def test_no_evaluation_sentence_is_in_the_lexicons_or_the_catalog() -> None:
    leaks = [
        f"{item.kind}: {item.text!r} in {VOCABULARY[normalise(item.text)]}"
        for item in EVAL.items
        if len(normalise(item.text).split()) >= SENTENCE_WORDS
        and normalise(item.text) in VOCABULARY
    ]
    assert not leaks, "evaluation sentences copied into a lexicon:\n" + "\n".join(leaks)


def _near_duplicates(items: list[EvalItem], others: dict[str, str]) -> list[str]:
    """``item ~ where`` for every item whose tokens overlap a text of ``others`` (normalised
    text -> where it is) by Jaccard ≥ NEAR_JACCARD; texts under three tokens are skipped."""
    index: dict[str, list[tuple[frozenset[str], str]]] = defaultdict(list)
    for text, source in others.items():
        tokens = _tokens(text)
        if len(tokens) >= 3:
            for token in tokens:
                index[token].append((tokens, f"{source}: {text!r}"))
    near = []
    for item in items:
        mine = _tokens(normalise(item.text))
        if len(mine) < 3:
            continue
        seen: set[str] = set()
        for token in mine:
            for theirs, where in index.get(token, []):
                if where in seen:
                    continue
                seen.add(where)
                if len(mine & theirs) / len(mine | theirs) >= NEAR_JACCARD:
                    near.append(f"{item.kind}: {item.text!r} ~ {where}")
    return near


def test_no_training_sentence_is_a_near_duplicate_of_an_evaluation_sentence() -> None:
    near = _near_duplicates(list(EVAL.items), TRAINING)
    assert not near, "near duplicates of evaluation sentences:\n" + "\n".join(near[:20])


@pytest.mark.parametrize(
    ("dev", "size"), [(DEV2, 1000), (DEV3, 300), (DEV4, 500)], ids=["dev2", "dev3", "dev4"]
)
def test_the_development_sets_are_all_dev_and_apart_from_the_test_half(
    dev: EvalSet, size: int
) -> None:
    assert len(dev.items) > size
    assert {item.split for item in dev.items} == {"dev"}
    test_half = {normalise(i.text): "test half" for i in FIRST.select("test")}
    close = [
        f"{i.text!r} equals a test sentence" for i in dev.items if normalise(i.text) in test_half
    ]
    close += _near_duplicates(list(dev.items), test_half)
    assert not close, "development sentences close to the test half:\n" + "\n".join(close[:20])


def test_a_file_saying_split_dev_is_all_dev(tmp_path: Path) -> None:
    (tmp_path / "citizen.yml").write_text(
        "reference_date: 2025-06-18\nsplit: dev\nitems:\n"
        '  - {text: "chay nha", domains: [y_te]}\n  - {text: "cứu với", domains: [y_te]}\n',
        encoding="utf-8",
    )
    for kind in ("out_of_scope", "staff", "emergency"):
        (tmp_path / f"{kind}.yml").write_text("items: []\n", encoding="utf-8")
    data = load_set(tmp_path)
    assert [i.split for i in data.items] == ["dev", "dev"]
    assert data.select("test") == []
    (tmp_path / "staff.yml").write_text("split: later\nitems: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"staff\.yml: 'split:' must be dev or test"):
        load_set(tmp_path)


@pytest.mark.parametrize("text", ["", "   "])
def test_normalise_handles_blank_text(text: str) -> None:
    assert normalise(text) == ""
