"""Signed, expiring links to charts of staff-only indicators.

A staff chart is written as ``s-<digest>.png`` and linked as
``<public_url>/charts/s-<digest>.png?exp=<unix s>&sig=<HMAC-SHA256(secret, "<name>:<exp>")>``; the
web app serves such a file only with a valid, unexpired signature
(``ASSISTANT_CHART_URL_SECRET``, shared by the action server and the web app). Public charts
stay plain links. Without a secret, staff charts are not linked at all.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

__all__ = ["STAFF_PREFIX", "ChartSigner"]

STAFF_PREFIX = "s-"
_MAX_PARAM_CHARS = 128


class ChartSigner:
    """Signs and checks links to staff charts."""

    def __init__(self, secret: str, ttl_s: int) -> None:
        self._key = secret.encode("utf-8")
        self.ttl_s = ttl_s

    @property
    def enabled(self) -> bool:
        """Whether staff charts can be linked (a secret is configured)."""
        return bool(self._key)

    def _mac(self, name: str, expires: int) -> str:
        return hmac.new(self._key, f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    def query(self, name: str, *, now: float | None = None) -> str:
        """``exp=…&sig=…`` for the chart file ``name``, valid ``ttl_s`` from ``now``."""
        if not self.enabled:
            raise ValueError("no chart URL secret: staff charts cannot be linked")
        expires = int((time.time() if now is None else now) + self.ttl_s)
        return f"exp={expires}&sig={self._mac(name, expires)}"

    def allows(self, name: str, params: Mapping[str, str], *, now: float | None = None) -> bool:
        """Whether ``name`` may be served: public charts always, staff charts when signed."""
        if not name.startswith(STAFF_PREFIX):
            return True
        if not self.enabled:
            return False
        raw_exp, sig = params.get("exp", ""), params.get("sig", "")
        if len(raw_exp) > _MAX_PARAM_CHARS or len(sig) > _MAX_PARAM_CHARS:
            return False
        if not raw_exp.isascii() or not raw_exp.isdigit() or not sig.isascii():
            return False
        expires = int(raw_exp)
        if expires < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self._mac(name, expires), sig)
