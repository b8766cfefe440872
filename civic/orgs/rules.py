"""Organisation rules: permissions, the partner verification state machine, validators.

Pure: no litestar, no asyncpg. Routes ask these before acting, templates ask them before
showing a button, and hiding the button is never the check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.handovers.rules import CATEGORIES
from civic.validation import Errors, Problem, check_choice, check_text

KINDS = ("agency", "partner")
LEVELS = ("central", "regional", "local")
PARTNER_TYPES = ("ngo", "community", "foundation", "social_enterprise", "company")
VERIFICATIONS = ("pending", "verified", "rejected")
MEMBER_ROLES = ("member", "admin")

NAME_MAX = 200
DESCRIPTION_MAX = 5000
REASON_MAX = 1000
URL_MAX = 500
EMAIL_MAX = 254
PER_PAGE = 20
PER_PAGE_MAX = 100

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
# Paths under /organisations/ that a slug must never shadow.
RESERVED_SLUGS = frozenset({"new", "admin", "api", "static", "edit", "members", "join", "verify"})
URL_RE = re.compile(r"^https?://[^\s/?#@]+\.[^\s/?#@]+(?::\d{1,5})?(?:[/?#]\S*)?$", re.IGNORECASE)
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# Partner verification, decided by platform admins. A rejected partner can be verified
# later (after fixing what was wrong) and a verified one can be withdrawn with a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"verified", "rejected"}),
    "rejected": frozenset({"verified"}),
    "verified": frozenset({"rejected"}),
}


# ------------------------------------------------------------------ permissions


def can_view(user: CurrentUser | None, org_id: int, kind: str, verification: str) -> bool:
    """Agencies and partners that are verified or awaiting verification are public; a rejected
    partner stays visible to its own members and to platform staff, who need to see why."""
    if kind == "agency" or verification in ("verified", "pending"):
        return True
    if user is None:
        return False
    return user.is_moderator or user.org_role(org_id) is not None


def can_edit_org(user: CurrentUser | None, org_id: int) -> bool:
    if user is None:
        return False
    return user.is_admin or user.org_role(org_id) == "admin"


def can_edit_structure(user: CurrentUser | None) -> bool:
    """An agency's level and parent agency describe the government's shape: platform admins only."""
    return user is not None and user.is_admin


def can_manage_members(user: CurrentUser | None, org_id: int) -> bool:
    """Accept or decline join requests: the organisation's own admins."""
    return user is not None and user.org_role(org_id) == "admin"


def can_list_member_details(user: CurrentUser | None, org_id: int) -> bool:
    """The member list with email addresses (JSON): the organisation's admins and platform admins.
    Members see names only, and the public sees neither."""
    return user is not None and (user.is_admin or user.org_role(org_id) == "admin")


def can_leave(user: CurrentUser | None, membership_status: str | None) -> bool:
    """Anyone with a membership or a waiting request can leave or withdraw it (the store refuses
    when the last admin would go)."""
    return user is not None and membership_status is not None


def validate_role(role: str | None) -> Errors:
    problem = check_choice(role, MEMBER_ROLES)
    return {"role": problem} if problem else {}


JOIN_DECISIONS = ("accept", "decline")


def validate_join_decision(decision: str | None) -> Errors:
    problem = check_choice(decision, JOIN_DECISIONS)
    return {"decision": problem} if problem else {}


def can_view_members(user: CurrentUser | None, org_id: int) -> bool:
    if user is None:
        return False
    return user.is_admin or user.org_role(org_id) is not None


def can_see_rejection_reason(user: CurrentUser | None, org_id: int) -> bool:
    return can_edit_org(user, org_id)


def can_verify_partner(user: CurrentUser | None) -> bool:
    return user is not None and user.is_admin


def can_request_join(user: CurrentUser | None, org_id: int, *, pending: bool = False) -> bool:
    """Logged in, not a member yet, and no request already waiting."""
    return user is not None and user.org_role(org_id) is None and not pending


