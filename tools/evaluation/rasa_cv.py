"""Markdown table of Rasa's intent cross-validation: ``python -m tools.evaluation.rasa_cv DIR``.

``DIR`` is the ``--out`` folder of ``rasa test nlu --cross-validation`` (``make eval-cv``): it reads
``intent_report.json`` (scikit-learn's report plus Rasa's ``confused_with``), ``intent_errors.json``
when present, and ``run.json`` (folds, epochs, wall time) written by ``make eval-cv``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["confusions", "load_run", "main", "render"]

_AVERAGES = ("macro avg", "weighted avg")
_SKIPPED = {"accuracy", "micro avg", *_AVERAGES}


def _row(name: str, scores: dict[str, Any]) -> str:
    return (
        f"| {name} | {scores['precision']:.3f} | {scores['recall']:.3f} "
        f"| {scores['f1-score']:.3f} | {int(scores['support'])} |"
    )


def confusions(report: dict[str, Any], errors: list[dict[str, Any]] | None) -> Counter[str]:
    """``"true → predicted"`` counts: from every error when given, else from ``confused_with``."""
    pairs: Counter[str] = Counter()
    if errors is not None:
        for error in errors:
            predicted = (error.get("intent_prediction") or {}).get("name")
            pairs[f"{error['intent']} → {predicted}"] += 1
        return pairs
    for name, scores in report.items():
        if name not in _SKIPPED and isinstance(scores, dict):
            for other, count in (scores.get("confused_with") or {}).items():
                pairs[f"{name} → {other}"] += int(count)
    return pairs


def render(
    report: dict[str, Any],
    errors: list[dict[str, Any]] | None = None,
    run: dict[str, Any] | None = None,
    top: int = 8,
) -> str:
    """The per-intent table (weakest F1 first), averages, accuracy and the top confusions."""
    intents = {
        name: scores
        for name, scores in report.items()
        if name not in _SKIPPED and isinstance(scores, dict)
    }
    lines: list[str] = []
    if run:
        lines += [
            f"{run.get('folds')} folds, {run.get('epochs')} DIET epochs, "
            f"{run.get('wall_seconds')} s wall, {run.get('date')}",
            "",
        ]
    lines += ["| intent | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    ordered = sorted(intents.items(), key=lambda item: (item[1]["f1-score"], item[0]))
    lines += [_row(name, scores) for name, scores in ordered]
    lines += [_row(f"*{name}*", report[name]) for name in _AVERAGES if name in report]
    total = sum(int(scores["support"]) for scores in intents.values())
    if isinstance(report.get("accuracy"), int | float):
        lines.append(f"| **accuracy** | | | {report['accuracy']:.3f} | {total} |")
    pairs = confusions(report, errors)
    lines += ["", "| most confused (true → predicted) | count |", "|---|---:|"]
    lines += [f"| {pair} | {count} |" for pair, count in pairs.most_common(top)] or ["| none | 0 |"]
    return "\n".join(lines) + "\n"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_run(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]] | None, dict[str, Any]]:
    """The report, the errors (``None`` without the file) and the run facts of an out folder."""
    report = _read_json(folder / "intent_report.json")
    errors_path, run_path = folder / "intent_errors.json", folder / "run.json"
    errors = _read_json(errors_path) if errors_path.is_file() else None
    run = _read_json(run_path) if run_path.is_file() else {}
    return report, errors, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.evaluation.rasa_cv",
        description="Bảng markdown của kiểm định chéo ý định (rasa test nlu --cross-validation).",
    )
    parser.add_argument("folder", type=Path, help="thư mục --out của rasa test nlu")
    parser.add_argument("--write", type=Path, help="ghi bảng markdown vào tệp này")
    parser.add_argument("--top", type=int, default=8, help="số cặp nhầm lẫn nhiều nhất")
    args = parser.parse_args(argv)
    try:
        report, errors, run = load_run(args.folder)
    except (OSError, ValueError) as exc:
        print(f"cannot read the cross-validation report: {exc}", file=sys.stderr)
        return 2
    table = render(report, errors, run, top=args.top)
    if args.write:
        args.write.write_text(table, encoding="utf-8")
    print(table, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
