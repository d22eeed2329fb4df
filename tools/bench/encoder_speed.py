"""Query encode latency of each encoder backend: `python -m tools.bench.encoder_speed`.

One query at a time (as a FAQ turn does) over the own dev-set questions. Wall time depends on
how busy the shared 2-core host is; the thread CPU time of the encode (1 intra-op thread) is what
the same encode costs on an idle core, so both are reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

__all__ = ["main"]


def _queries(eval_dir: Path, limit: int) -> list[str]:
    out: list[str] = []
    for path in sorted(eval_dir.glob("*.yml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(row, dict) and str(row.get("query") or "").strip():
                out.append(str(row["query"]))
    return out[:limit]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.encoder_speed")
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--model", help="model (default ASSISTANT_EMBEDDING_MODEL)")
    parser.add_argument("--queries", type=int, default=300, help="queries timed per backend")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    from retrieval.encoder import load_encoder
    from settings.services import get_settings

    settings = get_settings()
    queries = _queries(settings.paths.data_dir / "eval" / "faq", args.queries)
    results: dict[str, dict[str, float]] = {}
    reference: np.ndarray | None = None
    for backend in args.backends:
        update: dict[str, object] = {"encoder_backend": backend, "torch_threads": 1}
        if args.model:
            update["embedding_model"] = args.model
        encoder = load_encoder(
            settings.retrieval.model_copy(update=update), models_dir=settings.paths.models_dir
        )
        for text in queries[:20]:  # warm-up: first calls allocate
            encoder.encode([text])
        wall, cpu, vectors = [], [], []
        for text in queries:
            w, c = time.perf_counter(), time.thread_time()
            vectors.append(encoder.encode([text])[0])
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        matrix = np.vstack(vectors)
        if reference is None:
            reference = matrix
        cosine = np.sum(matrix * reference, axis=1)
        results[backend] = {
            "wall_p50_ms": round(float(np.percentile(wall, 50)), 1),
            "wall_p95_ms": round(float(np.percentile(wall, 95)), 1),
            "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 1),
            "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 1),
            "min_cosine_to_first": round(float(cosine.min()), 6),
        }
        del encoder
    if args.json:
        print(json.dumps({"queries": len(queries), "results": results}))
        return 0
    print(f"query encode, {len(queries)} own dev-set queries one at a time, 1 thread\n")
    print("| backend | wall p50 ms | wall p95 ms | CPU p50 ms | CPU p95 ms | min cosine |")
    print("|---|---:|---:|---:|---:|---:|")
    for backend, r in results.items():
        print(
            f"| {backend} | {r['wall_p50_ms']} | {r['wall_p95_ms']} | {r['cpu_p50_ms']} "
            f"| {r['cpu_p95_ms']} | {r['min_cosine_to_first']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
