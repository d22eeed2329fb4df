"""``bin/assistant faq validate|preview|publish|rollback|versions|export|import``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from editorial.cli_common import (
    EXIT_INVALID,
    EXIT_SERVERS,
    author_default,
    emit,
    fail,
    open_workspace,
)
from editorial.errors import EditorialError, NothingToPublish, ValidationFailed
from editorial.store import UNAVAILABLE, Version, wrap_db_errors
from editorial.workspace import SwapResult, Workspace

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bin/assistant faq",
        description="Hỏi đáp (FAQ): kiểm tra, thử, công bố, quay lại phiên bản trước, bảng tính. "
        "Biên tập viên sửa BẢN NHÁP (data/faq); người dân chỉ thấy phiên bản đã công bố.",
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="VIỆC")
    validate = sub.add_parser(
        "validate",
        help="kiểm tra bản nháp (nhanh, không nạp mô hình); lỗi ghi tệp:dòng và cách sửa",
    )
    validate.add_argument("--json", action="store_true", help="in dạng JSON")
    preview = sub.add_parser(
        "preview",
        help="thử một câu hỏi trên bản nháp và bản đang phục vụ: mục trả lời, điểm, lý do",
    )
    preview.add_argument("question", nargs="+", help="câu hỏi như người dân gõ")
    preview.add_argument("--role", choices=("citizen", "staff"), default="citizen", help="vai trò")
    preview.add_argument("--json", action="store_true", help="in dạng JSON")
    publish = sub.add_parser(
        "publish",
        help="kiểm tra, công bố bản nháp thành phiên bản mới, chuyển mọi action server sang",
    )
    publish.add_argument("--message", "-m", default="", help="ghi chú: thay đổi gì, vì sao")
    publish.add_argument("--author", default=author_default(), help="người công bố")
    publish.add_argument("--no-wait", action="store_true", help="không chờ các action server")
    publish.add_argument("--json", action="store_true", help="in dạng JSON")
    rollback = sub.add_parser(
        "rollback",
        help="phục vụ lại một phiên bản cũ (mặc định: phiên bản trước phiên bản hiện tại)",
    )
    rollback.add_argument("version", nargs="?", type=int, help="số phiên bản (xem 'faq versions')")
    rollback.add_argument("--message", "-m", default="", help="lý do quay lại")
    rollback.add_argument("--author", default=author_default(), help="người thực hiện")
    rollback.add_argument("--no-wait", action="store_true", help="không chờ các action server")
    rollback.add_argument("--json", action="store_true", help="in dạng JSON")
    versions = sub.add_parser("versions", help="các phiên bản đã công bố (mới nhất trước)")
    versions.add_argument("--json", action="store_true", help="in dạng JSON")
    export = sub.add_parser(
        "export", help="xuất bản nháp ra bảng tính Excel (mỗi lĩnh vực một trang)"
    )
    export.add_argument("--xlsx", required=True, type=Path, help="tệp .xlsx sẽ ghi")
    export.add_argument(
        "--domain", action="append", default=[], help="chỉ xuất lĩnh vực này (lặp lại được)"
    )
    imp = sub.add_parser(
        "import",
        help="nhập bảng tính đã sửa vào bản nháp (kiểm tra như 'validate'; lỗi thì không ghi gì)",
    )
    imp.add_argument("--xlsx", required=True, type=Path, help="tệp .xlsx do 'faq export' tạo")
    imp.add_argument("--json", action="store_true", help="in dạng JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings, workspace = open_workspace()
    try:
        if args.action == "validate":
            return _validate(workspace, as_json=args.json)
        if args.action == "preview":
            from editorial.preview import Previewer, render  # loads the encoder: only here

            report = Previewer(settings, workspace).ask(" ".join(args.question), role=args.role)
            emit(args.json, report, render(report))
            return 0
        if args.action == "publish":
            return _publish(args, workspace, settings.editorial.faq_publish_wait_s)
        if args.action == "rollback":
            return _rollback(args, workspace, settings.editorial.faq_publish_wait_s)
        if args.action == "versions":
            found = workspace.versions()
            lines = [
                f"{'*' if v.live else ' '} v{v.number:<4} {v.created_at:%d/%m/%Y %H:%M} UTC  "
                f"{v.author:<16} {v.domains:>2} lĩnh vực {v.entries:>5} mục  {v.message}"
                for v in found
            ]
            text = (
                "\n".join(lines) + "\n(* đang phục vụ)" if lines else "Chưa công bố phiên bản nào."
            )
            emit(args.json, [v.as_json() for v in found], text)
            return 0
        from editorial import spreadsheet

        if args.action == "export":
            count = spreadsheet.export_xlsx(workspace.draft_dir, args.xlsx, domains=args.domain)
            print(f"Đã xuất {count} lĩnh vực ra {args.xlsx}")
            return 0
        changes = spreadsheet.import_xlsx(workspace.draft_dir, args.xlsx)
        text = "\n".join(f"  {c}" for c in changes) or "  (không có thay đổi)"
        emit(
            args.json,
            {"changes": changes},
            f"Đã nhập {args.xlsx} vào bản nháp:\n{text}\n"
            "Kiểm tra bằng 'faq preview', công bố bằng 'faq publish'.",
        )
        return 0
    except ValidationFailed as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        fail(f"{len(exc.problems)} lỗi; sửa rồi chạy lại (không có gì được thay đổi)")
    except UNAVAILABLE as exc:
        fail(str(wrap_db_errors(exc, workspace.store.db_url)))
    except EditorialError as exc:
        fail(str(exc))
    return EXIT_INVALID


def _validate(workspace: Workspace, *, as_json: bool) -> int:
    started = time.perf_counter()
    checked = workspace.validate()
    elapsed = time.perf_counter() - started
    if as_json:
        emit(True, {**checked.as_json(), "elapsed_s": round(elapsed, 3)}, "")
    else:
        for warning in checked.warnings:
            print(f"cảnh báo: {warning}", file=sys.stderr)
        for error in checked.errors:
            print(error, file=sys.stderr)
        if checked.ok:
            print(
                f"Bản nháp hợp lệ: {len(checked.corpus.files)} lĩnh vực, "
                f"{len(checked.corpus.entries)} mục, {len(checked.warnings)} cảnh báo "
                f"({elapsed:.1f} s)."
            )
        else:
            print(
                f"lỗi: bản nháp có {len(checked.errors)} lỗi; không thể công bố.", file=sys.stderr
            )
    return 0 if checked.ok else EXIT_INVALID


def _swap_report(result: SwapResult | None, version: Version, verb: str) -> tuple[dict, str, int]:
    head = (
        f"{verb} phiên bản {version.number} ({version.domains} lĩnh vực, {version.entries} mục; "
        f"{version.author}: {version.message})."
    )
    if result is None:
        return {"version": version.as_json(), "servers": None}, head, 0
    data = {
        "version": version.as_json(),
        "elapsed_s": round(result.elapsed_s, 2),
        "servers": [
            {"id": s.server_id, "version": s.version, "status": s.status, "error": s.error}
            for s in result.servers
        ],
        "swapped": len(result.swapped),
        "failed": len(result.failed),
        "timed_out": result.timed_out,
    }
    if not result.servers:
        return (
            data,
            f"{head}\nKhông có action server nào đang chạy: lần khởi động sau sẽ phục vụ "
            f"phiên bản {version.number} (mất {result.elapsed_s:.1f} s).",
            0,
        )
    lines = [
        f"{head}\n{len(result.swapped)}/{len(result.servers)} action server đã chuyển sang phiên "
        f"bản {version.number} sau {result.elapsed_s:.1f} s."
    ]
    for s in result.failed:
        lines.append(f"  {s.server_id} TỪ CHỐI (vẫn phục vụ phiên bản {s.version}): {s.error}")
    if result.timed_out:
        waiting = [s.server_id for s in result.servers if s not in result.swapped + result.failed]
        lines.append(f"  chưa chuyển xong sau {result.elapsed_s:.0f} s: {', '.join(waiting)}")
    code = EXIT_SERVERS if result.failed or result.timed_out else 0
    return data, "\n".join(lines), code


def _publish(args: argparse.Namespace, workspace: Workspace, wait_s: float) -> int:
    started = time.monotonic()
    changes = workspace.changes()
    try:
        version = workspace.publish(args.author, args.message)
    except NothingToPublish as exc:
        emit(
            args.json,
            {"version": None, "changes": [], "reason": str(exc)},
            "Bản nháp giống hệt phiên bản đang phục vụ: không có gì để công bố.",
        )
        return 0
    result = (
        None
        if args.no_wait
        else workspace.wait_for_servers(version.number, timeout_s=wait_s, started=started)
    )
    data, text, code = _swap_report(result, version, "Đã công bố")
    data["changes"] = changes
    shown = "\n".join(f"  {c}" for c in changes[:30])
    more = f"\n  … và {len(changes) - 30} thay đổi khác" if len(changes) > 30 else ""
    emit(args.json, data, f"{text}\nThay đổi:\n{shown}{more}" if changes else text)
    return code


def _rollback(args: argparse.Namespace, workspace: Workspace, wait_s: float) -> int:
    started = time.monotonic()
    version = workspace.rollback(args.version, author=args.author, message=args.message)
    result = (
        None
        if args.no_wait
        else workspace.wait_for_servers(version.number, timeout_s=wait_s, started=started)
    )
    data, text, code = _swap_report(result, version, "Đang phục vụ lại")
    emit(args.json, data, text + "\nBản nháp không đổi ('faq versions' xem lịch sử).")
    return code


if __name__ == "__main__":
    sys.exit(main())
