"""A section keeps the heading its draft gives it (issue 21, item 12)."""

import pytest

from civic.consultations import rules


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("มาตรา ๑ พระราชบัญญัตินี้เรียกว่า", "มาตรา ๑"),
        ("มาตรา  ๒\nให้ใช้บังคับ", "มาตรา ๒"),
        ("ข้อ 2 ผู้สมัครต้อง", "ข้อ 2"),
        ("ข้อ12 ให้", "ข้อ12"),
        ("หมวด ๓\nบททั่วไป", "หมวด ๓"),
        ("หมวด 1 ส่วนที่ 2 การประชุม", "หมวด 1 ส่วนที่ 2"),
        ("มาตรา ๕/๑ ทวิ ในกรณี", "มาตรา ๕/๑ ทวิ"),
        ("Section 4 The agency", "Section 4"),
        ("ความเห็นทั่วไปเกี่ยวกับร่าง", ""),  # no heading: the page says "ย่อหน้าที่ N"
        ("ตามมาตรา ๓ ให้", ""),  # a mention inside the text is not a heading
        ("มาตราการ ๑", ""),
        ("", ""),
    ],
)
def test_section_heading(text, heading):
    assert rules.section_heading(text) == heading
