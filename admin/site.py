"""The admin page at ``/admin``: login, entries, test pane, inbox, publish/rollback, audit, stats.

Mounted by the web app like a channel (:class:`AdminSite` is in ``channels.registry``); it exists
only when ``ASSISTANT_ADMIN_SECRET`` is set. Every page needs a login, every POST the session's
CSRF token; an editor changes only the domains of their account, an administrator every domain.
Edits go to the draft through :mod:`editorial` (same validation as the CLI); nothing reaches
citizens before *Công bố*.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Self

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from admin import views
from admin.accounts import Account, AccountError, load_accounts, verify
from admin.auth import COOKIE, Session, SessionSigner
from admin.http import Denied, error, page, read_form
from admin.pages import esc
from admin.workbench import Workbench
from channels.base import Channel, ChannelContext
from channels.ratelimit import RateLimiter
from editorial.errors import EditorialError, ValidationFailed
from inbox.errors import InboxError
from retrieval.errors import RetrievalError
from settings.services import Settings
from stores import StoreUnavailable

__all__ = ["AdminSite"]

logger = logging.getLogger(__name__)
Handler = Callable[[Request, Account, Session], Awaitable[Response]]


class AdminSite(Channel):
    """``/admin`` on the web app (not a chat platform, but mounted, started and stopped alike)."""

    name = "admin"

    def __init__(self, settings: Settings, *, workbench: Workbench | None = None) -> None:
        self.settings = settings
        self.signer = SessionSigner(
            settings.admin.secret, max_age_s=settings.admin.session_hours * 3600
        )
        self._workbench = workbench
        self._login_limiter = RateLimiter(10)  # login attempts per client address per minute

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        return cls(settings) if settings.admin.secret else None

    @property
    def workbench(self) -> Workbench:
        if self._workbench is None:
            self._workbench = Workbench(self.settings)
        return self._workbench

    async def stop(self) -> None:
        if self._workbench is not None:
            self._workbench.close()

    async def start(self, context: ChannelContext) -> None:
        del context  # the admin page needs neither Rasa nor the shared HTTP client

    def routes(self) -> list[BaseRoute]:
        v = views.Views(lambda: self.workbench)
        guarded: list[tuple[str, Handler, list[str]]] = [
            ("/", v.entries, ["GET"]),
            ("/entries/new", v.entry_new, ["GET", "POST"]),
            ("/entries/{faq_id}", v.entry_edit, ["GET", "POST"]),
            ("/domains", v.domains, ["GET"]),
            ("/domains/new", v.domain_new, ["POST"]),
            ("/domains/{code}", v.domain_edit, ["POST"]),
            ("/test", v.test_pane, ["GET"]),
            ("/inbox", v.inbox, ["GET"]),
            ("/inbox/{key}", v.inbox_decide, ["POST"]),
            ("/publish", v.publish_page, ["GET"]),
            ("/publish/new", v.publish, ["POST"]),
            ("/rollback", v.rollback, ["POST"]),
            ("/audit", v.audit, ["GET"]),
            ("/stats", v.stats, ["GET"]),
            ("/logout", self._logout, ["POST"]),
        ]
        routes: list[BaseRoute] = [
            Route("/login", self._login, methods=["GET", "POST"]),
            *(Route(path, self._guard(h), methods=m) for path, h, m in guarded),
        ]
        return [
            Route("/admin", lambda _: RedirectResponse("/admin/", 303)),
            Mount("/admin", routes=routes),
        ]

    # -- sessions ------------------------------------------------------------------------------

    def _cookie(self, response: Response, session: Session) -> Response:
        response.set_cookie(
            COOKIE,
            self.signer.dump(session),
            max_age=int(self.signer.max_age_s),
            path="/admin",
            httponly=True,
            samesite="strict",
            secure=self.settings.admin.cookie_secure,
        )
        return response

    def accounts(self) -> dict[str, Account]:
        return load_accounts(self.settings.admin.users_file)

    async def _login(self, request: Request) -> Response:
        session = self.signer.load(request.cookies.get(COOKIE))
        if request.method == "GET" or session is None:
            fresh = session if session is not None and session.user is None else None
            fresh = fresh or self.signer.new(None)
            status = 200 if request.method == "GET" else 403
            note = "" if status == 200 else error("Phiên đăng nhập đã hết hạn, hãy thử lại.")
            return self._cookie(
                page("Đăng nhập", note + views.login_form(fresh), status=status), fresh
            )
        form = await read_form(request)
        if form is None or not session.csrf_ok(form.get("csrf")):
            return page("Đăng nhập", error("Yêu cầu không hợp lệ (thiếu mã CSRF)."), status=403)
        client = request.client.host if request.client else "?"
        if not self._login_limiter.allow(client):
            body = error("Bạn thử đăng nhập quá nhiều lần. Vui lòng đợi một phút.")
            return page("Đăng nhập", body + views.login_form(session), status=429)
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        try:
            accounts = self.accounts()
        except AccountError as exc:
            logger.error("admin accounts: %s", exc)
            return page("Đăng nhập", error("Cấu hình tài khoản bị lỗi."), status=503)
        account = await asyncio.to_thread(verify, accounts, name, password)
        if account is None:
            logger.info("admin login refused")
            body = error("Sai tên đăng nhập hoặc mật khẩu.") + views.login_form(session)
            return page("Đăng nhập", body, status=401)
        logger.info("admin login: %s", account.name)
        return self._cookie(RedirectResponse("/admin/", 303), self.signer.new(account.name))

    async def _logout(self, request: Request, account: Account, session: Session) -> Response:
        del request, session
        logger.info("admin logout: %s", account.name)
        response = RedirectResponse("/admin/login", 303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    def _guard(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Login required; POST needs the CSRF token; our errors become 4xx pages."""

        async def endpoint(request: Request) -> Response:
            session = self.signer.load(request.cookies.get(COOKIE))
            account = None
            if session is not None and session.user:
                try:
                    account = self.accounts().get(session.user)
                except AccountError as exc:
                    logger.error("admin accounts: %s", exc)
            if session is None or account is None:
                return RedirectResponse("/admin/login", 303)
            if request.method == "POST":
                form = await read_form(request)
                if form is None or not session.csrf_ok(form.get("csrf")):
                    body = error("Yêu cầu bị từ chối: thiếu hoặc sai mã CSRF. Tải lại trang.")
                    return page("Từ chối", body, session=session, status=403)
                request.state.form = form
            try:
                return await handler(request, account, session)
            except Denied as exc:
                return page("Không có quyền", error(str(exc)), session=session, status=403)
            except ValidationFailed as exc:
                items = "".join(f"<li><code>{esc(p)}</code></li>" for p in exc.problems)
                body = error("Không lưu được: nội dung chưa hợp lệ.", extra=f"<ul>{items}</ul>")
                return page("Chưa hợp lệ", body, session=session, status=400)
            except (EditorialError, InboxError) as exc:
                return page("Không thực hiện được", error(str(exc)), session=session, status=400)
            except (RetrievalError, StoreUnavailable) as exc:
                logger.warning("admin page: %s", exc)
                body = error("Dịch vụ tìm kiếm hoặc cơ sở dữ liệu đang lỗi; thử lại sau.")
                return page("Tạm thời không dùng được", body, session=session, status=503)

        return endpoint
