"""``bin/assistant admin``: accounts of the admin page (argon2-hashed passwords)."""

from __future__ import annotations

import argparse
import getpass
import sys

from admin.accounts import ROLES, AccountError, hash_password, save_account
from settings.services import SettingsError, get_settings

__all__ = ["main"]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if first != getpass.getpass("Nhập lại mật khẩu: "):
        raise AccountError("hai lần nhập mật khẩu không khớp")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/assistant admin", description="Tài khoản trang quản trị nội dung (/admin)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    passwd = sub.add_parser("passwd", help="tạo hoặc đổi tài khoản (mật khẩu băm argon2)")
    passwd.add_argument("name", help="tên đăng nhập (chữ thường, không dấu)")
    passwd.add_argument("--role", choices=ROLES, default="editor", help="vai trò")
    passwd.add_argument(
        "--domains", default="", help="lĩnh vực biên tập viên được sửa, cách nhau dấu phẩy"
    )
    passwd.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ stdin")
    hashing = sub.add_parser("hash", help="in mã băm argon2 của một mật khẩu (đọc từ stdin)")
    hashing.add_argument("--password-stdin", action="store_true", default=True, help="(mặc định)")
    args = parser.parse_args(argv)
    try:
        if args.command == "hash":
            print(hash_password(_password(True)))
            return 0
        path = get_settings().admin.users_file
        domains = [d.strip() for d in args.domains.split(",") if d.strip()]
        save_account(
            path, args.name, _password(args.password_stdin), role=args.role, domains=domains
        )
    except (AccountError, SettingsError) as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 2
    print(f"đã lưu tài khoản {args.name} ({args.role}) vào {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
