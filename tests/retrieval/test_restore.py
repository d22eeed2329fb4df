"""Diacritic restorer: corpus counts, the general vocabulary, posteriors (no encoder needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.restore import DiacriticRestorer, LanguageCounts
from retrieval.vocabulary import general_counts, project_texts, wordlist_path
from vitext import has_diacritics

# a corpus that knows "cần", "hỗ trợ" and "chứng cứ" but not "căn hộ" or "chung cư"
CORPUS = [
    "Tôi cần hỗ trợ làm thủ tục",
    "Cần nộp chứng cứ gì khi khiếu nại?",
    "Hồ sơ cần chứng thực không?",
]


def test_corpus_alone_gives_unknown_words_the_accents_of_known_ones() -> None:
    restorer = DiacriticRestorer.from_texts(CORPUS)
    assert restorer.restore("can ho chung cu") == "cần hỗ chứng cứ"


def test_general_vocabulary_restores_words_the_corpus_never_uses() -> None:
    restorer = DiacriticRestorer.from_texts(CORPUS, background=general_counts())
    assert restorer.restore("can ho chung cu") == "căn hộ chung cư"
    assert restorer.restore("toi can ho tro") == "tôi cần hỗ trợ"  # the corpus still counts


def test_general_vocabulary_has_project_texts_and_the_word_list() -> None:
    assert wordlist_path() is not None, "underthesea's Viet74K.txt ships with the package"
    counts = general_counts()
    assert "chung cư" not in " ".join(CORPUS)
    assert counts.bigrams.get(("chung", "cư"), 0) > 0
    assert counts.forms["can"].keys() >= {"căn", "cần", "cán", "cạn"}


def test_project_texts_are_accented_lines_without_markup(tmp_path: Path) -> None:
    (tmp_path / "nlu").mkdir()
    (tmp_path / "eval").mkdir()
    (tmp_path / "nlu" / "nlu.yml").write_text(
        "nlu:\n- intent: x\n  examples: |\n    - gia hạn [thẻ](item) bảo hiểm\n"
        "    - gia han the bao hiem\n    - xem https://dichvucong.gov.vn nhé bạn\n",
        encoding="utf-8",
    )
    (tmp_path / "eval" / "set.yml").write_text("- câu đánh giá không được đọc\n", "utf-8")
    domain = tmp_path / "domain.yml"
    domain.write_text('responses:\n  utter_x:\n    - text: "Chào {name}, bạn cần gì?"\n', "utf-8")
    lines = list(project_texts(tmp_path, domain_file=domain))
    assert lines == ["Chào , bạn cần gì?", "gia hạn thẻ bảo hiểm", "xem nhé bạn"]
    assert all(has_diacritics(line) for line in lines)


def test_project_texts_never_read_the_evaluation_sets() -> None:
    sources = set(project_texts())
    assert sources, "the repository's texts are found"
    evaluation = Path(__file__).resolve().parents[2] / "data" / "eval"
    for path in evaluation.rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip().removeprefix("- ").removeprefix("text:").strip().strip('"')
            if len(text.split()) >= 5:
                assert text not in sources, path


def test_merged_counts_add_and_leave_the_operands_alone() -> None:
    a = LanguageCounts.from_texts(["thẻ bảo hiểm"])
    b = LanguageCounts.from_texts(["thẻ căn cước"], weight=0.5)
    merged = a.merged(b)
    assert merged.forms["the"] == {"thẻ": 1.5}
    assert merged.bigrams[("thẻ", "bảo")] == 1.0
    assert merged.bigrams[("thẻ", "căn")] == 0.5
    assert a.forms["the"] == {"thẻ": 1.0}
    assert ("thẻ", "căn") not in a.bigrams


def test_unaccented_and_zero_weight_texts_teach_nothing() -> None:
    counts = LanguageCounts.from_texts(["o dau", "ở đâu"])
    assert counts.forms["o"] == {"ở": 1.0}
    counts.add_text("mưa", weight=0.0)
    assert "mua" not in counts.forms


def test_word_list_entries_have_no_sentence_start() -> None:
    counts = LanguageCounts()
    counts.add_text("căn hộ", weight=0.1, sentence=False)
    assert counts.bigrams == {("căn", "hộ"): 0.1}
    assert "<s>" not in counts.unigrams


def test_posteriors_are_probabilities_along_the_viterbi_path() -> None:
    restorer = DiacriticRestorer.from_texts(
        ["Gia hạn thẻ bảo hiểm y tế ở đâu?", "Thẻ hết hạn thì làm sao", "Trời mưa to"]
    )
    text = "the bhyt het han o dau"
    posteriors = restorer.posteriors(text)
    assert [form for form, _ in posteriors] == restorer.restore(text).split()
    assert all(0.0 <= p <= 1.0 + 1e-9 for _, p in posteriors)
    assert dict(posteriors)["bhyt"] == 1.0  # unknown word: no alternative
    assert restorer.posteriors("") == []


def test_restore_confident_keeps_the_typed_word_where_the_model_hesitates() -> None:
    # "mua" is as often "mua" as "mưa" and nothing around it tells which
    restorer = DiacriticRestorer.from_texts(["mua thẻ", "trời mưa", "mua sắm", "mưa to"])
    posteriors = dict(restorer.posteriors("mua the"))
    assert posteriors["thẻ"] == 1.0
    assert restorer.restore_confident("mua the", min_posterior=0.0) == restorer.restore("mua the")
    hesitant = restorer.restore_confident("hom nay mua", min_posterior=0.99)
    assert hesitant == "hom nay mua"
    assert restorer.restore_confident("mua the", min_posterior=0.5).endswith("thẻ")


@pytest.mark.parametrize(
    ("typed", "restored"),
    [
        ("the bao hiem y te het han o dau", "thẻ bảo hiểm y tế hết hạn ở đâu"),
        ("dang ky khai sinh online", "đăng ký khai sinh online"),
    ],
)
def test_corpus_words_still_win_with_the_background(typed: str, restored: str) -> None:
    restorer = DiacriticRestorer.from_texts(
        ["Gia hạn thẻ bảo hiểm y tế ở đâu?", "Thẻ hết hạn thì làm sao", "Đăng ký khai sinh"],
        background=general_counts(),
    )
    assert restorer.restore(typed) == restored


def test_words_that_already_have_accents_keep_them() -> None:
    # an expanded abbreviation arrives accented; a rare form must not be re-guessed
    restorer = DiacriticRestorer.from_texts(["mua bảo hiểm", "mưa bão to"])
    assert restorer.restore("mua bão") == "mưa bão"  # and they inform their neighbours
    assert restorer.restore("mua bảo") == "mua bảo"
    assert restorer.restore("het hạn") == "het hạn"  # "het" unknown, "hạn" unknown: as typed
