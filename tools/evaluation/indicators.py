"""Exact match of indicator understanding: ``python -m tools.evaluation.indicators [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ioc.areas import load_areas
from ioc.catalog import load_catalog
from ioc.datafile import line_of, load_yaml
from ioc.errors import DataFileError, IndicatorError
from ioc.parser import QuestionParser
from settings.services import PathSettings, get_settings

__all__ = ["EvalResult", "evaluate", "main"]


@dataclass(frozen=True)
class EvalResult:
    total: int
    correct: int
    misses: list[dict[str, Any]]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)


def evaluate(path: Path, paths: PathSettings) -> EvalResult:
    """Parse every question of ``path`` and compare code, period start/end and area."""
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise DataFileError(f"{path}:1: expected 'reference_date:' and a 'questions:' list")
    today = data.get("reference_date")
    if not isinstance(today, date):
        raise DataFileError(f"{path}:1: reference_date must be YYYY-MM-DD")
    parser = QuestionParser(load_catalog(paths.ioc_catalog), load_areas(paths.ioc_areas))
    misses: list[dict[str, Any]] = []
    for item in data["questions"]:
        if not isinstance(item, dict) or not {"q", "code", "area"} <= item.keys():
            raise DataFileError(
                f"{path}:{line_of(item)}: each question needs q, code, start, end, area"
            )
        expected = {
            "code": item["code"],
            "start": _iso(item.get("start")),
            "end": _iso(item.get("end")),
            "area": item["area"],
        }
        try:
            parsed = parser.parse(item["q"], today)
            got = {
                "code": parsed.indicator_codes[0]
                if len(parsed.indicator_codes) == 1
                else list(parsed.indicator_codes),
                "start": parsed.period.start.isoformat() if parsed.period else None,
                "end": parsed.period.end.isoformat() if parsed.period else None,
                "area": parsed.area.code,
            }
        except IndicatorError as exc:
            got = {"error": str(exc)}
        if got != expected:
            misses.append({"line": line_of(item), "q": item["q"], "expected": expected, "got": got})
    total = len(data["questions"])
    return EvalResult(total=total, correct=total - len(misses), misses=misses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/assistant eval indicators",
        description="Đánh giá hiểu câu hỏi chỉ tiêu: mã, kỳ và địa bàn khớp chính xác.",
    )
    parser.add_argument(
        "--dataset", type=Path, help="tệp đánh giá (mặc định data/eval/indicators.yml)"
    )
    parser.add_argument("--json", action="store_true", help="in báo cáo JSON")
    args = parser.parse_args(argv)
    paths = get_settings().paths
    path = args.dataset or paths.data_dir / "eval" / "indicators.yml"
    try:
        result = evaluate(path, paths)
    except IndicatorError as exc:
        print(f"evaluation failed: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "total": result.total,
                    "correct": result.correct,
                    "accuracy": round(result.accuracy, 4),
                    "misses": result.misses,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(
            f"indicator parsing exact-match accuracy: {result.accuracy:.3f} "
            f"({result.correct}/{result.total})"
        )
        for miss in result.misses:
            print(
                f"  line {miss['line']}: {miss['q']!r}\n    expected {miss['expected']}\n"
                f"    got      {miss['got']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
