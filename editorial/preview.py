"""``faq preview "câu hỏi"``: what the draft and the live version would answer, and why.

Both sides are searched exactly as the action server does (same encoder, strategy, thresholds
and abbreviations). Vectors are reused from the action servers' saved index where the phrasings
are unchanged, so only new or edited entries are embedded.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

from editorial.store import files_digest
from editorial.workspace import Workspace
from retrieval.corpus import load_corpus
from retrieval.decision import Decision, Thresholds, decide
from retrieval.index import EncoderLike, FaqIndex, IndexStoreError
from retrieval.search import FaqSearcher
from settings.services import Settings
from vitext import load_abbreviations, nfc

__all__ = ["Previewer", "explain", "render"]

logger = logging.getLogger(__name__)
_HITS = 5


def explain(decision: Decision, thresholds: Thresholds) -> str:
    """Why the decision was taken, in Vietnamese, with the scores and the thresholds."""
    t = thresholds.for_route(decision.route)
    score, margin = decision.evidence, decision.margin
    if decision.kind == "answer":
        if decision.related:
            return (
                f"điểm {score:.3f} ≥ ngưỡng trả lời {t.answer_min:.3f}; mục kế tiếp gần "
                f"({margin:.3f} < {t.margin_min:.3f}): trả lời và gợi ý thêm các mục gần"
            )
        return (
            f"điểm {score:.3f} ≥ ngưỡng trả lời {t.answer_min:.3f} và hơn mục kế tiếp "
            f"{margin:.3f} ≥ {t.margin_min:.3f}: trả lời thẳng"
        )
    if decision.kind == "suggest":
        if score >= t.answer_min:
            return (
                f"điểm {score:.3f} đủ trả lời nhưng chỉ hơn mục kế tiếp {margin:.3f} "
                f"< {t.margin_min:.3f}: hỏi lại 'Ý bạn là…?' (các mục quá giống nhau)"
            )
        return (
            f"điểm {score:.3f} < ngưỡng trả lời {t.answer_min:.3f} nhưng ≥ ngưỡng gợi ý "
            f"{t.suggest_min:.3f}: gợi ý 'Ý bạn là…?'"
        )
    if decision.score == 0.0:
        return "không mục nào khớp: từ chối lịch sự và nói bot làm được gì"
    return (
        f"điểm {score:.3f} < ngưỡng gợi ý {t.suggest_min:.3f}: từ chối lịch sự "
        "(thêm cách hỏi này vào một mục nếu đáng lẽ phải trả lời)"
    )


class Previewer:
    """The encoder loaded once; the draft and live indexes built from the saved vectors."""

    def __init__(
        self, settings: Settings, workspace: Workspace, *, encoder: EncoderLike | None = None
    ) -> None:
        paths = settings.paths
        self.workspace = workspace
        self.search_options = settings.retrieval.search_options()
        self.thresholds = Thresholds.load(paths.faq_thresholds)
        self.abbreviations = load_abbreviations(paths.abbreviations_path)
        if encoder is None:
            from retrieval.encoder import load_encoder  # torch: only when a preview is asked

            encoder = load_encoder(settings.retrieval, models_dir=paths.models_dir)
        self.encoder = encoder
        self.hnsw_min = settings.retrieval.faq_hnsw_min
        self._previous: FaqIndex | None = None
        try:
            self._previous = FaqIndex.load(paths.faq_index_dir, hnsw_min=self.hnsw_min)
        except IndexStoreError as exc:
            logger.info("no saved FAQ index to reuse: %s", exc)
        self._cache: dict[str, tuple[FaqSearcher, int]] = {}
        self._lock = threading.Lock()

    def _searcher(self, files: dict[str, str]) -> tuple[FaqSearcher, int]:
        """Searcher over these files (cached by content: the admin page asks again and again)."""
        key = files_digest(files)
        found = self._cache.get(key)
        if found is not None:
            return found
        with tempfile.TemporaryDirectory(prefix="faq-preview-") as tmp:
            for name, text in files.items():
                (Path(tmp) / name).write_text(text, encoding="utf-8")
            report = load_corpus(Path(tmp))
        index = FaqIndex.build(
            report.corpus, self.encoder, previous=self._previous, hnsw_min=self.hnsw_min
        )
        self._previous = index
        searcher = FaqSearcher(
            report.corpus,
            index,
            self.encoder,
            abbreviations=self.abbreviations,
            **self.search_options,
        )
        with self._lock:
            self._cache = {
                **dict(list(self._cache.items())[-1:]),
                key: (searcher, len(report.errors)),
            }
        return searcher, len(report.errors)

    def ask(self, question: str, *, role: str = "citizen") -> dict[str, Any]:
        """The report of both sides (``live`` is None before the first publish)."""
        question = nfc(question).strip()
        live = self.workspace.live()
        live_side = None
        if live is not None:
            searcher, errors = self._searcher(self.workspace.store.files(live.number))
            live_side = self._side(searcher, question, role, errors, version=live.number)
        searcher, errors = self._searcher(self.workspace.draft_files())
        draft_side = self._side(searcher, question, role, errors, version=None)
        same = live_side is not None and all(
            draft_side[k] == live_side[k] for k in ("decision", "faq_id", "suggestions")
        )
        return {
            "question": question,
            "role": role,
            "draft": draft_side,
            "live": live_side,
            "same": same,
        }

    def _side(
        self, searcher: FaqSearcher, question: str, role: str, errors: int, *, version: int | None
    ) -> dict[str, Any]:
        result = searcher.search(question, role=role, top_k=_HITS)
        decision = decide(result, self.thresholds)
        by_id = searcher.corpus.by_id
        entry = by_id.get(decision.faq_id) if decision.faq_id else None
        encoded, _ = searcher.dense_query(question)
        t = self.thresholds.for_route(result.route)
        return {
            "version": version,
            "decision": decision.kind,
            "faq_id": decision.faq_id,
            "domain": entry.domain if entry else None,
            "answer": entry.answer if entry else None,
            "suggestions": list(decision.suggestions),
            "score": round(decision.score, 4),
            "evidence": round(decision.evidence, 4),
            "margin": round(decision.margin, 4),
            "route": result.route,
            "encoded_query": encoded,
            "thresholds": {
                "answer_min": t.answer_min,
                "margin_min": t.margin_min,
                "suggest_min": t.suggest_min,
            },
            "why": explain(decision, self.thresholds),
            "hits": [
                {
                    "faq_id": h.faq_id,
                    "domain": h.domain,
                    "question": by_id[h.faq_id].questions[0],
                    "fused": round(h.score, 4),
                    "dense": round(h.dense, 4),
                    "lexical": round(h.lexical, 3),
                }
                for h in result.hits
            ],
            "file_errors": errors,
        }


_KINDS = {"answer": "TRẢ LỜI", "suggest": "GỢI Ý", "decline": "TỪ CHỐI"}


def _render_side(title: str, side: dict[str, Any] | None) -> list[str]:
    if side is None:
        return [f"{title}: chưa công bố phiên bản nào"]
    lines = [f"{title}: {_KINDS[side['decision']]}"]
    if side["faq_id"]:
        lines.append(f"  mục: {side['faq_id']} ({side['domain']})")
        answer = side["answer"] or ""
        lines.append(f"  trả lời: {answer[:200]}{'…' if len(answer) > 200 else ''}")
    if side["suggestions"]:
        lines.append(f"  gợi ý: {', '.join(side['suggestions'])}")
    route = "có dấu" if side["route"] == "accented" else "không dấu"
    lines.append(f"  lý do: {side['why']} (câu {route}; mô hình đọc: {side['encoded_query']!r})")
    lines.append("  các mục gần nhất (điểm dense · bm25):")
    for i, hit in enumerate(side["hits"], start=1):
        lines.append(
            f"   {i}. {hit['faq_id']:<34} {hit['dense']:.3f} · {hit['lexical']:>6.2f}  "
            f"{hit['question']}"
        )
    if side["file_errors"]:
        lines.append(f"  ({side['file_errors']} lỗi trong tệp: tệp lỗi không được tính)")
    return lines


def render(report: dict[str, Any]) -> str:
    """The report for a person."""
    live = report["live"]
    lines = [f"Câu hỏi: {report['question']}"]
    lines += _render_side("BẢN NHÁP", report["draft"])
    title = f"ĐANG PHỤC VỤ (phiên bản {live['version']})" if live else "ĐANG PHỤC VỤ"
    lines += _render_side(title, live)
    if live is not None:
        lines.append(
            "→ như nhau" if report["same"] else "→ KHÁC NHAU: công bố để người dân thấy bản nháp"
        )
    return "\n".join(lines)
