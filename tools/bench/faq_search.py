"""Retrieval benchmark: `python -m tools.bench.faq_search` prints a markdown table.

Query latency (real encoder + FAISS search) at 1k … 1M vectors: the real corpus vectors padded
with synthetic unit vectors. Index kinds follow the production rule (flat below
`faq_hnsw_min`, HNSW above); at 1M the HNSW build is too slow for a benchmark run on 2 cores, so
1M is measured with the exact flat index and with IVF-Flat (nlist 1024, nprobe 16) instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence

import faiss
import numpy as np

from retrieval.index import make_faiss_index

__all__ = ["main"]

_QUERIES = [
    "Gia hạn thẻ bảo hiểm y tế ở đâu?",
    "thu tuc dang ky khai sinh cho con",
    "Đi Côn Đảo bằng tàu thế nào?",
    "lich tiem chung cho tre so sinh",
    "Mất căn cước công dân thì làm lại ở đâu?",
    "bao luc gia dinh bao cho ai",
    "Học phí năm nay có được miễn không?",
    "phan anh rac thai o dau",
    "Cách đăng ký kết hôn với người nước ngoài",
    "gia dien sinh hoat bao nhieu",
]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _unit_rows(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):
        block = rng.standard_normal((min(100_000, n - start), dim), dtype=np.float32)
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def _percentiles(values: Sequence[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def _time_search(
    index: faiss.Index, queries: np.ndarray, k: int = 50
) -> tuple[list[float], np.ndarray]:
    times, ids = [], []
    for q in queries:
        started = time.perf_counter()
        _, found = index.search(q.reshape(1, -1), k)
        times.append((time.perf_counter() - started) * 1000)
        ids.append(found[0][:10])
    return times, np.array(ids)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--searches", type=int, default=200, help="searches per size")
    args = parser.parse_args(argv)
    from retrieval.corpus import load_corpus
    from retrieval.encoder import load_encoder
    from retrieval.index import FaqIndex, IndexStoreError
    from settings.services import get_settings

    settings = get_settings()
    encoder = load_encoder(settings.retrieval, models_dir=settings.paths.models_dir)
    encode_ms = []
    for text in _QUERIES * 2:
        started = time.perf_counter()
        encoder.encode([text])
        encode_ms.append((time.perf_counter() - started) * 1000)
    enc50, enc95 = _percentiles(encode_ms)
    corpus = load_corpus(settings.paths.faq_dir).corpus
    started = time.perf_counter()
    try:
        real = FaqIndex.load(settings.paths.faq_index_dir).vectors
        real_note = "loaded"
    except IndexStoreError:
        real = FaqIndex.build(corpus, encoder).vectors
        real_note = f"built in {time.perf_counter() - started:.0f} s"
    rng = np.random.default_rng(0)
    qvecs = encoder.encode(_QUERIES)
    queries = np.vstack([qvecs[i % len(qvecs)] for i in range(args.searches)])
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        synthetic = _unit_rows(max(size - len(real), 0), encoder.dim, rng)
        vectors = np.vstack([real[:size], synthetic])
        ids = np.arange(len(vectors), dtype=np.int64)
        exact = None
        kinds = ["auto"] if size < 1_000_000 else ["flat", "ivf"]
        for kind in kinds:
            started = time.perf_counter()
            index: faiss.Index
            if kind == "ivf":
                quantizer = faiss.IndexFlatIP(encoder.dim)
                inner = faiss.IndexIVFFlat(quantizer, encoder.dim, 1024, faiss.METRIC_INNER_PRODUCT)
                inner.train(vectors[rng.choice(len(vectors), 50_000, replace=False)])
                inner.nprobe = 16
                index = faiss.IndexIDMap2(inner)
            elif kind == "flat":
                index = make_faiss_index(encoder.dim, size, hnsw_min=10**12)
            else:
                index = make_faiss_index(
                    encoder.dim, size, hnsw_min=settings.retrieval.faq_hnsw_min
                )
            index.add_with_ids(vectors, ids)
            build_s = time.perf_counter() - started
            times, found = _time_search(index, queries)
            name = type(faiss.downcast_index(index.index)).__name__
            if name == "IndexFlatIP":
                exact = found
            if exact is None:
                truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
                exact = truth
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact, strict=True)])
            s50, s95 = _percentiles(times)
            rows.append(
                (size, name, build_s, s50, s95, enc50 + s50, enc95 + s95, recall, _rss_mb())
            )
            del index
        del vectors, synthetic
    load = os.getloadavg()[0]
    print(
        f"Real corpus: {len(corpus.entries)} entries, {len(real)} vectors ({real_note}); "
        f"encoder {encoder.model_id}; query encode p50 {enc50:.0f} ms, p95 {enc95:.0f} ms; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} during the run.\n"
    )
    print(
        "| vectors | index | build (s) | search p50 (ms) | search p95 (ms) | encode+search p50 "
        "(ms) | encode+search p95 (ms) | recall@10 vs exact | peak RSS (MB) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for size, name, build_s, s50, s95, t50, t95, recall, rss in rows:
        print(
            f"| {size:,} | {name} | {build_s:.1f} | {s50:.2f} | {s95:.2f} | {t50:.0f} | "
            f"{t95:.0f} | {recall:.3f} | {rss:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
