"""Tiny FAQ corpus files written by the retrieval tests (and the FAQ action test) to tmp_path."""

from __future__ import annotations

from pathlib import Path

__all__ = ["HANH_CHINH", "Y_TE", "sample_index", "write_corpus"]

Y_TE = """\
domain:
  code: y_te
  name: Y tế
  agency: Sở Y tế
  description: Bảo hiểm y tế, tiêm chủng.
  audience: citizen
entries:
  - id: yte-bhyt-gia-han
    questions:
      - Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu?
      - thẻ bhyt hết hạn thì làm sao gia hạn
      - gia han the bhyt o dau
    answer: |-
      Thẻ BHYT hộ gia đình được gia hạn tại UBND cấp xã hoặc đại lý thu BHXH.
    source: "Luật Bảo hiểm y tế — https://baohiemxahoi.gov.vn"
    updated: 2025-06-01
  - id: yte-tiem-chung-tre-em
    questions:
      - Lịch tiêm chủng mở rộng cho trẻ em gồm những mũi nào?
      - con tôi cần tiêm những vắc xin gì
      - lich tiem chung cho tre so sinh
    answer: |-
      Trẻ được tiêm miễn phí các vắc xin trong Chương trình tiêm chủng mở rộng tại trạm y tế xã.
    source: "Bộ Y tế — https://moh.gov.vn"
    updated: 2025-03-10
  - id: yte-sot-xuat-huyet
    questions:
      - Phòng chống sốt xuất huyết tại nhà như thế nào?
      - làm sao diệt muỗi lăng quăng phòng sốt xuất huyết
      - phong sot xuat huyet the nao
    answer: |-
      Đậy kín dụng cụ chứa nước, thả cá diệt lăng quăng, ngủ màn và đi khám khi sốt cao.
    source: "Cục Y tế dự phòng — https://vncdc.gov.vn"
    updated: 2025-05-20
  - id: yte-bao-cao-dich-noi-bo
    audience: staff
    questions:
      - Quy trình báo cáo ca bệnh truyền nhiễm nội bộ cho cán bộ y tế
      - cán bộ báo cáo ca bệnh truyền nhiễm theo mẫu nào
      - bao cao ca benh truyen nhiem noi bo
    answer: |-
      Cán bộ nhập ca bệnh vào hệ thống giám sát trong 24 giờ theo Thông tư 54/2015/TT-BYT.
    source: "Thông tư 54/2015/TT-BYT"
    updated: 2025-01-15
"""

HANH_CHINH = """\
domain:
  code: hanh_chinh_cong
  name: Hành chính công
  agency: Trung tâm Phục vụ hành chính công
  description: Thủ tục hành chính, hộ tịch.
  audience: citizen
entries:
  - id: hcc-khai-sinh
    questions:
      - Đăng ký khai sinh cho con cần giấy tờ gì?
      - làm giấy khai sinh cho bé cần mang gì
      - dang ky khai sinh can giay to gi
    answer: |-
      Cần tờ khai, giấy chứng sinh và giấy tờ tùy thân của cha hoặc mẹ; nộp tại UBND cấp xã.
    source: "Luật Hộ tịch 2014 — https://dichvucong.gov.vn"
    updated: 2025-04-01
  - id: hcc-ket-hon
    questions:
      - Thủ tục đăng ký kết hôn gồm những gì?
      - muốn đăng ký kết hôn thì làm thế nào
      - dang ky ket hon o dau
    answer: |-
      Hai bên nộp tờ khai đăng ký kết hôn tại UBND cấp xã nơi cư trú của một bên.
    source: "Luật Hộ tịch 2014 — https://dichvucong.gov.vn"
    updated: 2025-04-01
  - id: hcc-cap-can-cuoc
    questions:
      - Làm thẻ căn cước cần những giấy tờ gì?
      - cấp cccd cho con 14 tuổi ở đâu
      - lam the can cuoc o dau
    answer: >-
      Công dân đến cơ quan quản lý căn cước cấp huyện hoặc tỉnh; không cần mang giấy tờ
      nếu đã có dữ liệu dân cư.
    source: "Luật Căn cước 2023 — https://bocongan.gov.vn"
    updated: 2025-02-01
"""


def write_corpus(folder: Path, files: dict[str, str] | None = None) -> Path:
    """Write `{name: yaml}` (default: the two sample domains) into `folder`; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": HANH_CHINH}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


_BUILT: dict[int, tuple[object, object]] = {}


def sample_index(encoder: object, folder: Path):  # -> tuple[Corpus, FaqIndex]
    """Corpus + index of the sample files, embedded once per encoder (tests get the same one)."""
    from retrieval.corpus import load_corpus
    from retrieval.index import FaqIndex

    if id(encoder) not in _BUILT:
        corpus = load_corpus(write_corpus(folder)).corpus
        _BUILT[id(encoder)] = (corpus, FaqIndex.build(corpus, encoder))  # type: ignore[arg-type]
    return _BUILT[id(encoder)]
