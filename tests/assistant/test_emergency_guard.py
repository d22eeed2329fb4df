"""EmergencyGuard on real Rasa Message objects with the shipped data/lexicon/emergency.yml."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from assistant.nlu import EmergencyGuard
from assistant.nlu.emergency_lexicon import LexiconError, load_emergency_lexicon


def _create(tmp_path: Path, **config: Any) -> EmergencyGuard:
    return EmergencyGuard.create(
        {**EmergencyGuard.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("emergency_guard"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> EmergencyGuard:
    return _create(tmp_path_factory.mktemp("storage"))


def _classified(text: str, intent: str = "ask_faq", confidence: float = 0.8) -> Message:
    """A message as it leaves DIET + FallbackClassifier."""
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [
                {"name": intent, "confidence": confidence},
                {"name": "emergency", "confidence": 0.1},
                {"name": "greet", "confidence": 0.1},
            ],
            "entities": [],
        }
    )


POSITIVES = [
    ("Cháy nhà ở phường 7 rồi!", "fire"),
    ("chay nha o phuong 7", "fire"),
    ("Nhà hàng xóm đang bốc cháy, khói đen mù mịt", "fire"),
    ("có cháy ở chợ Vũng Tàu", "fire"),
    ("xuong go dang boc chay", "fire"),
    ("Rò rỉ gas trong bếp, mùi gas nồng lắm", "fire"),
    ("hoả hoạn ở chung cư", "fire"),
    ("có người ngất xỉu ở chợ", "medical"),
    ("cháy nhà rồi gọi 114 hay 113 đây, cứu với", "fire"),  # an urgent cue beats "115 hay"
    ("nhà tôi cháy, gọi 114 mà không ai nghe máy", "fire"),
    # dangers described without the classic words (a body, a threat, a collapse, water rising)
    ("ông nội đang lơ mơ, gọi hỏi gì cũng ú ớ", "medical"),
    ("vết cắt sâu quá, máu tuôn ra không ngừng", "medical"),
    ("con tôi 5 tháng tuổi tự nhiên không thấy mạch, người mềm", "medical"),
    ("có đứa lạ trèo vào nhà bếp, cả nhà đang trốn trên lầu sợ quá", "crime"),
    ("thằng say rượu cầm chai bể dí vào cổ chủ quán", "crime"),
    ("mái nhà kho vừa sập, có người còn bên trong", "rescue"),
    ("nuoc dang dang len, ong ba toi ngoi tren noc nha", "rescue"),
    ("co nguoi bat tinh ngoai duong", "medical"),
    ("Ông tôi bị đột quỵ, gọi cấp cứu giúp", "medical"),
    ("bi dien giat o cong truong", "medical"),
    ("Con tôi lên cơn co giật", "medical"),
    ("Tai nạn giao thông ở ngã tư, có người bị thương", "accident"),
    ("tai nan xe may nguoi chay nhieu mau", "accident"),
    ("xe tải tông xe máy trên quốc lộ 51", "accident"),
    ("Vừa bị xe đụng ở đường 3/2", "accident"),
    ("có cướp giật điện thoại", "crime"),
    ("Trộm đang đột nhập vào nhà tôi", "crime"),
    ("co nguoi cam dao danh nhau o quan nhau", "crime"),
    ("Có kẻ bắt cóc trẻ em ở cổng trường", "crime"),
    ("Có người đuối nước ở biển Bãi Sau", "rescue"),
    ("cuu voi", "rescue"),
    ("Cứu tôi với!!!", "rescue"),
    ("nước ngập tới nóc nhà cần cứu hộ", "rescue"),
    ("em bé rơi xuống giếng", "rescue"),
    ("bi ket trong thang may", "rescue"),
    ("Cháy nhà rồi, gọi số bao nhiêu gấp", "fire"),
    # stretched letters, events described by their signs rather than a keyword
    ("chayyy nhaaa", "fire"),
    ("cuuuu toi", "rescue"),
    ("ông ngoại tôi tự nhiên méo miệng, nói ngọng", "medical"),
    ("thang be nuot dong xu bi hoc, tho khong duoc", "medical"),
    ("máu phun ra từ chân, không cầm lại được", "medical"),
    ("có thằng cầm gậy đập phá quán nước", "crime"),
    ("ghe chở 5 người bị lật giữa sông", "rescue"),
    ("bạn tôi bơi ra xa rồi chưa ngoi lên", "rescue"),
    ("ông chú đứng trên sân thượng đòi nhảy xuống", "rescue"),
    (unicodedata.normalize("NFD", "Cháy nhà ở phường 7"), "fire"),
    # chat spellings (ko, ng, dc, vs, r) match the words of every pattern
    ("ba e nam do ko tho dc nua", "medical"),
    ("co ng bi dam mau chay ko ngung", "crime"),
    ("nha e chay r", "fire"),
    # signs of an event in progress rather than its name
    ("lửa từ bếp bùng lên trần, dập không nổi", "fire"),
    ("tụi nó đang cạy cửa nhà tôi", "crime"),
    ("nước lên tới bụng, bà ngoại kẹt trên gác", "rescue"),
    ("đứa nhỏ rớt xuống mương chưa thấy nổi lên", "rescue"),
    # a helmet is not insurance; a formal request to send help now is urgent
    ("xe máy tông nhau ở ngã ba, anh kia văng mất nón bảo hiểm", "accident"),
    ("Kính gửi công an phường: trộm đang cạy cửa nhà số 12, đề nghị cử người tới", "crime"),
]

NEGATIVES = [
    "thủ tục phòng cháy chữa cháy",
    "Số điện thoại cứu hỏa là gì?",
    "báo cáo tai nạn giao thông tháng trước",
    "số vụ cháy năm 2024",
    "bảo hiểm tai nạn",
    "so vu tai nan giao thong quy 3",
    "Tỷ lệ đuối nước ở trẻ em năm nay",
    "thống kê số vụ cướp giật 6 tháng đầu năm",
    "hồ sơ hưởng chế độ tai nạn lao động",
    "Cách sơ cứu người bị điện giật",
    "dấu hiệu đột quỵ là gì",
    "xe đang chạy trên đường",
    "chờ xíu nhé",
    "Chạy thận ở bệnh viện nào?",
    "áo này cháy hàng rồi",
    "Đăng ký kinh doanh quán ăn",
    "mức phạt tội cướp giật là bao nhiêu năm",
    "triệu chứng khó thở do covid",
    "Hướng dẫn kỹ năng thoát hiểm khi có cháy",
    "nếu nhà bị cháy thì gọi số nào",
    "Xin chào",
    "tình hình ngộ độc thực phẩm quý 2",
    "giấy phép phòng cháy cho quán karaoke",
    "Tôi muốn làm thẻ bảo hiểm y tế",
    "nằm mơ thấy cháy nhà",
    # past incidents, lasting problems to report, questions about a number, figures of speech
    "Nhà tôi bị cháy hồi tháng trước, giờ xin hỗ trợ ở đâu",
    "tuan truoc bi xe tong, gio lam ho so boi thuong the nao",
    "bi giat tui hom kia, da trinh bao roi",
    "đoạn cua này thường xuyên xảy ra tai nạn, đề nghị làm gờ giảm tốc",
    "bãi rác bốc khói mấy tuần nay chưa ai xử lý",
    "đường dây nóng báo cháy là số mấy",
    "gọi xe cấp cứu có tính phí không",
    "giá xăng tăng như lửa đốt",
    "doi ten cho con duoi 18 tuoi can ca bo me dong y khong",
    # chat spellings and wider patterns must not fire on ordinary words
    "ban la nguoi hay may",
    "xe buyt tuyen 5 chay o dau",
    "nop phat vuot den do o nga tu duoc khong",
    "quy hoach treo co duoc xay nha tam khong",
    "choi free fire thua hoai",
    "cach danh nguoi khong de lai dau vet",
    "mỗi lần mưa to nước lại tràn vào nhà, báo ai",
    # figures of speech veto even an urgent cue; questions about calling; a danger now over
    "mai thi rồi mà bài tập chưa xong, cứu em với!!!",
    "web nộp hồ sơ treo cả buổi, cứu với",
    "gọi 114 thì bao lâu xe chữa cháy tới Long Hải",
    "ba tôi cần xe cấp cứu đưa đi tái khám, gọi 115 hay gọi bệnh viện huyện",
    "goi 115 thi ho noi khong cho benh nhan di tai kham, vay goi so chi",
    "con tôi hóc hạt nhãn nhưng giờ đã ổn, chơi bình thường rồi",
    "ổ gà giữa đường Lê Lợi, chạy xe dễ té lắm",
    "2 thang truoc toi bi tai nan, gio lam bao hiem the nao",
    # news seen in the papers or online, everyday idioms, "gặp" typed as "gap", Cà Mau
    "đọc báo thấy cháy xưởng gỗ ở Châu Đức, có ai bị thương không",
    "tin vụ đâm chém ở chợ đêm bắt được hung thủ chưa",
    "nghe nói có vụ bắt cóc ở trường mầm non, thật không ad",
    "doi xiu luon roi, quan nao con mo",
    "giá vàng cao chết người luôn",
    "neu gap nguoi bi co giat thi lam gi",
    "đường Ba Cu ngập 4 ngày chưa rút",
    "tui ở Cà Mau lên Vũng Tàu, bến xe mấy giờ đóng",
]


@pytest.mark.parametrize(("text", "kind"), POSITIVES)
def test_emergency_messages_get_intent_and_kind(
    guard: EmergencyGuard, text: str, kind: str
) -> None:
    message = _classified(text)
    [out] = guard.process([message])
    assert out.get("intent") == {"name": "emergency", "confidence": 1.0}
    ranking = out.get("intent_ranking")
    assert ranking[0] == {"name": "emergency", "confidence": 1.0}
    assert [r["name"] for r in ranking].count("emergency") == 1
    assert out.get("emergency")["kind"] == kind
    assert out.get("emergency")["previous_intent"] == "ask_faq"
    [entity] = [e for e in out.get("entities") if e["entity"] == "emergency_kind"]
    assert entity["value"] == kind
    assert entity["extractor"] == "EmergencyGuard"
    # The entity span points into the original (possibly NFD) text at the matched words.
    assert 0 <= entity["start"] < entity["end"] <= len(text)
    assert (
        unicodedata.normalize("NFC", text[entity["start"] : entity["end"]]).lower()
        == (out.get("emergency")["matched"])
    )


@pytest.mark.parametrize("text", NEGATIVES)
def test_faq_and_statistics_questions_are_left_alone(guard: EmergencyGuard, text: str) -> None:
    message = _classified(text, intent="ask_indicator", confidence=0.7)
    [out] = guard.process([message])
    assert out.get("intent") == {"name": "ask_indicator", "confidence": 0.7}
    assert out.get("intent_ranking")[0]["name"] == "ask_indicator"
    assert out.get("emergency") is None
    assert out.get("entities") == []


def test_fallback_intent_is_overridden(guard: EmergencyGuard) -> None:
    [out] = guard.process([_classified("cứu với", intent="nlu_fallback", confidence=0.3)])
    assert out.get("intent")["name"] == "emergency"
    assert out.get("emergency")["previous_intent"] == "nlu_fallback"


def test_classifier_emergency_is_kept_and_messages_without_text_pass(
    guard: EmergencyGuard,
) -> None:
    predicted = _classified("ông tôi bị tai biến", intent="emergency", confidence=0.9)
    empty = Message(data={"text": ""})
    no_text = Message(data={"intent": {"name": "greet", "confidence": 1.0}})
    out = guard.process([predicted, empty, no_text])
    assert out[0].get("intent") == {"name": "emergency", "confidence": 0.9}
    assert out[1].get("intent") is None
    assert out[2].get("intent") == {"name": "greet", "confidence": 1.0}


@pytest.mark.parametrize(
    "text",
    [
        "hôm qua chợ bị cháy, có ai bị thương không",
        "số vụ đuối nước năm nay",
        # idioms built on danger words
        "xem clip này chết cười, máu lửa thật",
        "đội mình chém gió cả buổi, sếp nổi nóng",
        "xe nổ máy không được",
        "chem gio ca buoi thoi",
    ],
)
def test_classifier_emergency_is_demoted_when_a_guard_vetoes(
    guard: EmergencyGuard, text: str
) -> None:
    [out] = guard.process([_classified(text, intent="emergency", confidence=0.9)])
    assert out.get("intent")["name"] == "nlu_fallback"  # the next intent (0.1) is no choice
    assert [r["name"] for r in out.get("intent_ranking")] == ["nlu_fallback", "greet"]
    assert out.get("emergency") is None


def test_a_vetoed_guess_falls_to_a_sure_second_intent(guard: EmergencyGuard) -> None:
    message = Message(
        data={
            "text": "số vụ đuối nước năm nay",
            "intent": {"name": "emergency", "confidence": 0.5},
            "intent_ranking": [
                {"name": "emergency", "confidence": 0.5},
                {"name": "ask_indicator", "confidence": 0.46},
            ],
        }
    )
    [out] = guard.process([message])
    assert out.get("intent") == {"name": "ask_indicator", "confidence": 0.46}


@pytest.mark.parametrize(
    "text",
    [
        "vay von nong nghiep",
        "alo alo",
        "lam giay to online dc ko mn",
        "quán hải sản nào không chặt chém du khách",
        # unaccented "chay", "mau", "lua" are also chạy (runs), mẫu giáo / Cà Mau, lúa (rice)
        "tau cao toc di con dao chay may gio",
        "tre 5 tuoi chua di hoc mau giao co sao khong",
        "san luong lua vu he thu",
        # questions, keywords and tasks for the bot: no sign, and not a report of what happens
        "mùa này ra Côn Đảo đi tàu có êm không",
        "tàu cao tốc Côn Đảo",
        "giải giúp em bài hình học lớp 9 với",
        "cho em hỏi bến tàu Cát Lở mở cửa mấy giờ",
        # chat endings ("ko z"), Telex keys left in ("vaayj"), "phong" is not "phỏng" (a burn)
        "mn ơi lên hải đăng vũng tàu có mất vé ko z",
        "ho tro hoc nghe cho lao dong nong thon o Chau Duc co ko vaayj",
        "nha huong Tay co xau khong, can treo gi de hoa giai phong thuy",
    ],
)
def test_classifier_emergency_without_a_word_of_danger_is_demoted(
    guard: EmergencyGuard, text: str
) -> None:
    [out] = guard.process([_classified(text, intent="emergency", confidence=0.99)])
    # no real second choice (0.1): the FAQ decides, as after FallbackClassifier
    assert out.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    "text",
    [
        # what the writer sees, with no word of the lexicon's signs
        "bà cụ nhà bên tự nhiên nói năng lộn xộn, mặt trắng bệch, đứng không vững",
        "nuoc suoi len nhanh qua, nha tui sat bo, may dua nho con trong nha",
        "ba người lạ trùm mặt đang leo qua hàng rào xưởng",
    ],
)
def test_classifier_emergency_without_a_sign_stands_when_it_reads_as_a_report(
    guard: EmergencyGuard, tmp_path: Path, text: str
) -> None:
    assert not guard._lexicon.signals(text)  # the case this rule is for
    [out] = guard.process([_classified(text, intent="emergency", confidence=0.95)])
    assert out.get("intent") == {"name": "emergency", "confidence": 0.95}
    # the stricter setting still needs a word of danger
    strict = _create(tmp_path, classifier_needs_signs=True)
    [out] = strict.process([_classified(text, intent="emergency", confidence=0.95)])
    assert out.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    ("text", "confidence", "stands"),
    [
        # no word of danger, reads as a report: only a sure guess stands
        ("vneid bi loi ko dang nhap dc huhu", 0.88, False),
        ("ba người lạ trùm mặt đang leo qua hàng rào xưởng", 0.9, False),
        ("ba người lạ trùm mặt đang leo qua hàng rào xưởng", 0.97, True),
        # a word of danger (no full lexicon match) keeps even an unsure guess
        ("nhà bên có khói", 0.6, True),
    ],
)
def test_an_unsigned_guess_needs_the_classifier_to_be_sure(
    guard: EmergencyGuard, tmp_path: Path, text: str, confidence: float, stands: bool
) -> None:
    assert guard._lexicon.match(text) is None  # the classifier's own guess is what is judged
    [out] = guard.process([_classified(text, intent="emergency", confidence=confidence)])
    assert (out.get("intent")["name"] == "emergency") is stands
    # the option lowered to 0 restores the rule before it
    lenient = _create(tmp_path, unsigned_min_confidence=0.0)
    [out] = lenient.process([_classified(text, intent="emergency", confidence=confidence)])
    assert out.get("intent")["name"] == "emergency"


def test_classifier_emergency_is_kept_when_urgent(guard: EmergencyGuard) -> None:
    text = "số nào gọi cấp cứu, ba tôi đang nằm bất tỉnh, nhanh lên"
    [out] = guard.process([_classified(text, intent="emergency", confidence=0.9)])
    assert out.get("intent")["name"] == "emergency"


def test_output_properties_expose_kind_in_parse_result(guard: EmergencyGuard) -> None:
    [out] = guard.process([_classified("cháy nhà")])
    parsed = out.as_dict(only_output_properties=True)
    assert parsed["emergency"]["kind"] == "fire"
    assert parsed["intent"]["name"] == "emergency"


def test_custom_intent_and_no_entity(tmp_path: Path) -> None:
    guard = _create(tmp_path, intent="khan_cap", entity=None)
    [out] = guard.process([_classified("cháy nhà")])
    assert out.get("intent")["name"] == "khan_cap"
    assert out.get("entities") == []


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"intent": ""}, "option 'intent'"),
        ({"intent": 3}, "option 'intent'"),
        ({"entity": ["x"]}, "option 'entity'"),
        ({"lexicon": 5}, "option 'lexicon'"),
        ({"lexicon": "/nonexistent/emergency.yml"}, "cannot read"),
        ({"colour": "red"}, "unknown option"),
        ({"classifier_needs_signs": "no"}, "option 'classifier_needs_signs'"),
        ({"unsigned_min_confidence": 1.5}, "option 'unsigned_min_confidence'"),
        ({"unsigned_min_confidence": True}, "option 'unsigned_min_confidence'"),
    ],
)
def test_invalid_options_raise_invalid_config(
    tmp_path: Path, config: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidConfigException, match=fragment):
        _create(tmp_path, **config)


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("kinds:\n  fire:\n    - 'cháy ('\n", 3, "not a valid regex"),
        ("kinds:\n  flood:\n    - 'ngập'\n", 2, "unknown emergency kind"),
        ("kinds:\n  fire:\n    - 'Cháy'\n", 3, "lower-case"),
        ("kinds:\n  fire: 'cháy'\n", 2, "must be a list"),
        ("kinds:\n  fire:\n    - 'cháy'\n  fire:\n    - 'lửa'\n", 4, "listed twice"),
        ("kinds:\n  fire:\n    - '" + unicodedata.normalize("NFD", "cháy") + "'\n", 3, "not NFC"),
    ],
)
def test_bad_lexicon_raises_with_path_and_line(
    tmp_path: Path, body: str, line: int, fragment: str
) -> None:
    path = tmp_path / "emergency.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_emergency_lexicon(path)
    assert f"{path}:{line}:" in str(info.value)
    assert fragment in str(info.value)


def test_custom_lexicon_with_gap_and_guard(tmp_path: Path) -> None:
    path = tmp_path / "emergency.yml"
    path.write_text(
        "kinds:\n  fire:\n    - 'nhà ~ cháy'\nguards:\n  - 'phim'\nurgent:\n  - 'gấp'\n",
        encoding="utf-8",
    )
    lexicon = load_emergency_lexicon(path)
    assert lexicon.match("nha ong ba toi chay").kind == "fire"  # unaccented, 3-word gap
    assert lexicon.match("nhà một hai ba bốn năm cháy") is None  # gap longer than 4 words
    assert lexicon.match("phim nhà cháy") is None
    assert lexicon.match("phim nhà cháy gấp").kind == "fire"


def test_a_figure_of_speech_vetoes_even_an_urgent_cue(tmp_path: Path) -> None:
    path = tmp_path / "emergency.yml"
    path.write_text(
        "kinds:\n  rescue:\n    - 'cứu với'\nguards:\n  - 'phim'\nurgent:\n  - 'gấp'\n"
        "figurative:\n  - 'bài tập'\n",
        encoding="utf-8",
    )
    lexicon = load_emergency_lexicon(path)
    assert lexicon.match("cứu với gấp").kind == "rescue"
    assert lexicon.match("phim hay, cứu với gấp").kind == "rescue"  # a guard yields to urgency
    assert lexicon.match("bài tập khó quá, cứu với gấp") is None  # a figure does not
    assert lexicon.vetoes("bài tập khó quá, cứu với gấp")


def test_space_in_look_behind_is_reported_with_line(tmp_path: Path) -> None:
    path = tmp_path / "emergency.yml"
    path.write_text("kinds:\n  rescue:\n    - '(?<!sơ )cứu'\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"{path}:3: .*look-behind"):
        load_emergency_lexicon(path)
