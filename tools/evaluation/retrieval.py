"""Retrieval evaluation: `bin/assistant eval retrieval --dataset NAME --data-dir DIR [--json]`.

Datasets: `uit-vicov19qa` (test questions → all 4,500 answers), `xquad-vi` (1,190 questions →
240 paragraphs), `own` (the dev paraphrases in data/eval/faq + out-of-corpus negatives).
External datasets are read from `--data-dir` and never copied; embeddings are cached in
`$TROLYAO_CACHE/eval/`. `--split val` takes UIT's validation questions (for tuning; test stays
unseen), `--passage-tokens N` indexes each document as overlapping passages of ≤ N tokens scored
by the best one (`retrieval.passages`), `--fusion-grid` adds RRF weight-by-k variants,
`--fold-queries` strips the questions' diacritics as the unaccented route sees them (dense on the
restored query, BM25 on the folded one). For `own`, `--half calib|holdout` restricts the ranking
numbers to one half of the paraphrase set and `--fusion-grid` grids the unaccented route's BM25
weight by RRF k (`--unaccented-lexical-weight`, `--unaccented-rrf-k` set them).
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.index import EncoderLike, FaqIndex
from retrieval.lexical import LexicalIndex
from retrieval.passages import PassageSplitter, word_count
from retrieval.restore import DiacriticRestorer
from retrieval.search import rrf
from retrieval.vocabulary import general_counts
from tools.evaluation.common import MemoEncoder, ranking_metrics
from tools.evaluation.faq_devset import evaluate_own
from vitext import fold

__all__ = ["load_dataset", "main"]


_GRID_WEIGHTS = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0)
_GRID_K = (5, 10, 20, 30, 60, 100)


def load_dataset(
    name: str, data_dir: Path, *, corpus: str = "all", split: str = "test"
) -> tuple[list[str], list[str], list[str], list[set[str]]]:
    """(doc ids, doc texts, queries, gold doc-id sets); UIT corpus 'all' (4,500) or only the
    answers of the query split (500), queries of `split` ('test', or 'val' for tuning)."""
    if name == "uit-vicov19qa":
        docs: dict[str, str] = {}
        queries, gold = [], []
        for part in ("train", "val", "test") if corpus == "all" else (split,):
            path = data_dir / "1_ans" / f"UIT-ViCoV19QA_{part}.csv"
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh, delimiter="|"):
                    docs[row["id"]] = row["Answer_1"].strip()
                    if part == split:
                        queries.append(row["Question"].strip())
                        gold.append({row["id"]})
        return list(docs), list(docs.values()), queries, gold
    if name == "xquad-vi":
        raw = json.loads((data_dir / "xquad.vi.json").read_text(encoding="utf-8"))
        ids, texts, queries, gold = [], [], [], []
        for a, article in enumerate(raw["data"]):
            for p, para in enumerate(article["paragraphs"]):
                ids.append(f"{a}-{p}")
                texts.append(para["context"])
                for qa in para["qas"]:
                    queries.append(qa["question"])
                    gold.append({f"{a}-{p}"})
        return ids, texts, queries, gold
    raise SystemExit(f"unknown dataset {name!r}; use uit-vicov19qa, xquad-vi or own")


def _bm25_plain(
    doc_texts: list[str], doc_ids: list[str], queries: list[str], *, k: int = 10
) -> list[list[str]]:
    """Floor baseline of the dataset READMEs: lower-cased syllables, k1=1.2, b=0.75."""
    import bm25s

    def toks(t: str) -> list[str]:
        return re.findall(r"\w+", t.lower()) or ["_"]

    bm = bm25s.BM25(k1=1.2, b=0.75)
    bm.index([toks(t) for t in doc_texts], show_progress=False)
    out = []
    for q in queries:
        known = bm.get_tokens_ids(toks(q))
        scores = bm.get_scores(known) if known else np.zeros(len(doc_ids))
        out.append([doc_ids[i] for i in np.argsort(-scores)[:k]])
    return out


def _splitter(encoder: EncoderLike, tokens: int, overlap: int) -> PassageSplitter | None:
    if not tokens:
        return None
    count = getattr(encoder, "count_tokens", word_count)
    return PassageSplitter(tokens, overlap, count)


def _passage_benchmark(
    name: str,
    data_dir: Path,
    encoder: EncoderLike,
    cache_dir: Path,
    *,
    corpus: str = "all",
    split: str = "test",
    passage_tokens: int = 0,
    passage_overlap: int = 0,
    fusion_grid: bool = False,
    fold_queries: bool = False,
) -> dict[str, object]:
    doc_ids, doc_texts, queries, gold = load_dataset(name, data_dir, corpus=corpus, split=split)
    dense_queries = queries
    if fold_queries:  # the unaccented route: restored query → dense, folded query → BM25
        restorer = DiacriticRestorer.from_texts(doc_texts, background=general_counts())
        queries = [fold(q) for q in queries]
        dense_queries = [restorer.restore(q) for q in queries]
    tag = hashlib.sha256(encoder.model_id.encode()).hexdigest()[:10]
    passage_encoder = copy.copy(encoder)
    passage_encoder.prompt = "passage: "  # type: ignore[attr-defined]
    splitter = _splitter(passage_encoder, passage_tokens, passage_overlap)
    docs = MemoEncoder(passage_encoder, cache_dir / f"{name}-passages-{tag}.npz")
    qenc = MemoEncoder(encoder, cache_dir / f"{name}-queries-{tag}.npz")
    passages = [p for t in doc_texts for p in (splitter.split(t) if splitter else [t])]
    docs.encode(passages, progress=True)  # one sorted, cached pass (the index reads the memo)
    index = FaqIndex.from_texts(list(zip(doc_ids, doc_texts, strict=True)), docs, splitter=splitter)
    qvec = qenc.encode(dense_queries, progress=True)
    dense = [[k for k, _ in index.search(v, top_k=50)] for v in qvec]
    lexical = LexicalIndex(doc_texts, doc_ids)
    folded = [[k for k, _ in lexical.search(q, top_k=50)] for q in queries]
    keeping = LexicalIndex(doc_texts, doc_ids, fold_accents=False)  # the accented route's BM25
    accented = [[k for k, _ in keeping.search(q, top_k=50)] for q in queries]
    plain = _bm25_plain(doc_texts, doc_ids, queries, k=50)

    def fuse(lexical_runs: list[list[str]], weight: float, k: int = 60) -> list[list[str]]:
        out = []
        for d, f in zip(dense, lexical_runs, strict=True):
            scores = rrf({"dense": d, "lexical": f}, {"dense": 1.0, "lexical": weight}, k=k)
            out.append(sorted(scores, key=lambda key: -scores[key])[:10])
        return out

    variants = {
        "dense": ranking_metrics(dense, gold),
        "bm25_folded": ranking_metrics(folded, gold),
        "bm25_accented": ranking_metrics(accented, gold),
        "dense+bm25_rrf": ranking_metrics(fuse(folded, 1.0), gold),
        "dense+0.3bm25_rrf (route before #13)": ranking_metrics(fuse(folded, 0.3), gold),
        "dense+bm25_accented_rrf (route, accented)": ranking_metrics(fuse(accented, 1.0), gold),
        "dense+bm25_plain_rrf": ranking_metrics(fuse(plain, 1.0), gold),
    }
    result: dict[str, object] = {
        "dataset": name,
        "split": split if name == "uit-vicov19qa" else "all",
        "fold_queries": fold_queries,
        "queries": len(queries),
        "documents": len(doc_ids),
        "passages": len(index),
        "passage_tokens": passage_tokens,
        "passage_overlap": passage_overlap,
        "ours": variants["dense+bm25_accented_rrf (route, accented)"],
        "bm25": ranking_metrics(_bm25_plain(doc_texts, doc_ids, queries), gold),
        "variants": variants,
    }
    if fusion_grid:
        result["fusion_grid"] = {
            f"{lex} w={w} k={k}": ranking_metrics(fuse(run, w, k), gold)
            for lex, run in (("folded", folded), ("plain", plain))
            for w in _GRID_WEIGHTS
            for k in _GRID_K
        }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/assistant eval retrieval",
        description="Đánh giá tìm kiếm FAQ: hit@1, hit@5, MRR@10 so với BM25.",
    )
    parser.add_argument(
        "--dataset",
        required=True,
        choices=["uit-vicov19qa", "xquad-vi", "own"],
        help="bộ dữ liệu (own = bộ diễn đạt lại của dự án, data/eval/faq)",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="thư mục của bộ dữ liệu (bắt buộc với bộ ngoài)"
    )
    parser.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    parser.add_argument(
        "--corpus",
        choices=["all", "test"],
        default="all",
        help="tài liệu của uit-vicov19qa: cả 4.500 câu trả lời (all) hoặc 500 của tập test",
    )
    parser.add_argument(
        "--split",
        choices=["test", "val"],
        default="test",
        help="câu hỏi của uit-vicov19qa: test (báo cáo) hoặc val (để tinh chỉnh)",
    )
    parser.add_argument(
        "--passage-tokens",
        type=int,
        default=0,
        help="chia tài liệu dài thành đoạn ≤ N token (0: cả tài liệu, e5 cắt ở 512)",
    )
    parser.add_argument(
        "--passage-overlap", type=int, default=0, help="số token chồng lấn giữa hai đoạn liền nhau"
    )
    parser.add_argument(
        "--fusion-grid", action="store_true", help="thêm lưới trọng số và k của phép hợp RRF"
    )
    parser.add_argument(
        "--fold-queries",
        action="store_true",
        help="bộ ngoài: bỏ dấu câu hỏi như tuyến không dấu (dense trên câu đã phục hồi dấu, "
        "BM25 trên câu bỏ dấu)",
    )
    parser.add_argument(
        "--lexical-weight",
        type=float,
        help="own: trọng số BM25 của tuyến có dấu (mặc định 0.3)",
    )
    parser.add_argument(
        "--accented-bm25",
        choices=["folded", "accented"],
        help="own: BM25 của tuyến có dấu trên âm tiết bỏ dấu (mặc định) hay giữ dấu",
    )
    parser.add_argument("--rrf-k", type=int, help="own: hằng số k của RRF (mặc định 60)")
    parser.add_argument(
        "--unaccented-lexical-weight",
        type=float,
        help="own: trọng số BM25 của tuyến không dấu "
        "(mặc định ASSISTANT_FAQ_UNACCENTED_LEXICAL_WEIGHT)",
    )
    parser.add_argument(
        "--unaccented-rrf-k",
        type=int,
        help="own: hằng số k của RRF ở tuyến không dấu (mặc định ASSISTANT_FAQ_UNACCENTED_RRF_K)",
    )
    parser.add_argument(
        "--half",
        choices=["all", "calib", "holdout"],
        default="all",
        help="own: nửa của bộ diễn đạt lại (calib để tinh chỉnh, holdout để báo cáo)",
    )
    parser.add_argument(
        "--backend",
        choices=["torch", "onnx", "onnx-int8"],
        help="bộ mã hoá (mặc định ASSISTANT_ENCODER_BACKEND) để so sánh torch với ONNX",
    )
    parser.add_argument(
        "--model",
        help="mô hình (mặc định ASSISTANT_EMBEDDING_MODEL), vd. thư mục của `encoder adapt`",
    )
    args = parser.parse_args(argv)
    from retrieval.encoder import load_encoder
    from settings.services import get_settings

    settings = get_settings()
    overrides = {"encoder_backend": args.backend, "embedding_model": args.model}
    chosen = {k: v for k, v in overrides.items() if v}
    if chosen:
        retrieval = settings.retrieval.model_copy(update=chosen)
        settings = settings.model_copy(update={"retrieval": retrieval})
    encoder = load_encoder(settings.retrieval, models_dir=settings.paths.models_dir)
    cache_dir = settings.paths.cache_dir / "eval"
    if args.dataset == "own":
        fusion = {
            "accented_lexical_weight": args.lexical_weight,
            "accented_lexical": args.accented_bm25,
            "rrf_k": args.rrf_k,
            "unaccented_lexical_weight": args.unaccented_lexical_weight,
            "unaccented_rrf_k": args.unaccented_rrf_k,
        }
        chosen_fusion = {k: v for k, v in fusion.items() if v is not None}
        result = evaluate_own(
            settings,
            encoder,
            args.data_dir,
            cache_dir,
            half=args.half,
            fusion_grid=args.fusion_grid,
            **chosen_fusion,
        )
    else:
        if args.data_dir is None:
            parser.error("--data-dir is required for external datasets")
        result = _passage_benchmark(
            args.dataset,
            args.data_dir,
            encoder,
            cache_dir,
            corpus=args.corpus,
            split=args.split,
            passage_tokens=args.passage_tokens,
            passage_overlap=args.passage_overlap,
            fusion_grid=args.fusion_grid,
            fold_queries=args.fold_queries,
        )
    if args.json:
        keys = ("dataset", "queries", "ours", "bm25")
        print(json.dumps({k: result[k] for k in keys}, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
