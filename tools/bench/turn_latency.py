"""Turn latency over Rasa REST: this bot vs a plain ``rasa init`` bot, measured in the same run.

    python -m tools.bench.turn_latency [--turns 200] [--users 1 20] [--json]

Both bots run as real servers on loopback; load comes from one async client process, bounded in
turn count. This bot gets a realistic Vietnamese mix (FAQ questions through the action server,
greetings, emergencies, out-of-scope); the plain bot gets its own English examples.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.stack import ActionServer, RasaServer, free_port, rasa_python, wait_http

OUR_MESSAGES = [
    "xin chào",
    "làm căn cước công dân ở đâu",
    "gia han the bhyt o dau",
    "thủ tục đăng ký khai sinh cho con",
    "cháy nhà cứu với",
    "kể chuyện cười đi",
    "cảm ơn nhé",
    "tra cuu ho so truc tuyen the nao",
]
PLAIN_MESSAGES = ["hello", "I am sad", "yes", "great, thanks", "are you a bot?", "bye"]


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _load(url: str, messages: list[str], users: int, turns: int) -> dict[str, float]:
    latencies: list[float] = []
    cycle = itertools.cycle(messages)
    per_user = max(1, turns // users)

    async def user(client: httpx.AsyncClient) -> None:
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        for _ in range(per_user):
            start = time.perf_counter()
            r = await client.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": next(cycle)}
            )
            r.raise_for_status()
            latencies.append((time.perf_counter() - start) * 1000)

    async with httpx.AsyncClient(timeout=120) as client:
        await client.post(
            f"{url}/webhooks/rest/webhook", json={"sender": "warm", "message": messages[1]}
        )
        start = time.perf_counter()
        await asyncio.gather(*(user(client) for _ in range(users)))
        wall = time.perf_counter() - start
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": _percentile(latencies, 95),
        "turns_per_s": len(latencies) / wall,
        "turns": len(latencies),
    }


def _plain_bot(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    rasa_bin = str(Path(rasa_python()).parent / "rasa")
    project = tmp / "plain"
    project.mkdir()
    subprocess.run(
        [rasa_bin, "init", "--no-prompt", "--init-dir", str(project)],
        check=True,
        capture_output=True,
    )
    model = next((project / "models").glob("*.tar.gz"))
    port = free_port()
    log = (tmp / "plain.log").open("wb")
    proc = subprocess.Popen(
        [
            rasa_bin,
            "run",
            "--model",
            str(model),
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
        ],
        cwd=project,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/webhooks/rest/", timeout_s=300, proc=proc)  # no open API
    except RuntimeError:
        proc.terminate()
        raise
    return proc, url


def run(turns: int, user_counts: list[int]) -> dict[str, dict[str, dict[str, float]]]:
    """Measure both bots at each concurrency; return metrics by bot and user count."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-turns-"))
    results: dict[str, dict[str, dict[str, float]]] = {"this bot": {}, "rasa init bot": {}}
    actions = ActionServer(log_dir=tmp).start()
    # the load comes from one address and reuses senders: lift the server-side rate limits
    unlimited = {
        "ASSISTANT_RATE_LIMIT_PER_MIN": "1000000",
        "ASSISTANT_CLIENT_RATE_LIMIT_PER_MIN": "0",
    }
    ours = RasaServer(actions_url=actions.webhook_url, log_dir=tmp, env=unlimited)
    plain = None
    try:
        ours.start()
        plain, plain_url = _plain_bot(tmp)
        for users in user_counts:
            results["this bot"][str(users)] = asyncio.run(
                _load(ours.url, OUR_MESSAGES, users, turns)
            )
            results["rasa init bot"][str(users)] = asyncio.run(
                _load(plain_url, PLAIN_MESSAGES, users, turns)
            )
            for bot in results:
                m = results[bot][str(users)]
                print(
                    f"{bot:14s} {users:3d} users: p50 {m['p50_ms']:.1f} ms  "
                    f"p95 {m['p95_ms']:.1f} ms  {m['turns_per_s']:.1f} turns/s",
                    flush=True,
                )
    finally:
        if plain is not None:
            plain.terminate()
        ours.stop()
        actions.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.turns, args.users)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
