"""Load test with locust (headless, bounded, loopback): this bot embedded, as a cluster, and a plain
``rasa init`` bot, measured in the same run.

    python -m tools.bench.load [--users 10] [--seconds 60] [--targets embedded cluster plain]
                               [--think 0.2 1.0] [--json] [--write]

Each target gets N locust users for T seconds (7 in 10 over REST, 3 over socket.io,
``tools/bench/locustfile.py``);
reported: turns/s, p50/p95/p99, errors, and the turns lost (sent and answered, but not in the
tracker store afterwards). The plain bot is a ``rasa init`` project generated into
``var/bench/plain`` and trained once (cached). ``--write`` puts the table into docs/benchmarks.md.
Each user waits ``--think`` MIN MAX seconds between turns (default 0.2–1.0, a person typing);
with a think time the bots serve what is offered and the comparison is one of latency,
``--think 0 0`` saturates them (throughput = capacity) and writes its own section.
Goal for a run by hand: ``--users 20 --seconds 300``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from settings.defaults import REPO_ROOT
from tests.stack import (
    ActionServer,
    RasaServer,
    free_port,
    model_path,
    rasa_python,
    services_python,
    wait_http,
)
from tools.cluster import Cluster, drop_ephemeral, ephemeral_plan

BENCH_DIR = REPO_ROOT / "var" / "bench"
DOC = REPO_ROOT / "docs" / "benchmarks.md"
ROLE_SECRET = "bench-role-secret-0123456789abcdef"
LOCUSTFILE = REPO_ROOT / "tools" / "bench" / "locustfile.py"
SECTION = "## Load test with locust (REST + socket.io)"
SATURATED = "## Load test with locust, saturated (no think time)"


@contextmanager
def _embedded(tmp: Path) -> Iterator[tuple[str, str]]:
    actions = ActionServer(env={"ASSISTANT_ROLE_SECRET": ROLE_SECRET}, log_dir=tmp).start()
    rasa = RasaServer(actions_url=actions.webhook_url, log_dir=tmp)
    try:
        rasa.start()
        yield rasa.url, rasa.api_token
    finally:
        rasa.stop()
        actions.stop()


@contextmanager
def _cluster(tmp: Path) -> Iterator[tuple[str, str]]:
    plan = ephemeral_plan(
        tmp / "cluster",
        model=str(model_path()),
        rasa_python=rasa_python(),
        svc_python=services_python(),
        extra_env={"ASSISTANT_ROLE_SECRET": ROLE_SECRET},
    )
    cluster = Cluster(plan)
    try:
        cluster.preflight()
        cluster.start()
        yield plan.rasa_url, plan.api_token
    finally:
        cluster.stop()
        drop_ephemeral(plan)


def plain_model() -> Path:
    """The ``rasa init`` bot's model, trained once into var/bench/plain."""
    project = BENCH_DIR / "plain"
    found = sorted((project / "models").glob("*.tar.gz")) if project.is_dir() else []
    if found:
        return found[-1]
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    rasa_bin = str(Path(rasa_python()).parent / "rasa")
    subprocess.run(
        [rasa_bin, "init", "--no-prompt", "--init-dir", str(project)],
        check=True,
        capture_output=True,
    )
    return sorted((project / "models").glob("*.tar.gz"))[-1]


