"""Requests for a personal decision (data/lexicon/personal.yml) are told from service questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.errors import MessagesError
from actions.harm import load_personal_requests
from actions.reach import reach_of

PERSONAL = load_personal_requests(
    Path(__file__).resolve().parents[2] / "data" / "lexicon" / "personal.yml"
)


@pytest.mark.parametrize(
    "text",
    [
        "vợ tôi đòi ra ở riêng, tôi có nên đồng ý không",
        "co nen chia tay nguoi yeu vi khac tuoi khong",
        "năm nay có nên mua vàng tích trữ không mọi người",
        "nen ban co phieu ngan hang luc nay khong",
        "tuổi Mão xây nhà năm nay hợp tuổi không",
        "hôm nay xổ số Vũng Tàu nên đánh con gì",
        "bị ho khan cả tuần nay uống thuốc gì cho nhanh khỏi",
        "ý kiến cá nhân của bạn thì tôi có nên bỏ việc không",
        "đau lưng lan xuống chân, có phải thoát vị đĩa đệm không",
        "bé nhà tôi viêm họng, cho uống kháng sinh loại nào",
        "huyết áp vẫn cao, tôi tự tăng liều thuốc được không",
        "tháng sau ngày nào đẹp để dọn nhà mới",
        "con trai hay cãi lời, bố mẹ nên nói chuyện với cháu thế nào",
        "nên nhận offer công ty ở Bà Rịa hay ở lại Sài Gòn",
        "dịch giúp tôi câu cảm ơn quý khách sang tiếng Nhật",
        # one's own device
        "laptop của tôi bật hoài không lên, sửa sao",
        "dien thoai cua em bi treo man hinh, reset kieu gi",
    ],
)
def test_requests_for_a_personal_decision_are_recognised(text: str) -> None:
    assert PERSONAL.matched(text) is not None
    assert reach_of(text, None, None, PERSONAL) == "personal"


@pytest.mark.parametrize(
    "text",
    [
        # the public-service side of the same topics stays with the FAQ
        "có nên mua bảo hiểm y tế hộ gia đình không",
        "nên nộp hồ sơ online hay trực tiếp",
        "ly hôn đơn phương thì nộp đơn ở tòa án nào",
        "bị chồng đánh thì báo ai",
        "có nên tiêm vắc xin sốt xuất huyết cho con không",
        "thủ tục đăng ký đầu tư dự án ở khu công nghiệp",
        "đau bụng tiêu chảy sau khi ăn ở quán thì phản ánh ở đâu",
        "điện thoại bị giật trên đường, làm sao lấy lại",
        "số điện thoại đường dây nóng của bệnh viện bị lỗi không gọi được",
        "có phải viêm não Nhật Bản phải tiêm nhắc lại không, tiêm ở đâu",
        "ngày nào tốt để đi đăng ký kết hôn, có phải đặt lịch trước không",
        "dịch thuật công chứng bằng tốt nghiệp sang tiếng Anh ở đâu",  # a certified translation
        "",
    ],
)
def test_service_questions_on_the_same_topics_are_left_alone(text: str) -> None:
    assert PERSONAL.matched(text) is None
    assert reach_of(text, None, None, PERSONAL) is None


def test_a_bad_pattern_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "personal.yml"
    path.write_text("asks: ['(có nên']\n", encoding="utf-8")
    with pytest.raises(MessagesError, match=r"personal\.yml"):
        load_personal_requests(path)
