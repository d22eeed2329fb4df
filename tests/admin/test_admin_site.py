"""The admin page over HTTP: login, CSRF, roles, entries, test pane, publish, inbox, statistics."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import insert

from analytics.schema import TurnRecord, turns
from inbox.store import open_engine
from tests.admin.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    EDITOR,
    EDITOR_PASSWORD,
    AdminApp,
    csrf_of,
    login,
)

NEW_ID = "yte-chung-nhan-khuyet-tat"
NEW_QUESTION = "Xin giấy xác nhận mức độ khuyết tật ở đâu?"
ENTRY = {
    "domain": "y_te",
    "faq_id": NEW_ID,
    "questions": "\n".join(
        [
            NEW_QUESTION,
            "xin giay xac nhan khuyet tat o dau",
            "làm giấy xác nhận khuyết tật cần gì",
        ]
    ),
    "answer": "Bạn nộp đơn đề nghị xác định mức độ khuyết tật tại UBND cấp xã nơi cư trú; "
    "Hội đồng xác định mức độ khuyết tật cấp xã sẽ hẹn lịch đánh giá và cấp giấy xác nhận.",
    "source": "Luật Người khuyết tật 2010 — https://thuvienphapluat.vn",
    "updated": "2026-11-30",
}


def _pane(html: str, label: str) -> str:
    start = html.index(f'data-pane="{label}"')
    end = html.find('data-pane="', start + 10)
    return html[start : end if end > 0 else len(html)]


def test_login_refuses_wrong_password_missing_csrf_and_forged_cookies(
    admin_app: AdminApp,
) -> None:
    with admin_app.client() as client:
        first = client.get("/admin/")
        assert first.url.path == "/admin/login"
        assert "Đăng nhập" in first.text
        assert first.headers["content-security-policy"].startswith("default-src 'none'")
        wrong = login(client, EDITOR, "sai-mat-khau-123")
        assert wrong.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
        unknown = login(client, "khong-co", EDITOR_PASSWORD)
        assert unknown.status_code == 401
        no_csrf = client.post("/admin/login", data={"name": EDITOR, "password": EDITOR_PASSWORD})
        assert no_csrf.status_code == 403
        assert client.get("/admin/").url.path == "/admin/login"  # still logged out
        ok = login(client, EDITOR, EDITOR_PASSWORD)
        assert ok.status_code == 200
        assert ok.url.path == "/admin/"
        assert f"Tài khoản: <b>{EDITOR}</b>" in ok.text
        cookie = client.cookies.get("trolyao_admin")
        assert cookie
    with admin_app.client() as forger:
        forger.cookies.set("trolyao_admin", cookie[:-2] + "xx", path="/admin")
        assert forger.get("/admin/").url.path == "/admin/login"


def test_an_editor_of_one_domain_cannot_edit_another(admin_app: AdminApp) -> None:
    other = next(e for e in admin_app.workbench.draft().corpus.entries if e.domain == "giao_duc")
    with admin_app.client() as client:
        login(client, EDITOR, EDITOR_PASSWORD)
        listing = client.get("/admin/", params={"q": other.id})
        assert other.id in listing.text
        assert f'href="/admin/entries/{other.id}"' not in listing.text
        assert client.get(f"/admin/entries/{other.id}").status_code == 403
        token = csrf_of(client.get("/admin/entries/new").text)
        refused = client.post(
            "/admin/entries/new", data={**ENTRY, "domain": "giao_duc", "csrf": token}
        )
        assert refused.status_code == 403
        assert "không được sửa lĩnh vực" in refused.text
        edit = client.post(f"/admin/entries/{other.id}", data={**ENTRY, "csrf": token})
        assert edit.status_code == 403
        before = (admin_app.workbench.draft_dir / "y_te.yml").read_text(encoding="utf-8")
        no_csrf = client.post("/admin/entries/new", data=ENTRY)
        assert no_csrf.status_code == 403
        assert "CSRF" in no_csrf.text
        assert (admin_app.workbench.draft_dir / "y_te.yml").read_text(encoding="utf-8") == before
        assert (
            client.post("/admin/rollback", data={"csrf": token, "number": "1"}).status_code == 403
        )


def test_add_entry_shows_in_the_draft_pane_then_live_after_publish(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        login(client, EDITOR, EDITOR_PASSWORD)
        token = csrf_of(client.get("/admin/entries/new").text)
        bad = client.post("/admin/entries/new", data={**ENTRY, "source": "", "csrf": token})
        assert bad.status_code == 400
        assert "y_te.yml:" in bad.text
        saved = client.post("/admin/entries/new", data={**ENTRY, "csrf": token})
        assert saved.status_code == 200
        assert saved.url.path == "/admin/test"
        draft, live = _pane(saved.text, "Bản nháp"), _pane(saved.text, "Đang phục vụ người dân")
        assert "trả lời" in draft
        assert NEW_ID in draft
        assert NEW_ID not in live
        token = csrf_of(client.get("/admin/publish").text)
        published = client.post("/admin/publish/new", data={"csrf": token, "message": "thêm mục"})
        assert published.status_code == 200
        assert "Đã công bố phiên bản" in published.text
        after = client.get("/admin/test", params={"q": NEW_QUESTION}).text
        assert NEW_ID in _pane(after, "Đang phục vụ người dân")
        audit = client.get("/admin/audit").text
        assert "entry_add" in audit
        assert NEW_ID in audit
        assert EDITOR in audit


def test_inbox_accept_and_ignore_from_the_page(admin_app: AdminApp) -> None:
    engine = open_engine(admin_app.settings.stores.db_url)
    now = datetime.now(UTC)
    texts = [
        ("nhà nuôi chó có phải khai báo với phường không", "y_te"),
        ("nuôi chó trong nhà có phải đăng ký với ủy ban phường không", "y_te"),
        ("đổi bằng lái xe quốc tế ở đâu", "y_te"),
        ("cấp đổi giấy phép lái xe quốc tế cần gì", "y_te"),
        ("gọi 0912345678 hỏi học bổng mà không ai nghe", "giao_duc"),
    ]
    with engine.begin() as conn:
        for number, (text, domain) in enumerate(texts):
            record = TurnRecord(
                turn_id=f"adm-{number}",
                ts=now - timedelta(minutes=10 - number),
                sender="s",
                channel="web",
                role="citizen",
                decision="decline",
                text=text,
                guessed_domain=domain,
            )
            conn.execute(insert(turns).values(**{**asdict(record), "suggestions": []}))
    with admin_app.client() as client:
        login(client, EDITOR, EDITOR_PASSWORD)
        page = client.get("/admin/inbox").text
        cards = dict(
            re.findall(r'class="card cluster" data-key="([0-9a-f]+)"><h2>(.*?)</h2>', page)
        )
        assert len(cards) == 2  # giao_duc is not this editor's
        assert "học bổng" not in page
        assert "0912345678" not in page
        dogs = next(k for k, title in cards.items() if "chó" in title)
        rice = next(k for k in cards if k != dogs)
        token = csrf_of(page)
        ignored = client.post(f"/admin/inbox/{rice}", data={"csrf": token, "action": "ignore"})
        assert ignored.status_code == 200
        assert "bằng lái" not in ignored.text
        accepted = client.post(
            f"/admin/inbox/{dogs}",
            data={"csrf": token, "action": "accept", "faq_id": "yte-cho-meo-can-phong-dai"},
        )
        assert accepted.status_code == 200
        assert "Không còn câu hỏi nào" in accepted.text
    draft = (admin_app.workbench.draft_dir / "y_te.yml").read_text(encoding="utf-8")
    assert "nuôi chó trong nhà có phải đăng ký với ủy ban phường không" in draft
    with admin_app.client() as client:
        login(client, ADMIN, ADMIN_PASSWORD)
        page = client.get("/admin/inbox").text
        assert "học bổng" in page
        assert "0912345678" not in page
        stats = client.get("/admin/stats")
        assert stats.status_code == 200
        assert stats.text.count("<svg") == 4
        assert "Theo lĩnh vực" in stats.text


def test_bad_requests_are_4xx_not_5xx(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        login(client, ADMIN, ADMIN_PASSWORD)
        token = csrf_of(client.get("/admin/").text)
        assert client.get("/admin/entries/khong-co-muc-nay").status_code == 404
        assert (
            client.post("/admin/inbox/zzz", data={"csrf": token, "action": "ignore"}).status_code
            == 400
        )
        assert (
            client.post("/admin/rollback", data={"csrf": token, "number": "x"}).status_code == 400
        )
        assert (
            client.post("/admin/rollback", data={"csrf": token, "number": "99"}).status_code == 400
        )
        huge = client.post(
            "/admin/entries/new",
            content=b"a" * 300_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert huge.status_code == 403
        assert client.get("/admin/stats", params={"days": "abc"}).status_code == 200
    assert httpx.get(admin_app.url + "/admin/stats", follow_redirects=False).status_code == 303


def test_an_administrator_adds_a_domain_and_its_first_entry(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        login(client, EDITOR, EDITOR_PASSWORD)
        token = csrf_of(client.get("/admin/domains").text)
        form = {"csrf": token, "code": "nong_nghiep", "name": "Nông nghiệp"}
        assert client.post("/admin/domains/new", data=form).status_code == 403
        renamed = client.post("/admin/domains/giao_duc", data={"csrf": token, "name": "X"})
        assert renamed.status_code == 403
    with admin_app.client() as client:
        login(client, ADMIN, ADMIN_PASSWORD)
        token = csrf_of(client.get("/admin/domains").text)
        bad = client.post("/admin/domains/new", data={**form, "csrf": token, "code": "Nông"})
        assert bad.status_code == 400
        made = client.post(
            "/admin/domains/new", data={**form, "csrf": token, "agency": "Sở Nông nghiệp"}
        )
        assert made.url.path == "/admin/entries/new"
        assert '<option value="nong_nghiep" selected>' in made.text
        entry = {
            "csrf": token,
            "domain": "nong_nghiep",
            "faq_id": "nn-ho-tro-giong-sau-thien-tai",
            "questions": "Hỗ trợ giống cây trồng sau thiên tai nhận ở đâu?\n"
            "bão làm hỏng lúa thì xin hỗ trợ giống thế nào\n"
            "ho tro giong cay trong sau thien tai o dau",
            "answer": "Hộ bị thiệt hại nộp đơn đề nghị hỗ trợ tại UBND xã trong 15 ngày.",
            "source": "Nghị định 02/2017/NĐ-CP",
            "updated": "2026-01-05",
        }
        saved = client.post("/admin/entries/new", data=entry)
        assert "nn-ho-tro-giong-sau-thien-tai" in _pane(saved.text, "Bản nháp")
        domains = client.get("/admin/domains").text
        assert "nong_nghiep" in domains
        assert "chưa công bố" in domains
    text = (admin_app.workbench.draft_dir / "nong_nghiep.yml").read_text(encoding="utf-8")
    assert text.startswith("# FAQ — Nông nghiệp")  # the commented template kept
