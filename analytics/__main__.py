"""``bin/assistant analytics consume [--once]`` — the analytics consumer (services runtime)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from analytics.consumer import Consumer
from settings.services import settings_or_exit
from stores import StoreUnavailable

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the consumer until SIGTERM / Ctrl-C, or once through what is waiting."""
    parser = argparse.ArgumentParser(
        prog="bin/assistant analytics",
        description="Thống kê lượt hỏi: đọc sự kiện của Rasa, ghi mỗi lượt một dòng (bảng turns).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    consume = sub.add_parser("consume", help="đọc sự kiện Rasa và ghi bảng turns")
    consume.add_argument(
        "--once", action="store_true", help="đọc hết sự kiện đang chờ, ghi rồi thoát"
    )
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    logging.basicConfig(
        level=settings.server.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        consumer = Consumer(settings)
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
    signal.signal(signal.SIGINT, lambda *_: consumer.stop())
    try:
        written = consumer.run(once=args.once)
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"analytics: {written} new turn(s) written from {consumer.source.name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
