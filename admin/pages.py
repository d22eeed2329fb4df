"""HTML of the admin page: one layout, small builders, inline SVG charts (no CDN, no JS needed).

Every dynamic string goes through :func:`esc`; the page carries a strict Content-Security-Policy
(no scripts at all), so even an escaped-wrongly string could not run code.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["bar_chart", "esc", "form", "layout", "table"]

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

_CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#0b4f8a;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;
flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header a:hover{text-decoration:underline}
header form{margin-left:auto}main{max-width:1100px;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #d6dae0;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef1f5}
.card{background:#fff;border:1px solid #d6dae0;border-radius:6px;padding:.8rem;margin:.8rem 0}
.error{background:#fde8e8;border:1px solid #e0a3a3;padding:.6rem;border-radius:6px}
.ok{background:#e6f4ea;border:1px solid #9fd3ad;padding:.6rem;border-radius:6px}
label{display:block;margin:.4rem 0 .1rem;font-weight:600}input[type=text],input[type=password],
textarea,select{width:100%;box-sizing:border-box;padding:.35rem;font:inherit}
textarea{min-height:6rem}button{padding:.35rem .8rem;font:inherit;cursor:pointer}
.row{display:flex;gap:1rem;flex-wrap:wrap}.row>*{flex:1 1 300px}.muted{color:#5b6570}
pre{white-space:pre-wrap}
"""

NAV = (
    ("/admin/", "Mục hỏi đáp"),
    ("/admin/domains", "Lĩnh vực"),
    ("/admin/test", "Thử câu hỏi"),
    ("/admin/inbox", "Câu hỏi chưa trả lời"),
    ("/admin/publish", "Công bố"),
    ("/admin/audit", "Nhật ký"),
    ("/admin/stats", "Thống kê"),
)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def layout(title: str, body: str, *, user: str | None = None, csrf: str = "") -> str:
    """A whole page; the menu and the logout button only when logged in."""
    nav = ""
    if user:
        links = "".join(f'<a href="{href}">{esc(text)}</a>' for href, text in NAV)
        logout = form(
            "/admin/logout", csrf, '<button type="submit">Đăng xuất</button>', inline=True
        )
        nav = f"{links}<span>Tài khoản: <b>{esc(user)}</b></span>{logout}"
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — Quản trị trợ lý ảo IOC</title><style>{_CSS}</style></head><body>"
        f"<header><b>Quản trị trợ lý ảo IOC</b>{nav}</header><main><h1>{esc(title)}</h1>"
        f"{body}</main></body></html>"
    )


def form(action: str, csrf: str, inner: str, *, inline: bool = False) -> str:
    """A POST form with the CSRF token."""
    style = ' style="display:inline"' if inline else ""
    return (
        f'<form method="post" action="{esc(action)}"{style}>'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">{inner}</form>'
    )


def table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table; cells are HTML already (escape them when building the rows)."""
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(
    points: Sequence[tuple[str, float]], *, title: str, width: int = 720, height: int = 220
) -> str:
    """An inline SVG bar chart (labels under the bars, value above each)."""
    if not points:
        return f'<p class="muted">{esc(title)}: chưa có dữ liệu.</p>'
    top = max(value for _, value in points) or 1.0
    pad, base = 24, height - 40
    step = (width - 2 * pad) / len(points)
    bar = max(step * 0.7, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{esc(title)}</title>'
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#888"/>'
    ]
    every = max(1, len(points) // 15)  # at most ~15 labels
    for index, (label, value) in enumerate(points):
        h = (base - 20) * (value / top)
        x = pad + index * step + (step - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="#0b6fbf"><title>{esc(label)}: {value:g}</title></rect>'
        )
        if value and len(points) <= 31:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - h - 3:.1f}" font-size="10" '
                f'text-anchor="middle">{value:g}</text>'
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 14}" font-size="10" '
                f'text-anchor="middle">{esc(label)}</text>'
            )
    parts.append("</svg>")
    return f'<figure class="card"><figcaption>{esc(title)}</figcaption>{"".join(parts)}</figure>'
