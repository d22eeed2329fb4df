"""``bin/assistant token mint --sender ID [--sub NAME] [--ttl GIÂY] [--json]`` — a staff claim.

Signs a staff claim with ``ASSISTANT_ROLE_SECRET`` (actions.identity), bound to the conversation
``--sender``: the widget's session id (``data-session-id``), the REST ``sender``, or a bridge's
sender id. For tests, demos and a portal that lets the assistant sign on its behalf; a portal that
signs its own JWTs needs no secret of ours (README "Security").
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from actions.identity import IdentityError, mint_claim
from settings.services import settings_or_exit

__all__ = ["main"]


def _parser(max_ttl_s: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bin/assistant token",
        description="Tạo token cán bộ (JWT ký bằng ASSISTANT_ROLE_SECRET) cho một cuộc hội thoại.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    mint = sub.add_parser(
        "mint",
        help="in ra một token cán bộ, chỉ dùng được trong cuộc hội thoại --sender",
        description="In ra một token cán bộ có hạn, gắn với mã cuộc hội thoại --sender.",
    )
    mint.add_argument(
        "--sender",
        required=True,
        help="mã cuộc hội thoại (session id của widget, 'sender' của REST) mà token dùng được",
    )
    mint.add_argument("--sub", default="", help="ai nhận token (tên đăng nhập cán bộ), để ghi vết")
    mint.add_argument(
        "--ttl",
        type=int,
        default=3600,
        help=f"thời hạn, giây (mặc định 3600, tối đa {max_ttl_s})",
    )
    mint.add_argument("--json", action="store_true", help="in JSON: token, sender, sub, exp")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``bin/assistant token``."""
    identity = settings_or_exit(prefix="lỗi").identity
    args = _parser(identity.max_token_ttl_s).parse_args(argv)
    now = int(time.time())
    try:
        token = mint_claim(
            args.sender,
            identity.role_secret,
            ttl_s=args.ttl,
            subject=args.sub or None,
            max_ttl_s=identity.max_token_ttl_s,
            now=now,
        )
    except IdentityError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 2
    if args.json:
        out = {"token": token, "sender": args.sender, "sub": args.sub or args.sender}
        print(json.dumps({**out, "exp": now + args.ttl}, ensure_ascii=False))
    else:
        print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
