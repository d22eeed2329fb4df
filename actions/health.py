"""The action server's ``/health``: 200 while the process serves, with what is degraded in JSON.

rasa-sdk answers ``{"status": "ok"}`` whatever happens; this answers the same route with the
services loaded, the FAQ's last reload (a failed one, e.g. disk full, keeps the old index
serving) and the IOC source's circuit, so an operator sees a failure the users do not.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from actions import runtime
from ioc.service import IocStatus
from retrieval.service import FaqStatus

__all__ = ["Health", "health_report", "install_health"]


class Health(TypedDict):
    status: Literal["ok", "degraded"]  # degraded: last FAQ reload failed or IOC circuit not closed
    services: dict[str, bool]  # service name -> loaded
    faq: FaqStatus | None
    ioc: IocStatus | None


def health_report() -> Health:
    """The report ``/health`` answers (only services already loaded are asked)."""
    faq = runtime.FAQ.get().status() if runtime.FAQ.loaded else None
    ioc = runtime.IOC.get().status() if runtime.IOC.loaded else None
    degraded = (faq is not None and faq["last_reload"] != "ok") or (
        ioc is not None and ioc["source"]["state"] != "closed"
    )
    return {
        "status": "degraded" if degraded else "ok",
        "services": {service.name: service.loaded for service in runtime.REGISTRY},
        "faq": faq,
        "ioc": ioc,
    }


def install_health(app: Sanic[Any, Any]) -> None:
    """Answer ``GET /health`` with :func:`health_report` (status 200: the process serves)."""

    @app.on_request
    async def health(request: Request) -> HTTPResponse | None:
        if request.method != "GET" or request.path != "/health":
            return None
        return json(health_report())
