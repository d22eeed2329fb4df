"""The one reply renderer: table-driven over Rasa reply shapes and platform limits."""

from __future__ import annotations

import unicodedata

import pytest

from channels.render import (
    TELEGRAM_TEXT_MAX,
    ZALO_TEXT_MAX,
    Button,
    PayloadStore,
    Reply,
    TelegramOut,
    cut_text,
    parse_rasa,
    render_telegram,
    render_zalo,
    split_text,
    utf16_len,
)

CHOOSE = "Ý bạn là…?"
PARA = "Đoạn một nói về thủ tục cấp căn cước công dân tại Công an cấp xã."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"recipient_id": "u", "text": " Xin chào "}, Reply(text="Xin chào")),
        (
            {"text": "Ý bạn là…?", "buttons": [{"title": "BHYT", "payload": "/ask_faq"}]},
            Reply(text="Ý bạn là…?", buttons=(Button("BHYT", "/ask_faq"),)),
        ),
        ({"image": "http://h/charts/a.png"}, Reply(image="http://h/charts/a.png")),
        (
            {"attachment": {"type": "image", "payload": {"src": "http://h/b.png"}}},
            Reply(image="http://h/b.png"),
        ),
        ({"custom": {"text": "tùy biến"}}, Reply(custom={"text": "tùy biến"})),
        (
            {"text": "x", "buttons": [{"title": "", "payload": "/p"}, {"title": "ok"}]},
            Reply(text="x"),
        ),
    ],
    ids=["text", "buttons", "image", "attachment", "custom", "malformed-buttons"],
)
def test_parse_rasa_normalises_each_reply_shape(raw: dict, expected: Reply) -> None:
    assert parse_rasa([raw]) == [expected]


def test_parse_rasa_drops_empty_replies() -> None:
    assert parse_rasa([{"recipient_id": "u"}, {"text": "  "}]) == []


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("", 10, []),
        ("ngắn", 10, ["ngắn"]),
        ("một hai ba bốn", 7, ["một hai", "ba bốn"]),
        ("dòng một\ndòng hai", 12, ["dòng một", "dòng hai"]),
        ("aaaa bbbb\n\ncccc dddd", 12, ["aaaa bbbb", "cccc dddd"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("😀😀😀", 4, ["😀😀", "😀"]),  # 2 UTF-16 units each, never a lone surrogate
    ],
    ids=["empty", "fits", "words", "lines", "paragraphs", "no-space", "emoji"],
)
def test_split_text_cuts_on_boundaries(text: str, limit: int, expected: list[str]) -> None:
    assert split_text(text, limit) == expected


def test_split_text_keeps_nfd_tone_marks_with_their_letter() -> None:
    text = unicodedata.normalize("NFD", "ệệệệ")  # e + two combining marks each
    chunks = split_text(text, 4)
    assert "".join(chunks) == text
    assert all(not unicodedata.combining(chunk[0]) for chunk in chunks)


def test_split_text_long_answer_fits_telegram_limit_and_loses_nothing() -> None:
    text = "\n\n".join(f"{PARA} ({i})" for i in range(150))
    chunks = split_text(text, TELEGRAM_TEXT_MAX)
    assert len(chunks) > 1
    assert all(utf16_len(chunk) <= TELEGRAM_TEXT_MAX for chunk in chunks)
    assert all(chunk.endswith(")") for chunk in chunks)  # cut between paragraphs
    assert "\n\n".join(chunks) == text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("vừa đủ", 6, "vừa đủ"),
        ("một hai ba", 8, "một hai…"),
        ("abcdefghij", 5, "abcd…"),
        ("ab😀cd", 4, "ab…"),
    ],
    ids=["fits", "word", "no-space", "surrogate"],
)
def test_cut_text_never_cuts_mid_word_or_surrogate(text: str, limit: int, expected: str) -> None:
    assert cut_text(text, limit) == expected
    assert utf16_len(cut_text(text, limit)) <= limit


