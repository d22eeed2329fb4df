"""Charts: PNG written to the charts dir, content-addressed, right size, attached as a URL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ioc_testkit import TODAY
from PIL import Image

from ioc.chart import ChartSpec, render_chart
from ioc.service import IocService, end_of


def test_answer_attaches_chart_url_of_an_existing_png(session_service: IocService) -> None:
    reply = session_service.ask(
        "số ca sốt xuất huyết tuần trước ở Xuyên Mộc", today=TODAY, now=end_of(TODAY), role="staff"
    )
    assert reply.image is not None
    assert reply.image.startswith("http://127.0.0.1:8080/charts/")
    assert reply.image.endswith(".png")
    path = session_service.charts_dir / reply.image.rsplit("/", 1)[1]
    assert path.stat().st_size > 10_000
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (800, 420))


def test_same_content_same_file_and_different_content_new_file(tmp_path: Path) -> None:
    spec = ChartSpec(
        title="Lượt khách du lịch – Côn Đảo",
        unit="lượt khách",
        ticks=[f"T{m}/24" for m in range(1, 13)],
        current=[float(m) for m in range(12)],
        previous=[None, *[float(m) for m in range(11)]],
        current_label="12 kỳ gần nhất",
        previous_label="Cùng kỳ năm trước",
        footnote="Sở Du lịch",
    )
    first = render_chart(spec, tmp_path)
    mtime = first.stat().st_mtime_ns
    assert render_chart(spec, tmp_path) == first
    assert first.stat().st_mtime_ns == mtime
    other = render_chart(replace(spec, title="Doanh thu du lịch – Côn Đảo"), tmp_path)
    assert other != first
    assert len(list(tmp_path.glob("*.png"))) == 2
