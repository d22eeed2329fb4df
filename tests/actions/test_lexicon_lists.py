"""actions.lexicon_lists: an editor's list file is read, or refused with the file and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.errors import MessagesError
from actions.lexicon_lists import read_lists


def _read(tmp_path: Path, text: str, *, optional: bool = False) -> dict[str, list[str]]:
    path = tmp_path / "places.yml"
    path.write_text(text, encoding="utf-8")
    return read_lists(path, ("inside", "outside"), contents="place lists", item="place name",
                      optional=optional)  # fmt: skip


def test_lists_are_read_in_order(tmp_path: Path) -> None:
    found = _read(tmp_path, "inside: [Vũng Tàu, Bà Rịa]\noutside: [Hà Nội]\n")
    assert found == {"inside": ["Vũng Tàu", "Bà Rịa"], "outside": ["Hà Nội"]}


def test_a_missing_list_is_empty_only_when_optional(tmp_path: Path) -> None:
    assert _read(tmp_path, "inside: [Vũng Tàu]\n", optional=True)["outside"] == []
    with pytest.raises(MessagesError, match=r"places\.yml: 'outside:' must be a list of place"):
        _read(tmp_path, "inside: [Vũng Tàu]\n")


@pytest.mark.parametrize("text", ["inside: [Vũng Tàu, '']\noutside: []\n", "inside: 3\n", "- a\n"])
def test_wrong_shapes_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(MessagesError, match="must be a list of place names"):
        _read(tmp_path, text, optional=True)


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(MessagesError, match=r"places\.yml: cannot read the place lists"):
        _read(tmp_path, "inside: [Vũng Tàu\n")
