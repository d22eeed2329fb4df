"""``bin/assistant`` — the same pipeline as the bot, for editors, staff and evaluation.

``ask`` runs in the Rasa runtime: it loads the trained model in-process, talks to an action
server (its own, started on a free loopback port, unless ``--actions-url`` names a running one)
and reads the per-turn slots the actions write (docs/architecture.md). The other command groups
run in the services runtime: each is a module with its own Vietnamese ``--help``, listed in
:data:`SERVICE_COMMANDS` — adding a group is one line there.
"""

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
import uuid
from typing import Any, Dict, Iterable, List, Optional, Tuple

from assistant.services import ActionServerProcess, services_python
from settings.rasa import RasaSettings, RasaSettingsError, load_rasa_settings
from vitext import install_log_redaction, nfc

__all__ = ["main"]

logger = logging.getLogger(__name__)

# command group -> (module run with the services runtime's Python, Vietnamese help)
SERVICE_COMMANDS: Dict[str, Tuple[str, str]] = {
    "eval": ("tools.evaluation", "đánh giá chất lượng: retrieval, indicators, understanding"),
    "privacy": ("stores.privacy", "dữ liệu cá nhân: export|forget SENDER, purge (docs/privacy.md)"),
    "domain": ("editorial.domain_cli", "lĩnh vực hỏi đáp: new (tạo từ mẫu), list"),
    "faq": (
        "editorial.faq_cli",
        "hỏi đáp: validate, preview, publish, rollback, versions, export/import --xlsx",
    ),
    "admin": ("admin.cli", "tài khoản trang quản trị /admin: tạo, đổi mật khẩu (argon2)"),
    "encoder": ("tools.encoder_commands", "bộ mã hoá: adapt (tinh chỉnh), export (ONNX)"),
    "token": ("actions.tokens", "tạo token cán bộ có chữ ký (thử nghiệm, tích hợp cổng)"),
    "analytics": ("analytics", "thống kê lượt hỏi: consume [--once] (sự kiện Rasa → bảng turns)"),
}
ANSWER_FIELDS = ("answer_domain", "faq_id", "indicator", "fallback", "suggestions")
# Intents whose reply is itself a refusal when no action says otherwise.
DECLINING_INTENTS = {"out_of_scope"}


def _parse_args(argv: List[str], settings: RasaSettings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bin/assistant",
        description="Trợ lý ảo IOC: hỏi như người dân hoặc cán bộ, đánh giá, quản trị nội dung.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    ask = sub.add_parser(
        "ask", help="trả lời câu hỏi qua đúng quy trình của bot (TEXT, hoặc mỗi dòng stdin một câu)"
    )
    ask.add_argument("text", nargs="*", help="câu hỏi; bỏ trống thì đọc stdin, in JSON Lines")
    ask.add_argument("--json", action="store_true", help="in JSON (mỗi câu hỏi một đối tượng)")
    ask.add_argument("--now", help="ngày tham chiếu YYYY-MM-DD cho các kỳ tương đối")
    ask.add_argument("--role", choices=("citizen", "staff"), default="citizen", help="vai trò")
    ask.add_argument("--model", default=settings.model or None, help="mô hình Rasa đã huấn luyện")
    ask.add_argument("--actions-url", help="dùng action server đang chạy thay vì tự khởi động")
    for name, (_, help_text) in SERVICE_COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command not in SERVICE_COMMANDS and rest:
        parser.error(f"không hiểu các tham số: {' '.join(rest)}")
    args.rest = rest
    return args


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.text:
        yield " ".join(args.text)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


async def _answer(
    agent: Any, text: str, metadata: Dict[str, Any], staff_secret: Optional[str]
) -> Dict[str, Any]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sender_id = f"cli-{uuid.uuid4().hex}"
    if staff_secret:  # a local claim bound to this one question's conversation
        from actions.identity import mint_claim

        metadata = {**metadata, "role_token": mint_claim(sender_id, staff_secret, ttl_s=600)}
    output = CollectingOutputChannel()
    await agent.handle_message(UserMessage(nfc(text), output, sender_id, metadata=metadata))
    tracker = await agent.tracker_store.retrieve(sender_id)
    slots = {name: tracker.get_slot(name) for name in ANSWER_FIELDS} if tracker else {}
    intent = (tracker.latest_message.intent if tracker else {}) or {}
    texts = [m["text"] for m in output.messages if m.get("text")]
    fallback = slots.get("fallback")
    if fallback is None:
        fallback = intent.get("name") in DECLINING_INTENTS
    return {
        "text": text,
        "intent": intent.get("name"),
        "intent_confidence": intent.get("confidence"),
        "domain": slots.get("answer_domain"),
        "answer": "\n\n".join(texts) if texts else None,
        "faq_id": slots.get("faq_id"),
        "indicator": slots.get("indicator"),
        "fallback": bool(fallback),
        "suggestions": slots.get("suggestions") or [],
    }


async def _ask(args: argparse.Namespace, settings: RasaSettings) -> int:
    from rasa.core.agent import load_agent
    from rasa.utils.endpoints import EndpointConfig

    if not args.model:
        print("no trained model: run 'make setup' (or pass --model)", file=sys.stderr)
        return 2
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from assistant import action_fallback  # imports rasa: not for the services' commands

    configure_logging_and_warnings(logging.getLogger().level)
    configure_structlog(logging.getLogger().level)
    action_fallback.install(timeout_s=settings.actions_timeout_s)
    external_url = args.actions_url
    # our own action server gets fresh secrets; a running one needs the configured ones
    secret = settings.role_secret if external_url else secrets.token_urlsafe(32)
    actions_token = settings.actions_token if external_url else secrets.token_urlsafe(32)
    if args.role == "staff" and not secret:
        print("--role staff with --actions-url needs ASSISTANT_ROLE_SECRET", file=sys.stderr)
        return 2
    server: Optional[ActionServerProcess] = None
    if not external_url:
        server = ActionServerProcess(
            env={"ASSISTANT_ROLE_SECRET": secret, "ASSISTANT_ACTIONS_TOKEN": actions_token}
        )
        server.start()
    try:
        actions_url = external_url if server is None else server.url
        agent = await load_agent(model_path=args.model)
        agent.action_endpoint = EndpointConfig(actions_url, token=actions_token or None)
        agent.processor.action_endpoint = agent.action_endpoint
        if server:
            server.wait_ready()
        metadata: Dict[str, Any] = {"channel": "cli", "user_id": "cli"}
        if args.now:
            metadata["now"] = args.now
        staff_secret = secret if args.role == "staff" else None
        for text in _questions(args):
            result = await _answer(agent, text, metadata, staff_secret)
            if args.json:
                print(json.dumps(result, ensure_ascii=False), flush=True)
            else:
                print(result["answer"] or "(không có trả lời)", flush=True)
        return 0
    finally:
        if server:
            server.stop()


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``bin/assistant``."""
    try:
        settings = load_rasa_settings()
    except RasaSettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = _parse_args(list(sys.argv[1:] if argv is None else argv), settings)
    # the CLI prints JSON on stdout: only warnings and errors go to the log by default
    level = "DEBUG" if settings.log_level == "DEBUG" else "WARNING"
    logging.basicConfig(level=level)
    install_log_redaction()
    if args.command in SERVICE_COMMANDS:
        module = SERVICE_COMMANDS[args.command][0]
        python = services_python()
        os.execv(python, [python, "-m", module, *args.rest])
    return asyncio.run(_ask(args, settings))


if __name__ == "__main__":
    sys.exit(main())
