"""``bin/assistant encoder adapt|export [options]`` — the encoder's offline tools."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]


def _adapt(argv: Sequence[str]) -> int:
    from tools.encoder_adapt import main as adapt_main

    return adapt_main(argv)


def _export(argv: Sequence[str]) -> int:
    from tools.encoder_onnx import main as export_main

    return export_main(argv)


# command -> (entry point, Vietnamese help)
COMMANDS: dict[str, tuple[Callable[[Sequence[str]], int], str]] = {
    "adapt": (
        _adapt,
        "tinh chỉnh bộ mã hoá: --pairs TỆP | --from-faq [--epochs N] [--out THƯ_MỤC]",
    ),
    "export": (_export, "xuất bộ mã hoá sang ONNX: [--backend onnx|onnx-int8] [--model THƯ_MỤC]"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one encoder command with the remaining options."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        lines = "\n".join(f"  {name:8} {text}" for name, (_, text) in COMMANDS.items())
        print(f"usage: bin/assistant encoder LỆNH [tham số]\n{lines}", file=sys.stderr)
        return 2
    return COMMANDS[args[0]][0](args[1:])


if __name__ == "__main__":
    sys.exit(main())
