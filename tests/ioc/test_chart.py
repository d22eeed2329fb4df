"""Charts: PNG written to the charts dir, content-addressed, right size, attached as a URL."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

from ioc_testkit import TODAY, make_service
from PIL import Image

from ioc.chart import ChartPruner, ChartSpec, render_chart
from ioc.service import IocService, end_of
from settings.services import load_settings


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
    before = first.stat()
    os.utime(first, (before.st_atime - 3600, before.st_mtime - 3600))
    assert render_chart(spec, tmp_path) == first
    after = first.stat()
    assert after.st_ino == before.st_ino  # reused, not drawn again (a new file is a new inode)
    assert after.st_mtime > before.st_mtime - 60  # marked as used: the pruner keeps it longest
    other = render_chart(replace(spec, title="Doanh thu du lịch – Côn Đảo"), tmp_path)
    assert other != first
    assert len(list(tmp_path.glob("*.png"))) == 2


def _aged(path: Path, age_s: float) -> Path:
    path.write_bytes(b"\x89PNG" + path.name.encode())
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_pruner_removes_unused_charts_then_the_least_recently_used(tmp_path: Path) -> None:
    old = _aged(tmp_path / "old.png", 8 * 86400)
    recent = [_aged(tmp_path / f"c{i}.png", 3600 * (10 - i)) for i in range(10)]  # c9 newest
    crash_left = _aged(tmp_path / "x.123.tmp", 2 * 3600)
    fresh_tmp = _aged(tmp_path / "y.456.tmp", 5)  # being written right now
    other = _aged(tmp_path / "notes.txt", 30 * 86400)  # not ours
    pruner = ChartPruner(tmp_path, max_files=4, max_age_s=7 * 86400)
    assert pruner.prune() == 1 + 6 + 1
    assert not old.exists()
    assert not crash_left.exists()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [p.name for p in recent[6:]]
    assert fresh_tmp.exists()
    assert other.exists()
    assert pruner.prune() == 0


def test_service_keeps_the_charts_folder_bounded(seeded_db: Path, tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    settings = load_settings(
        {
            "ASSISTANT_IOC_DB_URL": f"sqlite:///{seeded_db}",
            "ASSISTANT_CHARTS_DIR": str(charts),
            "ASSISTANT_CHARTS_MAX_FILES": "2",
        }
    )
    service = make_service(settings)
    images = []
    for question in ("aqi hôm qua ở Phú Mỹ", "cpi tháng 3", "lượt khách du lịch năm 2023"):
        reply = service.ask(question, today=TODAY, now=end_of(TODAY), role="staff")
        assert reply.image is not None
        images.append(reply.image.rsplit("/", 1)[1])
    assert sorted(p.name for p in charts.glob("*.png")) == sorted(images[1:])  # oldest went
