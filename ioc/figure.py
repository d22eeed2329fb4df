"""Does a question ask for a figure (an indicator's value) rather than how to do something?

A staff member's "Số vụ TNGT tháng trước", "Bà Rịa có mấy DN mới đăng ký thành lập trong tháng
này" or "tỷ lệ hồ sơ DVC trực tuyến từ đầu năm" asks the IOC for a number, although the FAQ has a
close entry on the same topic (how to register a company, where to submit online) and the intent
classifier, trained mostly on citizens, often says ``ask_faq``. The FAQ action asks this first for
staff and hands such a turn to the indicator action (``actions.faq``).

A figure question names a catalog indicator (the parser's job) and either asks a quantity ("bao
nhiêu", "mấy", "tỷ lệ", "%", "mới nhất", "có tăng không") or names a period ("tháng trước", "quý
1", "năm 2024"), and has none of the words of a procedure or a personal case ("ở đâu", "làm sao",
"thủ tục", "được hưởng", "chi trả"...). Word lists, not a model: they are grammar, the same for
every indicator, and each was checked against the FAQ phrasings (a procedure must not look like a
figure) and the staff questions of the development sets (tools.evaluation.understanding).
"""

from __future__ import annotations

import re

from ioc.parser import ParsedQuestion
from vitext import fold, has_diacritics, nfc

__all__ = ["asks_figure"]

# quantity words; accented text is matched as written ("mấy" is not "máy" or "mây")
_QUANTITY_WORDS = (
    r"\b(bao nhiêu|bao nhiu|bnhieu|bn|mấy|số lượng|tỷ lệ|tỉ lệ|phần trăm|tổng số|lũy kế|luỹ kế"
    r"|hiện tại|hiện nay|mới nhất|tăng hay giảm|có tăng|có giảm)\b|%"
)
# a procedure, a personal case, a phone number, or the country: the FAQ answers it
_NOT_FIGURE_WORDS = (
    r"\b(ở đâu|chỗ nào|làm sao|thủ tục(?! hành chính)|quy trình|cách nào|hướng dẫn|có phải"
    r"|(được|dc|đc) hưởng|mức hưởng|chi trả|trả bao nhiêu|trả cho|thanh toán|phải làm|khi nào"
    r"|là mấy|bao nhiêu là|số mấy|mấy giờ|mỗi lần|đóng bao nhiêu|hỏi ai|cả nước|toàn quốc"
    r"|số điện thoại|sđt|số đt"
    r"|mấy (tháng|ngày|bữa|đứa|cô|chú|anh|chị|môn|lần|loại))\b"
    r"|như thế nào|\b(?!thế\b)\w+ nào\b"
)
# text without diacritics is matched folded (no escape here has an upper-case letter, so
# folding the patterns keeps them intact); there "may" is also "máy" (xe máy, máy lạnh)
_QUANTITY = re.compile(_QUANTITY_WORDS)
_QUANTITY_FOLDED = re.compile(fold(_QUANTITY_WORDS))
_NOT_FIGURE = re.compile(_NOT_FIGURE_WORDS)
_NOT_FIGURE_FOLDED = re.compile(fold(_NOT_FIGURE_WORDS) + r"|\b(may (tuoi|lanh)|xe may|nha may)\b")


def asks_figure(parsed: ParsedQuestion, text: str) -> bool:
    """``text`` (already parsed into ``parsed``) asks for the value of a named indicator."""
    if not parsed.indicator_codes:
        return False
    lowered = nfc(text).lower()
    accented = has_diacritics(lowered)
    quantity, not_figure = (
        (_QUANTITY, _NOT_FIGURE) if accented else (_QUANTITY_FOLDED, _NOT_FIGURE_FOLDED)
    )
    if not_figure.search(lowered):
        return False
    return parsed.period is not None or quantity.search(lowered) is not None