@contextmanager
def _plain(tmp: Path) -> Iterator[tuple[str, str]]:
    model = plain_model()
    port = free_port()
    rasa_bin = str(Path(rasa_python()).parent / "rasa")
    # Rasa's own REST and socket.io channels (ours in credentials.yml need this repository)
    credentials = tmp / "plain-credentials.yml"
    credentials.write_text(
        "rest:\nsocketio:\n  user_message_evt: user_uttered\n  bot_message_evt: bot_uttered\n"
        "  session_persistence: true\n",
        encoding="utf-8",
    )
    with (tmp / "plain.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                *(rasa_bin, "run", "--model", str(model), "--port", str(port)),
                *("--interface", "127.0.0.1", "--enable-api"),
                *("--credentials", str(credentials)),
            ],
            cwd=model.parent.parent,
            stdout=log,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/status", timeout_s=300, proc=proc)
        yield url, ""
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _locust(
    url: str, api_token: str, mix: str, users: int, seconds: int, think: tuple[float, float],
    tmp: Path,
) -> dict:  # fmt: skip
    """One headless locust run against ``url``; its aggregated numbers and the turns sent."""
    sent = tmp / f"sent-{mix}-{free_port()}.tsv"
    prefix = sent.with_suffix("")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    # warm up: the first turn loads lazily what the servers did not load at start
    httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": "warm", "message": "xin chào"},
               timeout=120)  # fmt: skip
    subprocess.run(
        [
            services_python(),
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 2)),
            "-t",
            f"{seconds}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "60",
            "--loglevel",
            "WARNING",
            "--mix",
            mix,
            "--sent",
            str(sent),
            "--role-secret",
            ROLE_SECRET,
            "--think-min",
            str(think[0]),
            "--think-max",
            str(think[1]),
        ],
        env=env,
        check=False,  # locust exits 1 when a request failed: the numbers say so
        capture_output=True,
        timeout=seconds + 180,
    )
    rows = list(csv.DictReader(prefix.with_name(prefix.name + "_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    turns = [r for r in rows if r["Name"].endswith("turn")]
    count = sum(int(r["Request Count"]) for r in turns)
    return {
        "turns": count,
        "errors": int(total["Failure Count"]),
        "turns_per_s": sum(float(r["Requests/s"]) for r in turns),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "lost": _lost_turns(url, api_token, sent),
    }


def _lost_turns(url: str, api_token: str, sent: Path) -> int:
    """Turns answered during the run that the tracker store does not have."""
    if not sent.is_file():
        return 0
    by_sender: dict[str, Counter[str]] = {}
    for line in sent.read_text(encoding="utf-8").splitlines():
        sender, _, text = line.partition("\t")
        by_sender.setdefault(sender, Counter())[text] += 1
    lost = 0
    with httpx.Client(timeout=60) as client:
        for sender, texts in by_sender.items():
            events = client.get(
                f"{url}/conversations/{sender}/tracker", params={"token": api_token}
            ).json()["events"]
            stored = Counter(e.get("text") for e in events if e.get("event") == "user")
            lost += sum((texts - stored).values())
    return lost


def run(
    users: int, seconds: int, targets: list[str], think: tuple[float, float] = (0.2, 1.0)
) -> dict[str, dict]:
    """Measure each target in turn (one at a time: they share 2 CPUs)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    starters = {"embedded": _embedded, "cluster": _cluster, "plain": _plain}
    results: dict[str, dict] = {}
    try:
        for target in targets:
            with starters[target](tmp) as (url, api_token):
                mix = "plain" if target == "plain" else "ours"
                results[target] = _locust(url, api_token, mix, users, seconds, think, tmp)
            print(f"{target}: {json.dumps(results[target])}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


LABELS = {
    "embedded": "this bot, embedded (1 Rasa + 1 action server)",
    "cluster": "this bot, cluster (nginx, 2 Rasa + 2 action servers, PostgreSQL/Redis/RabbitMQ)",
    "plain": "plain `rasa init` bot (1 Rasa, its own examples)",
}


def _section(think: tuple[float, float]) -> str:
    return SATURATED if think[1] <= 0 else SECTION


def table(
    results: dict[str, dict], users: int, seconds: int, think: tuple[float, float] = (0.2, 1.0)
) -> str:
    """The Markdown section for docs/benchmarks.md."""
    plain = results.get("plain", {}).get("turns_per_s")
    pause = (
        "no pause between a user's turns"
        if think[1] <= 0
        else f"{think[0]:g}–{think[1]:g} s between a user's turns"
    )
    lines = [
        _section(think),
        "",
        f"`make bench-load` — {users} users for {seconds} s per target, {pause}, 3 in 10 of "
        f"them over socket.io, the rest REST; measured {dt.date.today().isoformat()} on "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end). Lost = "
        "turns answered but missing from the tracker store afterwards.",
        "",
        "| target | turns | turns/s | p50 ms | p95 ms | p99 ms | errors | lost | vs plain |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target, m in results.items():
        ratio = f"{m['turns_per_s'] / plain:.2f}" if plain else "–"
        lines.append(
            f"| {LABELS[target]} | {m['turns']} | {m['turns_per_s']:.1f} | {m['p50_ms']:.0f} | "
            f"{m['p95_ms']:.0f} | {m['p99_ms']:.0f} | {m['errors']} | {m['lost']} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    """Replace (or append) the section of docs/benchmarks.md that ``section`` starts with."""
    text = DOC.read_text(encoding="utf-8")
    title = section.splitlines()[0]
    pattern = re.compile(re.escape(title) + r".*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(section.rstrip("\n") + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--targets", nargs="+", default=["embedded", "cluster", "plain"], choices=list(LABELS)
    )
    parser.add_argument(
        "--think", type=float, nargs=2, default=[0.2, 1.0], metavar=("MIN", "MAX"),
        help="seconds a user waits between turns (0 0: saturated, its own section)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    if not 0 <= args.think[0] <= args.think[1]:
        parser.error("--think MIN MAX: 0 <= MIN <= MAX")
    think = (args.think[0], args.think[1])
    results = run(args.users, args.seconds, args.targets, think)
    section = table(results, args.users, args.seconds, think)
    print(section)
    if args.json:
        print(json.dumps(results))
    if args.write:
        write_doc(section)


if __name__ == "__main__":
    main()
