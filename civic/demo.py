"""Demo data: realistic Thai organisations and people. Idempotent: safe to run again.

Each domain adds its own demo through `civic/<domain>/demo.py: async def seed(conn, ctx)`,
listed in civic/registry.py DEMOS; ctx carries the ids made here.
"""

from __future__ import annotations

import asyncpg
import msgspec

from civic import consumers, registry
from civic.accounts import store as accounts
from civic.accounts.passwords import hash_password
from civic.orgs import store as orgs
from civic.settings import get_settings

DEMO_PASSWORD = "civic-demo-2569"  # noqa: S105 - printed on purpose: demo accounts only
ADMIN_EMAIL = "admin@civic.example"

# (slug, name_th, name_en, level, parent slug, province, description)
AGENCIES = [
    (
        "mdes",
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "Ministry of Digital Economy and Society",
        "central",
        None,
        None,
        "ดูแลนโยบายดิจิทัลของประเทศ อินเทอร์เน็ตชุมชน และบริการภาครัฐออนไลน์",
    ),
    (
        "moi-dla",
        "กรมส่งเสริมการปกครองท้องถิ่น",
        "Department of Local Administration",
        "central",
        None,
        None,
        "สนับสนุนองค์กรปกครองส่วนท้องถิ่นทั่วประเทศ",
    ),
    (
        "cmi-province",
        "สำนักงานจังหวัดเชียงใหม่",
        "Chiang Mai Provincial Office",
        "regional",
        "moi-dla",
        "CMI",
        "ประสานงานราชการส่วนภูมิภาคในจังหวัดเชียงใหม่",
    ),
    (
        "kkn-pao",
        "องค์การบริหารส่วนจังหวัดขอนแก่น",
        "Khon Kaen Provincial Administrative Organisation",
        "local",
        "moi-dla",
        "KKN",
        "อบจ.ขอนแก่น ดูแลถนน แหล่งน้ำ และโรงพยาบาลส่งเสริมสุขภาพตำบล",
    ),
    (
        "hdy-city",
        "เทศบาลนครหาดใหญ่",
        "Hat Yai City Municipality",
        "local",
        "moi-dla",
        "SKA",
        "ดูแลการจัดการขยะ ระบบระบายน้ำ และรถโดยสารประจำทางในเขตเทศบาล",
    ),
    (
        "ban-klang-sao",
        "องค์การบริหารส่วนตำบลบ้านกลาง",
        "Ban Klang Subdistrict Administrative Organisation",
        "local",
        "moi-dla",
        "LPN",
        "อบต.บ้านกลาง จังหวัดลำพูน ดูแลน้ำประปาหมู่บ้าน ไฟฟ้าส่องสว่าง และผู้สูงอายุ",
    ),
]

# (slug, name_th, name_en, partner_type, verification, province, description)
PARTNERS = [
    (
        "rak-nam-foundation",
        "มูลนิธิรักษ์น้ำชุมชน",
        "Community Water Care Foundation",
        "foundation",
        "verified",
        "KKN",
        "ทำงานด้านการเตรียมความพร้อมรับน้ำท่วมและการจัดการน้ำในชุมชนภาคอีสาน",
    ),
    (
        "elderly-care-network",
        "เครือข่ายอาสาดูแลผู้สูงอายุเชียงใหม่",
        "Chiang Mai Elderly Care Volunteers",
        "ngo",
        "verified",
        "CMI",
        "อาสาสมัครเยี่ยมบ้านผู้สูงอายุและผู้ป่วยติดเตียง",
    ),
    (
        "green-hatyai",
        "วิสาหกิจเพื่อสังคมหาดใหญ่สีเขียว",
        "Green Hat Yai Social Enterprise",
        "social_enterprise",
        "verified",
        "SKA",
        "รณรงค์คัดแยกขยะและธนาคารขยะในโรงเรียนและชุมชน",
    ),
    (
        "digital-villagers",
        "กลุ่มชุมชนคนรู้ดิจิทัลบ้านกลาง",
        "Ban Klang Digital Villagers",
        "community",
        "pending",
        "LPN",
        "สอนผู้สูงอายุใช้สมาร์ตโฟนและบริการภาครัฐออนไลน์",
    ),
]

