"""Locust users for ``tools.bench.load`` (run headless by it; loopback only).

``--mix ours`` sends the realistic Vietnamese mix (FAQ, staff indicator questions with a staff
claim signed with ``--role-secret`` for each user's own conversation, chit-chat, unaccented
text, an emergency); ``--mix plain`` a ``rasa init`` bot's own examples. 3 users in 10 talk
socket.io (Rasa's channel, as the widget does), the others REST. Each user is a stream of
citizens: a conversation of 3-8 turns, then a new sender (as many people asking a few questions
each, which also keeps every sender inside the per-sender rate limit). Every turn answered is
appended to ``--sent`` (``sender<TAB>text``) so the caller can check that each one reached the
tracker store.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from typing import Any

import socketio
from locust import HttpUser, User, events, task
from locust.env import Environment

from actions.identity import mint_claim


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--mix", choices=["ours", "plain"], default="ours")
    parser.add_argument("--sent", default="", help="file to append answered turns to")
    parser.add_argument("--role-secret", default="", help="ASSISTANT_ROLE_SECRET of the bot")
    parser.add_argument("--think-min", type=float, default=0.2, help="seconds between turns, min")
    parser.add_argument("--think-max", type=float, default=1.0, help="seconds between turns, max")


CITIZEN = [
    "làm căn cước công dân ở đâu",  # FAQ
    "gia han the bhyt o dau",  # FAQ, unaccented + abbreviation
    "thủ tục đăng ký khai sinh cho con",  # FAQ
    "tra cuu ho so truc tuyen the nao",  # FAQ, unaccented
    "xin chào",  # chit-chat
    "cảm ơn nhé",  # chit-chat
    "kể chuyện cười đi",  # out of scope
    "cháy nhà ở hẻm 5 cứu với",  # emergency
]
STAFF = ["thu ngân sách tháng trước?", "tỷ lệ hồ sơ đúng hạn quý 3"]
PLAIN = ["hello", "I am sad", "yes", "great, thanks", "are you a bot?", "bye"]

_lock = threading.Lock()


def _think(environment: Environment) -> float:
    """Seconds a user waits before the next turn (``--think-min``/``--think-max``; 0 = none)."""
    options = environment.parsed_options
    low, high = (options.think_min, options.think_max) if options else (0.2, 1.0)
    return random.uniform(low, high)


def _conversation_length() -> int:
    """Turns one citizen sends before the next one takes over (a short conversation)."""
    return random.randint(3, 8)


def _record(environment: Environment, sender: str, text: str) -> None:
    path = environment.parsed_options.sent if environment.parsed_options else ""
    if not path:
        return
    with _lock, open(path, "a", encoding="utf-8") as out:
        out.write(f"{sender}\t{text}\n")


def _pick(environment: Environment, sender: str, staff: bool) -> tuple[str, dict[str, Any]]:
    options = environment.parsed_options
    if options is not None and options.mix == "plain":
        return random.choice(PLAIN), {}
    if staff and options is not None and options.role_secret and random.random() < 0.5:
        # a staff claim is valid only in the conversation it was minted for
        claim = mint_claim(sender, options.role_secret, ttl_s=24 * 3600, subject="can-bo-tai")
        return random.choice(STAFF), {"role_token": claim, "now": "2025-06-15"}
    return random.choice(CITIZEN), {}


class RestUser(HttpUser):
    """A citizen (or, one in five, a civil servant) over Rasa's REST channel."""

    weight = 7

    def wait_time(self) -> float:
        return _think(self.environment)

    def on_start(self) -> None:
        self._next_citizen()

    def _next_citizen(self) -> None:
        self.sender = f"load-rest-{uuid.uuid4().hex[:12]}"
        self.staff = random.random() < 0.2
        self.left = _conversation_length()

    @task
    def turn(self) -> None:
        if self.left <= 0:
            self._next_citizen()
        self.left -= 1
        text, metadata = _pick(self.environment, self.sender, self.staff)
        body = {"sender": self.sender, "message": text, "metadata": metadata}
        with self.client.post(
            "/webhooks/rest/webhook", json=body, name="REST turn", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif not response.json():
                response.failure("no reply")
            else:
                _record(self.environment, self.sender, text)


class SocketIoUser(User):
    """A widget user over Rasa's socket.io channel (``?sender=`` pins it to one replica)."""

    weight = 3

    def wait_time(self) -> float:
        return _think(self.environment)

    def on_start(self) -> None:
        self.replies: list[dict[str, Any]] = []
        self.got = threading.Event()
        self._connect()

    def _connect(self) -> None:
        self.sender = f"load-sio-{uuid.uuid4().hex[:12]}"
        self.left = _conversation_length()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", self._on_bot)
        started = time.perf_counter()
        try:
            self.sio.connect(
                f"{self.host}?sender={self.sender}",
                socketio_path="/socket.io",
                transports=["websocket"],
                wait_timeout=30,
            )
            self.sio.emit("session_request", {"session_id": self.sender})
            error = None
        except Exception as exc:  # any connection failure is one failed request
            error = exc
        self._fire("socket.io connect", started, error)

    def on_stop(self) -> None:
        self.sio.disconnect()

    def _on_bot(self, data: dict[str, Any]) -> None:
        self.replies.append(data)
        self.got.set()

    def _fire(self, name: str, started: float, error: Exception | None) -> None:
        events.request.fire(
            request_type="SIO",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    @task
    def turn(self) -> None:
        if self.left <= 0:  # the next citizen opens the widget
            self.sio.disconnect()
            self._connect()
        self.left -= 1
        if not self.sio.connected:
            self._fire("socket.io turn", time.perf_counter(), ConnectionError("not connected"))
            time.sleep(1)
            return
        text, _ = _pick(self.environment, self.sender, False)
        self.got.clear()
        started = time.perf_counter()
        self.sio.emit("user_uttered", {"message": text, "session_id": self.sender})
        answered = self.got.wait(60)
        self._fire("socket.io turn", started, None if answered else TimeoutError("no bot_uttered"))
        if answered:
            _record(self.environment, self.sender, text)
            time.sleep(0.3)  # the rest of this turn's messages
