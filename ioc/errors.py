"""Exceptions of the ``ioc`` package (one base class, specific subclasses)."""

from __future__ import annotations

__all__ = [
    "DataFileError",
    "IndicatorError",
    "NoData",
    "PeriodError",
    "SourceUnavailable",
    "UnknownIndicator",
    "WindowError",
]


class IndicatorError(Exception):
    """Base class of every error raised by the ``ioc`` package."""


class DataFileError(IndicatorError):
    """A data file (catalog, areas, seed, eval set) is malformed; the message has path:line."""


class UnknownIndicator(IndicatorError):
    """No indicator of the catalog could be recognised in a question or code."""


class PeriodError(IndicatorError):
    """A period expression is invalid (``tháng 13``, ``quý 5``)."""


class NoData(IndicatorError):
    """The source has no observation for the requested indicator, area and period."""


class SourceUnavailable(IndicatorError):
    """The IOC source (database or HTTP API) could not be reached."""


class WindowError(IndicatorError):
    """An answer read dates outside the observation window fetched for its turn (a bug)."""
