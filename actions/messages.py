"""Reply texts of the actions (``data/messages/*.yml``), validated when the server starts.

A messages file is declared as a frozen dataclass of ``str`` fields, one per template; the
placeholders the code fills are declared with ``Annotated[str, Uses("name")]``. Loading checks
every field: present, a non-empty NFC text, using exactly those placeholders. A broken file
stops the action server at start-up with ``path:line`` errors instead of failing a turn.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Annotated,
    Any,
    ClassVar,
    Protocol,
    TypeVar,
    get_args,
    get_origin,
    get_type_hints,
)

import yaml

from actions.errors import MessagesError
from ioc.datafile import key_lines, template_problem

__all__ = ["FaqMessages", "Uses", "load_messages"]


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


M = TypeVar("M", bound=_Dataclass)


@dataclass(frozen=True, init=False)
class Uses:
    """The placeholders the code fills in a template: ``Annotated[str, Uses("source")]``."""

    names: frozenset[str]

    def __init__(self, *names: str) -> None:
        object.__setattr__(self, "names", frozenset(names))


@dataclass(frozen=True)
class FaqMessages:
    """Replies of ``action_answer_faq`` (``data/messages/faq.yml``)."""

    source: Annotated[str, Uses("source")]
    updated: Annotated[str, Uses("date")]
    suggest_lead: str
    related_lead: str  # before the buttons of entries almost as close as the answer
    decline: Annotated[str, Uses("domains")]
    outside: str
    outside_service: str  # a private provider's own business (bank, shop, carrier, telecom…)
    personal: str  # a personal decision or a private diagnosis (data/lexicon/personal.yml)
    not_found: str
    unavailable: str
    empty: str
    feedback_up: str  # 👍 button under an answer
    feedback_down: str  # 👎 button under an answer


def _placeholders(cls: type[Any]) -> dict[str, frozenset[str]]:
    """Field name → the placeholders the code fills in it (``Annotated[str, Uses(...)]``)."""
    hints = get_type_hints(cls, include_extras=True)
    found: dict[str, frozenset[str]] = {}
    for item in dataclasses.fields(cls):
        hint = hints[item.name]
        base, *extras = get_args(hint) if get_origin(hint) is Annotated else (hint,)
        if base is not str:
            raise TypeError(f"{cls.__name__}.{item.name} must be str or Annotated[str, Uses(...)]")
        found[item.name] = frozenset().union(*(m.names for m in extras if isinstance(m, Uses)))
    return found


def _problem(text: Any, uses: frozenset[str]) -> str | None:
    if isinstance(text, str) and not unicodedata.is_normalized("NFC", text):
        return "is not Unicode NFC (NFD breaks the channels' rendering); save the file as NFC"
    return template_problem(text, dict.fromkeys(uses, "text"), uses)  # filled with texts


def load_messages(path: Path, fields: type[M]) -> M:
    """Load ``path`` into the dataclass ``fields``; raise MessagesError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MessagesError(f"{path}: cannot read messages ({exc}); check the path") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise MessagesError(f"{path}:{line}: invalid YAML ({exc}); fix the syntax") from exc
    if not isinstance(data, dict):
        raise MessagesError(f"{path}:1: expected a mapping of message name → text")
    declared = _placeholders(fields)
    lines = key_lines(path)
    problems = []
    for name, uses in declared.items():
        if name not in data:
            hint = "".join(f" {{{u}}}" for u in sorted(uses))
            problems.append(f"{path}:1: missing message '{name}'; add it{hint and ' with' + hint}")
        elif problem := _problem(data[name], uses):
            problems.append(f"{path}:{lines.get((name,), 1)}: message '{name}' {problem}")
    if problems:
        raise MessagesError("\n".join(problems))
    return fields(**{name: data[name] for name in declared})
