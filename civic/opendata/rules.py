"""Open data, pure: the datasets and their data dictionary, how a value is written into a CSV
or JSON cell, who may regenerate, and the personal-data checks every published file passes.

The dictionary is the contract: the CSV header, the JSON keys, the /data page and the DCAT
catalogue are all read from DATASETS, and a test holds every generated file to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from civic import thai
from civic.accounts.schemas import CurrentUser
from civic.consultations.rules import parse_filter_period
from civic.validation import Errors

# ---------------------------------------------------------------- the data dictionary

TYPES = {
    "integer": ("Whole number", "จำนวนเต็ม"),
    # Random ids and hashes: never redacted (a run of digits in one is no phone number).
    "identifier": ("Identifier (text, compare as written)", "รหัส (ข้อความ เปรียบเทียบตามที่เขียน)"),
    "number": ("Decimal number", "ตัวเลขทศนิยม"),
    "string": ("Text", "ข้อความ"),
    "boolean": ("true or false", "true หรือ false"),
    "date": ("Date, YYYY-MM-DD (Bangkok)", "วันที่ YYYY-MM-DD (เวลาประเทศไทย)"),
    "datetime": ("Date and time, ISO 8601 in UTC", "วันและเวลา ISO 8601 (UTC)"),
    "list": (
        "A list: a JSON array (in the CSV, written as JSON text)",
        "รายการ: อาร์เรย์ JSON (ใน CSV เขียนเป็นข้อความ JSON)",
    ),
    "object": (
        "A JSON object (in the CSV, written as JSON text)",
        "ออบเจ็กต์ JSON (ใน CSV เขียนเป็นข้อความ JSON)",
    ),
}


class Column(NamedTuple):
    name: str
    type: str
    en: str
    th: str


class Dataset(NamedTuple):
    name: str
    title_en: str
    title_th: str
    description_en: str
    description_th: str
    columns: tuple[Column, ...]
    # The column a date range (?since=&until=) and the catalogue's temporal coverage are read from.
    date_column: str | None
    # The tasks dataset also publishes the OCDS 1.1 release package of the same tasks.
    ocds: bool = False

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, en: str, th: str) -> Column:
    return Column(name, type_, en, th)


AGENCY = _c(
    "agency",
    "string",
    "Slug of the responsible agency (see agencies)",
    "รหัสย่อของหน่วยงานที่รับผิดชอบ (ดูชุดข้อมูลหน่วยงาน)",
)
PROVINCE = _c(
    "province", "string", "Province code as the platform writes it (e.g. BKK, CMI)", "รหัสจังหวัด เช่น BKK, CMI"
)
CREATED = _c("created_at", "datetime", "When it was created", "เวลาที่สร้าง")

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "boards",
        "Idea boards",
        "กระดานความคิดเห็น",
        "Every idea board an agency has opened: its scope, support threshold and answer period.",
        "กระดานความคิดเห็นทั้งหมดที่หน่วยงานเปิด พร้อมขอบเขต เกณฑ์จำนวนผู้สนับสนุน และระยะเวลาตอบ",
        (
            _c("board_id", "integer", "Board number", "หมายเลขกระดาน"),
            _c("slug", "string", "Board's short name in its address", "ชื่อย่อของกระดานในที่อยู่เว็บ"),
            _c("title", "string", "Title", "ชื่อกระดาน"),
            AGENCY,
            _c(
                "scope",
                "string",
                "Province code, or empty for a national board",
                "รหัสจังหวัด หรือว่างถ้าเป็นกระดานระดับประเทศ",
            ),
            _c("categories", "list", "Categories offered", "หมวดหมู่ที่เปิดให้เลือก"),
            _c("is_open", "boolean", "Whether it takes new ideas", "เปิดรับความคิดเห็นใหม่หรือไม่"),
            _c(
                "support_threshold", "integer", "Supports that oblige an answer", "จำนวนผู้สนับสนุนที่หน่วยงานต้องตอบ"
            ),
            _c("response_days", "integer", "Days the agency has to answer", "จำนวนวันที่หน่วยงานต้องตอบ"),
            CREATED,
        ),
        "created_at",
    ),
    Dataset(
        "ideas",
        "Ideas",
        "ความคิดเห็นและข้อเสนอ",
        "Published ideas with their status, the agency's answer, dates, province and support count. "
        "Hidden ideas and ideas awaiting moderation are left out.",
        "ข้อเสนอที่เผยแพร่แล้ว พร้อมสถานะ คำตอบของหน่วยงาน วันที่ จังหวัด และจำนวนผู้สนับสนุน ไม่รวมข้อเสนอที่ถูกซ่อนหรือรอตรวจ",
        (
            _c("idea_id", "integer", "Idea number", "หมายเลขข้อเสนอ"),
            _c("board_id", "integer", "Board number (see boards)", "หมายเลขกระดาน (ดูชุดข้อมูลกระดาน)"),
            AGENCY,
            _c("title", "string", "Title", "หัวข้อ"),
            _c("body", "string", "Text of the idea", "เนื้อหาข้อเสนอ"),
            _c("category", "string", "Category", "หมวดหมู่"),
            PROVINCE,
            _c(
                "status",
                "string",
                "published, under_review, accepted, in_progress, implemented, declined or duplicate",
                "สถานะ: published, under_review, accepted, in_progress, implemented, declined หรือ duplicate",
            ),
            _c("status_reason", "string", "The agency's reason for the status", "เหตุผลของสถานะจากหน่วยงาน"),
            _c("duplicate_of", "integer", "The idea this one duplicates", "ข้อเสนอที่ข้อเสนอนี้ซ้ำ"),
            _c("support_count", "integer", "Number of supporters", "จำนวนผู้สนับสนุน"),
            _c("comment_count", "integer", "Number of comments", "จำนวนความคิดเห็น"),
            CREATED,
            _c("updated_at", "datetime", "Last change", "เวลาที่แก้ไขล่าสุด"),
            _c(
                "threshold_reached_at",
                "datetime",
                "When the support threshold was reached",
                "เวลาที่ถึงเกณฑ์ผู้สนับสนุน",
            ),
            _c("answer_due_at", "datetime", "When the agency's answer is due", "กำหนดเวลาที่หน่วยงานต้องตอบ"),
            _c("answer", "string", "The agency's official answer", "คำตอบอย่างเป็นทางการของหน่วยงาน"),
            _c("answer_agency", "string", "Slug of the agency that answered", "รหัสย่อของหน่วยงานที่ตอบ"),
            _c("answered_at", "datetime", "When the answer was first given", "เวลาที่ตอบครั้งแรก"),
            _c("answer_updated_at", "datetime", "When the answer was last changed", "เวลาที่แก้ไขคำตอบล่าสุด"),
        ),
        "created_at",
    ),
    Dataset(
        "idea_supports_daily",
        "Daily supports per idea",
        "จำนวนผู้สนับสนุนรายวันของแต่ละข้อเสนอ",
        "How many people supported each published idea on each day (Bangkok time). No supporter is named.",
        "จำนวนผู้สนับสนุนข้อเสนอที่เผยแพร่แล้วในแต่ละวัน (เวลาประเทศไทย) ไม่ระบุตัวผู้สนับสนุน",
        (
            _c("idea_id", "integer", "Idea number (see ideas)", "หมายเลขข้อเสนอ (ดูชุดข้อมูลข้อเสนอ)"),
            _c("day", "date", "Day", "วันที่"),
            _c("supports", "integer", "Supports given that day", "จำนวนผู้สนับสนุนในวันนั้น"),
        ),
        "day",
    ),
    Dataset(
        "comments",
        "Public comments",
        "ความคิดเห็นสาธารณะ",
        "Comments on ideas and on consultation sections as the public reads them, with the author's "
        "published display name only. Hidden and deleted comments are left out.",
        "ความคิดเห็นต่อข้อเสนอและต่อเนื้อหาการรับฟังความคิดเห็นตามที่สาธารณะเห็น ระบุเพียงชื่อที่แสดงของผู้เขียน "
        "ไม่รวมความคิดเห็นที่ถูกซ่อนหรือลบ",
        (
            _c(
                "subject",
                "string",
                "idea or consultation",
                "idea (ข้อเสนอ) หรือ consultation (การรับฟังความคิดเห็น)",
            ),
            _c("subject_id", "integer", "Idea or consultation number", "หมายเลขข้อเสนอหรือการรับฟังความคิดเห็น"),
            _c(
                "section_id",
                "integer",
                "Consultation section commented on",
                "หมายเลขส่วนของเอกสารที่แสดงความคิดเห็น",
            ),
            _c(
                "comment_id",
                "integer",
                "Comment number (unique within its subject kind)",
                "หมายเลขความคิดเห็น (ไม่ซ้ำภายในประเภทเดียวกัน)",
            ),
            _c("parent_id", "integer", "The comment this one replies to", "ความคิดเห็นที่ตอบกลับ"),
            _c("display_name", "string", "Author's published display name", "ชื่อที่แสดงของผู้เขียน"),
            _c("body", "string", "Text", "ข้อความ"),
            CREATED,
        ),
        "created_at",
    ),
    Dataset(
        "consultations",
        "Consultations",
        "การรับฟังความคิดเห็น",
        "Every public consultation (drafts are not public), its dates, status and counts.",
        "การรับฟังความคิดเห็นที่เปิดเผยทั้งหมด (ไม่รวมฉบับร่าง) พร้อมวันที่ สถานะ และจำนวนผู้ตอบ",
        (
            _c("consultation_id", "integer", "Consultation number", "หมายเลขการรับฟังความคิดเห็น"),
            _c(
                "kind",
                "string",
                "general, or s77 (a hearing under section 77 of the Constitution)",
                "general (ทั่วไป) หรือ s77 (ตามมาตรา 77 ของรัฐธรรมนูญ)",
            ),
            _c("title", "string", "Title", "ชื่อเรื่อง"),
            _c("summary", "string", "Summary", "สาระสำคัญ"),
            AGENCY,
            PROVINCE,
            _c(
                "status",
                "string",
                "scheduled, open, closed or outcome_published",
                "สถานะ: scheduled, open, closed หรือ outcome_published",
            ),
            _c("opens_at", "datetime", "Planned opening", "กำหนดเปิด"),
            _c("closes_at", "datetime", "Planned closing", "กำหนดปิด"),
            _c("opened_at", "datetime", "Actual opening", "เวลาที่เปิดจริง"),
            _c("closed_at", "datetime", "Actual closing", "เวลาที่ปิดจริง"),
            _c("early_close_reason", "string", "Why it closed early", "เหตุผลที่ปิดก่อนกำหนด"),
            _c("responses", "integer", "Number of responses", "จำนวนผู้ตอบ"),
            _c("comments", "integer", "Number of visible comments", "จำนวนความคิดเห็นที่แสดง"),
        ),
        "opens_at",
    ),
    Dataset(
        "consultation_questions",
        "Consultation questions",
        "คำถามในการรับฟังความคิดเห็น",
        "The questions of every public consultation, with their options.",
        "คำถามของการรับฟังความคิดเห็นที่เปิดเผยทั้งหมด พร้อมตัวเลือก",
        (
            _c("consultation_id", "integer", "Consultation number", "หมายเลขการรับฟังความคิดเห็น"),
            _c("question_id", "integer", "Question number", "หมายเลขคำถาม"),
            _c("position", "integer", "Order in the questionnaire", "ลำดับในแบบสอบถาม"),
            _c("kind", "string", "single, multi, scale or text", "ประเภท: single, multi, scale หรือ text"),
            _c("prompt", "string", "The question", "คำถาม"),
            _c("required", "boolean", "Whether an answer is required", "ต้องตอบหรือไม่"),
            _c("options", "list", "The options offered", "ตัวเลือก"),
        ),
        None,
    ),
    Dataset(
        "consultation_results",
        "Consultation results",
        "ผลการรับฟังความคิดเห็น",
        "Aggregate answers per question and option of every closed consultation, as its statistics page shows.",
        "ผลรวมคำตอบรายคำถามและรายตัวเลือกของการรับฟังความคิดเห็นที่ปิดแล้ว ตามหน้าสถิติ",
        (
            _c("consultation_id", "integer", "Consultation number", "หมายเลขการรับฟังความคิดเห็น"),
            _c("question_id", "integer", "Question number", "หมายเลขคำถาม"),
            _c("answered", "integer", "People who answered the question", "จำนวนผู้ตอบคำถามนี้"),
            _c(
                "option",
                "string",
                "Option (empty for a question without options)",
                "ตัวเลือก (ว่างถ้าคำถามไม่มีตัวเลือก)",
            ),
            _c("count", "integer", "People who chose the option", "จำนวนผู้เลือกตัวเลือกนี้"),
            _c("percent", "number", "Share of those who answered, in per cent", "ร้อยละของผู้ตอบ"),
            _c("mean", "number", "Mean of a scale question", "ค่าเฉลี่ยของคำถามแบบมาตรวัด"),
        ),
        None,
    ),
    Dataset(
        "consultation_responses",
        "Consultation responses",
        "คำตอบการรับฟังความคิดเห็น",
        "Responses to closed consultations whose respondents consented to publication, one row per answer. "
        "A name only where the respondent chose to be named; a random response id that links to nothing.",
        "คำตอบของการรับฟังความคิดเห็นที่ปิดแล้ว เฉพาะผู้ตอบที่ยินยอมให้เผยแพร่ หนึ่งแถวต่อหนึ่งคำตอบ "
        "ระบุชื่อเฉพาะผู้ที่เลือกเปิดเผยชื่อ รหัสคำตอบเป็นค่าสุ่มที่ไม่เชื่อมโยงกับบุคคล",
        (
            _c("consultation_id", "integer", "Consultation number", "หมายเลขการรับฟังความคิดเห็น"),
            _c("response", "identifier", "Random response id", "รหัสคำตอบแบบสุ่ม"),
            _c("consent", "string", "named or anonymous", "named (เปิดเผยชื่อ) หรือ anonymous (ไม่เปิดเผยชื่อ)"),
            _c(
                "name",
                "string",
                "Respondent's display name, with named consent only",
                "ชื่อผู้ตอบ เฉพาะผู้ที่ยินยอมเปิดเผยชื่อ",
            ),
            PROVINCE,
            _c("submitted_on", "date", "Day of the response", "วันที่ตอบ"),
            _c("question_id", "integer", "Question number", "หมายเลขคำถาม"),
            _c(
                "answer",
                "list",
                "The answer (a list, so a multi-choice answer keeps every choice)",
                "คำตอบ (เป็นรายการ เพื่อเก็บทุกตัวเลือกของคำถามแบบเลือกได้หลายข้อ)",
            ),
        ),
        "submitted_on",
    ),
    Dataset(
        "outcomes",
        "Consultation outcomes",
        "ผลสรุปการรับฟังความคิดเห็น",
        "Every published version of each consultation's outcome.",
        "ผลสรุปของการรับฟังความคิดเห็นทุกฉบับที่เผยแพร่",
        (
            _c("consultation_id", "integer", "Consultation number", "หมายเลขการรับฟังความคิดเห็น"),
            _c("version", "integer", "Version (a correction adds one)", "ฉบับที่ (การแก้ไขเพิ่มฉบับใหม่)"),
            _c("summary", "string", "The agency's summary", "สรุปของหน่วยงาน"),
            _c("correction_note", "string", "What a correction changed", "สิ่งที่แก้ไข"),
            _c("published_at", "datetime", "When it was published", "เวลาที่เผยแพร่"),
        ),
        "published_at",
    ),
    Dataset(
        "outcome_themes",
        "Outcome themes",
        "ประเด็นในผลสรุป",
        "The themes of each outcome version, each with the agency's disposition and reason.",
        "ประเด็นในผลสรุปแต่ละฉบับ พร้อมการตัดสินใจและเหตุผลของหน่วยงาน",
        (
            _c("consultation_id", "integer", "Consultation number", "หมายเลขการรับฟังความคิดเห็น"),
            _c("version", "integer", "Outcome version", "ฉบับของผลสรุป"),
            _c("position", "integer", "Order in the outcome", "ลำดับในผลสรุป"),
            _c("title", "string", "Theme", "ประเด็น"),
            _c("disposition", "string", "What the agency decided", "การตัดสินใจของหน่วยงาน"),
            _c("reason", "string", "Why", "เหตุผล"),
            _c("comment_ids", "list", "Comments the theme answers", "ความคิดเห็นที่ประเด็นนี้ตอบ"),
            _c("published_at", "datetime", "When the outcome version was published", "เวลาที่เผยแพร่ผลสรุปฉบับนี้"),
        ),
        "published_at",
    ),
    Dataset(
        "tasks",
        "Handover tasks",
        "งานที่ส่งต่อให้ภาคประชาสังคม",
        "Tasks agencies hand over to civil-society partners (drafts are not public), with the partner holding "
        "each one. Also published as an OCDS 1.1 release package.",
        "งานที่หน่วยงานส่งต่อให้องค์กรภาคประชาสังคม (ไม่รวมฉบับร่าง) พร้อมองค์กรที่รับงาน เผยแพร่ในรูปแบบ OCDS 1.1 ด้วย",
        (
            _c("task_id", "integer", "Task number", "หมายเลขงาน"),
            AGENCY,
            _c("title", "string", "Title", "ชื่องาน"),
            _c("description", "string", "Description", "รายละเอียด"),
            _c("deliverables", "string", "Deliverables", "ผลงานที่ต้องส่ง"),
            PROVINCE,
            _c("district", "string", "District", "อำเภอ/เขต"),
            _c("category", "string", "Category", "หมวดหมู่"),
            _c("budget", "number", "Budget in baht", "งบประมาณ (บาท)"),
            _c("claim_opens", "date", "First day partners may claim it", "วันแรกที่รับสมัคร"),
            _c("claim_closes", "date", "Last day partners may claim it", "วันสุดท้ายที่รับสมัคร"),
            _c("deadline", "date", "Deadline", "กำหนดส่งงาน"),
            _c(
                "status",
                "string",
                "open, claimed, in_progress, completion_requested, completed, cancelled or expired",
                "สถานะ: open, claimed, in_progress, completion_requested, completed, cancelled หรือ expired",
            ),
            _c(
                "partner",
                "string",
                "Slug of the partner holding the task (see partners)",
                "รหัสย่อขององค์กรที่รับงาน (ดูชุดข้อมูลองค์กรภาคี)",
            ),
            _c("published_at", "datetime", "When it was published", "เวลาที่เผยแพร่"),
            _c("signed_off_at", "datetime", "When the agency signed it off", "เวลาที่หน่วยงานรับมอบงาน"),
        ),
        "published_at",
        ocds=True,
    ),
    Dataset(
        "milestones",
        "Task milestones",
        "หมุดหมายของงาน",
        "The milestones of every public task, their due dates and the agency's review.",
        "หมุดหมายของงานที่เปิดเผยทั้งหมด กำหนดส่ง และผลการตรวจของหน่วยงาน",
        (
            _c("milestone_id", "integer", "Milestone number", "หมายเลขหมุดหมาย"),
            _c("task_id", "integer", "Task number (see tasks)", "หมายเลขงาน (ดูชุดข้อมูลงาน)"),
            _c("position", "integer", "Order in the task", "ลำดับในงาน"),
            _c("title", "string", "Title", "ชื่อหมุดหมาย"),
            _c("due", "date", "Due date", "กำหนดส่ง"),
            _c("budget_share", "number", "Share of the budget, in per cent", "สัดส่วนงบประมาณ (ร้อยละ)"),
            _c(
                "status",
                "string",
                "scheduled, met, partly_met or not_met",
                "สถานะ: scheduled, met, partly_met หรือ not_met",
            ),
            _c("percent", "integer", "Progress reported, in per cent", "ความคืบหน้า (ร้อยละ)"),
            _c("reviewed_at", "datetime", "When the agency reviewed it", "เวลาที่หน่วยงานตรวจ"),
        ),
        "due",
    ),
    Dataset(
        "agencies",
        "Agencies",
        "หน่วยงานรัฐ",
        "Every government agency on the platform, its level and parent.",
        "หน่วยงานรัฐทั้งหมดบนแพลตฟอร์ม ระดับ และหน่วยงานต้นสังกัด",
        (
            _c("slug", "string", "Short name in its address", "ชื่อย่อในที่อยู่เว็บ"),
            _c("name_th", "string", "Name in Thai", "ชื่อภาษาไทย"),
            _c("name_en", "string", "Name in English", "ชื่อภาษาอังกฤษ"),
            _c(
                "level",
                "string",
                "central, regional or local",
                "ระดับ: central (ส่วนกลาง), regional (ส่วนภูมิภาค) หรือ local (ส่วนท้องถิ่น)",
            ),
            PROVINCE,
            _c("parent", "string", "Slug of the parent agency", "รหัสย่อของหน่วยงานต้นสังกัด"),
            _c("website", "string", "Website", "เว็บไซต์"),
            CREATED,
        ),
        None,
    ),
    Dataset(
        "partners",
        "Partners",
        "องค์กรภาคี",
        "Civil-society partners that are verified or awaiting verification (rejected ones are not public).",
        "องค์กรภาคประชาสังคมที่ได้รับการยืนยันหรือรอการยืนยัน (ไม่รวมองค์กรที่ถูกปฏิเสธ)",
        (
            _c("slug", "string", "Short name in its address", "ชื่อย่อในที่อยู่เว็บ"),
            _c("name_th", "string", "Name in Thai", "ชื่อภาษาไทย"),
            _c("name_en", "string", "Name in English", "ชื่อภาษาอังกฤษ"),
            _c(
                "partner_type",
                "string",
                "ngo, community, foundation, social_enterprise or company",
                "ประเภท: ngo, community, foundation, social_enterprise หรือ company",
            ),
            PROVINCE,
            _c("verification", "string", "verified or pending", "verified (ยืนยันแล้ว) หรือ pending (รอยืนยัน)"),
            _c("verified_at", "datetime", "When it was verified", "เวลาที่ได้รับการยืนยัน"),
            _c("website", "string", "Website", "เว็บไซต์"),
            CREATED,
        ),
        None,
    ),
    Dataset(
        "record",
        "Public record of official acts",
        "บันทึกสาธารณะของการกระทำอย่างเป็นทางการ",
        "Every entry of the hash-chained public record (/record): answers, status changes, outcomes, "
        "sign-offs. Free text in a payload is published with personal data marked, so check hashes "
        "against /api/v1/record, which gives each entry exactly as hashed.",
        "ทุกรายการในบันทึกสาธารณะแบบต่อเนื่องด้วยค่าแฮช (/record): คำตอบ การเปลี่ยนสถานะ ผลสรุป การรับมอบงาน "
        "ข้อความในข้อมูลประกอบเผยแพร่โดยปิดข้อมูลส่วนบุคคล จึงควรตรวจค่าแฮชกับ /api/v1/record ซึ่งให้แต่ละรายการตามที่ใช้คำนวณแฮช",
        (
            _c("seq", "integer", "Sequence number in the chain", "ลำดับในสายบันทึก"),
            _c("at", "datetime", "When the act happened", "เวลาที่เกิดการกระทำ"),
            AGENCY,
            _c(
                "actor_role",
                "string",
                "How the actor acted (a role, never a person)",
                "บทบาทของผู้กระทำ (ไม่ระบุตัวบุคคล)",
            ),
            _c(
                "actor_name",
                "string",
                "Empty: entries name a role, never a person (older entries may hold a platform officer's "
                "display name, kept because the entry is hashed)",
                "ว่าง: บันทึกระบุบทบาท ไม่ระบุตัวบุคคล (บันทึกเก่าอาจมีชื่อที่แสดงของเจ้าหน้าที่แพลตฟอร์ม "
                "ซึ่งคงไว้เพราะบันทึกถูกคำนวณแฮชแล้ว)",
            ),
            _c("act", "string", "The kind of act", "ประเภทการกระทำ"),
            _c(
                "subject_kind",
                "string",
                "What it was about: idea, consultation, handover...",
                "เรื่องที่เกี่ยวข้อง: idea, consultation, handover...",
            ),
            _c("subject_id", "integer", "That thing's number", "หมายเลขของเรื่องนั้น"),
            _c("payload", "object", "What was decided", "รายละเอียดการตัดสินใจ"),
            _c("prev_hash", "identifier", "Hash of the entry before", "ค่าแฮชของรายการก่อนหน้า"),
            _c(
                "hash",
                "identifier",
                "SHA-256 of this entry (RFC 8785) with the previous hash",
                "ค่าแฮช SHA-256 ของรายการนี้ (RFC 8785) รวมค่าแฮชก่อนหน้า",
            ),
        ),
        "at",
    ),
)

BY_NAME = {d.name: d for d in DATASETS}

# format -> (file suffix, media type). The OCDS package is a JSON file of its own standard.
FORMATS = {
    "csv": ("csv", "text/csv"),
    "json": ("json", "application/json"),
    "ocds": ("ocds.json", "application/json"),
}
OCDS_STANDARD = "https://standard.open-contracting.org/1.1/en/"


def formats_of(dataset: Dataset) -> tuple[str, ...]:
    return ("csv", "json", "ocds") if dataset.ocds else ("csv", "json")


def filename(dataset: str, fmt: str) -> str:
    return f"{dataset}.{FORMATS[fmt][0]}"


def parse_filename(name: str) -> tuple[Dataset, str] | None:
    """'ideas.csv' -> (ideas, 'csv'); None for anything that is not a published file."""
    for fmt, (suffix, _) in FORMATS.items():
        stem = name.removesuffix("." + suffix)
        if stem != name and stem in BY_NAME and fmt in formats_of(BY_NAME[stem]):
            return BY_NAME[stem], fmt
    return None


# ---------------------------------------------------------------- licences

# LICENCE (the setting) -> the licence's canonical URL, which the catalogue and OCDS name.
LICENCES = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODC-BY-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "OGL-TH-1.0": "https://data.go.th/pages/open-government-license-thailand",
}


def licence_url(licence: str) -> str:
    return LICENCES[licence]


# ---------------------------------------------------------------- who, and which period


def can_regenerate(user: CurrentUser | None) -> bool:
    return user is not None and user.status == "active" and user.is_admin


class Period(NamedTuple):
    since: datetime | None
    until: datetime | None  # exclusive

    @property
    def whole(self) -> bool:
        return self.since is None and self.until is None

    def holds(self, value: date | datetime | None) -> bool:
        """Whether a row dated `value` is in the period (an undated row only in the whole)."""
        if self.whole:
            return True
        if value is None:
            return False
        moment = (
            value
            if isinstance(value, datetime)
            else datetime.combine(value, datetime.min.time(), thai.BANGKOK)
        )
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)


EVERYTHING = Period(None, None)


def parse_period(since: str | None, until: str | None) -> tuple[Period, Errors]:
    """?since=&until= as the consultation analysis reads them (a date includes its whole day)."""
    start, end, errors = parse_filter_period(since, until, thai.BANGKOK)
    return Period(start, end), errors


# ---------------------------------------------------------------- cells


def json_value(value: object) -> object:
    """A value as the JSON file holds it; text is redacted (see `redact`)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def json_row(dataset: Dataset, row: Mapping[str, object]) -> dict[str, object]:
    """The row as its JSON object: the dictionary's columns, in order, and nothing else."""
    return {
        c.name: row.get(c.name) if c.type == "identifier" else json_value(row.get(c.name))
        for c in dataset.columns
    }


