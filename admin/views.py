"""The admin pages behind the login (handlers get the request, the account and the session)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.accounts import Account
from admin.auth import Session
from admin.http import Denied, error, field, notice, page
from admin.pages import bar_chart, esc, form, table
from admin.workbench import Workbench
from editorial import yamledit
from editorial.errors import EditorialError
from inbox.service import Cluster
from inbox.stats import statistics
from retrieval.corpus import FaqEntry
from retrieval.service import FaqAnswer, FaqService

__all__ = ["Views", "login_form"]

DECISION_NAMES = {
    "answer": "trả lời",
    "suggest": "gợi ý",
    "decline": "từ chối",
    "emergency": "khẩn cấp",
    "handoff": "chuyển cán bộ",
    "refused": "không có quyền",
}


def login_form(session: Session) -> str:
    inner = (
        '<label for="name">Tên đăng nhập</label><input type="text" id="name" name="name" '
        'autocomplete="username" required>'
        '<label for="password">Mật khẩu</label><input type="password" id="password" '
        'name="password" autocomplete="current-password" required>'
        '<p><button type="submit">Đăng nhập</button></p>'
    )
    return f'<div class="card">{form("/admin/login", session.csrf, inner)}</div>'


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _entry_fields(request: Request) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "questions": _lines(field(request, "questions", max_chars=20_000)),
        "answer": field(request, "answer", max_chars=20_000),
        "source": field(request, "source", max_chars=2000),
    }
    updated = field(request, "updated", max_chars=10)
    try:
        fields["updated"] = date.fromisoformat(updated) if updated else date.today()
    except ValueError:
        raise EditorialError(f"ngày cập nhật {updated!r} phải có dạng YYYY-MM-DD") from None
    return fields


def _entry_form(
    action: str, session: Session, *, entry: FaqEntry | None, domains: list[str], domain: str = ""
) -> str:
    questions = "\n".join(entry.questions) if entry else ""
    updated = entry.updated.isoformat() if entry else date.today().isoformat()
    head = ""
    if entry is None:
        options = "".join(
            f'<option value="{esc(d)}"{" selected" if d == domain else ""}>{esc(d)}</option>'
            for d in domains
        )
        head = (
            '<label for="domain">Lĩnh vực</label>'
            f'<select id="domain" name="domain">{options}</select>'
            '<label for="faq_id">Mã mục (chữ thường không dấu, nối bằng "-")</label>'
            '<input type="text" id="faq_id" name="faq_id" required>'
        )
    inner = (
        f"{head}"
        '<label for="questions">Các cách hỏi (mỗi dòng một câu; nên có câu có dấu, không dấu, '
        "viết tắt)</label>"
        f'<textarea id="questions" name="questions" required>{esc(questions)}</textarea>'
        '<label for="answer">Câu trả lời</label>'
        f'<textarea id="answer" name="answer" required>{esc(entry.answer if entry else "")}'
        "</textarea>"
        '<label for="source">Nguồn</label>'
        f'<input type="text" id="source" name="source" value="{esc(entry.source if entry else "")}"'
        " required>"
        '<label for="updated">Ngày cập nhật (YYYY-MM-DD)</label>'
        f'<input type="text" id="updated" name="updated" value="{esc(updated)}">'
        '<p><button type="submit">Lưu vào bản nháp</button></p>'
    )
    return f'<div class="card">{form(action, session.csrf, inner)}</div>'


def _answer_html(label: str, answer: FaqAnswer | None, service: FaqService | None) -> str:
    if answer is None or service is None:
        return (
            f'<div class="card" data-pane="{esc(label)}"><h2>{esc(label)}</h2>'
            '<p class="muted">Chưa có phiên bản nào '
            "được công bố.</p></div>"
        )
    decision = answer.decision
    rows = []
    for hit in answer.result.hits:
        entry = service.corpus.by_id.get(hit.faq_id)
        rows.append(
            [
                esc(hit.faq_id),
                esc(entry.questions[0] if entry else ""),
                f"{hit.dense:.3f}",
                f"{hit.lexical:.2f}",
            ]
        )
    chosen = ""
    if decision.kind == "answer" and answer.entries:
        entry = answer.entries[0]
        chosen = f"<p><b>{esc(entry.id)}</b></p><pre>{esc(entry.answer)}</pre>"
    elif decision.kind == "suggest":
        chosen = "<p>Gợi ý: " + ", ".join(esc(e.id) for e in answer.entries) + "</p>"
    kind = DECISION_NAMES.get(decision.kind, decision.kind)
    return (
        f'<div class="card" data-pane="{esc(label)}"><h2>{esc(label)}</h2>'
        f'<p>Quyết định: <b class="decision">{esc(kind)}'
        f"</b> (điểm {decision.score:.3f}, cách biệt {decision.margin:.3f}, kiểu câu "
        f"{esc(decision.route)})</p>{chosen}"
        + table(["Mục", "Câu hỏi đầu tiên", "Điểm ngữ nghĩa", "Điểm từ khóa"], rows)
        + "</div>"
    )


class Views:
    """Handlers of the guarded pages over the site's workbench (built on first use)."""

    def __init__(self, workbench: Callable[[], Workbench]) -> None:
        self._workbench = workbench

    @property
    def bench(self) -> Workbench:
        return self._workbench()

    def _domains(self, account: Account) -> list[str]:
        codes = sorted(p.stem for p in self.bench.draft_dir.glob("*.yml"))
        return [c for c in codes if account.may_edit(c)]

    def _draft_entry(self, faq_id: str) -> FaqEntry | None:
        return self.bench.draft().corpus.by_id.get(faq_id)

    # -- entries -------------------------------------------------------------------------------

    async def entries(self, request: Request, account: Account, session: Session) -> Response:
        q = request.query_params.get("q", "")[:200].strip()
        domain = request.query_params.get("domain", "")[:60]
        service = await asyncio.to_thread(self.bench.draft)
        folded = q.casefold()
        rows = []
        for entry in service.corpus.entries:
            if domain and entry.domain != domain:
                continue
            haystack = " ".join([entry.id, entry.answer, *entry.questions]).casefold()
            if folded and folded not in haystack:
                continue
            link = (
                f'<a href="/admin/entries/{quote(entry.id)}">{esc(entry.id)}</a>'
                if account.may_edit(entry.domain)
                else esc(entry.id)
            )
            rows.append([link, esc(entry.domain), esc(entry.questions[0]), esc(entry.updated)])
        search = (
            '<form method="get" action="/admin/" class="card"><div class="row">'
            f'<div><label for="q">Tìm</label><input type="text" id="q" name="q" value="{esc(q)}">'
            f'</div><div><label for="d">Lĩnh vực</label><input type="text" id="d" name="domain" '
            f'value="{esc(domain)}"></div></div><p><button type="submit">Tìm</button> '
            '<a href="/admin/entries/new">+ Thêm mục mới</a></p></form>'
        )
        body = (
            search
            + f"<p>{len(rows)} mục (bản nháp).</p>"
            + table(["Mã mục", "Lĩnh vực", "Câu hỏi", "Cập nhật"], rows[:500])
        )
        return page("Mục hỏi đáp", body, session=session)

    async def entry_new(self, request: Request, account: Account, session: Session) -> Response:
        domains = self._domains(account)
        if request.method == "GET":
            chosen = request.query_params.get("domain", "")
            body = _entry_form(
                "/admin/entries/new", session, entry=None, domains=domains, domain=chosen
            )
            return page("Thêm mục mới", body, session=session)
        domain, faq_id = (
            field(request, "domain", max_chars=60),
            field(request, "faq_id", max_chars=120),
        )
        if not account.may_edit(domain):
            raise Denied(f"Tài khoản {account.name} không được sửa lĩnh vực {domain!r}.")
        fields = {"id": faq_id, **_entry_fields(request)}
        await asyncio.to_thread(yamledit.add_entry, self.bench.draft_dir, domain, fields)
        self.bench.workspace.store.audit(account.name, "entry_add", faq_id, f"lĩnh vực {domain}")
        question = fields["questions"][0] if fields["questions"] else ""
        return RedirectResponse(f"/admin/test?q={quote(question)}&saved={quote(faq_id)}", 303)

    async def entry_edit(self, request: Request, account: Account, session: Session) -> Response:
        faq_id = request.path_params["faq_id"][:120]
        entry = await asyncio.to_thread(self._draft_entry, faq_id)
        if entry is None:
            return page(
                "Không tìm thấy", error(f"Không có mục {faq_id!r}."), session=session, status=404
            )
        if not account.may_edit(entry.domain):
            raise Denied(f"Tài khoản {account.name} không được sửa lĩnh vực {entry.domain!r}.")
        if request.method == "GET":
            action = f"/admin/entries/{quote(faq_id)}"
            body = f"<p>Lĩnh vực: <b>{esc(entry.domain)}</b></p>" + _entry_form(
                action, session, entry=entry, domains=[]
            )
            return page(f"Sửa mục {faq_id}", body, session=session)
        fields = _entry_fields(request)
        await asyncio.to_thread(yamledit.update_entry, self.bench.draft_dir, faq_id, fields)
        self.bench.workspace.store.audit(account.name, "entry_edit", faq_id, entry.domain)
        question = fields["questions"][0] if fields["questions"] else ""
        return RedirectResponse(f"/admin/test?q={quote(question)}&saved={quote(faq_id)}", 303)

    # -- domains -------------------------------------------------------------------------------

    async def domains(self, request: Request, account: Account, session: Session) -> Response:
        del request
        infos = await asyncio.to_thread(self.bench.workspace.domain_list)
        rows = []
        for info in infos:
            editable = account.may_edit(info.code)
            edit = ""
            if editable and info.entries is not None:
                edit = form(
                    f"/admin/domains/{quote(info.code)}",
                    session.csrf,
                    f'<input type="text" name="name" value="{esc(info.name)}" aria-label="Tên">'
                    f'<input type="text" name="agency" value="{esc(info.agency)}" '
                    'aria-label="Cơ quan"><button type="submit">Lưu</button>',
                )
            published = info.last_published.number if info.last_published else "—"
            rows.append(
                [
                    f'<a href="/admin/?domain={quote(info.code)}">{esc(info.code)}</a>',
                    edit or esc(f"{info.name} — {info.agency}"),
                    esc(info.entries if info.entries is not None else "lỗi"),
                    esc(info.live_entries if info.live_entries is not None else "chưa công bố"),
                    esc(published),
                    "có" if info.draft_changed else "",
                    esc(info.error or ""),
                ]
            )
        body = table(
            [
                "Mã",
                "Tên — cơ quan",
                "Mục (nháp)",
                "Mục (đang phục vụ)",
                "Công bố lần cuối",
                "Có thay đổi chưa công bố",
                "Lỗi",
            ],
            rows,
        )
        if account.is_admin:
            body += "<h2>Thêm lĩnh vực</h2>" + form(
                "/admin/domains/new",
                session.csrf,
                '<label for="code">Mã (tên không dấu, nối bằng "_", ví dụ nong_nghiep)</label>'
                '<input type="text" id="code" name="code" required>'
                '<label for="dname">Tên lĩnh vực</label>'
                '<input type="text" id="dname" name="name" required>'
                '<label for="agency">Cơ quan phụ trách</label>'
                '<input type="text" id="agency" name="agency">'
                '<label for="description">Mô tả</label>'
                '<input type="text" id="description" name="description">'
                '<p><button type="submit">Tạo lĩnh vực</button></p>',
            )
        return page("Lĩnh vực", body, session=session)

    async def domain_new(self, request: Request, account: Account, session: Session) -> Response:
        del session
        if not account.is_admin:
            raise Denied("Chỉ quản trị viên được thêm lĩnh vực.")
        code = field(request, "code", max_chars=60)
        await asyncio.to_thread(
            yamledit.domain_new,
            self.bench.draft_dir,
            code,
            name=field(request, "name", max_chars=200),
            agency=field(request, "agency", max_chars=300),
            description=field(request, "description", max_chars=1000),
        )
        self.bench.workspace.store.audit(account.name, "domain_new", code, "")
        return RedirectResponse(f"/admin/entries/new?domain={quote(code)}", 303)

    async def domain_edit(self, request: Request, account: Account, session: Session) -> Response:
        del session
        code = request.path_params["code"][:60]
        if not account.may_edit(code):
            raise Denied(f"Tài khoản {account.name} không được sửa lĩnh vực {code!r}.")
        fields = {
            "name": field(request, "name", max_chars=200),
            "agency": field(request, "agency", max_chars=300),
        }
        await asyncio.to_thread(yamledit.update_domain, self.bench.draft_dir, code, fields)
        self.bench.workspace.store.audit(account.name, "domain_edit", code, "")
        return RedirectResponse("/admin/domains", 303)

    # -- test pane -----------------------------------------------------------------------------

    async def test_pane(self, request: Request, account: Account, session: Session) -> Response:
        del account
        q = request.query_params.get("q", "")[:1000].strip()
        saved = request.query_params.get("saved", "")[:120]
        body = notice(f"Đã lưu mục {saved} vào bản nháp.") if saved else ""
        body += (
            '<form method="get" action="/admin/test" class="card"><label for="q">Câu hỏi</label>'
            f'<input type="text" id="q" name="q" value="{esc(q)}">'
            '<p><button type="submit">Thử</button></p></form>'
        )
        if q:
            draft, live = await asyncio.to_thread(self._ask_both, q)
            body += '<div class="row">'
            body += _answer_html("Bản nháp", draft[0], draft[1])
            body += _answer_html("Đang phục vụ người dân", live[0], live[1])
            body += "</div>"
        return page("Thử câu hỏi", body, session=session)

    def _ask_both(
        self, q: str
    ) -> tuple[tuple[FaqAnswer, FaqService], tuple[FaqAnswer | None, FaqService | None]]:
        draft = self.bench.draft()
        live = self.bench.live()
        return (draft.ask(q), draft), ((live.ask(q), live) if live else (None, None))

    # -- inbox ---------------------------------------------------------------------------------

    def _clusters(self, account: Account) -> list[Cluster]:
        clusters = self.bench.inbox().clusters()
        return [c for c in clusters if account.is_admin or account.may_edit(c.domain)]

    async def inbox(self, request: Request, account: Account, session: Session) -> Response:
        del request
        clusters = await asyncio.to_thread(self._clusters, account)
        if not clusters:
            body = notice("Không còn câu hỏi nào chờ xử lý.")
            return page("Câu hỏi chưa trả lời", body, session=session)
        cards = []
        for cluster in clusters[:100]:
            cards.append(self._cluster_card(cluster, account, session))
        body = f"<p>{len(clusters)} nhóm câu hỏi (thông tin cá nhân đã được che).</p>" + "".join(
            cards
        )
        return page("Câu hỏi chưa trả lời", body, session=session)

    def _cluster_card(self, cluster: Cluster, account: Account, session: Session) -> str:
        items = "".join(
            f"<li>{esc(q.text)} <span class='muted'>({q.count} lượt)</span></li>"
            for q in cluster.questions
        )
        action = f"/admin/inbox/{cluster.key}"
        suggestion = cluster.suggestion
        target = suggestion.faq_id if suggestion else ""
        hint = (
            f"<p class='muted'>Mục gần nhất: <b>{esc(suggestion.faq_id)}</b> — "
            f"{esc(suggestion.question)} (điểm {suggestion.score:.3f})</p>"
            if suggestion
            else ""
        )
        accept = form(
            action,
            session.csrf,
            '<input type="hidden" name="action" value="accept">'
            "<label>Thêm làm cách hỏi mới của mục</label>"
            f'<input type="text" name="faq_id" value="{esc(target)}">'
            '<p><button type="submit">Chấp nhận</button></p>',
        )
        domains = "".join(
            f'<option value="{esc(d)}"{" selected" if d == cluster.domain else ""}>'
            f"{esc(d)}</option>"
            for d in self._domains(account)
        )
        new_entry = form(
            action,
            session.csrf,
            '<input type="hidden" name="action" value="new_entry">'
            f'<label>Tạo mục mới trong lĩnh vực</label><select name="domain">{domains}</select>'
            '<label>Mã mục</label><input type="text" name="faq_id">'
            '<label>Câu trả lời</label><textarea name="answer"></textarea>'
            '<label>Nguồn</label><input type="text" name="source">'
            '<p><button type="submit">Tạo mục mới</button></p>',
        )
        ignore = form(
            action,
            session.csrf,
            '<input type="hidden" name="action" value="ignore">'
            '<p><button type="submit">Bỏ qua (không hiện lại)</button></p>',
        )
        return (
            f'<div class="card cluster" data-key="{esc(cluster.key)}">'
            f"<h2>{esc(cluster.questions[0].text)}</h2>"
            f"<p>Lĩnh vực đoán: <b>{esc(cluster.domain or 'chưa rõ')}</b> · {cluster.count} lượt · "
            f"👎 {cluster.thumbs_down} · lần đầu {cluster.first_seen:%d/%m/%Y %H:%M} · "
            f"lần cuối {cluster.last_seen:%d/%m/%Y %H:%M} (UTC)</p><ul>{items}</ul>{hint}"
            f'<div class="row"><div>{accept}</div><div>{new_entry}</div>'
            f"<div>{ignore}</div></div></div>"
        )

    async def inbox_decide(self, request: Request, account: Account, session: Session) -> Response:
        del session
        key = request.path_params["key"][:40]
        action = field(request, "action", max_chars=20)
        await asyncio.to_thread(self._decide, key, action, account, request)
        return RedirectResponse("/admin/inbox", 303)

    def _decide(self, key: str, action: str, account: Account, request: Request) -> None:
        inbox = self.bench.inbox()
        cluster = inbox.find(key)
        draft_dir = self.bench.draft_dir
        store = self.bench.workspace.store
        faq_id = field(request, "faq_id", max_chars=120)
        if action == "accept":
            entry = self._draft_entry(faq_id)
            if entry is None:
                raise EditorialError(f"không có mục {faq_id!r} trong bản nháp; kiểm tra mã mục")
            if not account.may_edit(entry.domain):
                raise Denied(f"Tài khoản {account.name} không được sửa lĩnh vực {entry.domain!r}.")
            added = yamledit.add_phrasings(draft_dir, faq_id, cluster.texts)
            detail = f"{len(added)} cách hỏi mới từ hộp thư"
        elif action == "new_entry":
            domain = field(request, "domain", max_chars=60)
            if not account.may_edit(domain):
                raise Denied(f"Tài khoản {account.name} không được sửa lĩnh vực {domain!r}.")
            fields = {
                "id": faq_id,
                "questions": cluster.texts,
                "answer": field(request, "answer", max_chars=20_000),
                "source": field(request, "source", max_chars=2000),
                "updated": date.today(),
            }
            yamledit.add_entry(draft_dir, domain, fields)
            detail = f"mục mới trong {domain} từ hộp thư ({len(cluster.texts)} cách hỏi)"
        elif action == "ignore":
            if not (account.is_admin or account.may_edit(cluster.domain)):
                raise Denied("Bạn không được xử lý nhóm câu hỏi này.")
            detail = f"bỏ qua {cluster.count} lượt hỏi"
        else:
            raise EditorialError(f"thao tác {action!r} không hợp lệ")
        inbox.decide(cluster, action, author=account.name, faq_id=faq_id or None)
        store.audit(account.name, f"inbox_{action}", faq_id or cluster.key, detail)

    # -- publish / rollback --------------------------------------------------------------------

    async def publish_page(self, request: Request, account: Account, session: Session) -> Response:
        del request
        workspace = self.bench.workspace
        checked = await asyncio.to_thread(workspace.validate)
        versions = await asyncio.to_thread(workspace.versions)
        body = ""
        if checked.errors:
            items = "".join(f"<li><code>{esc(e)}</code></li>" for e in checked.errors)
            body += error("Bản nháp còn lỗi, chưa công bố được:", extra=f"<ul>{items}</ul>")
        else:
            body += notice(f"Bản nháp hợp lệ: {len(checked.corpus.entries)} mục.")
        body += form(
            "/admin/publish/new",
            session.csrf,
            '<label for="message">Ghi chú phiên bản</label>'
            '<input type="text" id="message" name="message">'
            '<p><button type="submit">Công bố bản nháp</button></p>',
        )
        rows = []
        for version in versions[:50]:
            rollback = ""
            if account.is_admin and not version.live:
                rollback = form(
                    "/admin/rollback",
                    session.csrf,
                    f'<input type="hidden" name="number" value="{version.number}">'
                    '<button type="submit">Quay lại bản này</button>',
                    inline=True,
                )
            rows.append(
                [
                    str(version.number) + (" (đang phục vụ)" if version.live else ""),
                    esc(f"{version.created_at:%d/%m/%Y %H:%M}"),
                    esc(version.author),
                    esc(version.message),
                    str(version.entries),
                    rollback,
                ]
            )
        body += "<h2>Các phiên bản</h2>" + table(
            ["Số", "Lúc (UTC)", "Người công bố", "Ghi chú", "Số mục", ""], rows
        )
        return page("Công bố", body, session=session)

    async def publish(self, request: Request, account: Account, session: Session) -> Response:
        message = field(request, "message", max_chars=500)
        workspace = self.bench.workspace
        started = time.monotonic()
        version = await asyncio.to_thread(workspace.publish, account.name, message)
        swap = await asyncio.to_thread(
            lambda: workspace.wait_for_servers(version.number, timeout_s=15, started=started)
        )
        body = notice(
            f"Đã công bố phiên bản {version.number} ({version.entries} mục). "
            f"{len(swap.swapped)}/{len(swap.servers)} máy chủ trả lời đã chuyển sang phiên bản "
            f"này sau {swap.elapsed_s:.1f} giây."
        )
        if swap.failed or swap.timed_out:
            body += error(
                "Có máy chủ chưa chuyển được sang phiên bản mới; người dân vẫn được phục vụ bằng "
                "phiên bản trước trên máy chủ đó. Xem /health của action server."
            )
        body += '<p><a href="/admin/publish">Về trang công bố</a></p>'
        return page("Đã công bố", body, session=session)

    async def rollback(self, request: Request, account: Account, session: Session) -> Response:
        if not account.is_admin:
            raise Denied("Chỉ quản trị viên được quay lại phiên bản cũ.")
        number = field(request, "number", max_chars=9)
        if not number.isdigit():
            raise EditorialError("số phiên bản không hợp lệ")
        version = await asyncio.to_thread(
            lambda: self.bench.workspace.rollback(int(number), author=account.name)
        )
        body = notice(f"Người dân đang được phục vụ phiên bản {version.number}.")
        return page(
            "Đã quay lại",
            body + '<p><a href="/admin/publish">Về trang công bố</a></p>',
            session=session,
        )

    # -- audit and statistics ------------------------------------------------------------------

    async def audit(self, request: Request, account: Account, session: Session) -> Response:
        del request, account
        rows = await asyncio.to_thread(self.bench.workspace.store.audit_log, limit=300)
        body = table(
            ["Lúc (UTC)", "Ai", "Việc", "Đối tượng", "Chi tiết"],
            [
                [
                    esc(f"{r.at:%d/%m/%Y %H:%M:%S}"),
                    esc(r.author),
                    esc(r.action),
                    esc(r.target),
                    esc(r.detail),
                ]
                for r in rows
            ],
        )
        return page("Nhật ký thay đổi", body, session=session)

    async def stats(self, request: Request, account: Account, session: Session) -> Response:
        try:
            days = max(1, min(int(request.query_params.get("days", "30")), 366))
        except ValueError:
            days = 30
        found = await asyncio.to_thread(statistics, self.bench.engine, days=days)
        clusters = await asyncio.to_thread(self._clusters, account)
        share = found.thumbs_up_share
        rates = " · ".join(
            f"{DECISION_NAMES[d]}: {found.rate(d):.0%}" for d in ("answer", "suggest", "decline")
        )
        body = (
            f'<div class="card"><p>{found.total} câu hỏi từ {found.since:%d/%m/%Y} đến '
            f"{found.until:%d/%m/%Y}. {esc(rates)}.</p><p>👍 {found.thumbs_up} · 👎 "
            f"{found.thumbs_down}"
            + (f" (tỷ lệ hài lòng {share:.0%})" if share is not None else "")
            + "</p></div>"
        )
        body += bar_chart(
            [(f"{d:%d/%m}", float(n)) for d, n in found.per_day], title="Câu hỏi mỗi ngày"
        )
        body += bar_chart(
            [(d or "chưa rõ", float(n)) for d, n in found.per_domain], title="Theo lĩnh vực"
        )
        body += bar_chart([(c, float(n)) for c, n in found.per_channel], title="Theo kênh")
        body += bar_chart(
            [(DECISION_NAMES.get(d, d), float(n)) for d, n in sorted(found.decisions.items())],
            title="Theo kết quả",
        )
        body += "<h2>Nhóm câu hỏi chưa trả lời nhiều nhất</h2>" + table(
            ["Câu hỏi", "Lĩnh vực", "Lượt"],
            [
                [esc(c.questions[0].text), esc(c.domain or "chưa rõ"), str(c.count)]
                for c in clusters[:10]
            ],
        )
        return page("Thống kê", body, session=session)
