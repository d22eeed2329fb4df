"""The web widget in headless Debian Chromium (Playwright) against Rasa's real socket.io channel."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from channels.app import create_app
from tests.channels.conftest import make_settings, serve
from tests.stack import RasaServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} missing: apt-get install -y chromium chromium-driver")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app_url(rasa: RasaServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = make_settings(
        tmp_path_factory.mktemp("widget"), rasa.url, ASSISTANT_SOCKET_URL=rasa.url
    )
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert dialogs == [], f"a script opened a dialog: {dialogs}"


def _bubbles(page: Page) -> list[str]:
    return page.locator(".tyw-bubble").all_text_contents()


def _send(page: Page, text: str) -> None:
    page.locator(".tyw-input").fill(text)
    page.locator(".tyw-input").press("Enter")


def test_ask_click_suggestion_reload_keeps_history(
    page: Page, app_url: str, rasa: RasaServer
) -> None:
    probe = [m for m in rasa.say("xin chào", sender="web-probe") if m.get("text")]
    page.goto(app_url + "/")
    _send(page, "xin chào")
    expect(page.locator(".tyw-user .tyw-bubble").last).to_have_text("xin chào")
    expect(page.locator(".tyw-bot .tyw-bubble").last).to_have_text(probe[-1]["text"])
    buttons = page.locator(".tyw-button:not([disabled])")
    expect(buttons).to_have_count(len(probe[-1]["buttons"]))
    assert buttons.all_text_contents() == [b["title"] for b in probe[-1]["buttons"]]

    bots_before = page.locator(".tyw-bot").count()
    title, payload = probe[-1]["buttons"][0]["title"], probe[-1]["buttons"][0]["payload"]
    buttons.first.click()
    expect(page.locator(".tyw-user .tyw-bubble").last).to_have_text(title)
    expect(page.locator(".tyw-bot")).not_to_have_count(bots_before)
    expect(page.locator(".tyw-typing")).to_be_hidden()
    session = page.locator(".tyw-root").get_attribute("data-session")
    assert session
    latest = rasa.latest_saved(session, payload)
    assert latest["text"] == payload  # the payload went to Rasa, the title was shown
    assert latest["metadata"] == {"channel": "web", "user_id": session}

    history = _bubbles(page)
    page.reload()
    expect(page.locator(".tyw-bubble")).to_have_count(len(history))
    assert _bubbles(page) == history
    expect(page.locator(".tyw-root")).to_have_attribute("data-session", session)


def test_html_in_a_message_is_shown_as_text_and_never_runs(page: Page, app_url: str) -> None:
    page.goto(app_url + "/")
    page.evaluate("window.__xss = 0")
    _send(page, XSS)
    expect(page.locator(".tyw-user .tyw-bubble").last).to_have_text(XSS)
    expect(page.locator(".tyw-bot")).not_to_have_count(1)  # the bot answered something
    assert page.locator(".tyw-log img").count() == 0
    assert page.locator(".tyw-log script").count() == 0
    assert page.evaluate("window.__xss") == 0
    page.reload()  # the stored transcript is rendered as text too
    expect(page.locator(".tyw-user .tyw-bubble").last).to_have_text(XSS)
    assert page.locator(".tyw-log img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_too_long_message_is_refused_in_vietnamese(page: Page, app_url: str) -> None:
    page.goto(app_url + "/")
    users_before = page.locator(".tyw-user").count()
    _send(page, "a" * 1001)
    expect(page.locator(".tyw-notice")).to_be_visible()
    expect(page.locator(".tyw-notice")).to_contain_text("1000 ký tự")
    assert page.locator(".tyw-user").count() == users_before


@contextlib.contextmanager
def _static_site(root: Path) -> Iterator[str]:
    """Another origin (a province portal) serving `root` over real HTTP."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_one_script_tag_embeds_the_widget_on_another_site_with_a_role_token(
    page: Page, app_url: str, rasa: RasaServer, tmp_path: Path
) -> None:
    (tmp_path / "portal.html").write_text(
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'></head><body>"
        "<h1>Cổng thông tin tỉnh</h1>"
        f"<script src='{app_url}/widget.js' data-socket-url='{rasa.url}'"
        " data-role-token='tok-123' data-storage-key='embed'></script></body></html>",
        encoding="utf-8",
    )
    with _static_site(tmp_path) as portal:
        page.goto(portal + "/portal.html")
        _embedded_conversation(page, rasa)


def _embedded_conversation(page: Page, rasa: RasaServer) -> None:
    page.locator(".tyw-launcher").click()  # closed by default on host pages
    _send(page, "xin chào")
    expect(page.locator(".tyw-bot")).not_to_have_count(1)
    session = page.locator(".tyw-root").get_attribute("data-session")
    metadata = rasa.latest_saved(str(session), "xin chào")["metadata"]
    assert metadata == {"channel": "web", "user_id": session, "role_token": "tok-123"}
