"""A realistic Thai corpus and relevance cases, shared by the PostgreSQL relevance test and the
live Meilisearch suite (tests/integration/test_meili_live.py), so both run the SAME cases.

Documents 15 and 16 are government text as extracted from a PDF, damage included
(civic/data/gov40_pdf_extract_th.txt: split marks "ที ่ด ี", misordered "พ่ึง", "จํา").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from civic.search.port import SearchDocument

FIXTURE = Path(__file__).resolve().parents[2] / "civic" / "data" / "gov40_pdf_extract_th.txt"
_LINES = FIXTURE.read_text(encoding="utf-8").splitlines()


def _lines_with(*needles: str) -> str:
    return "\n".join(line for line in _LINES if any(n in line for n in needles))


_GOV40_A = "\n".join(_LINES[:5])
_GOV40_B = _lines_with("ความเสี ่ยง", "จําเป็น", "เว็ปไซด์")
assert "ที ่ด ี" in _GOV40_A and "พ่ึง" in _GOV40_A, "fixture changed: doc 15 lost its damage"
assert "ความเสี ่ยง" in _GOV40_B and "จําเป็น" in _GOV40_B

# (id, kind, title, body, province, agency, status)
_RAW = [
    (1, "idea", "ขอเพิ่มถังขยะแยกประเภทในตลาดสดเทศบาล",
     "ทุกเช้าขยะล้นถังหน้าตลาด ส่งกลิ่นเหม็นและมีสุนัขจรจัดมาคุ้ย อยากให้เพิ่มถังแยกขยะเปียกและขยะรีไซเคิล",
     "BKK", "bkk-district", "open"),
    (2, "idea", "ปัญหามูลฝอยตกค้างริมคลองแสนแสบ",
     "มีการทิ้งมูลฝอยลงคลองเป็นประจำ ทำให้น้ำเน่าเสีย ขอให้กรุงเทพมหานครจัดเรือเก็บขยะทุกสัปดาห์",
     "BKK", "bkk-district", "open"),
    (3, "idea", "ไฟถนนดับทั้งซอยลาดพร้าว ๗๑",
     "ไฟส่องสว่างในซอยดับมาสามสัปดาห์แล้ว ตอนกลางคืนมืดมากและอันตรายต่อคนที่กลับบ้านดึก",
     "BKK", "bkk-district", "open"),
    (4, "idea", "อินเทอร์เน็ตในหมู่บ้านช้ามาก",
     "สัญญาณเน็ตมือถือหลุดบ่อย นักเรียนเรียนออนไลน์ไม่ได้ อยากให้ อบต. ติดตั้งไวไฟสาธารณะที่ศาลาหมู่บ้าน",
     "CMI", "mae-hia", "open"),
    (5, "idea", "ขอจุดบริการ WiFi ฟรีในห้องสมุดประชาชน",
     "ห้องสมุดประชาชนอำเภอเมืองไม่มี wi-fi ให้ผู้ใช้บริการ ควรติดตั้งเราเตอร์และจำกัดเวลาใช้งาน",
     "KKN", "kkn-city", "open"),
    (6, "consultation", "ร่างแผนพัฒนาเว็บไซต์องค์การบริหารส่วนตำบลแม่เหียะ",
     "องค์การบริหารส่วนตำบลแม่เหียะขอรับฟังความคิดเห็นต่อการปรับปรุงเว็บไซต์ให้ยื่นคำร้องออนไลน์ได้ "
     "ติดตามสถานะเรื่องร้องเรียน และดาวน์โหลดแบบฟอร์ม", "CMI", "mae-hia", "open"),
    (7, "idea", "รถเมล์สาย ๘ มาไม่ตรงเวลา",
     "รอรถโดยสารประจำทางที่ป้ายหน้ามหาวิทยาลัยนานเกือบชั่วโมง ขอให้มีแอปบอกตำแหน่งรถแบบเรียลไทม์",
     "BKK", "bmta", "open"),
    (8, "idea", "ทางเท้าชำรุดหน้าโรงเรียนวัดสุทธิวราราม",
     "ฟุตบาทแตกเป็นหลุม ผู้ปกครองที่จูงเด็กเล็กและผู้สูงอายุสะดุดล้มบ่อย ขอซ่อมแซมด่วนก่อนเปิดเทอม",
     "BKK", "bkk-district", "accepted"),
    (9, "handover", "ส่งมอบงานซ่อมท่อระบายน้ำอุดตันถนนนิมมานเหมินท์",
     "เทศบาลนครเชียงใหม่ลอกท่อระบายน้ำความยาว ๑,๒๐๐ เมตร แล้วเสร็จเมื่อวันที่ ๑๕ มิถุนายน ๒๕๖๘",
     "CMI", "cmi-city", "done"),
    (10, "idea", "ฝุ่น PM2.5 เกินมาตรฐานช่วงเผาไร่อ้อย",
     "ค่าฝุ่นละอองขนาดเล็กสูงกว่า 100 ไมโครกรัมต่อลูกบาศก์เมตรหลายวัน ขอให้จังหวัดประกาศห้ามเผาและแจกหน้ากาก N95",
     "UDN", "udn-province", "open"),
    (11, "idea", "สุนัขจรจัดไล่กัดเด็กในชุมชน",
     "หมาในซอยรวมฝูงกันกว่าสิบตัว เด็กถูกกัดไปแล้วสองคน ขอให้ปศุสัตว์มาทำหมันและฉีดวัคซีนพิษสุนัขบ้า",
     "NMA", "nma-city", "open"),
    (12, "consultation", "ประชาพิจารณ์โครงการรถไฟฟ้าสายสีแดงส่วนต่อขยาย",
     "กระทรวงคมนาคมเปิดรับความคิดเห็นเรื่องแนวเส้นทาง สถานี และผลกระทบต่อชุมชนริมทางรถไฟ",
     "BKK", "mot", "open"),
    (13, "idea", "เพิ่มเบี้ยยังชีพผู้สูงอายุให้พอกับค่าครองชีพ",
     "คนชราในหมู่บ้านได้เงินเดือนละ ๖๐๐ บาท ไม่พอค่ายาและค่าเดินทางไปโรงพยาบาลส่งเสริมสุขภาพตำบล",
     "SNK", "snk-province", "open"),
    (14, "idea", "น้ำประปาไม่ไหลสามวันแล้ว",
     "หมู่ ๓ ตำบลบ้านดู่ น้ำไม่ไหลตั้งแต่วันจันทร์ ต้องซื้อน้ำถังมาใช้ ขอให้การประปาส่วนภูมิภาคเร่งแก้ไข",
     "CRI", "pwa", "open"),
    (15, "consultation", "ยุทธศาสตร์ระบบราชการ ๔.๐", _GOV40_A, None, "opdc", "open"),
    (16, "consultation", "การเตรียมความพร้อมของหน่วยงานรัฐ", _GOV40_B, None, "opdc", "closed"),
    (17, "idea", "สวนสาธารณะเปิดให้วิ่งตอนเช้ามืด",
     "อยากให้สวนลุมพินีเปิดตั้งแต่ตีสี่ครึ่งสำหรับคนที่ออกกำลังกายก่อนไปทำงาน", "BKK", "bkk-parks", "open"),
    (18, "handover", "ติดตั้งกล้องวงจรปิดบริเวณสะพานลอยคนข้าม",
     "ติดตั้ง CCTV จำนวน ๑๒ ตัว เชื่อมกับศูนย์ควบคุมของสำนักงานเขต", "BKK", "bkk-district", "done"),
    (19, "idea", "ขอให้โรงพยาบาลเพิ่มคลินิกนอกเวลา",
     "ผู้ป่วยต้องมารอคิวตั้งแต่ตีห้า ควรเปิดคลินิกนอกเวลาราชการช่วงเย็นสำหรับคนทำงาน", "KKN", "kkn-hospital", "open"),
    (20, "idea", "น้ำท่วมขังถนนหลังฝนตกหนัก",
     "ถนนเพชรเกษมช่วงบางแคน้ำท่วมสูงครึ่งล้อรถทุกครั้งที่ฝนตก ท่อระบายน้ำเล็กเกินไป", "BKK", "bkk-district", "open"),
    (21, "handover", "ซ่อมไฟฟ้าส่องสว่างถนนมิตรภาพ",
     "การไฟฟ้าส่วนภูมิภาคเปลี่ยนหลอดไฟ LED จำนวน ๘๔ ดวง ระหว่างกิโลเมตรที่ 10 ถึง 15", "NMA", "pea", "done"),
    (22, "idea", "ศูนย์พัฒนาเด็กเล็กขาดครูพี่เลี้ยง",
     "ครูหนึ่งคนดูแลเด็กยี่สิบห้าคน ขอให้องค์การบริหารส่วนจังหวัดจัดสรรงบจ้างผู้ช่วย", "SNK", "snk-pao", "open"),
    (23, "idea", "Bike lane บนถนนสุขุมวิท",
     "อยากให้ทำเลนจักรยานแยกจากถนนอย่างปลอดภัย เพื่อให้คนปั่นจักรยานไปทำงานได้", "BKK", "bkk-traffic", "open"),
    (24, "idea", "ขยายเวลาเปิดสำนักงานเขตวันเสาร์",
     "คนทำงานออฟฟิศไม่สามารถลางานมาทำบัตรประชาชนได้ ขอเปิดบริการวันเสาร์ครึ่งวัน", "BKK", "bkk-district", "open"),
    (25, "consultation", "ร่างข้อบัญญัติการจัดการสิ่งปฏิกูลและมูลฝอย พ.ศ. ๒๕๖๘",
     "เทศบาลตำบลขอความเห็นเรื่องอัตราค่าธรรมเนียมเก็บขนขยะรายเดือนและการคัดแยกขยะต้นทาง", "CRI", "cri-town", "open"),
    (26, "idea", "มอเตอร์ไซค์วิ่งบนทางเท้า",
     "วินมอเตอร์ไซค์ขับขึ้นฟุตบาทหน้าสถานีรถไฟฟ้าทุกเช้า คนเดินเท้าต้องหลบ", "BKK", "bkk-traffic", "open"),
    (27, "idea", "ไข้เลือดออกระบาดในชุมชน",
     "มีผู้ป่วยเจ็ดรายในเดือนเดียว ขอให้ อสม. พ่นหมอกควันและแจกทรายอะเบท", "UDN", "udn-health", "open"),
    (28, "idea", "ขอ QR code จ่ายค่าน้ำประปาออนไลน์",
     "อยากจ่ายบิลผ่านแอปธนาคารแทนการไปจ่ายที่สำนักงาน", "CRI", "pwa", "open"),
    (29, "handover", "ปรับปรุงป้ายรถเมล์พร้อมหลังคากันฝน",
     "สร้างศาลาที่พักผู้โดยสารใหม่ ๒๐ จุด ตามคำขอของประชาชนในเขตบางกะปิ", "BKK", "bmta", "done"),
    (30, "idea", "อบจ. ควรซ่อมถนนลาดยางสายบ้านโคก",
     "ถนนเป็นหลุมบ่อตลอดสาย รถจักรยานยนต์ล้มบ่อยช่วงหน้าฝน", "SNK", "snk-pao", "open"),
    (31, "idea", "บูรณะกำแพงวัดเก่าที่ทรุดตัว",
     "กำแพงโบราณริมแม่น้ำเจ้าพระยาพังลงมาหลังน้ำลด ควรซ่อมก่อนฤดูท่องเที่ยว", "AYA", "aya-fine-arts", "open"),
    (32, "consultation", "แผนส่งเสริมการท่องเที่ยวโดยชุมชนรอบเขาใหญ่",
     "รับฟังความคิดเห็นเรื่องเส้นทางเดินป่า โฮมสเตย์ และรายได้ของชาวบ้าน", "NMA", "nma-tourism", "open"),
    (33, "idea", "ภัยแล้งทำนาข้าวเสียหายทั้งตำบล",
     "ขอรถบรรทุกน้ำและงบขุดบ่อบาดาลให้หมู่บ้านที่ไม่มีน้ำใช้มาสองเดือน", "BRM", "brm-province", "open"),
    (34, "idea", "Flooding in front of the school on Tha Phae road",
     "Every rainy season the road floods and children cannot walk to class. Please clean the drains.",
     "CMI", "cmi-city", "open"),
]  # fmt: skip

# An agency's names, as the relay adds them from `organisations` (civic.search.relay.with_agency_names).
AGENCY_NAMES: dict[str, tuple[str, str]] = {
    "bkk-district": ("สำนักงานเขตบางกะปิ", "Bang Kapi District Office"),
    "mae-hia": ("องค์การบริหารส่วนตำบลแม่เหียะ", "Mae Hia Subdistrict Administrative Organization"),
    "kkn-city": ("เทศบาลนครขอนแก่น", "Khon Kaen City Municipality"),
    "bmta": ("องค์การขนส่งมวลชนกรุงเทพ", "Bangkok Mass Transit Authority"),
    "cmi-city": ("เทศบาลนครเชียงใหม่", "Chiang Mai City Municipality"),
    "udn-province": ("ศาลากลางจังหวัดอุดรธานี", "Udon Thani Provincial Hall"),
    "nma-city": ("เทศบาลนครนครราชสีมา", "Nakhon Ratchasima City Municipality"),
    "mot": ("กระทรวงคมนาคม", "Ministry of Transport"),
    "snk-province": ("สำนักงานจังหวัดสกลนคร", "Sakon Nakhon Provincial Office"),
    "pwa": ("การประปาส่วนภูมิภาค", "Provincial Waterworks Authority"),
    "opdc": ("สำนักงานคณะกรรมการพัฒนาระบบราชการ", "Office of the Public Sector Development Commission"),
    "bkk-parks": ("สำนักสิ่งแวดล้อม กรุงเทพมหานคร", "Bangkok Department of Environment"),
    "kkn-hospital": ("โรงพยาบาลขอนแก่น", "Khon Kaen Hospital"),
    "pea": ("การไฟฟ้าส่วนภูมิภาค", "Provincial Electricity Authority"),
    "snk-pao": ("องค์การบริหารส่วนจังหวัดสกลนคร", "Sakon Nakhon Provincial Administrative Organization"),
    "bkk-traffic": ("สำนักการจราจรและขนส่ง กรุงเทพมหานคร", "Bangkok Traffic and Transportation Department"),
    "cri-town": ("เทศบาลตำบลบ้านดู่", "Ban Du Subdistrict Municipality"),
    "udn-health": ("สำนักงานสาธารณสุขจังหวัดอุดรธานี", "Udon Thani Provincial Public Health Office"),
    "aya-fine-arts": ("สำนักศิลปากรที่ ๓ พระนครศรีอยุธยา", "The 3rd Regional Office of Fine Arts"),
    "nma-tourism": ("สำนักงานการท่องเที่ยวและกีฬาจังหวัดนครราชสีมา", "Nakhon Ratchasima Tourism and Sports Office"),
    "brm-province": ("ศาลากลางจังหวัดบุรีรัมย์", "Buri Ram Provincial Hall"),
}

_BASE = datetime(2025, 6, 1, tzinfo=UTC)

DOCS: list[SearchDocument] = [
    SearchDocument(
        kind=kind,
        id=i,
        title=title,
        body=body,
        url=f"/{kind}s/{i}",
        province=prov,
        agency=agency,
        status=status,
        created_at=_BASE - timedelta(days=i),
        popularity=(i * 7) % 40,
        agency_names=list(AGENCY_NAMES[agency]),
    )  # fmt: skip
    for i, kind, title, body, prov, agency, status in _RAW
]

# (query, relevant (kind, id) ids, what it exercises). recall@5 is measured per query.
CASES: list[tuple[str, set[int], str]] = [
    ("ขยะ", {1, 2, 25}, "synonym: มูลฝอย"),
    ("มูลฝอย", {1, 2, 25}, "synonym: ขยะ"),
    ("ถังขยะ", {1}, "compound"),
    ("ตลาด", {1}, "word in the middle of a Thai run (ตลาดสด)"),
    ("แยกขยะ", {1, 25}, "compound inside คัดแยกขยะ"),
    ("กทม.", {2}, "abbreviation: กรุงเทพมหานคร"),
    ("กรุงเทพ", {2}, "synonym group กทม."),
    ("ไฟถนน", {3, 21}, "synonym: ไฟส่องสว่าง"),
    ("ซอยลาดพร้าว 71", {3}, "Arabic digits find Thai digits"),
    ("๗๑", {3}, "Thai digits"),
    ("อินเทอร์เน็ต", {4}, "exact"),
    ("อินเตอร์เน็ต", {4}, "common misspelling"),
    ("เน็ตช้า", {4}, "compound query, short form"),
    ("wifi", {4, 5}, "English finds Thai ไวไฟ"),
    ("ไวไฟ", {4, 5}, "Thai finds WiFi / wi-fi"),
    ("Wi-Fi ห้องสมุด", {5}, "Thai mixed with English"),
    ("อบต.", {4, 6}, "abbreviation: องค์การบริหารส่วนตำบล"),
    ("องค์การบริหารส่วนตำบล", {4, 6}, "long form finds อบต."),
    ("เว็บไซต์", {6, 16}, "finds the PDF's เว็ปไซด์"),
    ("เว็ปไซด์", {6, 16}, "misspelling"),
    ("รถเมล์", {7, 29}, "exact"),
    ("รถโดยสารประจำทาง", {7, 29}, "synonym: รถเมล์"),
    ("รถเมล์สาย ๘", {7}, "Thai digit in query"),
    ("ฟุตบาท", {8, 26}, "synonym: ทางเท้า"),
    ("ทางเท้า", {8, 26}, "synonym: ฟุตบาท"),
    ("ท่อระบายน้ำ", {9, 20}, "compound"),
    ("1,200 เมตร", {9}, "number with comma, Thai digits in document"),
    ("PM2.5", {10}, "Latin + digits"),
    ("ฝุ่นจิ๋ว", {10}, "synonym: ฝุ่น PM2.5"),
    ("หมาจร", {11}, "synonym: สุนัขจรจัด"),
    ("สุนัขจรจัด", {1, 11}, "exact"),
    ("รถไฟฟ้า", {12, 26}, "compound"),
    ("ผู้สูงอายุ", {8, 13}, "exact"),
    ("คนชรา", {8, 13}, "synonym: ผู้สูงอายุ"),
    ("น้ำไม่ไหล", {14}, "multi-token synonym group"),
    ("ประปา", {14, 28}, "word inside น้ำประปา"),
    ("ที่ดี", {15}, "PDF damage: ที ่ด ี"),
    ("เชื่อถือ", {15}, "PDF damage: เชื ่อถือ"),
    ("พึ่ง", {15}, "PDF damage: misordered พ่ึง"),
    ("ความเสี่ยง", {16}, "PDF damage: ความเสี ่ยง"),
    ("จำเป็น", {16}, "PDF damage: nikhahit + sara aa"),
    ("ระบบราชการ ๔.๐", {15}, "Thai digits, 4.0"),
    ("ธรรมาภิบาล", {15}, "word in the middle of a Thai run"),
    ("กล้องวงจรปิด", {18}, "exact"),
    ("cctv", {18}, "English, case-folded"),
    ("คลินิกนอกเวลา", {19}, "compound"),
    ("รพ.", {13, 19}, "abbreviation: โรงพยาบาล"),
    ("น้ำท่วม", {20}, "exact"),
    ("อุทกภัย", {20}, "synonym: น้ำท่วม"),
    ("led", {21}, "English in a Thai document"),
    ("เด็กเล็ก", {8, 22}, "compound"),
    ("อบจ.", {22, 30}, "abbreviation both ways"),
    ("bike lane", {23}, "English"),
    ("เลนจักรยาน", {23}, "Thai + loanword"),
    ("บัตรประชาชน", {24}, "exact"),
    ("มอเตอร์ไซค์", {26, 30}, "synonym: รถจักรยานยนต์"),
    ("มอไซค์", {26, 30}, "slang synonym"),
    ("ไข้เลือดออก", {27}, "exact"),
    ("ไข้เลือกออก", {27}, "typo"),
    ("อสม", {27}, "abbreviation without the dot"),
    ("QR code ค่าน้ำ", {28}, "Thai mixed with English"),
    ("สวนลุมพินี", {17}, "proper noun"),
    ("สิ่งปฏิกูล", {25}, "exact"),
    ("ประชาพิ", {12}, "prefix as typed"),
    ("คลอง", {2}, "word inside คลองแสนแสบ"),
    ("2568", {9, 25}, "Arabic digits find Thai ๒๕๖๘"),
    # Places: a province's items, by its Thai or English name or a common short form, though
    # their text does not name it (the documents carry their province's names)
    ("เชียงใหม่", {4, 6, 9, 34}, "province: Thai name"),
    ("Chiang Mai", {4, 6, 9, 34}, "province: English name"),
    ("จ.เชียงใหม่", {4, 6, 9, 34}, "province: จ. prefix"),
    ("จังหวัดเชียงใหม่", {4, 6, 9, 34}, "province: จังหวัด prefix"),
    ("อยุธยา", {31}, "province: short form of พระนครศรีอยุธยา"),
    ("พระนครศรีอยุธยา", {31}, "province: full name"),
    ("Ayutthaya", {31}, "province: English short form"),
    ("โคราช", {11, 21, 32}, "province: short form of นครราชสีมา"),
    ("นครราชสีมา", {11, 21, 32}, "province: full name"),
    ("Khon Kaen", {5, 19}, "province: English, two words"),
    ("จังหวัดสกลนคร", {13, 22, 30}, "province: prefixed"),
    ("ไฟถนน กรุงเทพมหานคร", {3}, "a word and a province the text does not name"),
    ("รถเมล์ กทม.", {7, 29}, "a word and the short form"),
    ("กรุงเทพฯ สวนสาธารณะ", {17}, "short form with ฯ, and a word"),
    ("Bangkok footpath", {8, 26}, "English province and English synonym"),
    # Agencies: an agency's name (Thai, English, abbreviation) finds its items
    ("การประปาส่วนภูมิภาค", {14, 28}, "agency: Thai name"),
    ("กปภ.", {14, 28}, "agency: abbreviation"),
    ("Provincial Waterworks Authority", {14, 28}, "agency: English name"),
    ("ขสมก.", {7, 29}, "agency: abbreviation of องค์การขนส่งมวลชนกรุงเทพ"),
    ("Ministry of Transport", {12}, "agency: English name"),
    ("ก.พ.ร.", {15, 16}, "agency: abbreviation"),
    ("แม่เหียะ", {4, 6}, "agency: part of its name"),
    ("Waterworks", {14, 28}, "agency: a word of its English name"),
    ("Fine Arts", {31}, "agency: words of its English name"),
    ("เทศบาลนครเชียงใหม่", {9, 34}, "agency: Thai name"),
    # Thai and English: a query in one language finds items written in the other
    ("tourism", {31, 32}, "English finds ท่องเที่ยว"),
    ("ท่องเที่ยว", {31, 32}, "Thai"),
    ("flood", {20, 34}, "English finds น้ำท่วม, and floods/flooding"),
    ("drought", {33}, "English finds ภัยแล้ง"),
    ("ภัยแล้ง", {33}, "Thai"),
    ("โรงเรียน", {8, 34}, "Thai finds the English item's school"),
    ("school", {8, 34}, "English finds โรงเรียน"),
    ("garbage", {1, 2, 25}, "English finds ขยะ and มูลฝอย"),
    ("waste", {1, 2, 25}, "English finds ขยะ"),
    ("hospital", {13, 19}, "English finds โรงพยาบาล"),
    ("bus", {7, 29}, "English finds รถเมล์"),
    ("stray dogs", {1, 11}, "English finds สุนัขจรจัด"),
    ("elderly", {8, 13}, "English finds ผู้สูงอายุ"),
    ("ท่อระบายน้ำ เชียงใหม่", {9, 34}, "Thai query finds the English item's drains, in its province"),
    ("internet", {4}, "English finds อินเทอร์เน็ต"),
]


def recall_at(hits: list[int], relevant: set[int], k: int = 5) -> float:
    return len(set(hits[:k]) & relevant) / len(relevant)
