"""VietnameseTokenizer on real Rasa Message objects, with underthesea and the shipped table."""

from __future__ import annotations

import itertools
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.nlu import VietnameseTokenizer
from vitext import load_abbreviations, telex_word

NFD = "NFD"


def _create(tmp_path: Path, **config: Any) -> VietnameseTokenizer:
    return VietnameseTokenizer.create(
        {**VietnameseTokenizer.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("vi_tokenizer"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> VietnameseTokenizer:
    return _create(tmp_path_factory.mktemp("storage"))


def _tokens(tokenizer: VietnameseTokenizer, text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.start, t.end) for t in tokenizer.tokenize(Message({TEXT: text}), TEXT)]


CASES = [
    pytest.param(
        "Tôi muốn làm thẻ bảo hiểm y tế cho học sinh",
        [
            ("Tôi", 0, 3),
            ("muốn", 4, 8),
            ("làm", 9, 12),
            ("thẻ", 13, 16),
            ("bảo_hiểm_y_tế", 17, 30),
            ("cho", 31, 34),
            ("học_sinh", 35, 43),
        ],
        id="accented",
    ),
    pytest.param(
        "Cấp lại giấy phép lái xe ở đâu?",
        [
            ("Cấp", 0, 3),
            ("lại", 4, 7),
            ("giấy_phép", 8, 17),
            ("lái_xe", 18, 24),
            ("ở", 25, 26),
            ("đâu", 27, 30),
        ],
        id="accented-question-mark-dropped",
    ),
    pytest.param(
        unicodedata.normalize(NFD, "Hồ sơ cấp CCCD gồm những gì?"),
        [
            ("Hồ_sơ", 0, 8),
            ("cấp", 9, 14),
            ("căn_cước_công_dân", 15, 19),
            ("gồm", 20, 25),
            ("những", 26, 33),
            ("gì", 34, 37),
        ],
        id="nfd-spans-into-nfd-string",
    ),
    pytest.param(
        "toi muon lam the bao hiem y te",
        [
            ("toi", 0, 3),
            ("muon", 4, 8),
            ("lam", 9, 12),
            ("the", 13, 16),
            ("bao", 17, 20),
            ("hiem", 21, 25),
            ("y", 26, 27),
            ("te", 28, 30),
        ],
        id="no-diacritics-one-token-per-syllable",
    ),
    pytest.param(
        "Làm thẻ bhyt ko dc à",
        [
            ("Làm", 0, 3),
            ("thẻ", 4, 7),
            ("bảo_hiểm_y_tế", 8, 12),
            ("không", 13, 15),
            ("được", 16, 18),
            ("à", 19, 20),
        ],
        id="abbreviations-keep-original-span",
    ),
    pytest.param(
        "Làm CCCD mất bao lâu",
        [("Làm", 0, 3), ("căn_cước_công_dân", 4, 8), ("mất", 9, 12), ("bao_lâu", 13, 20)],
        id="abbreviation-upper-case",
    ),
    pytest.param(
        "sdt ubnd tp Vũng Tàu",
        [
            ("số_điện_thoại", 0, 3),
            ("ủy_ban_nhân_dân", 4, 8),
            ("thành_phố", 9, 11),
            ("Vũng_Tàu", 12, 20),
        ],
        id="abbreviations-no-diacritics-in-accented-message",
    ),
    pytest.param(
        "phaan loaij rac vaayj",
        [("phân", 0, 5), ("loại", 6, 11), ("rac", 12, 15), ("vậy", 16, 21)],
        id="telex-keys-left-in-are-read-as-meant",
    ),
    pytest.param(
        "giá 50 k nha",
        [("giá", 0, 3), ("50", 4, 6), ("k", 7, 8), ("nha", 9, 12)],
        id="k-after-number-is-not-expanded",
    ),
    pytest.param(
        "xin chào 👍🏽 cảm ơn nhiều 😀",
        [
            ("xin", 0, 3),
            ("chào", 4, 8),
            ("👍🏽", 9, 11),
            ("cảm_ơn", 12, 18),
            ("nhiều", 19, 24),
            ("😀", 25, 26),
        ],
        id="emoji",
    ),
    pytest.param(
        "Xem hướng dẫn tại https://dichvucong.gov.vn/p/home.html?id=1 nhé.",
        [
            ("Xem", 0, 3),
            ("hướng_dẫn", 4, 13),
            ("tại", 14, 17),
            ("https://dichvucong.gov.vn/p/home.html?id=1", 18, 60),
            ("nhé", 61, 64),
        ],
        id="url-one-token",
    ),
    pytest.param(
        "Thủ tục   đăng ký\n\nkhai sinh\tcho con",
        [
            ("Thủ_tục", 0, 7),
            ("đăng_ký", 10, 17),
            ("khai_sinh", 19, 28),
            ("cho", 29, 32),
            ("con", 33, 36),
        ],
        id="multiple-spaces-and-newlines",
    ),
    pytest.param("", [], id="empty"),
    pytest.param(" \n\t ", [], id="whitespace-only"),
    pytest.param(" :) ", [(":)", 1, 3)], id="punctuation-only-kept-whole"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_tokens_and_spans(tokenizer: VietnameseTokenizer, text: str, expected: list) -> None:
    tokens = _tokens(tokenizer, text)
    assert tokens == expected
    table = load_abbreviations()
    for token_text, start, end in tokens:
        original = unicodedata.normalize("NFC", text[start:end])
        # otherwise the text is the expansion, or the syllable of a word typed in Telex
        if original.lower() not in table and telex_word(original) is None:
            assert token_text == "_".join(original.split())


def test_ten_thousand_characters_are_fast(tokenizer: VietnameseTokenizer) -> None:
    sentence = "Tôi muốn hỏi thủ tục cấp cccd cho học sinh ở thành phố Vũng Tàu, ko biết ở đâu? "
    text = (sentence * (10_000 // len(sentence) + 1))[:10_000]
    started = time.perf_counter()
    tokens = tokenizer.tokenize(Message({TEXT: text}), TEXT)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert len(tokens) > 1_000
    assert all(0 <= t.start < t.end <= len(text) for t in tokens)
    assert all(a.end <= b.start for a, b in itertools.pairwise(tokens))
    assert "căn_cước_công_dân" in {t.text for t in tokens}


def test_lowercase_option(tmp_path: Path) -> None:
    tokenizer = _create(tmp_path, lowercase=True)
    assert _tokens(tokenizer, "Hồ Sơ CCCD") == [("hồ_sơ", 0, 5), ("căn_cước_công_dân", 6, 10)]


def test_abbreviations_off_and_segmentation_off(tmp_path: Path) -> None:
    tokenizer = _create(tmp_path, abbreviations=False, segment_words=False)
    assert _tokens(tokenizer, "Hồ sơ bhyt") == [("Hồ", 0, 2), ("sơ", 3, 5), ("bhyt", 6, 10)]
    assert _tokens(tokenizer, "lamf") == [("lamf", 0, 4)]  # no Telex repair either


def test_custom_abbreviation_file(tmp_path: Path) -> None:
    table = tmp_path / "abbr.yml"
    table.write_text("abbreviations:\n  vtau: Vũng Tàu\n", encoding="utf-8")
    tokenizer = _create(tmp_path, abbreviations=str(table))
    assert _tokens(tokenizer, "đi vtau bhyt") == [("đi", 0, 2), ("Vũng_Tàu", 3, 7), ("bhyt", 8, 12)]


def test_phrase_key_is_one_token_over_the_phrase_span(tmp_path: Path) -> None:
    table = tmp_path / "abbr.yml"
    table.write_text(
        "abbreviations:\n  được hông: được không\n  hông: hông\u0020nè\n", encoding="utf-8"
    )
    tokenizer = _create(tmp_path, abbreviations=str(table))
    # the longest key wins; the token covers both words of the phrase in the original text
    assert _tokens(tokenizer, "làm được hông?") == [("làm", 0, 3), ("được_không", 4, 13)]
    assert _tokens(tokenizer, "đau hông") == [("đau", 0, 3), ("hông_nè", 4, 8)]


def test_process_sets_tokens_on_real_messages(tokenizer: VietnameseTokenizer) -> None:
    message = Message({TEXT: "Học sinh cần hồ sơ gì?"})
    tokenizer.process([message])
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["Học_sinh", "cần", "hồ_sơ", "gì"]


def test_process_training_data_tokenizes_text_and_intent(tokenizer: VietnameseTokenizer) -> None:
    example = Message({TEXT: "thẻ bhyt của học sinh", INTENT: "ask_faq"})
    tokenizer.process_training_data(TrainingData([example]))
    assert [t.text for t in example.get(TOKENS_NAMES[TEXT])] == [
        "thẻ",
        "bảo_hiểm_y_tế",
        "của",
        "học_sinh",
    ]
    assert [t.text for t in example.get(TOKENS_NAMES[INTENT])] == ["ask_faq"]


def test_lemma_is_the_text_unless_folded_lemma(tmp_path: Path) -> None:
    plain = Message({TEXT: "Học sinh cần thẻ bhyt"})
    _create(tmp_path).process([plain])
    assert [t.lemma for t in plain.get(TOKENS_NAMES[TEXT])] == [
        "Học_sinh",
        "cần",
        "thẻ",
        "bảo_hiểm_y_tế",
    ]
    folded = Message({TEXT: "Học sinh cần thẻ bhyt"})
    _create(tmp_path, folded_lemma=True).process([folded])
    tokens = folded.get(TOKENS_NAMES[TEXT])
    assert [t.text for t in tokens] == ["Học_sinh", "cần", "thẻ", "bảo_hiểm_y_tế"]
    assert [t.lemma for t in tokens] == ["hoc sinh", "can", "the", "bao hiem y te"]


def test_folded_lemma_gives_accented_and_unaccented_text_the_same_word_features(
    tmp_path: Path,
) -> None:
    """What config.yml relies on: Rasa's CountVectorsFeaturizer with use_lemma over the lemmas."""
    tokenizer = _create(tmp_path, folded_lemma=True)
    (tmp_path / "cvf").mkdir()
    storage = LocalModelStorage(tmp_path / "cvf")
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "use_lemma": True},
        storage,
        Resource("cvf"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    training = TrainingData([Message({TEXT: "Học sinh cần hồ sơ gì?", INTENT: "ask_faq"})])
    tokenizer.process_training_data(training)
    featurizer.train(training)
    accented = Message({TEXT: "học sinh cần hồ sơ gì"})
    unaccented = Message({TEXT: "hoc sinh can ho so gi"})
    tokenizer.process([accented, unaccented])
    featurizer.process([accented, unaccented])
    sentence = [m.get_sparse_features(TEXT)[1] for m in (accented, unaccented)]
    assert all(f is not None for f in sentence)
    a, b = (f.features.toarray() for f in sentence if f is not None)
    assert a.sum() == 6  # hoc, sinh, can, ho, so, gi: every folded syllable is known
    assert (a == b).all()


def test_fingerprint_follows_the_abbreviation_table(tmp_path: Path) -> None:
    table = tmp_path / "abbr.yml"
    table.write_text("abbreviations:\n  vtau: Vũng Tàu\n", encoding="utf-8")
    before = VietnameseTokenizer.fingerprint_addon({"abbreviations": str(table)})
    table.write_text("abbreviations:\n  vtau: Vũng Tàu\n  ko: không\n", encoding="utf-8")
    after = VietnameseTokenizer.fingerprint_addon({"abbreviations": str(table)})
    assert before is not None
    assert after is not None
    assert before != after
    assert VietnameseTokenizer.fingerprint_addon({"abbreviations": False}) is None


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"abbreviations": "/nonexistent/abbr.yml"}, "does not exist"),
        ({"abbreviations": 1}, "option 'abbreviations'"),
        ({"abbreviations": ""}, "option 'abbreviations'"),
        ({"lowercase": "yes"}, "option 'lowercase'"),
        ({"segment_words": None}, "option 'segment_words'"),
        ({"folded_lemma": 1}, "option 'folded_lemma'"),
        ({"intent_tokenization_flag": "no"}, "option 'intent_tokenization_flag'"),
        ({"intent_split_symbol": ""}, "option 'intent_split_symbol'"),
        ({"token_pattern": "(unclosed"}, "not a valid regular expression"),
        ({"prefix_separator_symbol": 7}, "option 'prefix_separator_symbol'"),
        ({"case_sensitive": True}, "unknown option"),
    ],
)
def test_invalid_options_raise_invalid_config(
    tmp_path: Path, config: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidConfigException, match=fragment):
        _create(tmp_path, **config)


def test_bad_abbreviation_file_raises_invalid_config_with_line(tmp_path: Path) -> None:
    table = tmp_path / "abbr.yml"
    table.write_text("abbreviations:\n  ko: không\n  ko: khong\n", encoding="utf-8")
    with pytest.raises(InvalidConfigException, match=rf"{table}:3: duplicate abbreviation 'ko'"):
        _create(tmp_path, abbreviations=str(table))
