"""Request bodies of the web app's webhooks: capped before they are read, parsed defensively."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request

__all__ = ["BodyTooLarge", "MalformedBody", "parse_object", "read_capped"]


class BodyTooLarge(ValueError):
    """The body is larger than the cap (answer 413)."""


class MalformedBody(ValueError):
    """The body is not one JSON object (answer 400); the message says why."""


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The raw body, read chunk by chunk and abandoned as soon as it exceeds ``max_bytes``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"body of {declared} bytes (max {max_bytes})")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLarge(f"body over {max_bytes} bytes")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise MalformedBody("the client went away before the body was complete") from exc
    return b"".join(chunks)


def parse_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object; deep nesting, bad UTF-8 or another type raise MalformedBody."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: deeply nested arrays
        raise MalformedBody(f"not JSON: {exc.__class__.__name__}") from None
    if not isinstance(parsed, dict):
        raise MalformedBody("not a JSON object")
    return parsed
