"""PNG trend charts (matplotlib Agg, DejaVu Sans) with content-addressed file names."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ioc.answer import format_number

__all__ = ["ChartSpec", "render_chart"]

logger = logging.getLogger(__name__)
_FONT = "DejaVu Sans"  # ships with matplotlib and covers Vietnamese diacritics


@dataclass(frozen=True)
class ChartSpec:
    title: str
    unit: str
    ticks: Sequence[str]
    current: Sequence[float | None]
    previous: Sequence[float | None]
    current_label: str
    previous_label: str
    footnote: str
    decimals: int = 0

    def digest(self) -> str:
        payload = json.dumps(self.__dict__, default=list, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def render_chart(spec: ChartSpec, out_dir: Path) -> Path:
    """Write (or reuse) the PNG for ``spec`` in ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{spec.digest()}.png"
    if path.exists() and path.stat().st_size > 0:
        return path
    # Figure + Agg canvas (no pyplot): no global state, safe in the action server's threads
    fig = Figure(figsize=(8, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(spec.ticks)))
    ax.plot(
        xs,
        [v if v is not None else float("nan") for v in spec.previous],
        color="#9aa5b1",
        linestyle="--",
        marker="o",
        markersize=3,
        label=spec.previous_label,
    )
    ax.plot(
        xs,
        [v if v is not None else float("nan") for v in spec.current],
        color="#0b6bcb",
        linewidth=2.2,
        marker="o",
        markersize=4,
        label=spec.current_label,
    )
    ax.set_xticks(xs, list(spec.ticks), rotation=45, ha="right", fontsize=8, family=_FONT)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: format_number(v, spec.decimals if abs(v) < 100 else 0))
    )
    ax.set_title(spec.title, fontsize=11, loc="left", family=_FONT)
    ax.set_ylabel(spec.unit, family=_FONT)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="best", prop={"family": _FONT, "size": 8})
    fig.text(0.01, 0.01, spec.footnote, fontsize=7, color="#7b8794", family=_FONT)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.2)
    tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
    fig.savefig(tmp, format="png")
    tmp.replace(path)
    logger.debug("chart written: %s", path)
    return path
