"""Demo IOC REST API over the SQL store: ``python -m tools.iocdemo.api --port 8090``.

Implements docs/ioc-api.md with the standard library HTTP server (no extra dependency).
``fail_first`` / ``delay_s`` / ``hang`` inject faults so the HTTP adapter's retries, timeouts,
deadline and circuit breaker are tested against a real server. With ``--control`` the faults can
be switched while it runs: ``POST /_control/faults {"hang": true, "fail_next": 2,
"delay_s": 0.5}`` (a test tool: never expose it).
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from ioc.errors import IndicatorError
from ioc.store import SqlSource
from settings.services import get_settings

__all__ = ["DemoApiServer", "main"]

logger = logging.getLogger(__name__)
_MAX_HANG_S = 600.0  # a hung call answers after this anyway (no thread kept for ever)


class _BadRequest(ValueError):
    pass


def _param(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name)
    if not values or not values[0]:
        raise _BadRequest(f"missing query parameter {name!r}")
    return values[0]


def _date(query: dict[str, list[str]], name: str) -> date:
    try:
        return date.fromisoformat(_param(query, name))
    except ValueError as exc:
        raise _BadRequest(f"{name} must be YYYY-MM-DD") from exc


def _as_of(query: dict[str, list[str]]) -> datetime:
    raw = query.get("as_of_before", [""])[0]
    try:
        return datetime.fromisoformat(raw) if raw else datetime.now()
    except ValueError as exc:
        raise _BadRequest("as_of_before must be ISO 8601 (YYYY-MM-DDTHH:MM:SS)") from exc


class DemoApiServer(ThreadingHTTPServer):
    """HTTP server holding the store, the optional token and the fault-injection knobs."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        store: SqlSource,
        *,
        token: str = "",
        fail_first: int = 0,
        delay_s: float = 0.0,
        hang: bool = False,
        control: bool = False,
    ) -> None:
        super().__init__(address, _Handler)
        self.store, self.token, self.delay_s = store, token, delay_s
        self.fail_remaining = fail_first
        self.control = control
        self.lock = threading.Lock()
        self.hits = 0
        self.released = threading.Event()  # cleared: every data call hangs until it is set
        self.set_hang(hang)

    def set_hang(self, hang: bool) -> None:
        """Hang every data call from now on (True), or answer the hung ones and go on (False)."""
        if hang:
            self.released.clear()
        else:
            self.released.set()

    def take_failure(self) -> bool:
        with self.lock:
            self.hits += 1
            if self.fail_remaining > 0:
                self.fail_remaining -= 1
                return True
            return False


class _Handler(BaseHTTPRequestHandler):
    server: DemoApiServer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo api: " + format, *args)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        if not self.server.control or urlparse(self.path).path != "/_control/faults":
            self._send(404, {"error": f"unknown path {self.path}"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            faults = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(faults, dict):
                raise ValueError("expected a JSON object")
            with self.server.lock:
                if "fail_next" in faults:
                    self.server.fail_remaining = int(faults["fail_next"])
                if "delay_s" in faults:
                    self.server.delay_s = float(faults["delay_s"])
            if "hang" in faults:
                self.server.set_hang(bool(faults["hang"]))
        except (TypeError, ValueError) as exc:
            self._send(400, {"error": f"bad faults: {exc}"})
            return
        self._send(
            200,
            {
                "hang": not self.server.released.is_set(),
                "fail_next": self.server.fail_remaining,
                "delay_s": self.server.delay_s,
                "hits": self.server.hits,
            },
        )

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/v1/health":
            self._send(200, {"status": "ok"})
            return
        if url.path not in ("/v1/observations", "/v1/observations/latest"):
            self._send(404, {"error": f"unknown path {url.path}"})
            return
        if self.server.token and self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self._send(401, {"error": "missing or invalid bearer token"})
            return
        self.server.released.wait(timeout=_MAX_HANG_S)
        if self.server.delay_s:
            time.sleep(self.server.delay_s)
        if self.server.take_failure():
            self._send(500, {"error": "injected failure"})
            return
        query = parse_qs(url.query)
        try:
            indicator, area = _param(query, "indicator"), _param(query, "area")
            as_of = _as_of(query)
            if url.path.endswith("/latest"):
                latest = self.server.store.latest(indicator, area, as_of_before=as_of)
                self._send(200, {"observation": latest.to_json() if latest else None})
                return
            rows = self.server.store.observations(
                indicator, area, _date(query, "start"), _date(query, "end"), as_of_before=as_of
            )
            self._send(200, {"observations": [r.to_json() for r in rows]})
        except _BadRequest as exc:
            self._send(400, {"error": str(exc)})
        except IndicatorError as exc:
            logger.warning("demo api query failed: %s", exc)
            self._send(503, {"error": "database unavailable"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Demo IOC REST API over the SQL store.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--db-url", help="SQLAlchemy URL (default: ASSISTANT_IOC_DB_URL)")
    parser.add_argument("--token", default="", help="require this bearer token")
    parser.add_argument("--fail-first", type=int, default=0, help="answer 500 to the first N calls")
    parser.add_argument("--delay-s", type=float, default=0.0, help="sleep before each answer")
    parser.add_argument("--hang", action="store_true", help="never answer data calls (faults)")
    parser.add_argument(
        "--control", action="store_true", help="accept POST /_control/faults (tests only)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    store = SqlSource(args.db_url or get_settings().paths.ioc_db_url)
    server = DemoApiServer(
        (args.host, args.port),
        store,
        token=args.token,
        fail_first=args.fail_first,
        delay_s=args.delay_s,
        hang=args.hang,
        control=args.control,
    )
    logger.info("demo IOC API on http://%s:%d", args.host, server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
