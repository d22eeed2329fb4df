"""Understanding of real citizens on the independent set: ``bin/assistant eval understanding``.

Every sentence goes through ``bin/assistant ask --json`` (the bot's own pipeline: trained Rasa
model, EmergencyGuard, action server, retrieval, IOC), in two batches (citizen role, then staff
role), so the numbers are the bot's. Scoring follows data/eval/understanding/README.md:

- citizen: answered (an FAQ entry, an indicator value or another non-fallback reply that is not
  a suggestion list; no emergency) in one of the accepted domains. ``lenient`` also counts a
  suggestion list in an accepted domain.
- out_of_scope: declined (``fallback`` true, not an emergency); small talk counts as wrong.
- staff: indicator code, period start/end and area all equal; a ``null`` period (none asked)
  accepts the latest period the bot chose.
- emergency: the turn's intent is ``emergency``.

Misses are printed for the ``dev`` split only: ``test`` is for numbers, never for tuning.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from settings.defaults import REPO_ROOT
from settings.services import get_settings
from tools.evaluation.understanding_set import SPLITS, EvalItem, EvalSet, load_set
from vitext import fold, has_diacritics

__all__ = ["main", "run_pipeline", "score"]

Result = dict[str, Any]


def run_pipeline(texts: Sequence[str], *, role: str, now: str) -> list[Result]:
    """Answer ``texts`` with ``bin/assistant ask --json`` (one process, one action server)."""
    if not texts:
        return []
    cmd = [str(REPO_ROOT / "bin" / "assistant"), "ask", "--json", "--now", now, "--role", role]
    out = subprocess.run(
        cmd,
        input="".join(f"{t}\n" for t in texts),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ASSISTANT_ACTIONS_URL": ""},
    )
    results = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if out.returncode != 0 or len(results) != len(texts):
        raise RuntimeError(
            f"bin/assistant ask exited {out.returncode} with {len(results)}/{len(texts)} "
            f"answers: {out.stderr[-2000:]}"
        )
    return results


def _is_emergency(r: Result) -> bool:
    return r.get("intent") == "emergency"


def _answered(r: Result) -> bool:
    """A real answer: an FAQ entry, an indicator value, or another non-fallback reply in a
    domain that is not a list of FAQ suggestions (e.g. "no such figure; here is what I have")."""
    if r.get("fallback") or _is_emergency(r):
        return False
    if r.get("faq_id") or r.get("indicator"):
        return True
    return bool(r.get("domain")) and not r.get("suggestions")


def _suggested(r: Result) -> bool:
    return not r.get("fallback") and not _is_emergency(r) and bool(r.get("suggestions"))


def _rejected(r: Result) -> bool:
    return bool(r.get("fallback")) and not _is_emergency(r)


def _rate(hits: int, n: int) -> dict[str, Any]:
    return {"n": n, "correct": hits, "rate": round(hits / n, 4) if n else None}


def _by(items: Iterable[tuple[str, bool]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for key, ok in items:
        groups[key].append(ok)
    return {k: _rate(sum(v), len(v)) for k, v in sorted(groups.items())}


def _staff_ok(item: EvalItem, r: Result) -> bool:
    slot = r.get("indicator") or {}
    period = slot.get("period") or {}
    labels = item.labels
    if slot.get("code") != labels.get("code"):
        return False
    if (slot.get("area") or {}).get("code") != labels.get("area"):
        return False
    if labels.get("start") is None and labels.get("end") is None:
        return True
    return (period.get("start"), period.get("end")) == (
        str(labels.get("start")),
        str(labels.get("end")),
    )


def _brief(r: Result) -> dict[str, Any]:
    keys = ("intent", "intent_confidence", "domain", "faq_id", "indicator", "fallback")
    return {k: r.get(k) for k in keys}


def score(pairs: Sequence[tuple[EvalItem, Result]], *, with_misses: bool) -> dict[str, Any]:
    """All metrics of the report from (item, ask --json result) pairs."""
    by_kind: dict[str, list[tuple[EvalItem, Result]]] = defaultdict(list)
    for item, r in pairs:
        by_kind[item.kind].append((item, r))
    report: dict[str, Any] = {}
    misses: list[dict[str, Any]] = []

    def miss(item: EvalItem, r: Result, why: str) -> None:
        if with_misses:
            misses.append(
                {"file": item.kind, "why": why, "text": item.text, **item.labels, "got": _brief(r)}
            )

    cit = by_kind["citizen"]
    strict, lenient = [], []
    for item, r in cit:
        ok_domain = r.get("domain") in item.labels.get("domains", [])
        strict.append(_answered(r) and ok_domain)
        lenient.append((_answered(r) or _suggested(r)) and ok_domain)
        if not strict[-1]:
            why = (
                "emergency"
                if _is_emergency(r)
                else "rejected"
                if _rejected(r)
                else "suggested"
                if not _answered(r)
                else "wrong_domain"
            )
            miss(item, r, why)
    plain = [ok for (i, _), ok in zip(cit, strict, strict=True) if has_diacritics(i.text)]
    bare = [ok for (i, _), ok in zip(cit, strict, strict=True) if not has_diacritics(i.text)]
    report["citizen"] = {
        "routing": _rate(sum(strict), len(strict)),
        "routing_lenient": _rate(sum(lenient), len(lenient)),
        "routing_with_diacritics": _rate(sum(plain), len(plain)),
        "routing_without_diacritics": _rate(sum(bare), len(bare)),
        "false_rejection": _rate(sum(_rejected(r) for _, r in cit), len(cit)),
        "false_emergency": _rate(sum(_is_emergency(r) for _, r in cit), len(cit)),
        "by_style": _by(
            (i.labels.get("style", "?"), ok) for (i, _), ok in zip(cit, strict, strict=True)
        ),
        "by_need": _by(
            (i.labels.get("need", "?"), ok) for (i, _), ok in zip(cit, strict, strict=True)
        ),
    }
    oos = by_kind["out_of_scope"]
    for item, r in oos:
        if not _rejected(r):
            miss(item, r, "answered")
    report["out_of_scope"] = {
        "rejection": _rate(sum(_rejected(r) for _, r in oos), len(oos)),
        "by_category": _by((i.labels.get("category", "?"), _rejected(r)) for i, r in oos),
        "by_style": _by((i.labels.get("style", "?"), _rejected(r)) for i, r in oos),
    }
    emg = by_kind["emergency"]
    tp = sum(1 for i, r in emg if i.labels.get("emergency") and _is_emergency(r))
    fp = sum(1 for i, r in emg if not i.labels.get("emergency") and _is_emergency(r))
    pos = sum(1 for i, _ in emg if i.labels.get("emergency"))
    for item, r in emg:
        if bool(item.labels.get("emergency")) != _is_emergency(r):
            miss(item, r, "missed" if item.labels.get("emergency") else "false_alarm")
    report["emergency"] = {
        "recall": round(tp / pos, 4) if pos else None,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "true": pos,
        "false": len(emg) - pos,
        "false_alarms": fp,
        "false_alarm_by_category": _by(
            (i.labels.get("category", "?"), _is_emergency(r))
            for i, r in emg
            if not i.labels.get("emergency")
        ),
        "recall_without_diacritics": _rate(
            sum(
                _is_emergency(r)
                for i, r in emg
                if i.labels.get("emergency") and not has_diacritics(i.text)
            ),
            sum(1 for i, _ in emg if i.labels.get("emergency") and not has_diacritics(i.text)),
        ),
    }
    staff = by_kind["staff"]
    oks = [_staff_ok(i, r) for i, r in staff]
    for (item, r), ok in zip(staff, oks, strict=True):
        if not ok:
            miss(item, r, "indicator")
    report["staff"] = {
        "exact": _rate(sum(oks), len(oks)),
        "without_diacritics": _rate(
            sum(ok for (i, _), ok in zip(staff, oks, strict=True) if not has_diacritics(i.text)),
            sum(1 for i, _ in staff if not has_diacritics(i.text)),
        ),
    }
    if with_misses:
        report["misses"] = misses
    return report


def evaluate(
    data: EvalSet, split: str, *, fold_citizen: bool = False, dump: Path | None = None
) -> dict[str, Any]:
    """Run the pipeline once on ``split`` and score each half apart (misses only for ``dev``).

    ``dump`` writes the raw answers of the ``dev`` half (JSON Lines: file, text, labels, answer)
    for offline analysis and calibration; the ``test`` half is never dumped.
    """
    now = data.reference_date.isoformat()
    as_citizen = [i for i in data.select(split) if i.kind != "staff"]
    if fold_citizen:
        as_citizen = [EvalItem(i.kind, fold(i.text), i.labels, i.split) for i in as_citizen]
    as_staff = data.select(split, "staff")
    results = run_pipeline([i.text for i in as_citizen], role="citizen", now=now)
    results += run_pipeline([i.text for i in as_staff], role="staff", now=now)
    pairs = list(zip(as_citizen + as_staff, results, strict=True))
    if dump is not None:
        with dump.open("w", encoding="utf-8") as out:
            for item, r in pairs:
                if item.split == "dev":
                    row = {"file": item.kind, "text": item.text, **item.labels, "got": r}
                    out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    # a development-only set (files saying ``split: dev``) has no test half to report
    halves = tuple(
        h for h in ("dev", "test") if split in ("all", h) and any(i.split == h for i, _ in pairs)
    )
    return {
        "folded": fold_citizen,
        "splits": {
            half: score(
                [(i, r) for i, r in pairs if i.split == half],
                with_misses=half == "dev",
            )
            for half in halves
        },
    }


def _print(split: str, report: dict[str, Any], folded: bool) -> None:
    def pct(m: dict[str, Any]) -> str:
        return "n/a" if m["rate"] is None else f"{m['rate']:.3f} ({m['correct']}/{m['n']})"

    c, o, e, s = (report[k] for k in ("citizen", "out_of_scope", "emergency", "staff"))
    print(f"== split {split}{' (folded)' if folded else ''}")
    print(f"citizen routing          {pct(c['routing'])}  lenient {pct(c['routing_lenient'])}")
    print(f"  with diacritics        {pct(c['routing_with_diacritics'])}")
    print(f"  without diacritics     {pct(c['routing_without_diacritics'])}")
    print(f"  false rejection        {pct(c['false_rejection'])}")
    print(f"  false emergency        {pct(c['false_emergency'])}")
    for style, m in c["by_style"].items():
        print(f"  style {style:<17}{pct(m)}")
    for need, m in c["by_need"].items():
        print(f"  need {need:<18}{pct(m)}")
    print(f"out-of-scope rejection   {pct(o['rejection'])}")
    for cat, m in o["by_category"].items():
        print(f"  {cat:<23}{pct(m)}")
    print(
        f"emergency recall {e['recall']}  precision {e['precision']}  "
        f"(false alarms {e['false_alarms']}/{e['false']})"
    )
    for cat, m in e["false_alarm_by_category"].items():
        print(f"  false alarms {cat:<10}{m['correct']}/{m['n']}")
    print(f"staff indicator exact    {pct(s['exact'])}  unaccented {pct(s['without_diacritics'])}")
    for m in report.get("misses", []):
        print(f"  [{m['file']}:{m['why']}] {m['text']!r} -> {m['got']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/assistant eval understanding",
        description="Đánh giá hiểu câu hỏi thật của người dân trên bộ độc lập "
        "data/eval/understanding (định tuyến, ngoài phạm vi, khẩn cấp, chỉ tiêu cán bộ).",
    )
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="dev",
        help="nửa dev (được xem lỗi), nửa test (chỉ số liệu) hoặc all",
    )
    parser.add_argument(
        "--fold", action="store_true", help="bỏ dấu mọi câu của người dân trước khi hỏi"
    )
    parser.add_argument("--data-dir", type=Path, help="thư mục bộ đánh giá")
    parser.add_argument("--json", action="store_true", help="in báo cáo JSON")
    parser.add_argument(
        "--dump", type=Path, help="ghi câu trả lời thô của nửa dev (JSON Lines) vào tệp này"
    )
    args = parser.parse_args(argv)
    folder = args.data_dir or get_settings().paths.data_dir / "eval" / "understanding"
    try:
        data = load_set(folder)
        report = evaluate(data, args.split, fold_citizen=args.fold, dump=args.dump)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"evaluation failed: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        for split, part in report["splits"].items():
            _print(split, part, report["folded"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
