"""Exceptions raised by :mod:`editorial` (one base class, specific subclasses)."""

from __future__ import annotations

__all__ = [
    "DomainExists",
    "EditorialError",
    "EntryNotFound",
    "NothingToPublish",
    "SpreadsheetError",
    "ValidationFailed",
    "VersionNotFound",
]


class EditorialError(Exception):
    """Base class of every error raised by :mod:`editorial`."""


class ValidationFailed(EditorialError):
    """The draft (or an edit of it) is invalid; ``problems`` lists every ``path:line: …; fix``."""

    def __init__(self, problems: list[str] | tuple[str, ...], *, what: str = "the FAQ draft"):
        self.problems = tuple(problems)
        super().__init__(f"{what} is invalid:\n" + "\n".join(self.problems))


class VersionNotFound(EditorialError):
    """No published version has this number (or nothing was published yet)."""


class NothingToPublish(EditorialError):
    """The draft is exactly the live version: publishing would add an identical version."""


class DomainExists(EditorialError):
    """``domain new`` for a code whose file is already in the draft."""


class EntryNotFound(EditorialError):
    """No entry of the draft has this id."""


class SpreadsheetError(EditorialError):
    """A workbook cannot be read or does not have the layout ``faq export`` writes."""
