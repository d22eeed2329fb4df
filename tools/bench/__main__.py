"""``make bench``: run every benchmark and write docs/benchmarks.md (by hand, not in CI).

    python -m tools.bench [--vimq-dir ../shared/datasets/vimq] \
        [--only nlu turns retrieval indicators]

Each benchmark is its own script that prints numbers; this collects them into one page with the
date and the machine they were measured on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from settings.defaults import REPO_ROOT as ROOT
from settings.rasa import load_rasa_settings

OUT = ROOT / "docs" / "benchmarks.md"


def _run(python: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [python, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


def _last_json(stdout: str) -> dict:
    return json.loads([line for line in stdout.splitlines() if line.startswith("{")][-1])


def nlu(vimq_dir: str, saved: str | None = None) -> str:
    if (
        saved
    ):  # results of an earlier `python -m tools.bench.rasa.vimq_intents --json` run (it takes long)
        res = _last_json(Path(saved).read_text(encoding="utf-8"))["results"]
        return _nlu_table(res)
    res = _last_json(
        _run(
            load_rasa_settings().rasa_python,
            "-m",
            "tools.bench.rasa.vimq_intents",
            "--data-dir",
            vimq_dir,
            "--json",
        )
    )["results"]
    return _nlu_table(res)


def _nlu_table(res: dict) -> str:
    rows = "\n".join(
        f"| {name} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} | {m['train_s']:.0f} "
        f"| {m['parse_ms']:.1f} |"
        for name, m in res.items()
    )
    return (
        "## Intent classification on ViMQ (test split, 1,000 questions)\n\n"
        "Same pipeline (CountVectors word + char_wb 2–4, DIET 40 epochs, seed 42); only the "
        "tokenizer differs. `_` in the segmented data replaced by spaces (raw user text).\n\n"
        "| tokenizer | accuracy | macro-F1 | train s | parse ms/msg |\n|---|---:|---:|---:|---:|\n"
        f"{rows}\n"
    )


def turns() -> str:
    res = _last_json(_run(sys.executable, "-m", "tools.bench.turn_latency", "--json"))
    lines = []
    for users in ("1", "20"):
        ours, plain = res["this bot"][users], res["rasa init bot"][users]
        lines.append(
            f"| {users} | {ours['p50_ms']:.1f} | {ours['p95_ms']:.1f} | {ours['turns_per_s']:.1f} "
            f"| {plain['p50_ms']:.1f} | {plain['p95_ms']:.1f} | {plain['turns_per_s']:.1f} "
            f"| {ours['turns_per_s'] / plain['turns_per_s']:.2f} |"
        )
    return (
        "## Turn latency over Rasa REST (200 turns per setting)\n\n"
        "This bot: Vietnamese mix incl. FAQ retrieval through the action server. Plain bot: "
        "`rasa init` project, its own examples. Same machine, same run.\n\n"
        "| users | ours p50 ms | ours p95 ms | ours turns/s | plain p50 ms | plain p95 ms "
        "| plain turns/s | throughput ratio |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(lines)
        + "\n"
    )


def retrieval() -> str:
    return _run(sys.executable, "-m", "tools.bench.faq_search")


def indicators() -> str:
    return _run(sys.executable, "-m", "tools.bench.indicators")


FOOTER = """
## Goals and where other numbers live

- Turn latency goal: p95 ≤ 150 ms at 1 user and throughput ≥ the plain `rasa init` bot. Most of a
  FAQ turn is the e5 query encoding on CPU (one torch thread); see the retrieval table.
- Retrieval goals: encode + search p95 ≤ 30 ms at 100k entries, FAISS search ≤ 5 ms at 1M.
- Retrieval quality (UIT-ViCoV19QA, XQuAD-vi, own paraphrases), decision calibration and hot-reload
  time: [retrieval.md](retrieval.md) and `bin/assistant eval retrieval`.
- Indicator parsing accuracy: `bin/assistant eval indicators`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vimq-dir", default=str(ROOT.parent / "shared" / "datasets" / "vimq"))
    parser.add_argument(
        "--vimq-results", help="reuse saved `tools.bench.rasa.vimq_intents --json` output"
    )
    parser.add_argument("--only", nargs="+", default=["nlu", "turns", "retrieval", "indicators"])
    args = parser.parse_args()
    sections = []
    for name in args.only:
        print(f">> benchmark: {name}", flush=True)
        section = nlu(args.vimq_dir, args.vimq_results) if name == "nlu" else globals()[name]()
        print(section, flush=True)
        sections.append(section)
    header = (
        f"# Benchmarks\n\nMeasured {dt.date.today():%Y-%m-%d} with `make bench` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} "
        "(services runtime). Numbers come from the scripts in `bench/`, `retrieval/bench.py`, "
        "`ioc/bench.py`; re-run to refresh.\n\n"
    )
    OUT.write_text(header + "\n".join(sections) + FOOTER, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
