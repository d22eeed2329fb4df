"""Services web app over real HTTP: widget files, charts (no traversal), health, gated webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from channels.app import create_app
from tests.channels.conftest import make_settings, serve

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("web")
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "grdp_2025.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(b"secret")
    settings = make_settings(
        tmp_path, "http://127.0.0.1:9", ASSISTANT_SOCKET_URL='http://x"><script>alert(1)</script>'
    )
    with serve(create_app(settings)) as url:
        yield url


def test_demo_page_embeds_widget_with_escaped_socket_url(app_url: str) -> None:
    page = httpx.get(app_url + "/").text
    assert '<script src="/widget.js"' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'data-max-chars="1000"' in page


@pytest.mark.parametrize(
    ("path", "media", "needle"),
    [
        ("/widget.js", "text/javascript", "session_request"),
        ("/widget.css", "text/css", ".tyw-root"),
        ("/vendor/socket.io.min.js", "text/javascript", "Socket.IO"),
        ("/widget-messages.json", "application/json", "Ý bạn là…?"),
    ],
)
def test_widget_assets_are_served(app_url: str, path: str, media: str, needle: str) -> None:
    response = httpx.get(app_url + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert needle in response.text


def test_chart_is_served_as_png(app_url: str) -> None:
    response = httpx.get(app_url + "/charts/grdp_2025.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG


@pytest.mark.parametrize(
    "path",
    [
        "/charts/../secret.png",
        "/charts/%2e%2e/secret.png",
        "/charts/..%2fsecret.png",
        "/charts/%2Fetc%2Fpasswd",
        "/charts/missing.png",
        "/charts/grdp_2025.PNG.txt",
    ],
)
def test_chart_traversal_and_missing_files_are_404(app_url: str, path: str) -> None:
    response = httpx.get(app_url + path)
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_health_lists_only_configured_channels(app_url: str) -> None:
    assert httpx.get(app_url + "/health").json() == {"status": "ok", "channels": ["web"]}


@pytest.mark.parametrize("path", ["/webhooks/telegram", "/webhooks/zalo"])
def test_unconfigured_webhooks_are_404(app_url: str, path: str) -> None:
    response = httpx.post(app_url + path, json={"update_id": 1})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/", "/health", "/widget.js", "/charts/none.png"])
def test_security_headers_on_every_response(app_url: str, path: str) -> None:
    headers = httpx.get(app_url + path).headers
    assert headers["x-content-type-options"] == "nosniff"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp
    assert "script-src 'self'" in csp
    assert "<script>" not in csp  # the odd socket URL of this fixture is left out


def test_frame_ancestors_and_socket_url_are_configurable(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        "http://127.0.0.1:9",
        ASSISTANT_FRAME_ANCESTORS="https://cong.tinh.gov.vn",
        ASSISTANT_SOCKET_URL="https://chat.tinh.gov.vn",
    )
    with TestClient(create_app(settings)) as client:
        csp = client.get("/").headers["content-security-policy"]
    assert "frame-ancestors https://cong.tinh.gov.vn" in csp
    assert "connect-src 'self' https://chat.tinh.gov.vn wss://chat.tinh.gov.vn" in csp
