"""``bin/assistant eval WHAT [options]`` — the evaluations (services runtime)."""

from __future__ import annotations

import argparse
import runpy
import sys

__all__ = ["EVALUATIONS", "main"]

# evaluation -> (module, Vietnamese help)
EVALUATIONS = {
    "retrieval": (
        "tools.evaluation.retrieval",
        "tìm kiếm FAQ: --dataset own | uit-vicov19qa | xquad-vi --data-dir THƯ_MỤC [--json]",
    ),
    "indicators": (
        "tools.evaluation.indicators",
        "hiểu câu hỏi chỉ tiêu (mã, kỳ, địa bàn), khớp chính xác [--json]",
    ),
    "understanding": (
        "tools.evaluation.understanding",
        "hiểu câu hỏi thật (bộ độc lập): --split dev|test|all [--fold] [--json]",
    ),
}


def main(argv: list[str] | None = None) -> int:
    """Run one evaluation module with the remaining options."""
    parser = argparse.ArgumentParser(
        prog="bin/assistant eval", description="Đánh giá chất lượng của trợ lý."
    )
    sub = parser.add_subparsers(dest="what", required=True, metavar="LOẠI")
    for name, (_, help_text) in EVALUATIONS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    args, rest = parser.parse_known_args(argv)
    module = EVALUATIONS[args.what][0]
    sys.argv = [f"bin/assistant eval {args.what}", *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
