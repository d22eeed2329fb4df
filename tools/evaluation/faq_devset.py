"""The own development set: dev paraphrases (data/eval/faq/<domain>.yml) + out-of-corpus negatives.

Each query is searched once per strategy (query vectors cached on disk). The set is split in two
halves by a hash of the query text: thresholds are calibrated on `calib` and decision accuracy
is reported on `holdout`, so the reported numbers are not the ones tuned on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from retrieval.corpus import Corpus, load_corpus
from retrieval.decision import Decision, Thresholds, decide
from retrieval.index import EncoderLike, FaqIndex, IndexStoreError
from retrieval.search import STRATEGIES, FaqSearcher, SearchResult
from settings.services import Settings
from tools.evaluation.common import MemoEncoder, ranking_metrics
from vitext import has_diacritics, load_abbreviations, nfc

__all__ = [
    "DevQuery",
    "Probe",
    "decision_report",
    "evaluate_own",
    "load_devset",
    "probe",
    "unaccented_grid",
]

NEGATIVES_FILE = "_negatives.yml"
GRID_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5)
GRID_K = (10, 30, 60, 100)


@dataclass(frozen=True)
class DevQuery:
    query: str
    gold: str | None  # None: out of corpus, the bot should decline
    location: str

    @property
    def half(self) -> str:
        return "calib" if hashlib.sha1(self.query.encode()).digest()[0] % 2 == 0 else "holdout"

    @property
    def accented(self) -> bool:
        return has_diacritics(self.query)


@dataclass(frozen=True)
class Probe:
    item: DevQuery
    result: SearchResult


def load_devset(eval_dir: Path, corpus: Corpus) -> tuple[list[DevQuery], list[str]]:
    """Queries of every dev file; returns them with problems (unknown ids, bad rows)."""
    items, problems = [], []
    for path in sorted(Path(eval_dir).glob("*.yml")):
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for n, row in enumerate(rows):
            if not isinstance(row, dict) or not str(row.get("query") or "").strip():
                problems.append(f"{path}: row #{n + 1} has no query")
                continue
            gold = row.get("faq_id")
            if gold is not None and gold not in corpus.by_id:
                problems.append(f"{path}: row #{n + 1} names unknown faq_id {gold!r}")
                continue
            items.append(DevQuery(nfc(str(row["query"])).strip(), gold, f"{path.name}#{n + 1}"))
    return items, problems


def probe(searcher: FaqSearcher, items: Sequence[DevQuery], strategy: str) -> list[Probe]:
    """Search every query (role staff for staff entries, so audience filtering is not scored)."""
    by_id = searcher.corpus.by_id
    out = []
    for item in items:
        role = "staff" if item.gold and by_id[item.gold].audience == "staff" else "citizen"
        out.append(Probe(item, searcher.search(item.query, top_k=10, role=role, strategy=strategy)))
    return out


def decision_report(probes: Sequence[Probe], thresholds: Thresholds) -> dict[str, float | int]:
    """Outcome rates of the answer/suggest/decline decision."""
    counts = dict.fromkeys(
        [
            "answer_right",
            "answer_wrong",
            "suggest_hit",
            "suggest_miss",
            "decline_known",
            "neg_decline",
            "neg_suggest",
            "neg_answer",
        ],
        0,
    )
    for p in probes:
        d: Decision = decide(p.result, thresholds)
        if p.item.gold is None:
            counts[
                {"decline": "neg_decline", "suggest": "neg_suggest", "answer": "neg_answer"}[d.kind]
            ] += 1
        elif d.kind == "answer":
            counts["answer_right" if d.faq_id == p.item.gold else "answer_wrong"] += 1
        elif d.kind == "suggest":
            counts["suggest_hit" if p.item.gold in d.suggestions else "suggest_miss"] += 1
        else:
            counts["decline_known"] += 1
    known = sum(1 for p in probes if p.item.gold) or 1
    negatives = sum(1 for p in probes if p.item.gold is None) or 1
    report: dict[str, float | int] = {
        k: round(v / (negatives if k.startswith("neg") else known), 4) for k, v in counts.items()
    }
    correct = counts["answer_right"] + counts["neg_decline"]
    report["decision_accuracy"] = round(correct / max(len(probes), 1), 4)
    # known questions that got the right entry either as the answer or among the suggestions
    report["known_helped"] = round((counts["answer_right"] + counts["suggest_hit"]) / known, 4)
    report["queries"] = len(probes)
    return report


def _ranked(probes: Sequence[Probe]) -> dict[str, float]:
    known = [p for p in probes if p.item.gold]
    return ranking_metrics(
        [[h.faq_id for h in p.result.hits] for p in known],
        [{p.item.gold} for p in known if p.item.gold],
    )


def _load_index(index_dir: Path) -> FaqIndex | None:
    try:
        return FaqIndex.load(index_dir)
    except IndexStoreError:
        return None


def build_searcher(
    settings: Settings,
    encoder: EncoderLike,
    cache_dir: Path,
    faq_dir: Path | None = None,
    **fusion: Any,
) -> tuple[FaqSearcher, MemoEncoder]:
    """Searcher over the corpus, reusing the persisted index and a memoising query encoder.

    The checkout's index (``paths.faq_index_dir``) is only rewritten with vectors of its own
    model: an index of another model (``eval retrieval --model``, e.g. an adapted encoder) is
    kept in ``cache_dir`` instead, so evaluating a candidate never swaps the bot's index.
    """
    corpus = load_corpus(faq_dir or settings.paths.faq_dir).corpus
    tag = hashlib.sha256(encoder.model_id.encode()).hexdigest()[:10]
    index_dir = settings.paths.faq_index_dir
    previous = _load_index(index_dir)
    if previous is not None and previous.model_id != encoder.model_id:
        index_dir = cache_dir / f"own-index-{tag}"
        previous = _load_index(index_dir)
    index = FaqIndex.build(corpus, encoder, previous=previous, progress=True)
    if previous is None or previous.corpus_hash != index.corpus_hash:
        index.save(index_dir)
    memo = MemoEncoder(encoder, cache_dir / f"own-queries-{tag}.npz")
    abbreviations = load_abbreviations(settings.paths.abbreviations_path)
    fusion.setdefault("unaccented_lexical_weight", settings.retrieval.faq_unaccented_lexical_weight)
    if "rrf_k" not in fusion:  # `--rrf-k` alone still sets both routes' k, as before
        fusion.setdefault("unaccented_rrf_k", settings.retrieval.faq_unaccented_rrf_k)
    searcher = FaqSearcher(corpus, index, memo, abbreviations=abbreviations, **fusion)
    return searcher, memo


def warm(searcher: FaqSearcher, memo: MemoEncoder, items: Sequence[DevQuery]) -> None:
    """Batch-encode every text the strategies will ask for (one pass instead of per query)."""
    texts = set()
    for item in items:
        expanded = searcher.expand(nfc(item.query).strip())
        texts.add(expanded)
        for strategy in STRATEGIES:
            texts.add(searcher.dense_query(item.query, strategy=strategy)[0])
    memo.encode(sorted(texts), progress=True)


def unaccented_grid(
    searcher: FaqSearcher,
    items: Sequence[DevQuery],
    weights: Sequence[float] = GRID_WEIGHTS,
    ks: Sequence[int] = GRID_K,
) -> dict[str, dict[str, float]]:
    """hit@k of the route strategy's unaccented queries per (BM25 weight, RRF k)."""
    unaccented = [i for i in items if i.gold and not i.accented]
    return {
        f"w={w} k={k}": _ranked(probe(searcher.with_unaccented_fusion(w, k), unaccented, "route"))
        for w in weights
        for k in ks
    }