def csv_cell(value: object) -> object:
    """A JSON value as its CSV cell: lists as JSON text, booleans as true/false, nothing as an
    empty cell. Formula escaping is civic.web.csvout's, applied when the row is written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def csv_row(values: dict[str, object]) -> list[object]:
    return [csv_cell(v) for v in values.values()]


# ---------------------------------------------------------------- personal data

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Thai numbers: 0 and 8 or 9 more digits (landline 0X-XXX-XXXX, mobile 0XX-XXX-XXXX), or +66
# instead of the 0; Thai or Arabic digits, a dash, dot or space allowed between them; not inside
# a longer number or a run of letters and digits (a random id).
_D = "0-9\u0e50-\u0e59"
_PHONE = re.compile(
    rf"(?<![{_D}A-Za-z])(?:\+66[-. ]?|[0\u0e50])[1-9\u0e51-\u0e59](?:[-. ]?[{_D}]){{7,8}}(?![{_D}A-Za-z])"
)
_ID = re.compile(rf"(?<![{_D}])[{_D}](?:[- ]?[{_D}]){{12}}(?![{_D}])")
EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"


def redact(text: str) -> str:
    """Free text as open data publishes it: an email address or a phone number someone typed
    into an idea, a comment or an answer is replaced by a mark, and a Thai ID number is masked
    as the site masks it everywhere (thai.mask_thai_ids)."""
    if not text:
        return text
    text = thai.mask_thai_ids(text)
    text = _EMAIL.sub(EMAIL_MARK, text)
    return _PHONE.sub(PHONE_MARK, text)


class Finding(NamedTuple):
    kind: str  # email, thai_id, phone, name
    text: str


def scan(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Personal data in published text: email addresses, Thai ID numbers (valid check digit),
    phone numbers, and any of `names` (display names of people who did not consent to be named)."""
    found = [Finding("email", m.group()) for m in _EMAIL.finditer(text)]
    found += [Finding("thai_id", m.group()) for m in _ID.finditer(text) if thai.valid_thai_id(m.group())]
    found += [Finding("phone", m.group()) for m in _PHONE.finditer(text)]
    found += [Finding("name", n) for n in names if n and n in text]
    return found


# ---------------------------------------------------------------- runs


def coverage(
    first: date | None, last: date | None, value: date | datetime | None
) -> tuple[date | None, date | None]:
    """The temporal coverage widened by one row's date (Bangkok days)."""
    if value is None:
        return first, last
    day = value.astimezone(thai.BANGKOK).date() if isinstance(value, datetime) else value
    return (day if first is None or day < first else first), (day if last is None or day > last else last)


def short_error(exc: BaseException) -> str:
    """What /data and the admin see of a failed run: the kind of failure and its first line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:300] if first else type(exc).__name__
