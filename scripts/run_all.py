"""``make run``: start every part of the assistant on 127.0.0.1 and stop them all on Ctrl-C.

Runs in the services runtime. Parts and their commands are listed in docs/architecture.md;
Telegram starts only when ``TELEGRAM_BOT_TOKEN`` is set, Zalo's webhook is active in the web app
only when its settings are present.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Part:
    name: str
    cmd: list[str]
    ready_url: str | None = None


def _env() -> dict[str, str]:
    env = {k: v for k, v in dotenv_values(ROOT / ".env").items() if v}  # empty = default
    env.update(os.environ)  # the real environment wins over .env
    env.setdefault("ASSISTANT_RASA_PORT", "5005")
    env.setdefault("ASSISTANT_ACTIONS_PORT", "5055")
    env.setdefault("ASSISTANT_WEB_PORT", "8080")
    env.setdefault(
        "ASSISTANT_ACTIONS_URL", f"http://127.0.0.1:{env['ASSISTANT_ACTIONS_PORT']}/webhook"
    )
    env["PYTHONPATH"] = str(ROOT)
    return env


def _parts(env: dict[str, str]) -> list[Part]:
    svc, rasa = env["ASSISTANT_SVC_PYTHON"], env["ASSISTANT_RASA_PYTHON"]
    rasa_port, actions_port = env["ASSISTANT_RASA_PORT"], env["ASSISTANT_ACTIONS_PORT"]
    parts = [
        Part(
            "action server",
            [svc, "-m", "actions", "--port", actions_port],
            f"http://127.0.0.1:{actions_port}/health",
        ),
        Part(
            "rasa",
            [
                rasa,
                "-m",
                "assistant.serve",
                "--model",
                env["ASSISTANT_MODEL"],
                "--port",
                rasa_port,
                "--interface",
                env.get("ASSISTANT_RASA_HOST", "127.0.0.1"),
                "--enable-api",
                "--cors",
                "*",
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            f"http://127.0.0.1:{rasa_port}/status",
        ),
        Part(
            "web app",
            [svc, "-m", "channels.app"],
            f"http://127.0.0.1:{env['ASSISTANT_WEB_PORT']}/health",
        ),
        Part("IOC simulator", [svc, "-m", "ioc.simulator"]),
    ]
    if env.get("TELEGRAM_BOT_TOKEN") and env.get("TELEGRAM_MODE", "polling") == "polling":
        parts.append(Part("telegram (long polling)", [svc, "-m", "channels.telegram"]))
    return parts


def _wait_ready(part: Part, proc: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    if not part.ready_url:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{part.name} exited with code {proc.returncode}")
        try:
            if httpx.get(part.ready_url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{part.name} not ready after {timeout_s:.0f} s ({part.ready_url})")


def _stop(running: list[tuple[Part, subprocess.Popen[bytes]]]) -> None:
    for _, proc in reversed(running):
        if proc.poll() is None:
            proc.terminate()
    for part, proc in reversed(running):
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            print(f">> {part.name} did not stop in 15 s, killing it", flush=True)
            proc.kill()


def main() -> int:
    """Start all parts, print where to talk to the bot, wait for Ctrl-C."""
    env = _env()
    running: list[tuple[Part, subprocess.Popen[bytes]]] = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        for part in _parts(env):
            print(f">> starting {part.name}", flush=True)
            # own process group: Ctrl-C in the terminal reaches us, we stop the children in order
            proc = subprocess.Popen(part.cmd, cwd=ROOT, env=env, start_new_session=True)
            running.append((part, proc))
            _wait_ready(part, proc)
        web = f"http://127.0.0.1:{env['ASSISTANT_WEB_PORT']}/"
        rasa = f"http://127.0.0.1:{env['ASSISTANT_RASA_PORT']}"
        telegram = (
            "on (long polling)"
            if env.get("TELEGRAM_BOT_TOKEN")
            else "off (TELEGRAM_BOT_TOKEN not set)"
        )
        zalo = "on (/webhooks/zalo)" if env.get("ZALO_APP_ID") else "off (ZALO_APP_ID not set)"
        print(
            "\n== Trợ lý ảo IOC is running ==\n"
            f"  web chat:   {web}\n"
            f"  Rasa REST:  curl -s {rasa}/webhooks/rest/webhook -d "
            '\'{"sender":"me","message":"làm căn cước ở đâu"}\'\n'
            f"  actions:    {env['ASSISTANT_ACTIONS_URL']}\n"
            f"  Telegram:   {telegram}\n  Zalo OA:    {zalo}\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            for part, proc in running:
                if proc.poll() is not None:
                    print(
                        f">> {part.name} exited with code {proc.returncode}; stopping", flush=True
                    )
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n>> stopping", flush=True)
        return 0
    finally:
        _stop(running)


if __name__ == "__main__":
    sys.exit(main())
