"""A local Zalo OA API + OAuth server for tests: real HTTP, records every request.

`POST /v3.0/oa/message/cs` (header access_token) and `POST /v4/oa/access_token` (form, header
secret_key). Access tokens can be expired on demand: calls then get error -216, as Zalo answers.
Refresh tokens are single-use, as on Zalo.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: Any  # JSON object or form dict


class FakeZalo:
    def __init__(self, *, app_id: str, app_secret_key: str, access_token: str, refresh_token: str):
        self.app_id = app_id
        self.app_secret_key = app_secret_key
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.requests: list[Request] = []
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeZalo:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def expire_access_token(self) -> None:
        with self._cond:
            self.access_token = "expired-" + secrets.token_hex(4) + "-never-issued"

    def messages(self) -> list[Request]:
        with self._cond:
            return [r for r in self.requests if r.path == "/v3.0/oa/message/cs"]

    def wait_messages(self, count: int, *, timeout_s: float = 60.0) -> list[Request]:
        """Wait until `count` accepted (error 0) messages were received."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                ok = [
                    r
                    for r in self.requests
                    if r.path == "/v3.0/oa/message/cs"
                    and r.headers.get("access_token") == self.access_token
                ]
                if len(ok) >= count:
                    return ok
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(ok)} of {count} messages after {timeout_s}s: "
                        f"{[(r.path, r.body) for r in self.requests]}"
                    )
                self._cond.wait(min(left, 0.2))

    def _answer(self, path: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
        with self._cond:
            self.requests.append(Request(path, headers, body))
            self._cond.notify_all()
            if path == "/v3.0/oa/message/cs":
                if headers.get("access_token") != self.access_token:
                    return {"error": -216, "message": "Access token is invalid"}
                if not body.get("recipient", {}).get("user_id") or not body.get("message"):
                    return {"error": -201, "message": "Parameters are invalid"}
                return {
                    "error": 0,
                    "message": "Success",
                    "data": {
                        "message_id": secrets.token_hex(8),
                        "user_id": body["recipient"]["user_id"],
                    },
                }
            if path == "/v4/oa/access_token":
                if (
                    headers.get("secret_key") != self.app_secret_key
                    or body.get("app_id") != self.app_id
                ):
                    return {"error": -14003, "error_name": "Invalid secret key"}
                if (
                    body.get("grant_type") != "refresh_token"
                    or body.get("refresh_token") != self.refresh_token
                ):
                    return {"error": -14014, "error_name": "Invalid refresh token"}
                self.access_token = "at-" + secrets.token_hex(8)
                self.refresh_token = "rt-" + secrets.token_hex(8)  # the old one is now spent
                return {
                    "access_token": self.access_token,
                    "refresh_token": self.refresh_token,
                    "expires_in": "90000",
                }
            return {"error": -404, "message": "unknown endpoint"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0) or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body: Any = json.loads(raw or "{}")
                else:
                    body = dict(urllib.parse.parse_qsl(raw))
                headers = {k.lower(): v for k, v in self.headers.items()}
                data = json.dumps(fake._answer(self.path, headers, body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
