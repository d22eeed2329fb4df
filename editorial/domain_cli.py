"""``bin/assistant domain new|list`` — question domains (one FAQ file each) in the draft."""

from __future__ import annotations

import argparse
import sys

from editorial import yamledit
from editorial.cli_common import EXIT_INVALID, author_default, emit, fail, open_workspace
from editorial.errors import EditorialError
from editorial.store import UNAVAILABLE, wrap_db_errors
from retrieval.corpus import AUDIENCES

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bin/assistant domain",
        description="Lĩnh vực hỏi đáp: mỗi lĩnh vực là một tệp data/faq/<mã>.yml (bản nháp).",
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="VIỆC")
    new = sub.add_parser(
        "new",
        help="tạo lĩnh vực mới: tệp mẫu có chú thích trong bản nháp",
        description="Tạo data/faq/<mã>.yml từ mẫu có chú thích. Thêm ít nhất một mục, kiểm tra "
        "bằng 'faq validate' rồi công bố bằng 'faq publish'. Không cần huấn luyện lại Rasa.",
    )
    new.add_argument(
        "code", help="mã lĩnh vực: chữ thường không dấu nối bằng '_', ví dụ nong_nghiep"
    )
    new.add_argument("--name", required=True, help='tên lĩnh vực, ví dụ "Nông nghiệp"')
    new.add_argument("--agency", default="", help="cơ quan phụ trách nội dung")
    new.add_argument("--description", default="", help="mô tả ngắn: lĩnh vực gồm những gì")
    new.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="citizen",
        help="ai được xem: citizen (người dân, mặc định), staff (cán bộ), all",
    )
    new.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    listing = sub.add_parser(
        "list",
        help="danh sách lĩnh vực: số mục (nháp/đang phục vụ), lần công bố gần nhất",
        description="Liệt kê các lĩnh vực của bản nháp và của phiên bản đang phục vụ.",
    )
    listing.add_argument("--json", action="store_true", help="in dạng JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _, workspace = open_workspace()
    if args.action == "new":
        try:
            path = yamledit.domain_new(
                workspace.draft_dir,
                args.code,
                name=args.name,
                agency=args.agency,
                description=args.description,
                audience=args.audience,
            )
        except EditorialError as exc:
            fail(str(exc), EXIT_INVALID)
        try:
            workspace.store.audit(author_default(), "domain_new", args.code, args.name)
        except UNAVAILABLE as exc:  # the draft file is there; only the audit row is missing
            print(f"cảnh báo: {wrap_db_errors(exc, workspace.store.db_url)}", file=sys.stderr)
        emit(
            args.json,
            {"code": args.code, "path": str(path)},
            f"Đã tạo {path}\nThêm các mục hỏi đáp vào tệp (xem mẫu trong chú thích), rồi chạy:\n"
            f'  bin/assistant faq validate\n  bin/assistant faq preview "câu hỏi"\n'
            f'  bin/assistant faq publish --message "Thêm lĩnh vực {args.name}"',
        )
        return 0
    try:
        domains = workspace.domain_list()
    except UNAVAILABLE as exc:
        fail(str(wrap_db_errors(exc, workspace.store.db_url)))
    rows = []
    for d in domains:
        last = d.last_published
        when = (
            f"v{last.number} {last.created_at:%d/%m/%Y %H:%M} UTC ({last.author})"
            if last
            else "chưa công bố"
        )
        count = "lỗi" if d.entries is None else str(d.entries)
        live = "-" if d.live_entries is None else str(d.live_entries)
        flag = " *" if d.draft_changed else ""
        rows.append(f"{d.code:<24} {count:>5} {live:>7}  {when}{flag}  {d.name}")
    header = f"{'lĩnh vực':<24} {'nháp':>5} {'phục vụ':>7}  lần công bố gần nhất"
    note = (
        "\n(* bản nháp có thay đổi chưa công bố)" if any(d.draft_changed for d in domains) else ""
    )
    emit(args.json, [d.as_json() for d in domains], "\n".join([header, *rows]) + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