def can_register_org(user: CurrentUser | None, kind: str = "partner") -> bool:
    """Anyone logged in can register a partner (it starts pending); agencies are official
    bodies, so only platform admins add them."""
    if user is None:
        return False
    if kind == "agency":
        return user.is_admin
    return kind == "partner"


def allowed_kinds(user: CurrentUser | None) -> tuple[str, ...]:
    return tuple(k for k in KINDS if can_register_org(user, k))


# ------------------------------------------------------------------ verification


def can_resubmit(user: CurrentUser | None, org_id: int, kind: str, verification: str) -> bool:
    """A rejected partner's own admins may ask for another check once they have fixed it."""
    return (
        user is not None
        and kind == "partner"
        and verification == "rejected"
        and user.org_role(org_id) == "admin"
    )


def next_verification(current: str, decision: str) -> str | None:
    """The new status, or None when the decision does not apply from `current`."""
    return decision if decision in TRANSITIONS.get(current, frozenset()) else None


def validate_decision(decision: str | None, reason: str | None) -> Errors:
    errors: Errors = {}
    problem = check_choice(decision, ("verified", "rejected"))
    if problem:
        errors["decision"] = problem
    if decision == "rejected":
        problem = check_text(reason, max_len=REASON_MAX, multiline=True)
        if problem and problem.msgid == "This field is required.":
            problem = Problem("Give a reason so the organisation knows what to fix.")
        if problem:
            errors["reason"] = problem
    elif reason:
        problem = check_text(reason, max_len=REASON_MAX, multiline=True, required=False)
        if problem:
            errors["reason"] = problem
    return errors


# ------------------------------------------------------------------ validators


def clean(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def validate_skills(kind: str, skills: list[str]) -> Errors:
    """A partner's skills are task categories (the codes tasks use), so tasks can be matched to
    it; an agency has none."""
    if not skills:
        return {}
    if kind != "partner":
        return {"skills": Problem("Only partner organisations list the kinds of task they take on.")}
    if any(s not in CATEGORIES for s in skills):
        return {"skills": Problem("Choose the kinds of task from the list.")}
    return {}


def clean_skills(skills: list[str]) -> list[str]:
    """Valid skills in the categories' own order, each once: the same choice is stored the same way."""
    return [c for c in CATEGORIES if c in skills]


def validate_organisation(
    fields: Mapping[str, Any],
    *,
    allowed_kinds_: tuple[str, ...] = KINDS,
    agency_ids: frozenset[int] = frozenset(),
) -> Errors:
    """Check a registration. `fields` holds strings as typed (parent_id may be "" or digits).

    agency_ids: the ids a parent may be chosen from (None checks happen in the store too)."""
    errors: Errors = {}
    kind = clean(fields.get("kind"))
    problem = check_choice(kind, allowed_kinds_)
    if problem:
        errors["kind"] = problem

    raw_name_th = fields.get("name_th") or ""
    problem = check_text(raw_name_th, max_len=NAME_MAX)
    if problem:
        errors["name_th"] = problem
    problem = check_text(fields.get("name_en") or "", max_len=NAME_MAX, required=False)
    if problem:
        errors["name_en"] = problem
    problem = check_text(
        fields.get("description") or "", max_len=DESCRIPTION_MAX, multiline=True, required=False
    )
    if problem:
        errors["description"] = problem

    slug = fields.get("slug") or ""
    if slug:
        problem = check_text(slug, max_len=63)
        if problem:
            errors["slug"] = problem
        elif not SLUG_RE.fullmatch(slug.strip()):
            errors["slug"] = Problem(
                "Use 2 to 63 lowercase English letters, digits and hyphens, starting with a letter or digit."
            )
        elif slug.strip() in RESERVED_SLUGS:
            errors["slug"] = Problem("This web address is reserved. Choose another.")

    province = clean(fields.get("province"))
    if province and not provinces.is_valid(province):
        errors["province"] = Problem("Choose a province from the list.")

    if kind == "agency":
        problem = check_choice(clean(fields.get("level")), LEVELS)
        if problem:
            errors["level"] = problem
        parent = clean(fields.get("parent_id"))
        if parent:
            if not parent.isascii() or not parent.isdigit() or int(parent) not in agency_ids:
                errors["parent_id"] = Problem("Choose a parent agency from the list.")
    elif kind == "partner":
        problem = check_choice(clean(fields.get("partner_type")), PARTNER_TYPES)
        if problem:
            errors["partner_type"] = problem

    website = fields.get("website") or ""
    if website:
        problem = check_text(website, max_len=URL_MAX)
        if problem:
            errors["website"] = problem
        elif not URL_RE.match(website.strip()):
            errors["website"] = Problem("Enter a web address starting with http:// or https://.")

    email = fields.get("contact_email") or ""
    if email:
        problem = check_text(email, max_len=EMAIL_MAX)
        if problem:
            errors["contact_email"] = problem
        elif not EMAIL_RE.match(email.strip()):
            errors["contact_email"] = Problem("Enter an email address like name@example.com.")
    return errors


def _slugify_ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:63].rstrip("-")


