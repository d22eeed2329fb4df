"""Responses and requests of the admin page: the page response, errors, the posted form."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from admin.auth import Session
from admin.pages import CSP, esc, layout

__all__ = ["Denied", "error", "field", "notice", "page", "read_form"]

_MAX_FORM_BYTES = 200_000
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


class Denied(Exception):
    """The account may not do this (answered 403 with the message)."""


def page(
    title: str, body: str, *, session: Session | None = None, status: int = 200
) -> HTMLResponse:
    """A whole admin page (menu when logged in) with the security headers."""
    user = session.user if session else None
    html = layout(title, body, user=user, csrf=session.csrf if session else "")
    return HTMLResponse(html, status, headers=_HEADERS)


def error(text: str, *, extra: str = "") -> str:
    """An error box: ``text`` is escaped, ``extra`` is HTML already."""
    return f'<div class="error" role="alert">{esc(text)}{extra}</div>'


def notice(text: str) -> str:
    return f'<div class="ok" role="status">{esc(text)}</div>'


async def read_form(request: Request) -> FormData | None:
    """The posted form, or None when it is too big or not a form."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > _MAX_FORM_BYTES):
        return None
    try:
        return await request.form(max_files=0, max_fields=200)
    except (ValueError, AssertionError, KeyError):
        return None


def field(request: Request, name: str, *, max_chars: int = 5000) -> str:
    """A field of the form the guard read (stripped; '' when absent or too long)."""
    form: FormData | None = getattr(request.state, "form", None)
    value: Any = form.get(name) if form is not None else None
    if not isinstance(value, str) or len(value) > max_chars:
        return ""
    return value.strip()
