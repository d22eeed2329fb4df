"""Admin page fixtures: settings with accounts, a draft copy, the real encoder, a running app."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from admin.accounts import save_account
from admin.site import AdminSite
from admin.workbench import Workbench
from channels.app import create_app
from retrieval.index import EncoderLike
from settings.defaults import REPO_ROOT
from settings.services import Settings, load_settings
from tests.channels.conftest import serve
from tests.retrieval.conftest import (  # noqa: F401 (session fixtures re-used here)
    converted_model_dir,
    encoder,
    paths,
    retrieval_settings,
)

EDITOR, EDITOR_PASSWORD = "lan", "mat-khau-bien-tap-1"
ADMIN, ADMIN_PASSWORD = "quantri", "mat-khau-quan-tri-1"
SECRET = "admin-test-secret-0123456789"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def admin_env(base: Path, *, rasa_url: str = "http://127.0.0.1:9", **extra: str) -> dict[str, str]:
    """Environment of a web app with the admin page over a copy of data/faq under ``base``."""
    faq = base / "faq"
    if not faq.exists():
        shutil.copytree(REPO_ROOT / "data" / "faq", faq)
    return {
        "ASSISTANT_RASA_URL": rasa_url,
        "ASSISTANT_VAR_DIR": str(base / "var"),
        "ASSISTANT_CHARTS_DIR": str(base / "charts"),
        "ASSISTANT_FAQ_DIR": str(faq),
        "ASSISTANT_FAQ_INDEX_DIR": str(REPO_ROOT / "var" / "faq_index"),
        "ASSISTANT_ADMIN_SECRET": SECRET,
        "ASSISTANT_ADMIN_USERS_FILE": str(base / "admin_users.yml"),
        **extra,
    }


def add_accounts(settings: Settings) -> None:
    path = settings.admin.users_file
    save_account(path, EDITOR, EDITOR_PASSWORD, role="editor", domains=["y_te"])
    save_account(path, ADMIN, ADMIN_PASSWORD, role="admin", domains=[])


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match[1]


def login(client: httpx.Client, name: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/admin/login").text)
    return client.post("/admin/login", data={"csrf": token, "name": name, "password": password})


@dataclass
class AdminApp:
    url: str
    settings: Settings
    workbench: Workbench

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, follow_redirects=True)


@contextlib.contextmanager
def running_admin_app(settings: Settings, shared: EncoderLike) -> Iterator[AdminApp]:
    """The web app (every configured channel + /admin) on a free port, sharing an encoder."""
    add_accounts(settings)
    workbench = Workbench(settings, encoder_factory=lambda _: shared)
    site = AdminSite(settings, workbench=workbench)

    class _Configured(AdminSite):
        @classmethod
        def from_settings(cls, settings: Settings) -> AdminSite:  # type: ignore[override]
            return site

    from channels.registry import CHANNEL_TYPES

    types = (*tuple(t for t in CHANNEL_TYPES if t is not AdminSite), _Configured)
    with serve(create_app(settings, channel_types=types)) as url:
        yield AdminApp(url, settings, workbench)
    workbench.close()


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory: pytest.TempPathFactory, encoder) -> Iterator[AdminApp]:  # noqa: F811
    """One app per test module (the draft retriever loads once); tests share its draft."""
    settings = load_settings(admin_env(tmp_path_factory.mktemp("admin")))
    with running_admin_app(settings, encoder) as app:
        yield app
