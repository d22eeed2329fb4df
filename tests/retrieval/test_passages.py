"""Passage splitting of long documents (retrieval.passages) and the index's max over passages."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from retrieval.index import FaqIndex
from retrieval.passages import PassageSplitter, word_count

_LONG = (
    "Người dân cần mang theo căn cước công dân khi đi tiêm. "
    "Trẻ em dưới 14 tuổi đi cùng cha mẹ hoặc người giám hộ. "
    "Sau khi tiêm cần theo dõi sức khoẻ 30 phút tại điểm tiêm.\n"
    "Nếu sốt trên 38,5 độ thì uống hạ sốt và báo trạm y tế xã. "
    "Mũi nhắc lại cách mũi trước ít nhất ba tháng."
)


@pytest.mark.parametrize(
    "text",
    ["Làm thẻ bảo hiểm y tế ở đâu?", "lam the bhyt o dau", "", "  một câu  "],
)
def test_a_text_that_fits_is_one_unchanged_passage(text: str) -> None:
    assert PassageSplitter(64).split(text) == [text.strip()]


def test_a_long_text_is_cut_at_sentence_ends_within_the_budget() -> None:
    passages = PassageSplitter(25).split(_LONG)
    assert len(passages) > 1
    assert all(word_count(p) <= 25 for p in passages)
    assert passages[0].startswith("Người dân cần mang theo")
    assert all(p.rstrip().endswith((".", "?")) for p in passages)  # whole sentences only
    joined = " ".join(passages)
    for sentence in ("Mũi nhắc lại cách mũi trước ít nhất ba tháng.", "báo trạm y tế xã."):
        assert sentence in joined  # nothing lost


def test_consecutive_passages_share_their_overlap_sentences() -> None:
    passages = PassageSplitter(30, overlap_tokens=15).split(_LONG)
    assert len(passages) >= 3
    for first, second in itertools.pairwise(passages):
        last_sentence = first.split(". ")[-1]
        assert second.startswith(last_sentence)


def test_a_sentence_longer_than_the_budget_is_cut_by_words() -> None:
    words = [f"từ{i}" for i in range(50)]
    passages = PassageSplitter(16).split(" ".join(words))
    assert all(word_count(p) <= 16 for p in passages)
    assert " ".join(passages).split() == words


def test_the_token_counter_decides_the_budget() -> None:
    def tokens(text: str) -> int:
        return 2 * word_count(text)  # each syllable two tokens

    assert len(PassageSplitter(50, count_tokens=tokens).split(_LONG)) > len(
        PassageSplitter(50).split(_LONG)
    )


@pytest.mark.parametrize(("size", "overlap"), [(4, 0), (64, 64), (64, -1)])
def test_bad_sizes_are_refused_with_the_values(size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match=str(size) if size < 8 else "overlap_tokens"):
        PassageSplitter(size, overlap)


class _BagOfWords:
    """A deterministic encoder: one dimension per known word (enough to test the max)."""

    dim = 8
    model_id = "bag-of-words"
    _vocab = ("tiêm", "sốt", "căn", "mũi", "thuế", "đất", "xe", "nhà")

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            for j, word in enumerate(self._vocab):
                out[i, j] = text.lower().count(word)
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out


def test_an_index_of_passages_scores_a_document_by_its_best_passage() -> None:
    docs = [("vaccine", _LONG), ("land", "Thuế đất nộp tại chi cục thuế. Sổ đỏ cấp tại nhà đất.")]
    splitter = PassageSplitter(25)
    whole = FaqIndex.from_texts(docs, _BagOfWords())
    split = FaqIndex.from_texts(docs, _BagOfWords(), splitter=splitter)
    assert len(whole) == 2
    assert len(split) == len(splitter.split(_LONG)) + 1  # the short document stays whole
    query = _BagOfWords().encode(["sốt"])[0]
    ranked = split.search(query, top_k=5)
    assert [k for k, _ in ranked] == ["vaccine", "land"]  # distinct documents, not passages
    hits = dict(ranked)
    # the passage about fever alone matches better than the whole answer diluted by the rest
    assert hits["vaccine"] > dict(whole.search(query, top_k=2))["vaccine"]
