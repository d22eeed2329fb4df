"""Retrieval evaluation: `bin/assistant eval retrieval --dataset NAME --data-dir DIR [--json]`.

Datasets: `uit-vicov19qa` (test questions → all 4,500 answers), `xquad-vi` (1,190 questions →
240 paragraphs), `own` (the dev paraphrases in data/eval/faq + out-of-corpus negatives).
External datasets are read from `--data-dir` and never copied; embeddings are cached in
`$TROLYAO_CACHE/eval/`.
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

from retrieval.index import EncoderLike, make_faiss_index
from retrieval.lexical import LexicalIndex
from retrieval.search import rrf
from tools.evaluation.common import MemoEncoder, ranking_metrics
from tools.evaluation.faq_devset import evaluate_own

__all__ = ["load_dataset", "main"]


def load_dataset(
    name: str, data_dir: Path, *, corpus: str = "all"
) -> tuple[list[str], list[str], list[str], list[set[str]]]:
    """(doc ids, doc texts, queries, gold doc-id sets); UIT corpus 'all' (4,500) or 'test' (500)."""
    if name == "uit-vicov19qa":
        docs: dict[str, str] = {}
        queries, gold = [], []
        for split in ("train", "val", "test") if corpus == "all" else ("test",):
            path = data_dir / "1_ans" / f"UIT-ViCoV19QA_{split}.csv"
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh, delimiter="|"):
                    docs[row["id"]] = row["Answer_1"].strip()
                    if split == "test":
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


def _passage_benchmark(
    name: str, data_dir: Path, encoder: EncoderLike, cache_dir: Path, *, corpus: str = "all"
) -> dict[str, object]:
    doc_ids, doc_texts, queries, gold = load_dataset(name, data_dir, corpus=corpus)
    tag = hashlib.sha256(encoder.model_id.encode()).hexdigest()[:10]
    passage_encoder = copy.copy(encoder)
    passage_encoder.prompt = "passage: "  # type: ignore[attr-defined]
    docs = MemoEncoder(passage_encoder, cache_dir / f"{name}-passages-{tag}.npz")
    qenc = MemoEncoder(encoder, cache_dir / f"{name}-queries-{tag}.npz")
    dvec = docs.encode(doc_texts, progress=True)
    qvec = qenc.encode(queries, progress=True)
    index = make_faiss_index(encoder.dim, len(doc_ids))
    index.add_with_ids(dvec, np.arange(len(doc_ids), dtype=np.int64))
    _, hits = index.search(qvec, 50)
    dense = [[doc_ids[i] for i in row if i >= 0] for row in hits]
    lexical = LexicalIndex(doc_texts, doc_ids)
    folded = [[k for k, _ in lexical.search(q, top_k=50)] for q in queries]
    plain = _bm25_plain(doc_texts, doc_ids, queries, k=50)

    def fuse(lexical_runs: list[list[str]], weight: float) -> list[list[str]]:
        out = []
        for d, f in zip(dense, lexical_runs, strict=True):
            scores = rrf({"dense": d, "lexical": f}, {"dense": 1.0, "lexical": weight})
            out.append(sorted(scores, key=lambda k: -scores[k])[:10])
        return out

    variants = {
        "dense": ranking_metrics(dense, gold),
        "bm25_folded": ranking_metrics(folded, gold),
        "dense+bm25_rrf": ranking_metrics(fuse(folded, 1.0), gold),
        "dense+0.3bm25_rrf (route, accented)": ranking_metrics(fuse(folded, 0.3), gold),
        "dense+bm25_plain_rrf": ranking_metrics(fuse(plain, 1.0), gold),
    }
    return {
        "dataset": name,
        "queries": len(queries),
        "documents": len(doc_ids),
        "ours": variants["dense+bm25_rrf"],
        "bm25": ranking_metrics(_bm25_plain(doc_texts, doc_ids, queries), gold),
        "variants": variants,
    }


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
        result = evaluate_own(settings, encoder, args.data_dir, cache_dir)
    else:
        if args.data_dir is None:
            parser.error("--data-dir is required for external datasets")
        result = _passage_benchmark(
            args.dataset, args.data_dir, encoder, cache_dir, corpus=args.corpus
        )
    if args.json:
        keys = ("dataset", "queries", "ours", "bm25")
        print(json.dumps({k: result[k] for k in keys}, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
