"""A local Telegram Bot API server for tests: real HTTP, records every call.

Implements what the bridge uses: getMe, getUpdates (long polling with offsets), sendMessage,
sendPhoto, sendChatAction, answerCallbackQuery, setWebhook, deleteWebhook, getWebhookInfo.
ptb reaches it through `base_url=http://127.0.0.1:<port>/bot`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "IOC", "username": "ioc_test_bot"}


@dataclass(frozen=True)
class Call:
    token: str
    method: str
    params: dict[str, Any]


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # ---- test side ----
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self._cond:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
            self._updates.append(update)
            self._cond.notify_all()
            return int(update["update_id"])

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        *,
        timeout_s: float = 60.0,
    ) -> Call:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for call in self.calls:
                    if call.method == method and predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params) for c in self.calls]
                    raise AssertionError(
                        f"no {method} call matched within {timeout_s}s; calls: {seen}"
                    )
                self._cond.wait(min(left, 0.2))

    def methods(self) -> list[str]:
        with self._cond:
            return [call.method for call in self.calls]

    # ---- server side ----
    def _record(self, token: str, method: str, params: dict[str, Any]) -> Any:
        with self._cond:
            self.calls.append(Call(token, method, params))
            self._cond.notify_all()
        chat = {"id": int(params.get("chat_id", 0) or 0), "type": "private", "first_name": "Dân"}
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(params)
        if method in ("sendMessage", "sendPhoto"):
            with self._cond:
                message_id = self._next_message_id
                self._next_message_id += 1
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
            }
            message["from"] = BOT_USER
            if method == "sendMessage":
                message["text"] = params.get("text", "")
            else:
                message["photo"] = [
                    {"file_id": "f1", "file_unique_id": "u1", "width": 1, "height": 1}
                ]
            return message
        if method in ("sendChatAction", "answerCallbackQuery", "setWebhook", "deleteWebhook"):
            return True
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return None

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        wait_s = min(float(params.get("timeout", 0) or 0), 0.5)
        deadline = time.monotonic() + wait_s
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self._updates)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._handle()

            def do_GET(self) -> None:
                self._handle()

            def _handle(self) -> None:
                parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
                if len(parts) != 2 or not parts[0].startswith("bot"):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                token, method = parts[0][3:], parts[1]
                length = int(self.headers.get("Content-Length", 0) or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                params = _parse(raw, self.headers.get("Content-Type", ""))
                result = fake._record(token, method, params)
                if result is None:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                else:
                    self._reply(200, {"ok": True, "result": result})

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    """Bot API parameters: JSON body or form fields whose values may be JSON (reply_markup)."""
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(raw))
    params: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(raw, keep_blank_values=True):
        try:
            params[key] = json.loads(value) if value[:1] in "[{" else value
        except ValueError:
            params[key] = value
    return params