def test_payload_store_maps_long_payloads_to_short_ids_and_evicts_oldest() -> None:
    store = PayloadStore(max_items=2)
    short = "/ask_faq"
    long_payloads = [f'/ask_faq{{"faq_id":"{"thu-tuc-" * 8}{i}"}}' for i in range(3)]
    assert store.encode(short) == short
    ids = [store.encode(p) for p in long_payloads]
    assert all(len(i.encode()) <= 64 for i in ids)
    assert store.decode(ids[0]) is None  # evicted (bounded)
    assert [store.decode(i) for i in ids[1:]] == long_payloads[1:]
    assert store.decode(short) == short


def test_payload_store_never_passes_a_hash_prefixed_payload_through() -> None:
    store = PayloadStore()
    data = store.encode("#hashtag")
    assert data != "#hashtag"
    assert store.decode(data) == "#hashtag"


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ([Reply(text="Chào")], [TelegramOut(text="Chào")]),
        (
            [Reply(text="Chọn", buttons=(Button("A", "/a"), Button("B", "/b")))],
            [TelegramOut(text="Chọn", keyboard=(("A", "/a"), ("B", "/b")))],
        ),
        (
            [Reply(buttons=(Button("A", "/a"),))],
            [TelegramOut(text=CHOOSE, keyboard=(("A", "/a"),))],
        ),
        (
            [Reply(text="Biểu đồ", image="http://h/c.png")],
            [TelegramOut(text="Biểu đồ"), TelegramOut(photo_url="http://h/c.png")],
        ),
        ([Reply(custom={"text": "riêng"})], [TelegramOut(text="riêng")]),
        ([Reply(custom={"kind": "map"})], []),
    ],
    ids=["text", "buttons", "buttons-only", "image", "custom-text", "custom-other"],
)
def test_render_telegram(replies: list[Reply], expected: list[TelegramOut]) -> None:
    assert render_telegram(replies, store=PayloadStore(), choose_text=CHOOSE) == expected


def test_render_telegram_puts_keyboard_on_last_chunk_and_caps_buttons() -> None:
    buttons = tuple(Button(f"Câu {i}", f"/q{i}") for i in range(10))
    text = "\n\n".join(PARA for _ in range(100))
    outs = render_telegram(
        [Reply(text=text, buttons=buttons)], store=PayloadStore(), choose_text=CHOOSE
    )
    assert len(outs) > 1
    assert all(out.keyboard == () for out in outs[:-1])
    assert len(outs[-1].keyboard) == 8
    assert all(utf16_len(out.text or "") <= TELEGRAM_TEXT_MAX for out in outs)


def test_render_zalo_text_buttons_and_image() -> None:
    long_title = "Thủ tục " * 20
    reply = Reply(
        text="Gợi ý " * 500,
        buttons=tuple(Button(long_title if i == 0 else f"Câu {i}", f"/q{i}") for i in range(7)),
        image="http://h/c.png",
    )
    text_msg, image_msg = render_zalo([reply], choose_text=CHOOSE)
    assert utf16_len(text_msg["text"]) <= ZALO_TEXT_MAX
    assert text_msg["text"].endswith("Gợi ý…")
    buttons = text_msg["attachment"]["payload"]["buttons"]
    assert len(buttons) == 5
    assert {b["type"] for b in buttons} == {"oa.query.show"}
    assert len(buttons[0]["title"]) <= 100
    assert buttons[1] == {"title": "Câu 1", "payload": "/q1", "type": "oa.query.show"}
    assert image_msg["attachment"]["payload"] == {
        "template_type": "media",
        "elements": [{"media_type": "image", "url": "http://h/c.png"}],
    }


def test_render_zalo_buttons_without_text_get_the_prompt() -> None:
    (msg,) = render_zalo([Reply(buttons=(Button("A", "/a"),))], choose_text=CHOOSE)
    assert msg["text"] == CHOOSE