# (email, display name, role, lang, memberships [(org slug, role)]). A display name is the person's
# own: pages that show someone acting for an organisation name the organisation beside it.
PEOPLE = [
    (ADMIN_EMAIL, "ผู้ดูแลระบบ", "admin", "th", []),
    ("moderator@civic.example", "ผู้ดูแลเนื้อหา", "moderator", "th", []),
    ("somchai@mdes.example", "สมชาย ใจดี", "citizen", "th", [("mdes", "admin")]),
    ("malee@hatyai.example", "มาลี ศรีสุข", "citizen", "th", [("hdy-city", "admin")]),
    ("anan@kknpao.example", "อนันต์ พูลผล", "citizen", "th", [("kkn-pao", "admin")]),
    ("wipa@banklang.example", "วิภา คำแสน", "citizen", "th", [("ban-klang-sao", "admin")]),
    ("nok@raknam.example", "นก รักษ์น้ำ", "citizen", "th", [("rak-nam-foundation", "admin")]),
    ("dao@elderlycare.example", "ดาว ใจงาม", "citizen", "th", [("elderly-care-network", "admin")]),
    ("ton@greenhatyai.example", "ต้น หาดใหญ่", "citizen", "en", [("green-hatyai", "admin")]),
    ("pim@citizen.example", "พิมพ์ชนก ประชาชน", "citizen", "th", []),
    ("krit@citizen.example", "กฤต ชาวเหนือ", "citizen", "th", []),
    ("jane@citizen.example", "Jane Walker", "citizen", "en", []),
]


class DemoContext(msgspec.Struct):
    users: dict[str, int]
    orgs: dict[str, int]
    # What a demo needs to act as the app does: signing the links it mails, a new account's password.
    secret_key: str = ""
    password: str = DEMO_PASSWORD


async def seed(
    conn: asyncpg.Connection,
    *,
    only_if_empty: bool = False,
    demos: list | None = None,
    settled: list | None = None,
    secret_key: str | None = None,
) -> str:
    """DEMOS run in one transaction; then the event consumers run over what they recorded, as the
    app's would at start (follows, notifications, immediate mails), and SETTLED_DEMOS read that."""
    if only_if_empty and await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users)"):
        return ""
    async with conn.transaction():
        ctx = DemoContext(users={}, orgs={}, secret_key=secret_key or get_settings().secret_key)
        password_hash = hash_password(DEMO_PASSWORD)
        for slug, name_th, name_en, level, parent, province, description in AGENCIES:
            ctx.orgs[slug] = await _org(
                conn,
                slug=slug,
                kind="agency",
                name_th=name_th,
                name_en=name_en,
                level=level,
                parent_id=ctx.orgs.get(parent) if parent else None,
                province=province,
                description=description,
            )
        for slug, name_th, name_en, partner_type, verification, province, description in PARTNERS:
            ctx.orgs[slug] = await _org(
                conn,
                slug=slug,
                kind="partner",
                name_th=name_th,
                name_en=name_en,
                partner_type=partner_type,
                verification=verification,
                province=province,
                description=description,
            )
        for email, name, role, lang, memberships in PEOPLE:
            user_id = await accounts.user_id_by_email(conn, email)
            if user_id is None:
                user_id = await accounts.create_user(
                    conn, email=email, display_name=name, password_hash=password_hash, lang=lang, role=role
                )
            # Demo accounts are verified, so every gated verb can be tried at once.
            await accounts.set_email_verified(conn, user_id, email)
            ctx.users[email] = user_id
            for slug, mrole in memberships:
                await orgs.add_member(conn, ctx.orgs[slug], user_id, mrole)
        reports = []
        for domain_seed in demos if demos is not None else registry.DEMOS:
            reports.append(await domain_seed(conn, ctx))
    await consumers.drain(conn, registry.CONSUMERS)
    # A caller choosing its demos chooses what follows them too (none unless named).
    for after in settled if settled is not None else (registry.SETTLED_DEMOS if demos is None else []):
        reports.append(await after(conn, ctx))
    lines = [
        "Demo data is loaded.",
        f"  admin:     {ADMIN_EMAIL} / {DEMO_PASSWORD}",
        f"  every demo account uses the password {DEMO_PASSWORD}; for example",
        "  ministry staff: somchai@mdes.example   NGO: nok@raknam.example   citizen: pim@citizen.example",
        *[r for r in reports if r],
    ]
    return "\n".join(lines)


async def _org(conn: asyncpg.Connection, *, slug: str, **fields) -> int:
    existing = await conn.fetchval("SELECT id FROM organisations WHERE slug = $1", slug)
    if existing is not None:
        return existing
    return await orgs.create_organisation(conn, slug=slug, **fields)
