"""The admin page in headless Debian Chromium (Playwright) with the real bot behind the widget.

Log in (a wrong password first), a form without its CSRF token refused, another domain's entry
refused, add an entry, see it answered in the test pane as draft (not live), publish, ask the
bot through the widget and rate the answer 👍.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from inbox import store
from inbox.store import open_engine
from settings.services import load_settings
from tests.admin.conftest import (
    EDITOR,
    EDITOR_PASSWORD,
    SECRET,
    AdminApp,
    running_admin_app,
)
from tests.admin.test_admin_site import ENTRY, NEW_ID, NEW_QUESTION
from tests.channels.test_widget_browser import browser  # noqa: F401 (module fixture)
from tests.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def stack_admin(
    stack: Stack,
    tmp_path_factory: pytest.TempPathFactory,
    encoder,
) -> Iterator[AdminApp]:
    """The web app over the session stack's draft and database, with the admin page."""
    base = tmp_path_factory.mktemp("admin-browser")
    env = {
        **stack.env,
        "ASSISTANT_RASA_URL": stack.rasa.url,
        "ASSISTANT_SOCKET_URL": stack.rasa.url,
        "ASSISTANT_VAR_DIR": str(base / "var"),
        "ASSISTANT_ADMIN_SECRET": SECRET,
        "ASSISTANT_ADMIN_USERS_FILE": str(base / "admin_users.yml"),
        "ASSISTANT_RASA_TIMEOUT_S": "90",
    }
    with running_admin_app(load_settings(env), encoder) as app:
        yield app


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def _fill_entry(page: Page) -> None:
    page.select_option("#domain", "y_te")
    page.fill("#faq_id", NEW_ID)
    page.fill("#questions", ENTRY["questions"])
    page.fill("#answer", ENTRY["answer"])
    page.fill("#source", ENTRY["source"])
    page.click("form[action='/admin/entries/new'] button[type=submit]")


def _login(page: Page, url: str, password: str) -> None:
    page.goto(url + "/admin/")
    page.fill("#name", EDITOR)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_editor_adds_an_entry_previews_it_publishes_and_the_widget_answers(
    page: Page, stack_admin: AdminApp
) -> None:
    url = stack_admin.url
    _login(page, url, "mat-khau-sai-123")
    expect(page.locator(".error")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    _login(page, url, EDITOR_PASSWORD)
    expect(page.locator("h1")).to_have_text("Mục hỏi đáp")

    # a form whose CSRF token was removed is refused and changes nothing
    page.goto(url + "/admin/entries/new")
    page.evaluate(
        "document.querySelector(\"form[action='/admin/entries/new'] input[name=csrf]\").remove()"
    )
    _fill_entry(page)
    expect(page.locator(".error")).to_contain_text("CSRF")

    # an editor of y_te cannot open an entry of another domain
    other = next(e for e in stack_admin.workbench.draft().corpus.entries if e.domain != "y_te")
    page.goto(f"{url}/admin/entries/{other.id}")
    expect(page.locator("h1")).to_have_text("Không có quyền")

    # add the entry: the test pane answers it as draft, not yet live
    page.goto(url + "/admin/entries/new")
    _fill_entry(page)
    expect(page.locator("h1")).to_have_text("Thử câu hỏi")
    draft = page.locator('[data-pane="Bản nháp"]')
    expect(draft.locator(".decision")).to_have_text("trả lời")
    expect(draft).to_contain_text(NEW_ID)
    expect(page.locator('[data-pane="Đang phục vụ người dân"]')).not_to_contain_text(NEW_ID)

    # publish, then ask the bot through the widget
    page.goto(url + "/admin/publish")
    page.fill("#message", "Thêm mục giấy xác nhận khuyết tật")
    page.click("form[action='/admin/publish/new'] button[type=submit]")
    expect(page.locator(".ok")).to_contain_text("Đã công bố phiên bản")
    swapped = re.search(r"(\d+)/(\d+) máy chủ", page.locator(".ok").text_content() or "")
    assert swapped is not None
    assert swapped[1] == swapped[2] != "0"  # every running action server serves it already

    page.goto(url + "/")
    first_words = ENTRY["answer"][:40]
    bots = page.locator(".tyw-bot .tyw-bubble")
    for _attempt in range(10):  # the action servers swap within a second or two
        count = bots.count()
        page.locator(".tyw-input").fill(NEW_QUESTION)
        page.locator(".tyw-input").press("Enter")
        expect(bots).not_to_have_count(count)
        if first_words in (bots.last.text_content() or ""):
            break
        page.wait_for_timeout(1000)
    expect(page.locator(".tyw-bot .tyw-bubble").last).to_contain_text(first_words)

    # 👍 under the answer goes to the web app, never to Rasa
    page.locator(".tyw-button", has_text="👍").click()
    expect(page.locator(".tyw-bot .tyw-bubble").last).to_contain_text("Cảm ơn bạn đã góp ý")
    engine = open_engine(stack_admin.settings.stores.db_url)
    with engine.connect() as conn:
        waiting = conn.execute(select(func.count()).select_from(store.pending_feedback)).scalar()
    assert waiting  # no analytics consumer in this test: the vote waits for its turn row