# Transliteration, measured (tests/unit/test_orgs_rules.py::test_romanize_quality): pythainlp's
# offline engines are "royin" (rules) and "lookup" (a 3,785-entry loanword dictionary that falls
# back to royin, so it gives the same slugs for organisation names). "thai2rom"/"thai2rom_onnx"
# download a model and "tltk" is not installed, so neither is used. royin does best on single
# syllables, and needs three fixes there: tone marks dropped (it misreads them), ใ read as ไ
# (same vowel; it loses ให...), and a leading ห kept as "h" before a vowel ("หาด" -> "hat")
# but silent before a sonorant ("ไหม" -> "mai").
_TONES = str.maketrans({"ใ": "ไ"} | dict.fromkeys("่้๊๋"))
_SILENT_HO = re.compile(r"^([เแโไ]?)ห(?=[งญนมยรลว])")
_SPOKEN_HO = re.compile(r"^[เแโไ]?ห")


def _romanize_syllable(syllable: str) -> str:
    from pythainlp.transliterate import romanize

    syllable = _SILENT_HO.sub(r"\1", syllable.translate(_TONES))
    out = romanize(syllable, engine="royin")
    if _SPOKEN_HO.match(syllable) and not out.startswith("h"):
        out = "h" + out
    return out


def _romanize(text: str) -> str:
    """Royal Institute (RTGS) transliteration, syllable by syllable within each word, words
    separated so the slug keeps word breaks."""
    if not text.strip():
        return ""
    try:
        from pythainlp.tokenize import subword_tokenize

        from civic.thai import tokenise

        return " ".join(
            "".join(_romanize_syllable(s) for s in subword_tokenize(word, engine="dict"))
            for word in tokenise(text)
        )
    except Exception:  # a transliteration failure just means "no slug from Thai"
        return ""


def _meaningful(candidate: str) -> bool:
    """Enough letters to say something: "ngo-2" beats "a-1" or "x"."""
    return (
        sum(ch.isalpha() for ch in candidate) >= 3
        and bool(SLUG_RE.fullmatch(candidate))
        and candidate not in RESERVED_SLUGS
    )


def make_slug(name_en: str, name_th: str = "", fallback: str = "org") -> str:
    """A web address from the English name, else a transliteration of the Thai one;
    `fallback` when neither gives at least three letters. The store adds "-2", "-3"... when the
    slug is taken."""
    for candidate in (_slugify_ascii(name_en or ""), _slugify_ascii(_romanize(name_th or ""))):
        candidate = candidate[:56].rstrip("-")  # room for a "-NNN" suffix
        if _meaningful(candidate):
            return candidate
    return fallback


def fallback_slug(kind: str, partner_type: str | None = None) -> str:
    """The base of a numbered slug ("foundation-1", "agency-3") for names that transliterate
    to nothing useful."""
    if kind == "partner" and partner_type in PARTNER_TYPES:
        return partner_type.replace("_", "-")
    return "agency" if kind == "agency" else "org"


def parse_page(value: str | None) -> int | None:
    """A page number from the query string; None when it is not a plain positive number."""
    if value is None or value == "":
        return 1
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        return None
    page = int(value)
    return page if page >= 1 else None
