"""``make run``: start every part of the assistant on 127.0.0.1 and stop them all on Ctrl-C.

Runs in the services runtime. Parts and their commands are listed in docs/architecture.md;
Telegram starts only when ``TELEGRAM_BOT_TOKEN`` is set, Zalo's webhook is active in the web app
only when its settings are present.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from settings.defaults import REPO_ROOT as ROOT
from settings.services import Settings, read_environment, settings_or_exit


@dataclass(frozen=True)
class Part:
    name: str
    cmd: list[str]
    ready_url: str | None = None


def _env(settings: Settings) -> dict[str, str]:
    """The children's environment: ours over .env, with the action server's URL filled in."""
    env = {**os.environ, **read_environment()}
    actions = settings.server
    env.setdefault(
        "ASSISTANT_ACTIONS_URL", f"http://{actions.actions_host}:{actions.actions_port}/webhook"
    )
    # Rasa and the action server share this token; one per run when the deployment set none
    env.setdefault("ASSISTANT_ACTIONS_TOKEN", secrets.token_urlsafe(32))
    env.setdefault("ASSISTANT_CHART_URL_SECRET", secrets.token_urlsafe(32))
    # browsers may call Rasa (socket.io) only from the web app's own pages unless configured
    web = settings.web
    origins = {web.public_url.rstrip("/"), f"http://127.0.0.1:{web.port}"}
    env.setdefault("ASSISTANT_RASA_CORS_ORIGINS", " ".join(sorted(origins)))
    env["PYTHONPATH"] = str(ROOT)
    return env


def _parts(env: dict[str, str], settings: Settings) -> list[Part]:
    svc, rasa = env["ASSISTANT_SVC_PYTHON"], env["ASSISTANT_RASA_PYTHON"]
    rasa_url = urlsplit(settings.web.rasa_url)
    rasa_port = str(rasa_url.port or 5005)
    actions_port = str(settings.server.actions_port)
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
                rasa_url.hostname or "127.0.0.1",
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/",
        ),
        Part(
            "web app",
            [svc, "-m", "channels.app"],
            f"http://127.0.0.1:{settings.web.port}/health",
        ),
        Part("IOC simulator", [svc, "-m", "tools.iocdemo.simulator"]),
        # Rasa's SQL event broker (endpoints.yml) → one analytics row per user turn
        Part("analytics consumer", [svc, "-m", "analytics", "consume"]),
    ]
    if settings.telegram.enabled and settings.telegram.mode == "polling":
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
    settings = settings_or_exit()
    env = _env(settings)
    running: list[tuple[Part, subprocess.Popen[bytes]]] = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        for part in _parts(env, settings):
            print(f">> starting {part.name}", flush=True)
            # own process group: Ctrl-C in the terminal reaches us, we stop the children in order
            proc = subprocess.Popen(part.cmd, cwd=ROOT, env=env, start_new_session=True)
            running.append((part, proc))
            _wait_ready(part, proc)
        web = f"http://127.0.0.1:{settings.web.port}/"
        rasa = settings.web.rasa_url
        telegram = (
            f"on ({settings.telegram.mode})"
            if settings.telegram.enabled
            else "off (TELEGRAM_BOT_TOKEN not set)"
        )
        zalo = "on (/webhooks/zalo)" if settings.zalo.enabled else "off (ZALO_APP_ID not set)"
        faq = (
            "the published version (edit data/faq, then bin/assistant faq publish)"
            if settings.editorial.faq_serve == "published"
            else "the draft data/faq as saved (development mode, ASSISTANT_FAQ_SERVE=draft)"
        )
        print(
            "\n== Trợ lý ảo IOC is running ==\n"
            f"  web chat:   {web}\n"
            f"  Rasa REST:  curl -s {rasa}/webhooks/rest/webhook -d "
            '\'{"sender":"me","message":"làm căn cước ở đâu"}\'\n'
            f"  actions:    {env['ASSISTANT_ACTIONS_URL']}\n"
            f"  Telegram:   {telegram}\n  Zalo OA:    {zalo}\n"
            f"  FAQ:        {faq}\n"
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
