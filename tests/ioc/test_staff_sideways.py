"""No staff data sideways: choices and chart links a citizen sees never reveal staff-only items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from ioc_testkit import make_service, make_settings

from channels.app import create_app
from ioc.charturl import STAFF_PREFIX, ChartSigner
from ioc.service import IocService, end_of
from tests.channels.conftest import serve

TODAY = date(2024, 6, 15)
SECRET = "chart-secret-for-tests"


def _ask(service: IocService, text: str, role: str):  # type: ignore[no-untyped-def]
    return service.ask(text, today=TODAY, now=end_of(TODAY), role=role)


def test_citizen_choices_never_name_staff_only_indicators(session_service: IocService) -> None:
    staff = _ask(session_service, "hồ sơ tháng 5 ở Phú Mỹ", "staff")
    assert "dossiers_overdue" in {c.code for c in staff.choices}
    citizen = _ask(session_service, "hồ sơ tháng 5 ở Phú Mỹ", "citizen")
    # the public choices only; when one is left it is answered directly
    assert citizen.choices or "hồ sơ" in citizen.text.lower()
    assert not citizen.fallback
    assert "dossiers_overdue" not in {c.code for c in citizen.choices}
    assert "trễ hạn" not in citizen.text
    assert all("trễ hạn" not in c.title for c in citizen.choices)
    for choice in citizen.choices:  # and the buttons themselves answer
        assert session_service.catalog.get(choice.code).audience != "staff"


def test_staff_only_question_gets_a_refusal_without_choices_or_chart(
    session_service: IocService,
) -> None:
    reply = _ask(session_service, "số vụ phạm pháp hình sự tháng 5", "citizen")
    assert reply.choices == ()
    assert reply.image is None


def test_staff_chart_link_is_signed_and_public_chart_plain(db_path: Path, tmp_path: Path) -> None:
    settings = make_settings(db_path, tmp_path / "charts")
    settings = settings.model_copy(
        update={"ioc": settings.ioc.model_copy(update={"chart_url_secret": SECRET})}
    )
    service = make_service(settings)
    staff = _ask(service, "số vụ phạm pháp hình sự tháng 5 ở Vũng Tàu", "staff")
    public = _ask(service, "số vụ tai nạn giao thông tháng 5", "citizen")
    assert staff.image
    assert public.image
    staff_name, query = staff.image.rsplit("/", 1)[1].split("?")
    assert staff_name.startswith(STAFF_PREFIX)
    assert "exp=" in query and "sig=" in query  # noqa: PT018
    assert "?" not in public.image
    assert not public.image.rsplit("/", 1)[1].startswith(STAFF_PREFIX)
    # without a secret a staff answer carries no chart at all
    no_secret = make_service(make_settings(db_path, tmp_path / "charts2"))
    assert _ask(no_secret, "số vụ phạm pháp hình sự tháng 5 ở Vũng Tàu", "staff").image is None

    # the web app serves the staff chart only with a valid, unexpired signature
    web = settings.model_copy(
        update={
            "web": settings.web.model_copy(update={"rasa_url": "http://127.0.0.1:9"}),
        }
    )
    with serve(create_app(web, channel_types=[])) as url:
        signed = httpx.get(f"{url}/charts/{staff_name}?{query}")
        assert signed.status_code == 200
        assert signed.content.startswith(b"\x89PNG")
        assert signed.headers["cache-control"] == "private, no-store"
        expired = ChartSigner(SECRET, 1).query(staff_name, now=0)
        forged = ChartSigner("another-secret", 3600).query(staff_name)
        other = query.replace(query[-4:], "0000") if not query.endswith("0000") else "sig=1"
        for bad in ("", "exp=99999999999", expired, forged, other, "exp=ắ&sig=ắ", "exp=1e9"):
            response = httpx.get(f"{url}/charts/{staff_name}?{bad}")
            assert response.status_code == 403, (bad, response.status_code)
        public_name = public.image.rsplit("/", 1)[1]
        assert httpx.get(f"{url}/charts/{public_name}").status_code == 200


def test_signer_checks_without_a_secret_refuse_staff_charts() -> None:
    signer = ChartSigner("", 60)
    assert signer.allows("abc.png", {})
    assert not signer.allows(f"{STAFF_PREFIX}abc.png", {"exp": "9999999999", "sig": "x"})
    with pytest.raises(ValueError, match="secret"):
        signer.query(f"{STAFF_PREFIX}abc.png")
    good = ChartSigner(SECRET, 60)
    params = dict(p.split("=") for p in good.query("s-a.png", now=1000).split("&"))
    assert good.allows("s-a.png", params, now=1030)
    assert not good.allows("s-a.png", params, now=1061)
    assert not good.allows("s-b.png", params, now=1030)  # signature is per file