def evaluate_own(
    settings: Settings,
    encoder: EncoderLike,
    eval_dir: Path | None,
    cache_dir: Path,
    *,
    half: str = "all",
    fusion_grid: bool = False,
    **fusion: Any,
) -> dict[str, object]:
    """hit@k per strategy split by diacritics, and decision outcomes on the holdout half
    (``fusion``: FaqSearcher's ``accented_lexical_weight`` / ``rrf_k`` /
    ``unaccented_lexical_weight`` / ``unaccented_rrf_k`` to compare). ``half`` ('calib' to
    tune, 'holdout' to report, 'all') restricts the ranking numbers; ``fusion_grid`` adds the
    unaccented route's BM25 weight by RRF k grid on that half."""
    searcher, memo = build_searcher(settings, encoder, cache_dir, **fusion)
    eval_dir = eval_dir or settings.paths.data_dir / "eval" / "faq"
    items, problems = load_devset(eval_dir, searcher.corpus)
    warm(searcher, memo, items)
    if half != "all":
        items = [i for i in items if i.half == half]
    result: dict[str, object] = {
        "dataset": "own",
        "half": half,
        "queries": sum(1 for i in items if i.gold),
        "negatives": sum(1 for i in items if i.gold is None),
        "problems": problems,
        "strategies": {},
    }
    for strategy in STRATEGIES:
        probes = probe(searcher, items, strategy)
        known = [p for p in probes if p.item.gold]
        result["strategies"][strategy] = {  # type: ignore[index]
            "accented": _ranked([p for p in known if p.item.accented]),
            "unaccented": _ranked([p for p in known if not p.item.accented]),
            "all": _ranked(known),
        }
        if strategy == searcher.strategy:
            thresholds = Thresholds.load(settings.paths.faq_thresholds)
            holdout = [p for p in probes if p.item.half == "holdout"]
            result["decision_holdout"] = decision_report(holdout, thresholds)
            result["decision_all"] = decision_report(probes, thresholds)
            result["ours"] = _ranked(known)
    bm25 = []
    for item in items:
        if item.gold:
            ids = [k for k, _ in searcher.lexical.search(item.query, top_k=10)]
            bm25.append((ids, {item.gold}))
    result["bm25"] = ranking_metrics([r for r, _ in bm25], [g for _, g in bm25])
    if fusion_grid:
        result["unaccented_fusion_grid"] = unaccented_grid(searcher, items)
    return result
