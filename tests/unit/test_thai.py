"""civic.thai: repair, normalise, tokenise, synonyms, digits, dates, IDs."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic import thai

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_NAME = "gov40_pdf_extract_th.txt"
# Ships with the code (demo content), so it is always here: a missing file fails loudly.
FIXTURE_PATH = ROOT / "civic" / "data" / FIXTURE_NAME

# Lines copied byte for byte from the fixture, so the core checks run even
# where the fixture file is not present.
FIXTURE_EXCERPT = (
    "ราชการจะต้องทำงานด้วยการยึดหลักธรรมาภิบาลของการบริหารกิจการบ้านเมืองที ่ด ีเพื ่อประโยชน์สุข \n"
    "ของประชาชน ซึ่งระบบราชการจะต้องปรับเปลี่ยนแนวคิดและวิธีการทำงานใหม่เพื่อพลิกโฉม ให้เป็นที่เชื ่อถือ\n"
    "ไว้วางใจ และเป็นที่พ่ึงของประชาชนได้อย่างแท้จริง ดังนี้ \n"
    "ตลอดจนเปิดกว้างให้กลไกหรือภาคส่วนอื่น ๆ  เข้ามามีส่วนร่วม และโอนถ่ายภารกิจให้ภาคส่วนอื่น ๆ  ดำเนินการแทน  \n"
    "ความสะดวกโดยมีการเชื่อมโยงกันของทางราชการเพ่ือให้บริการต่าง  ๆสามารถเสร็จสิ้นในจุดเดียวประชาชนสามารถเรียกใช้\n"
    "บริการได้ตลอดเวลาผ่านการติดต่อได้หลายช่องทาง เช่น ติดต่อมาด้วยตนเอง เว็ปไซด์ แอปพลิเคชันทางโทรศัพท์มือถือ  \n"
    "ไว้ล่วงหน้า มีการวิเคราะห์ความเสี ่ยง สร้างนวัตกรรมและประยุกต์องค์ความรู ้ เข้ามาใช้ในการตอบโต้กับโลก \n"
    "1) การสานพลังระหว่างภาครัฐและภาคส่วนอ่ืน  ๆในสังคม (Collaboration) เป็นการยกระดับการทำงานให้สูงขึ้นไปกว่า\n"
    "สมรรถนะที่จําเป็นและเปลี่ยนแปลงพฤติกรรมของตน ทำให้สามารถแสดงบทบาทของการเป็นผู้นําการเปลี่ยนแปลง \n"
)

REPAIRED_FORMS = ("ที่ดี", "เชื่อถือ", "ความเสี่ยง", "พึ่ง", "อื่น", "เพื่อ", "จำเป็น", "ความรู้")
BROKEN_FORMS = ("ที ่", "พ่ึง", "อ่ืน", "เพ่ือ", "\u0e4d\u0e32", "เชื ่", "เสี ่", "  ๆ", "ๆส", "ๆใ", "ๆท")


FIXTURE_FILE = FIXTURE_PATH.read_text(encoding="utf-8")
FIXTURE_TEXTS = [FIXTURE_EXCERPT, FIXTURE_FILE]


# --------------------------------------------------------------------------
# repair
# --------------------------------------------------------------------------


def test_excerpt_is_a_true_copy_of_the_fixture() -> None:
    for line in FIXTURE_EXCERPT.splitlines():
        assert line in FIXTURE_FILE.splitlines()


@pytest.mark.parametrize("text", FIXTURE_TEXTS, ids=lambda t: f"{len(t)}chars")
def test_repair_fixes_the_fixture(text: str) -> None:
    fixed = thai.repair(text)
    for form in REPAIRED_FORMS:
        assert form in fixed, form
    for form in BROKEN_FORMS:
        assert form not in fixed, form
    assert "อื่น ๆ เข้ามา" in fixed
    assert "ต่าง ๆ สามารถ" in fixed
    assert "ภาคส่วนอื่น ๆ ในสังคม" in fixed
    assert "ผู้นำการเปลี่ยนแปลง" in fixed
    # Layout is kept: same lines, same line starts.
    assert fixed.count("\n") == text.count("\n")
    assert thai.repair(fixed) == fixed


@pytest.mark.parametrize("text", FIXTURE_TEXTS, ids=lambda t: f"{len(t)}chars")
def test_repair_leaves_undamaged_fixture_lines_alone(text: str) -> None:
    damage = re.compile(
        r"[ \t][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]|[\u0e48-\u0e4b][\u0e31\u0e34-\u0e39]|\u0e4dา|ๆ"
    )
    clean_lines = [line for line in text.splitlines() if not damage.search(line)]
    assert clean_lines
    for line in clean_lines:
        assert thai.repair(line) == line


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("ที ่ด ี", "ที่ดี"),
        ("เชื ่อถือ", "เชื่อถือ"),
        ("เสี ่ยง", "เสี่ยง"),
        ("ความรู ้ เข้ามา", "ความรู้ เข้ามา"),
        ("พ่ึง", "พึ่ง"),
        ("อ่ืน", "อื่น"),
        ("เพ่ือ", "เพื่อ"),
        ("จําเป็น", "จำเป็น"),
        ("นํ้า", "น้ำ"),
        ("น ํ้า", "น้ำ"),
        ("น้ํา", "น้ำ"),  # tone typed before nikhahit
        ("ต่าง  ๆสามารถ", "ต่าง ๆ สามารถ"),
        ("อื่น ๆ  เข้ามา", "อื่น ๆ เข้ามา"),
        ("ดีๆ", "ดี ๆ"),
        ("ต่าง ๆ   \nถัดไป", "ต่าง ๆ\nถัดไป"),
        ("เเปลก", "แปลก"),
        ("กา่ง", "ก่าง"),
        ("พุทฺธ", "พุทฺธ"),  # phinthu in order: untouched
        ("ท\u0e38\u0e3aธ", "ท\u0e3a\u0e38ธ"),  # a vowel (sara u) typed before phinthu
        ("ท\u0e48\u0e3a", "ท\u0e3a\u0e48"),  # a tone (mai ek) typed before phinthu
    ],
)
def test_repair_examples(broken: str, fixed: str) -> None:
    assert thai.repair(broken) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "ระบบราชการ 4.0 เป็นการดำเนินงานเพื่อรองรับต่อยุทธศาสตร์ประเทศไทย 4.0",
        "น้ำท่วมถนนหน้าโรงเรียน ต้องการความช่วยเหลือด่วน",
        "ภาคส่วนอื่น ๆ เข้ามามีส่วนร่วม",
        "ก็ได้ สิทธิ์ ฤๅษี กรุงเทพฯ ผู้ใหญ่บ้าน ๆ",
        "ขอแจ้งไฟทางดับ ๓ ดวง ซอย ๑๒",
        "ที่\nดี",  # a line break is not joined
        "ดี ๆ\n",
        "  เว้นวรรค  สองที  ",  # ordinary double spaces are not repair's business
    ],
)
def test_repair_leaves_correct_text_unchanged(text: str) -> None:
    assert thai.repair(text) == text


def test_repair_does_not_join_across_newline_but_normalise_does() -> None:
    assert thai.repair("ที\n่ดี") == "ที\n่ดี"
    assert thai.normalise("ที\n่ดี") == "ที่ดี"


def test_repair_is_linear_on_adversarial_marks() -> None:
    # pythainlp.util.reorder_vowels needs one pass per inversion here.
    text = "ก" + "\u0e48\u0e34" * 20_000
    start = time.perf_counter()
    fixed = thai.repair(text)
    assert time.perf_counter() - start < 2.0
    assert fixed == "ก" + "\u0e34" * 20_000 + "\u0e48" * 20_000
    assert thai.repair(fixed) == fixed


_THAI_CHARS = "".join(chr(c) for c in range(0x0E01, 0x0E5C) if chr(c).isprintable())
_MARK_CHARS = (
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)
_REPAIR_ALPHABET = (
    _THAI_CHARS
    + _MARK_CHARS * 3
    + "ๆๆาำเ"
    + "abcXYZ09 .,()-İß"
    + "\u0301\u0323\u05b0"  # non-Thai combining marks (ccc 230, 220, 10)
    + "   \t\n\u00a0\u200b"
)

thai_mixed_text = st.text(alphabet=_REPAIR_ALPHABET, max_size=60)
no_thai_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)).filter(lambda c: not 0x0E00 <= ord(c) <= 0x0E7F),
    max_size=60,
)


@settings(max_examples=1500, deadline=None)
@given(thai_mixed_text)
def test_repair_is_idempotent(text: str) -> None:
    once = thai.repair(text)
    assert thai.repair(once) == once
    assert once.count("\n") == text.count("\n")


@settings(max_examples=500, deadline=None)
@given(no_thai_text)
def test_repair_never_changes_text_without_thai(text: str) -> None:
    assert thai.repair(text) == text


@settings(max_examples=3000, deadline=None)
@given(thai_mixed_text)
def test_repair_skips_only_text_that_needs_nothing(text: str) -> None:
    # the quick check in front of repair() must never skip a text the full repair would change
    assert thai.repair(text) == thai._repair_all(text)


# --------------------------------------------------------------------------
# normalise and tokenise
# --------------------------------------------------------------------------


def test_normalise() -> None:
    assert thai.normalise("  ซอย ๑๒ \u200bบ้านเลขที่ ๔๕/๖  ") == "ซอย 12 บ้านเลขที่ 45/6"
    assert thai.normalise("Wi-Fi\tฟรี\n\nที่ WALKING  Street") == "wi-fi ฟรี ที่ walking street"
    assert thai.normalise("Straße") == "strasse"
    assert thai.normalise("ที ่ด ี จําเป็น") == "ที่ดี จำเป็น"
    assert thai.normalise("ภาษา\u200cไทย\ufeff") == "ภาษาไทย"
    assert thai.normalise("") == ""
    # Sara am survives (NFKC would decompose it).
    assert "\u0e33" in thai.normalise("น้ำ")


@settings(max_examples=500, deadline=None)
@given(thai_mixed_text)
def test_normalise_is_idempotent(text: str) -> None:
    once = thai.normalise(text)
    assert thai.normalise(once) == once
    assert not re.search(r"\s\s|^\s|\s$|[๐-๙]", once)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_normalise_is_idempotent_on_any_text(text: str) -> None:
    once = thai.normalise(text)
    assert thai.normalise(once) == once


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("เป็นที่เชื่อถือ", ["เป็นที่", "เชื่อถือ"]),
        ("ความเสี่ยง", ["ความเสี่ยง"]),
        ("ที่พึ่งของประชาชน", ["ที่พึ่ง", "ของ", "ประชาชน"]),
        ("สมรรถนะที่จำเป็น", ["สมรรถนะ", "ที่", "จำเป็น"]),
    ],
)
def test_query_tokens_match_document_tokens(query: str, expected: list[str]) -> None:
    # A clean query finds the same tokens inside the damaged document.
    q = thai.tokenise(query)
    assert q == expected
    assert _contains_run(thai.tokenise(FIXTURE_EXCERPT), q)


def test_tokenise_digits_and_case_match() -> None:
    assert thai.tokenise("ระบบราชการ ๔.๐") == thai.tokenise("ระบบราชการ 4.0") == ["ระบบ", "ราชการ", "4.0"]
    assert thai.tokenise("WiFi ฟรี") == thai.tokenise("wifi ฟรี")


def test_tokenise_drops_punctuation_and_whitespace_keeps_numbers() -> None:
    tokens = thai.tokenise("ปัจจัยสำคัญ 3 ประการ (Collaboration), ... !! อื่น ๆ  \n ได้แก่ กทม.")
    assert tokens == ["ปัจจัยสำคัญ", "3", "ประการ", "collaboration", "อื่น", "ได้แก่", "กทม"]
    assert thai.tokenise("  ,.;!? \n ") == []
    assert thai.tokens_for_index("ความเสี ่ยง 3 ประการ") == "ความเสี่ยง 3 ประการ"


def test_tokeniser_engine_is_one_pythainlp_knows() -> None:
    assert thai.TOKENISER_ENGINE in {"newmm", "nlpo3"}
    assert thai.tokenise("ระบบราชการ", engine="newmm") == thai.tokenise("ระบบราชการ")


def test_stopwords() -> None:
    words = thai.stopwords()
    assert isinstance(words, frozenset)
    assert len(words) > 500
    assert {"และ", "ของ", "ที่"} <= words
    assert "ขยะ" not in words


# --------------------------------------------------------------------------
# synonyms
# --------------------------------------------------------------------------


def test_website_misspellings_are_synonyms() -> None:
    assert "เว็บไซต์" in thai.synonyms_of("เว็ปไซด์")
    assert "เว็ปไซด์" in thai.synonyms_of("เว็บไซต์")
    assert "เว็บไซต์" in thai.synonyms_of("WEBSITE")


@pytest.mark.parametrize(
    ("term", "other"),
    [
        ("ขยะ", "มูลฝอย"),
        ("รถเมล์", "รถโดยสารประจำทาง"),
        ("กทม.", "กรุงเทพมหานคร"),
        ("กรุงเทพฯ", "กทม."),
        ("อบต.", "องค์การบริหารส่วนตำบล"),
        ("อบจ.", "องค์การบริหารส่วนจังหวัด"),
        ("อินเตอร์เน็ต", "อินเทอร์เน็ต"),
        ("Wi-Fi", "ไวไฟ"),
        ("อุทกภัย", "น้ำท่วม"),
        ("คนชรา", "ผู้สูงอายุ"),
        ("ไฟถนน", "ไฟฟ้าส่องสว่าง"),
        ("รพ.", "โรงพยาบาล"),
        ("รร.", "โรงเรียน"),
        ("ฟุตบาท", "ทางเท้า"),
    ],
)
def test_required_synonym_groups(term: str, other: str) -> None:
    assert other in thai.synonyms_of(term)


def test_synonyms_found_from_index_tokens() -> None:
    # How civic.search looks terms up: adjacent query tokens glued together.
    assert "กรุงเทพมหานคร" in thai.synonyms_of("".join(thai.tokenise("กทม.")))
    assert "ฝุ่นจิ๋ว" in thai.synonyms_of("".join(thai.tokenise("ฝุ่น PM2.5")))
    assert "ประปาไม่ไหล" in thai.synonyms_of("".join(thai.tokenise("น้ำไม่ไหล")))
    assert "อินเทอร์เน็ต" in thai.synonyms_of("อินเตอร์เน็ต")


def test_non_synonyms_stay_apart() -> None:
    assert "ทางหลวง" not in thai.synonyms_of("ถนน")
    assert "ทม." not in thai.synonyms_of("ทต.")
    assert thai.synonyms_of("คำที่ไม่มีในรายการ") == {"คำที่ไม่มีในรายการ"}


def test_synonym_file_is_well_formed() -> None:
    groups = thai.load_synonyms()
    assert len(groups) >= 30
    assert thai.load_synonyms() is groups  # cached
    seen: dict[str, frozenset[str]] = {}
    for group in groups:
        assert len(group) >= 2
        keys_of_group = set()
        for term in group:
            assert thai.repair(term) == term, f"{term!r} is damaged"
            keys_of_group |= thai._synonym_keys(term)
        for key in keys_of_group:
            assert key not in seen, f"{key!r} is in {sorted(group)} and {sorted(seen[key])}"
            seen[key] = group


def test_parse_synonyms_format() -> None:
    lines = ["# comment", "", "ก | ข  | ค # trailing", "lonely", "ง|จ"]
    assert thai._parse_synonyms(lines) == [frozenset({"ก", "ข", "ค"}), frozenset({"ง", "จ"})]


# --------------------------------------------------------------------------
# digits
# --------------------------------------------------------------------------


def test_digit_conversion() -> None:
    assert thai.to_arabic_digits("ซอย ๑๒/๓๔๕๖๗๘๙๐") == "ซอย 12/3456789" + "0"
    assert thai.to_thai_digits("ซอย 12/3456789" + "0") == "ซอย ๑๒/๓๔๕๖๗๘๙๐"
    assert thai.to_arabic_digits("١٢") == "١٢"


@pytest.mark.parametrize(
    ("s", "value"),
    [
        ("๑๒", 12),
        ("12", 12),
        ("๑2", 12),
        ("007", 7),
        ("๐", 0),
        ("١٢", None),  # Arabic-Indic: int() would accept it
        ("１２", None),  # full-width
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1_000", None),
        ("", None),
        ("1.0", None),
        ("²", None),
    ],
)
def test_parse_int_strict(s: str, value: int | None) -> None:
    assert thai.parse_int_strict(s) == value


def test_parse_int_strict_huge_is_none_not_error() -> None:
    assert thai.parse_int_strict("9" * 10_000) is None


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------


def test_format_date_plain_date() -> None:
    d = date(2026, 11, 24)
    assert thai.format_date(d, "th") == "24 พฤศจิกายน 2569"
    assert thai.format_date(d, "en") == "24 November 2026"
    assert thai.format_date(d, "th", with_time=True) == "24 พฤศจิกายน 2569"
    assert thai.format_date_short(d, "th") == "24 พ.ย. 69"
    assert thai.format_date_short(d, "en") == "24 Nov 2026"
    assert thai.format_date(d, "th-TH") == "24 พฤศจิกายน 2569"


def test_format_date_naive_is_utc_and_shown_in_bangkok() -> None:
    dt = datetime(2026, 11, 24, 3, 30)  # naive = UTC -> 10:30 in Bangkok
    assert thai.format_date(dt, "th", with_time=True) == "24 พฤศจิกายน 2569 เวลา 10:30 น."
    assert thai.format_date(dt, "en", with_time=True) == "24 November 2026, 10:30"
    assert thai.format_date(dt, "th") == "24 พฤศจิกายน 2569"


def test_format_date_crosses_midnight_and_year_into_bangkok() -> None:
    dt = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 on 1 Jan 2027 in Bangkok
    assert thai.format_date(dt, "th", with_time=True) == "1 มกราคม 2570 เวลา 01:30 น."
    assert thai.format_date(dt, "en", with_time=True) == "1 January 2027, 01:30"
    assert thai.format_date_short(dt, "th") == "1 ม.ค. 70"
    assert thai.format_date(dt.replace(tzinfo=None), "th") == "1 มกราคม 2570"


def test_format_date_other_zone() -> None:
    dt = datetime(2026, 6, 1, 23, 0, tzinfo=ZoneInfo("Europe/London"))  # BST, 22:00 UTC
    assert thai.format_date(dt, "th", with_time=True) == "2 มิถุนายน 2569 เวลา 05:00 น."


def test_format_date_rejects_unknown_language() -> None:
    with pytest.raises(ValueError):
        thai.format_date(date(2026, 1, 1), "fr")


# --------------------------------------------------------------------------
# Thai national ID
# --------------------------------------------------------------------------


def _with_check_digit(first12: str) -> str:
    total = sum(int(c) * w for c, w in zip(first12, range(13, 1, -1), strict=True))
    return first12 + str((11 - total % 11) % 10)


def test_valid_thai_id() -> None:
    good = _with_check_digit("110170020345")
    assert len(good) == 13
    assert thai.valid_thai_id(good)
    dashed = f"{good[0]}-{good[1:5]}-{good[5:10]}-{good[10:12]}-{good[12]}"
    assert thai.valid_thai_id(dashed)
    assert thai.valid_thai_id(dashed.replace("-", " "))
    assert thai.valid_thai_id(thai.to_thai_digits(dashed))
    for first12 in ("000000000000", "999999999999", "310060044562", "859900123456"):
        assert thai.valid_thai_id(_with_check_digit(first12))


def test_invalid_thai_ids() -> None:
    good = _with_check_digit("110170020345")
    wrong = good[:12] + str((int(good[12]) + 1) % 10)
    assert not thai.valid_thai_id(wrong)
    assert not thai.valid_thai_id(good[:12])
    assert not thai.valid_thai_id(good + "0")
    assert not thai.valid_thai_id("")
    assert not thai.valid_thai_id("abcdefghijklm")
    assert not thai.valid_thai_id(good.replace(good[0], "١", 1))
    assert not thai.valid_thai_id(good[:6] + "." + good[6:])
    assert not thai.valid_thai_id(good[:6] + "\n" + good[6:])
    # Swapping two adjacent, different digits changes the weighted sum.
    swapped = good[0] + good[2] + good[1] + good[3:]
    assert good[1] != good[2]
    assert not thai.valid_thai_id(swapped)


# ---------------------------------------------------------------------------
# Names and titles: more than marks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", False),
        ("์", False),
        ("ัิ้็", False),
        ("!?-", False),
        ("👍", False),
        ("½", False),  # a number, not a digit
        ("Ⅻ", False),
        ("ก", True),
        ("a", True),
        ("ๆ", True),  # a letter (modifier)
        ("๑", True),
        ("7", True),
        ("่่ก", True),  # anywhere in the text
    ],
)
def test_has_base(text: str, expected: bool) -> None:
    assert thai.has_base(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("ที่ดี", None),
        ("ก่่", None),  # marks stacked on one letter
        ("๑่", None),  # a digit carries a mark as a letter does
        ("e\u0301", None),  # Latin with a combining accent
        ("ก ข่", None),  # a space between, then a new letter
        ("่", 0),
        ("ัิ้็", 0),
        ("่ก", 0),
        ("ก ่", 2),
        ("ที ่ด", 3),
        ("ก!่", 2),  # after punctuation
        ("ก่ ่", 3),  # the letter before the space no longer counts
        ("\u0301", 0),  # Mn outside Thai
        ("\u093e", 0),  # Mc (a Devanagari vowel sign)
        ("a\u20dd", None),  # Me
        ("\u20dd", 0),
    ],
)
def test_orphan_mark(text: str, expected: int | None) -> None:
    assert thai.orphan_mark(text) == expected


# ---------------------------------------------------------------------------
# Masking Thai ID numbers in public text
# ---------------------------------------------------------------------------

_ID = _with_check_digit("110170020345")  # 1101700203450
_MASKED = "x-xxxx-xxxxx-45-0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_ID, _MASKED),
        (f"เลขบัตร {_ID} ครับ", f"เลขบัตร {_MASKED} ครับ"),
        ("1-1017-00203-45-0", _MASKED),
        ("1 1017 00203 45 0", _MASKED),
        ("๑-๑๐๑๗-๐๐๒๐๓-๔๕-๐", "x-xxxx-xxxxx-๔๕-๐"),  # the last digits as written
        ("๑๑๐๑๗๐๐๒๐๓๔๕๐", "x-xxxx-xxxxx-๔๕-๐"),
        (f"บัตร:{_ID}.", f"บัตร:{_MASKED}."),
        (f"{_ID},{_ID}", f"{_MASKED},{_MASKED}"),
        (f"{_ID} 2569", f"{_MASKED} 2569"),  # a number after a space does not hide it
        (f"เลข{_ID}", f"เลข{_MASKED}"),
        # not IDs: a wrong check digit, part of a longer number, too short, two separators
        (_ID[:12] + "1", _ID[:12] + "1"),
        (_ID + "1", _ID + "1"),
        ("9" + _ID, "9" + _ID),
        (_ID[:12], _ID[:12]),
        ("1--1017-00203-45-0", "1--1017-00203-45-0"),
        ("1.1017.00203.45.0", "1.1017.00203.45.0"),
        ("โทร 081-234-5678", "โทร 081-234-5678"),
        ("", ""),
    ],
)
def test_mask_thai_ids(text: str, expected: str) -> None:
    assert thai.mask_thai_ids(text) == expected


def test_thai_sorted_is_dictionary_order_not_code_point_order() -> None:
    names = ["อุบลราชธานี", "แม่ฮ่องสอน", "อ่างทอง", "เชียงใหม่", "กรุงเทพมหานคร", "เพชรบุรี"]
    rows = [{"n": n} for n in names]
    assert [r["n"] for r in thai.thai_sorted(rows, key=lambda r: r["n"])] == [
        "กรุงเทพมหานคร", "เชียงใหม่", "เพชรบุรี", "แม่ฮ่องสอน", "อ่างทอง", "อุบลราชธานี",
    ]  # fmt: skip
    assert sorted(names) != thai.thai_sorted(names, key=str)  # code point order differs
    assert thai.thai_sorted([("b", "x"), ("a", "x")], key=lambda p: p[1]) == [
        ("b", "x"),
        ("a", "x"),
    ]  # stable
    assert thai.thai_sorted([], key=str) == []


def test_a_name_added_since_the_last_sort_takes_its_place() -> None:
    names = ["อุบลราชธานี", "กระบี่"]
    assert thai.thai_sorted(names, key=str) == ["กระบี่", "อุบลราชธานี"]
    assert thai.thai_sorted([*names, "เชียงใหม่", "ขอนแก่น"], key=str) == ["กระบี่", "ขอนแก่น", "เชียงใหม่", "อุบลราชธานี"]
    assert thai.thai_sorted(names[:1], key=str) == ["อุบลราชธานี"]


def test_provinces_are_listed_in_thai_dictionary_order() -> None:
    from civic import provinces

    th = [name for _, name in provinces.choices("th")]
    assert len(th) == 77 and th[0] == "กระบี่" and th[-1] == "อุบลราชธานี"
    assert th.index("อ่างทอง") < th.index("อุบลราชธานี")
    assert th.index("เชียงใหม่") < th.index("ตาก") and th.index("แม่ฮ่องสอน") < th.index("ยะลา")
    en = [name for _, name in provinces.choices("en")]
    assert en == sorted(en)


def test_sorting_provinces_by_their_order_is_sorting_them_by_name() -> None:
    from civic import provinces

    codes = sorted(provinces.codes(), reverse=True)
    for lang in ("th", "en"):
        by_order = sorted(codes, key=provinces.order(lang).__getitem__)
        assert by_order == thai.thai_sorted(codes, key=lambda c, lang=lang: provinces.name(c, lang))


# --------------------------------------------------------------------------
# Edges the mutation run found untested
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "cleaned"),
    [
        ("", ""),
        ("(ab)", "ab"),  # one mark each side: stripped one character at a time
        ("ab. ", "ab"),  # punctuation behind trailing whitespace
        (". กทม", "กทม"),  # punctuation, then whitespace, in front
        ('"กทม"', "กทม"),
        ("(4.0)", "4.0"),  # inner punctuation stays
        ("wi-fi", "wi-fi"),
        ("ๆ", ""),
        ("+", ""),  # symbols only: nothing to search for
        ("→", ""),
        ("&&", ""),
    ],
)
def test_clean_token(token: str, cleaned: str) -> None:
    assert thai._clean_token(token) == cleaned


def test_tokenise_uses_the_measured_engine() -> None:
    # In brackets, newmm keeps one glued token where nlpo3 splits at a slash (the gov40 fixture's
    # "(Digitization/Digitalization)"): documents and queries must agree on which.
    assert thai.tokenise("(Digitization/Digitalization)") == ["digitization/digitalization"]
    assert thai.tokenise("(Digitization/Digitalization)", engine="nlpo3") == ["digitization", "digitalization"]


def test_words_finds_every_word_that_starts_the_text_at_a_position() -> None:
    words = thai._Words(["ก", "กข", "กขคง", "ขค"])
    assert len(words) == 4
    assert words.prefixes("กขคงจ") == ["ก", "กข", "กขคง"]  # the longest word is found whole
    assert words.prefixes("จกขค", 1) == ["ก", "กข"]
    assert words.prefixes("จกขค", 2) == ["ขค"]
    assert words.prefixes("จ") == []
    assert "กข" in words and "กขค" not in words
    assert thai._Words([]).prefixes("กข") == []


def test_newmm_is_given_the_word_list_and_other_engines_nothing() -> None:
    assert thai.words_for("newmm") is thai.dictionary()
    assert thai.words_for("nlpo3") is None


def test_tokenise_segments_newmm_with_the_word_list(monkeypatch: pytest.MonkeyPatch) -> None:
    # What newmm is given decides the words: where the list knows only the compound, it stays whole.
    assert thai.tokenise("ระบบราชการ") == ["ระบบ", "ราชการ"]
    monkeypatch.setattr(thai, "dictionary", lambda: thai._Words(["ระบบราชการ"]))
    assert thai.tokenise("ระบบราชการ") == ["ระบบราชการ"]
    assert thai.tokenise("ระบบราชการ", engine="nlpo3") == ["ระบบ", "ราชการ"]  # nlpo3 keeps its own


def test_the_word_list_in_a_trie_segments_as_pythainlps_own() -> None:
    # The marisa trie must be a drop-in for pythainlp's Trie: the same words found at every
    # position of real text (the PDF extract, repaired and normalised), so the same segmentation.
    from pythainlp.tokenize import newmm
    from pythainlp.util import Trie

    text = thai.normalise(FIXTURE_PATH.read_text(encoding="utf-8"))
    words = thai.dictionary()
    reference = newmm.word_dict_trie()
    assert len(words) == len(reference) > 60_000
    assert isinstance(reference, Trie)
    for start in range(0, len(text), 7):
        assert sorted(words.prefixes(text, start)) == sorted(reference.prefixes(text, start))
    assert newmm.segment(text, words) == newmm.segment(text, reference)
    assert "ราชการ" in words and "ราชกา" not in words


def test_synonym_keys() -> None:
    assert thai._synonym_keys("ฝุ่น PM2.5") == {"ฝุ่น pm2.5", "ฝุ่นpm2.5"}  # as typed, and glued tokens
    assert thai._synonym_keys("...") == {"..."}  # no tokens: no empty key that every such term shares
    assert thai._synonym_keys("") == set()


def test_parse_synonyms_cuts_at_the_first_hash() -> None:
    assert thai._parse_synonyms(["a | b  # a note # with a hash"]) == [frozenset({"a", "b"})]


@pytest.mark.parametrize(
    ("lang", "base"), [("th_TH", "th"), ("en-US-x-civic", "en"), ("TH", "th"), ("en_gb", "en")]
)
def test_language_tags(lang: str, base: str) -> None:
    assert thai._lang(lang) == base


def test_unknown_language_is_named() -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        thai.format_date(date(2026, 1, 1), "fr")


def test_format_date_without_time_shows_no_time() -> None:
    dt = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
    assert thai.format_date(dt, "en") == "24 November 2026"
    assert thai.format_date_short(dt, "en") == "24 Nov 2026"
    assert thai.format_date_short(dt, "th") == "24 พ.ย. 69"


def test_format_date_short_with_time() -> None:
    dt = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
    assert thai.format_date_short(dt, "th", with_time=True) == "24 พ.ย. 69 10:30 น."
    assert thai.format_date_short(dt, "en", with_time=True) == "24 Nov 2026, 10:30"


class _NoOffset(tzinfo):
    """A zone that knows no offset: Python treats such a datetime as naive."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> None:
        return None


@pytest.fixture
def server_in_new_york(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    # The test means something only if the process's own zone really moved away from UTC.
    assert datetime(2026, 11, 24, 3, 30).astimezone().utcoffset() == timedelta(hours=-5)
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("server_in_new_york")
def test_naive_times_are_utc_whatever_the_server_zone() -> None:
    for dt in (datetime(2026, 11, 24, 3, 30), datetime(2026, 11, 24, 3, 30, tzinfo=_NoOffset())):
        assert thai.format_date(dt, "en", with_time=True) == "24 November 2026, 10:30"
