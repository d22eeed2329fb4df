"""PNG trend charts (matplotlib Agg, DejaVu Sans) with content-addressed file names.

A chart is reused while its file exists (its modification time is refreshed on every use), and
:class:`ChartPruner` keeps the folder bounded: charts unused for ``max_age_s`` go, then the
least recently used beyond ``max_files``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ioc.answer import format_number

__all__ = ["ChartPruner", "ChartSpec", "render_chart"]

logger = logging.getLogger(__name__)
_FONT = "DejaVu Sans"  # ships with matplotlib and covers Vietnamese diacritics
_TMP_MAX_AGE_S = 3600.0  # a half-written chart left by a crash


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


def render_chart(spec: ChartSpec, out_dir: Path, *, prefix: str = "") -> Path:
    """Write (or reuse) the PNG for ``spec`` in ``out_dir`` (named ``<prefix><digest>.png``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{prefix}{spec.digest()}.png"
    try:
        if path.stat().st_size > 0:
            os.utime(path)  # in use: the pruner removes the least recently used first
            return path
    except FileNotFoundError:
        pass  # not drawn yet, or pruned meanwhile
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


class ChartPruner:
    """Removes chart PNGs unused for ``max_age_s`` and the oldest beyond ``max_files``."""

    def __init__(
        self,
        charts_dir: Path,
        *,
        max_files: int,
        max_age_s: float,
        every_s: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.charts_dir = charts_dir
        self.max_files = max_files
        self.max_age_s = max_age_s
        self._every_s = every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0.0
        self._since = 0  # charts written since the last pruning

    def written(self) -> None:
        """Note one chart use; prune when due (every ``every_s``, or after max_files/10 uses)."""
        with self._lock:
            self._since += 1
            due = self._clock() >= self._next or self._since > self.max_files // 10
            if not due:
                return
            self._next, self._since = self._clock() + self._every_s, 0
        self.prune()

    def prune(self) -> int:
        """Remove what is over the bounds now; return how many files went."""
        now = self._clock()
        charts: list[tuple[float, Path]] = []
        removed = 0
        try:
            entries = list(os.scandir(self.charts_dir))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                mtime = entry.stat().st_mtime
            except FileNotFoundError:
                continue  # another process pruned it
            if entry.name.endswith(".png"):
                if now - mtime <= self.max_age_s:
                    charts.append((mtime, Path(entry.path)))
                    continue
            elif not (entry.name.endswith(".tmp") and now - mtime > _TMP_MAX_AGE_S):
                continue
            removed += _remove(Path(entry.path))
        charts.sort()
        for _, path in charts[: max(0, len(charts) - self.max_files)]:
            removed += _remove(path)
        if removed:
            logger.info("charts pruned: %d file(s) removed from %s", removed, self.charts_dir)
        return removed


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError as exc:
        logger.warning("cannot remove old chart %s: %s", path, exc)
        return 0
    return 1
