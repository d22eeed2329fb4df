"""Keep a slow or hung IOC source from holding indicator turns: deadline and circuit breaker.

Every source call runs in a small pool of its own ("ioc-source" threads) and the turn waits for
it only until the turn's deadline. A call that times out or fails counts against the source; after
``failures`` of them in a row the circuit opens and calls fail at once for ``cooldown_s``, then
one probe call is let through (half-open): its success closes the circuit, its failure opens it
again. A hung call keeps its worker thread until the source's own timeout ends it; the pool is
bounded, and an open circuit sends no more work to it.

Why not pybreaker: the breaker must count a call whose deadline passed while it still runs in
a worker (pybreaker only sees exceptions raised by the call, which for a hung source arrive
long after the turn has ended), and half-open must admit exactly one probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date, datetime
from typing import Literal, TypedDict, TypeVar

from ioc.errors import NoData, SourceUnavailable
from ioc.model import Observation
from ioc.source import Source

__all__ = ["BreakerState", "CircuitBreaker", "GuardedSource", "SourceSkipped", "SourceTimeout"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
State = Literal["closed", "open", "half_open"]


class SourceTimeout(SourceUnavailable):
    """The source did not answer before the turn's deadline."""


class SourceSkipped(SourceUnavailable):
    """The circuit is open (the source failed repeatedly): the call was not sent."""


class BreakerState(TypedDict):
    """What ``/health`` shows of a breaker."""

    state: State
    consecutive_failures: int
    opened: int  # how many times the circuit opened since start
    retry_in_s: float | None  # while open: seconds until the next probe may go


class CircuitBreaker:
    """Closed → ``failures`` in a row → open for ``cooldown_s`` → half-open (one probe)."""

    def __init__(
        self,
        *,
        failures: int,
        cooldown_s: float,
        name: str = "IOC source",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1:
            raise ValueError(f"failures={failures} must be >= 1")
        self.name = name
        self._threshold = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state: State = "closed"
        self._failures = 0
        self._open_until = 0.0
        self._probing = False
        self._opened = 0

    def acquire(self) -> bool:
        """Whether a call may be sent now (in half-open: only the one probe)."""
        with self._lock:
            if self._state == "open" and self._clock() >= self._open_until:
                self._state, self._probing = "half_open", False
                logger.info("%s circuit half-open: sending one probe call", self.name)
            if self._state == "closed":
                return True
            if self._state == "half_open" and not self._probing:
                self._probing = True
                return True
            return False

    def success(self) -> None:
        """A call answered in time."""
        with self._lock:
            if self._state == "open":
                return  # a late answer from before the circuit opened proves nothing now
            if self._state == "half_open":
                logger.info("%s circuit closed: the probe call succeeded", self.name)
            self._state, self._failures, self._probing = "closed", 0, False

    def failure(self) -> None:
        """A call failed or did not answer in time."""
        with self._lock:
            self._failures += 1
            if self._state == "open":
                return
            if self._state == "half_open" or self._failures >= self._threshold:
                self._state, self._probing = "open", False
                self._open_until = self._clock() + self._cooldown_s
                self._opened += 1
                logger.warning(
                    "%s circuit open after %d failure(s) in a row: skipped for %.0f s",
                    self.name,
                    self._failures,
                    self._cooldown_s,
                )

    def snapshot(self) -> BreakerState:
        with self._lock:
            retry = max(0.0, self._open_until - self._clock()) if self._state == "open" else None
            return {
                "state": self._state,
                "consecutive_failures": self._failures,
                "opened": self._opened,
                "retry_in_s": None if retry is None else round(retry, 1),
            }


class GuardedSource:
    """Runs the calls of ``source`` in a bounded pool, each until a deadline, behind a breaker."""

    def __init__(self, source: Source, breaker: CircuitBreaker, *, workers: int) -> None:
        self.source = source
        self.breaker = breaker
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ioc-source")

    def until(self, deadline: float) -> Source:
        """A ``Source`` whose calls all end by ``deadline`` (``time.monotonic()`` seconds)."""
        return _Bounded(self, deadline)

    def call(self, call: Callable[[], T], deadline: float) -> T:
        """``call()`` in the pool, waited for until ``deadline``; failures feed the breaker."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SourceTimeout(f"no time left in this turn for the {self.breaker.name}")
        if not self.breaker.acquire():
            raise SourceSkipped(f"{self.breaker.name} skipped: its circuit is open")
        future: Future[T] = self._pool.submit(call)
        try:
            result = future.result(timeout=remaining)
        except FutureTimeout:
            future.cancel()  # not started yet (pool busy with hung calls): never send it
            self.breaker.failure()
            raise SourceTimeout(
                f"{self.breaker.name} did not answer within {remaining:.1f} s"
            ) from None
        except NoData:
            self.breaker.success()  # the source answered: it has nothing for that question
            raise
        except BaseException:
            self.breaker.failure()
            raise
        self.breaker.success()
        return result

    def close(self) -> None:
        """Stop taking calls; hung calls are left to their own timeouts."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Bounded:
    """The source as seen by one turn: every call ends by the turn's deadline."""

    def __init__(self, guard: GuardedSource, deadline: float) -> None:
        self._guard, self._deadline = guard, deadline

    def observations(
        self, indicator: str, area: str, start: date, end: date, *, as_of_before: datetime
    ) -> list[Observation]:
        source = self._guard.source
        return self._guard.call(
            lambda: source.observations(indicator, area, start, end, as_of_before=as_of_before),
            self._deadline,
        )

    def latest(self, indicator: str, area: str, *, as_of_before: datetime) -> Observation | None:
        source = self._guard.source
        return self._guard.call(
            lambda: source.latest(indicator, area, as_of_before=as_of_before), self._deadline
        )
