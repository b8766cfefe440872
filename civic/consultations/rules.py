"""Consultation rules: lifecycle, the section 77 hearing rule, permissions, answer checks. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from civic import provinces
from civic.accounts.rules import can_block_user, is_verified
from civic.accounts.schemas import CurrentUser
from civic.identity.rules import meets_level, needs_national_id  # noqa: F401 (the page asks it)
from civic.thai import parse_int_strict
from civic.validation import N_, Errors, Problem, check_choice, check_text

KINDS = ("general", "s77")
STATUSES = ("draft", "scheduled", "open", "closed", "outcome_published")
QUESTION_KINDS = ("single", "multi", "scale", "text")
CONSENTS = ("named", "anonymous", "none")
DISPOSITIONS = ("adopted", "partly", "not_adopted")
S77_MIN_DAYS = 15
SCALE_MIN, SCALE_MAX = 1, 5
# Long enough for a detailed hearing, short enough that people finish it: past this, a survey
# loses most of its respondents, and the analysis page charts every question.
MAX_QUESTIONS = 50
# What one consultation may hold. Every section is a card on the public page with its own comment
# thread, and every option a radio or a bar in a chart: a draft of 160,000 sections was once
# accepted, and no page could show it. A draft law runs to a few hundred sections; a longer code
# is consulted on in parts. The form, the JSON API and a draft read from a PDF share these.
MAX_SECTIONS = 500
MAX_SECTION_CHARS = 20_000
MAX_DRAFT_CHARS = 500_000
MAX_OPTIONS = 20
MAX_TITLE_CHARS = 300
MAX_SUMMARY_CHARS = 5000
MAX_PROMPT_CHARS = 500
MAX_OPTION_CHARS = 200

# Staff actions: action -> (from statuses, to status). Automatic moves (scheduled->open at
# opens_at, open->closed at closes_at) happen in store.advance_lifecycle.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "schedule": (("draft",), "scheduled"),
    "unschedule": (("scheduled",), "draft"),
    "open": (("draft", "scheduled"), "open"),
    "close": (("open",), "closed"),
}


ACTION_LABELS = {
    "schedule": N_("Schedule"),
    "unschedule": N_("Back to draft"),
    "open": N_("Open for responses now"),
    "close": N_("Close now"),
}


def next_status(status: str, action: str) -> str | None:
    """The status after a staff action, or None if the action is not allowed from here."""
    spec = TRANSITIONS.get(action)
    if spec is None or status not in spec[0]:
        return None
    return spec[1]


def allowed_actions(status: str) -> list[str]:
    return [a for a, (src, _) in TRANSITIONS.items() if status in src]


# ---------------------------------------------------------------- permissions


def is_staff_of(user: CurrentUser | None, org_ids: Iterable[int]) -> bool:
    return user is not None and bool(user.agency_ids & set(org_ids))


def can_create(user: CurrentUser | None, owner_org_id: int) -> bool:
    """Agency staff create consultations for their own agency; admins for any."""
    if user is None:
        return False
    return user.is_admin or owner_org_id in user.agency_ids


def can_manage(user: CurrentUser | None, owner_org_id: int, coowner_ids: Iterable[int] = ()) -> bool:
    """Edit, transition, analyse and publish: staff of the owning or a co-owning agency, or an admin."""
    if user is None:
        return False
    return user.is_admin or is_staff_of(user, [owner_org_id, *coowner_ids])


def can_view(
    user: CurrentUser | None, status: str, owner_org_id: int, coowner_ids: Iterable[int] = ()
) -> bool:
    """Drafts stay private to their agencies; everything else is public."""
    return status != "draft" or can_manage(user, owner_org_id, coowner_ids)


def can_respond(user: CurrentUser | None, status: str, *, requires_national_id: bool = False) -> bool:
    return is_verified(user) and meets_level(user, requires_national_id) and status == "open"


def can_comment(user: CurrentUser | None, status: str, *, requires_national_id: bool = False) -> bool:
    return is_verified(user) and meets_level(user, requires_national_id) and status == "open"


def can_take_response(user: CurrentUser | None) -> bool:
    """Taking over an answer the counter gave for this person: the person's half of can_respond
    only, as the consultation may have closed since (the answer was given while it was open)."""
    return is_verified(user)


def can_edit(status: str) -> bool:
    """Anything at all is still editable (see editable_fields for what)."""
    return bool(editable_fields(status))


def can_advance_lifecycle(actor: object) -> bool:
    """Scheduled opening and closing is the platform's own act, never a person's."""
    return getattr(actor, "id", 0) is None


def can_moderate(user: CurrentUser | None, owner_org_id: int, coowner_ids: Iterable[int] = ()) -> bool:
    if user is None:
        return False
    return user.is_moderator or can_manage(user, owner_org_id, coowner_ids)


def can_publish_outcome(user: CurrentUser | None, status: str, owner_org_id: int, coowners=()) -> bool:
    return status in ("closed", "outcome_published") and can_manage(user, owner_org_id, coowners)


def editable_fields(status: str) -> frozenset[str]:
    """What staff may still change. Questions freeze at opening (answers refer to them)."""
    # The identity level freezes at opening too: answers already given were given under it.
    if status in ("draft", "scheduled"):
        return frozenset(
            {
                "title",
                "summary",
                "kind",
                "province",
                "opens_at",
                "closes_at",
                "sections",
                "questions",
                "requires_national_id",
            }
        )
    if status == "open":
        return frozenset({"title", "summary", "closes_at", "sections"})
    return frozenset()


def needs_change_note(status: str) -> bool:
    """Edits after opening go into the public change log, with a note saying what changed."""
    return status == "open"


# ---------------------------------------------------------------- validation


def check_period(kind: str, opens_at: datetime | None, closes_at: datetime | None) -> Errors:
    errors: Errors = {}
    if opens_at is None:
        errors["opens_at"] = Problem("Enter a date and time.")
    if closes_at is None:
        errors["closes_at"] = Problem("Enter a date and time.")
    if errors:
        return errors
    assert opens_at is not None and closes_at is not None
    if closes_at <= opens_at:
        errors["closes_at"] = Problem("The closing time must be after the opening time.")
    elif kind == "s77" and closes_at - opens_at < timedelta(days=S77_MIN_DAYS):
        errors["closes_at"] = Problem(
            "A section 77 hearing must stay open for at least %(days)s days.", {"days": S77_MIN_DAYS}
        )
    return errors


def validate_consultation(
    *,
    title: str,
    summary: str,
    kind: str,
    province: str | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> Errors:
    errors: Errors = {}
    if p := check_text(title, min_len=5, max_len=MAX_TITLE_CHARS):
        errors["title"] = p
    if p := check_text(summary, min_len=10, max_len=MAX_SUMMARY_CHARS, multiline=True):
        errors["summary"] = p
    if p := check_choice(kind, KINDS):
        errors["kind"] = p
    if province and not provinces.is_valid(province):
        errors["province"] = Problem("Choose one of the options.")
    errors.update(check_period(kind if kind in KINDS else "general", opens_at, closes_at))
    return errors


def check_opening(kind: str, opens_at: datetime, closes_at: datetime, now: datetime) -> Errors:
    """Opening now (or scheduling) must still leave a valid period from the real opening time."""
    # A closing time in the past is said as such: measured from now, it would read as "before
    # the opening", which is not what the person did wrong.
    if closes_at <= now:
        return {"closes_at": Problem("The closing time has already passed.")}
    return check_period(kind, max(opens_at, now), closes_at)


def check_early_close(kind: str, closes_at: datetime, now: datetime, reason: str) -> Errors:
    """Closing before closes_at needs a reason, shown publicly: people were told they had until
    closes_at, whatever the kind of consultation."""
    if now >= closes_at:
        return {}
    if p := check_text(reason, min_len=10, max_len=2000, multiline=True):
        if reason.strip():
            return {"early_close_reason": p}
        if kind == "s77":
            return {"early_close_reason": Problem(
                "Closing a section 77 hearing early needs a reason, which will be shown publicly."
            )}  # fmt: skip
        return {"early_close_reason": Problem("Closing early needs a reason, which will be shown publicly.")}
    return {}


_NUMBERED = re.compile(r"^\s*(?:มาตรา|ข้อ|section|article)?\s*[0-9๐-๙]+(?:[./)]|\s)", re.IGNORECASE)


_DIGITS = r"[0-9๐-๙]+"
# A section's own heading as the draft writes it, at the start of its text: หมวด ๓, หมวด 1 ส่วนที่ 2,
# ส่วนที่ 2, มาตรา ๑, มาตรา ๕/๑ ทวิ, ข้อ 2, or an English "Section 4" / "Article 4" / "Chapter 1".
_HEADING = re.compile(
    rf"^\s*(หมวด(?:ที่)?\s*{_DIGITS}(?:\s+ส่วนที่\s*{_DIGITS})?|ส่วนที่\s*{_DIGITS}"
    rf"|มาตรา\s*{_DIGITS}(?:/{_DIGITS})?(?:\s*(?:ทวิ|ตรี|จัตวา)(?![ก-๛]))?|ข้อ\s*{_DIGITS}(?:/{_DIGITS})?"
    rf"|(?:section|article|chapter)\s*{_DIGITS})(?![0-9๐-๙])",
    re.IGNORECASE,
)


def section_heading(text: str) -> str:
    """The heading a section's text opens with (spaces tidied), or "" when it has none; the page
    then calls it by its place ("ย่อหน้าที่ N"), never by a numbering the draft did not use."""
    match = _HEADING.match(text or "")
    return " ".join(match.group(1).split()) if match else ""


def split_sections(text: str) -> list[str]:
    """Split a pasted draft into paragraphs: on blank lines, and before numbered headings
    ("มาตรา ๓", "ข้อ 4", "5.") that start a line."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                parts.append("\n".join(current).strip())
                current = []
            continue
        if _NUMBERED.match(line) and current:
            parts.append("\n".join(current).strip())
            current = []
        current.append(line.rstrip())
    if current:
        parts.append("\n".join(current).strip())
    return [p for p in parts if p]


TOO_LONG = N_("This is too long (at most %(max)s characters).")
TOO_MANY_SECTIONS = N_(
    "A draft can have at most %(max)s sections; this one has %(n)s. Consult on a longer law in parts."
)
SECTION_TOO_LONG = N_(
    "Paragraph %(n)s of the draft is too long (at most %(max)s characters). Split it with blank lines."
)


def check_section_count(n: int, field: str = "draft_text") -> Errors:
    """Shared by check_draft and the store, so every caller refuses the same way."""
    if n > MAX_SECTIONS:
        return {field: Problem(TOO_MANY_SECTIONS, {"max": MAX_SECTIONS, "n": n})}
    return {}


def check_draft(text: str, field: str = "draft_text") -> Errors:
    """The pasted or extracted draft within the limits, its problem keyed by the field it came
    from (draft_text, or draft_pdf when the text was read from the PDF)."""
    if len(text) > MAX_DRAFT_CHARS:
        return {field: Problem(TOO_LONG, {"max": MAX_DRAFT_CHARS})}
    sections = split_sections(text)
    if errors := check_section_count(len(sections), field):
        return errors
    for n, body in enumerate(sections, start=1):
        if len(body) > MAX_SECTION_CHARS:
            return {field: Problem(SECTION_TOO_LONG, {"n": n, "max": MAX_SECTION_CHARS})}
    return {}


TOO_MANY_OPTIONS = N_("A question can offer at most %(max)s options.")
SCALE_ENDS = N_("For a scale, leave the options empty or write two lines: what 1 means, then what 5 means.")


def validate_question(kind: str, prompt: str, options: list[str]) -> Errors:
    errors: Errors = {}
    if p := check_choice(kind, QUESTION_KINDS):
        errors["kind"] = p
    if p := check_text(prompt, min_len=3, max_len=MAX_PROMPT_CHARS):
        errors["prompt"] = p
    if kind in ("single", "multi"):
        clean = [o.strip() for o in options if o.strip()]
        if len(clean) < 2:
            errors["options"] = Problem("Give at least two options.")
        elif len(clean) > MAX_OPTIONS:
            errors["options"] = Problem(TOO_MANY_OPTIONS, {"max": MAX_OPTIONS})
        elif len(set(clean)) != len(clean):
            errors["options"] = Problem("Each option must be different.")
        elif any(check_text(o, max_len=MAX_OPTION_CHARS) for o in clean):
            errors["options"] = Problem(
                "Each option must be at most %(max)s characters.", {"max": MAX_OPTION_CHARS}
            )
    elif kind == "scale":
        # Optional: what the scale's two ends mean, shown beside 1 and 5 on the form and the charts.
        clean = [o.strip() for o in options if o.strip()]
        if len(clean) not in (0, 2):
            errors["options"] = Problem(SCALE_ENDS)
        elif any(check_text(o, max_len=MAX_OPTION_CHARS) for o in clean):
            errors["options"] = Problem(
                "Each option must be at most %(max)s characters.", {"max": MAX_OPTION_CHARS}
            )
    return errors


TOO_MANY_QUESTIONS = N_("A consultation can ask at most %(max)s questions.")


def check_question_count(n: int) -> Errors:
    """Shared by the HTML form, the JSON API and the store, so all three refuse the same way."""
    if n > MAX_QUESTIONS:
        return {"questions": Problem(TOO_MANY_QUESTIONS, {"max": MAX_QUESTIONS})}
    return {}


def check_questions(questions: list) -> Errors:
    """The count, then each question's problems keyed questions[i].field (the page maps i back to
    the row it showed)."""
    errors = check_question_count(len(questions))
    for i, q in enumerate(questions):
        for field, problem in validate_question(q.kind, q.prompt, list(q.options)).items():
            errors[f"questions[{i}].{field}"] = problem
    return errors


def blank_question_row() -> dict:
    return {"kind": "single", "prompt": "", "required": False, "options": ""}


_ROW_ACTION = re.compile(r"^(remove_question|move_up|move_down):([0-9]{1,4})$")


def edit_question_rows(rows: list[dict], action: str) -> tuple[list[dict], int | None, Errors] | None:
    """The question editor's buttons, applied to the rows as typed (nothing is saved).

    Returns (rows, row to focus (1-based) or None, errors), or None for an unknown action.
    Actions: "add_question", "remove_question:<n>", "move_up:<n>", "move_down:<n>" (n is 1-based).
    An out-of-range n (a stale page) leaves the rows as they are rather than failing."""
    rows = list(rows)
    if action == "add_question":
        if len(rows) >= MAX_QUESTIONS:
            return rows, None, check_question_count(len(rows) + 1)
        rows.append(blank_question_row())
        return rows, len(rows), {}
    m = _ROW_ACTION.match(action or "")
    if m is None:
        return None
    verb, n = m.group(1), int(m.group(2))
    if not 1 <= n <= len(rows):
        return rows, None, {}
    i = n - 1
    if verb == "remove_question":
        del rows[i]
        if not rows:
            rows.append(blank_question_row())  # the editor always shows at least one row
        return rows, min(n, len(rows)), {}
    j = i - 1 if verb == "move_up" else i + 1
    if not 0 <= j < len(rows):
        return rows, n, {}
    rows[i], rows[j] = rows[j], rows[i]
    return rows, j + 1, {}


def check_answers(questions: list[Mapping], raw: Mapping[str, object]) -> tuple[dict[str, object], Errors]:
    """Clean answers keyed by question id (as a string), and problems keyed 'q<id>'.

    raw values: str for single/scale/text, list[str] for multi (a str is taken as one choice).
    Scale accepts Thai digits (parse_int_strict), nothing outside 1-5.
    """
    clean: dict[str, object] = {}
    errors: Errors = {}
    for q in questions:
        qid = str(q["id"])
        key = f"q{qid}"
        value = raw.get(qid)
        kind = q["kind"]
        options = list(q.get("options") or [])
        if kind == "multi":
            values = [value] if isinstance(value, str) else list(value or [])
            values = [str(v).strip() for v in values if str(v).strip()]
            if not values:
                if q["required"]:
                    errors[key] = Problem("Choose an answer.")
                continue
            if any(v not in options for v in values):
                errors[key] = Problem("Choose one of the options.")
                continue
            clean[qid] = [o for o in options if o in values]
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
            if value is None:
                errors[key] = Problem("Choose one of the options.")
                continue
        text = str(value or "").strip()
        if not text:
            if q["required"]:
                # Choice and scale questions are radio groups: they are chosen, not typed.
                errors[key] = Problem(
                    "Please answer this question." if kind == "text" else "Choose an answer."
                )
            continue
        if kind == "single":
            if text not in options:
                errors[key] = Problem("Choose one of the options.")
            else:
                clean[qid] = text
        elif kind == "scale":
            n = parse_int_strict(text)
            if n is None or not SCALE_MIN <= n <= SCALE_MAX:
                errors[key] = Problem(
                    "Choose a number from %(min)s to %(max)s.", {"min": SCALE_MIN, "max": SCALE_MAX}
                )
            else:
                clean[qid] = n
        else:
            if p := check_text(text, max_len=5000, multiline=True):
                errors[key] = p
            else:
                clean[qid] = text
    return clean, errors


def validate_response_meta(consent: str, province: str | None) -> Errors:
    errors: Errors = {}
    if p := check_choice(consent, CONSENTS):
        errors["consent"] = p
    if province and not provinces.is_valid(province):
        errors["province"] = Problem("Choose one of the options.")
    return errors


def validate_comment(body: str) -> Errors:
    if p := check_text(body, min_len=2, max_len=3000, multiline=True):
        return {"body": p}
    return {}


def validate_outcome(summary: str, themes: list[Mapping], *, version: int, correction_note: str) -> Errors:
    errors: Errors = {}
    if p := check_text(summary, min_len=10, max_len=10000, multiline=True):
        errors["summary"] = p
    for i, t in enumerate(themes):
        if p := check_text(str(t.get("title", "")), min_len=2, max_len=300):
            errors[f"theme{i}_title"] = p
        if p := check_choice(str(t.get("disposition", "")), DISPOSITIONS):
            errors[f"theme{i}_disposition"] = p
        if p := check_text(str(t.get("reason", "")), min_len=2, max_len=3000, multiline=True):
            errors[f"theme{i}_reason"] = p
    if version > 1 and (p := check_text(correction_note, min_len=5, max_len=2000, multiline=True)):
        errors["correction_note"] = p
    return errors


COMMENT_IDS_UNREADABLE = N_("Enter comment numbers separated by commas.")


def parse_comment_ids(text: str) -> list[int] | None:
    """'#12, ๑๓' -> [12, 13] (Thai digits and an Arabic comma accepted); None if unreadable."""
    ids = [x.strip().lstrip("#") for x in text.replace("،", ",").split(",") if x.strip()]
    numbers = [parse_int_strict(x) for x in ids]
    return None if any(n is None for n in numbers) else numbers


def check_theme_links(themes: list[Mapping]) -> Errors:
    """A theme's comment numbers that could not be read (None) are that theme's error."""
    return {
        f"theme{i}_comment_ids": Problem(COMMENT_IDS_UNREADABLE)
        for i, t in enumerate(themes)
        if t.get("comment_ids", []) is None
    }


def days_left(closes_at: datetime, now: datetime) -> int:
    """Whole days left, rounding up, never negative (shown on the hub)."""
    seconds = (closes_at - now).total_seconds()
    if seconds <= 0:
        return 0
    return int(-(-seconds // 86400))


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
BAD_FILTER_DATE = N_("Enter the date as year-month-day, for example 2025-03-05.")
FILTER_PERIOD_REVERSED = N_("The end date must be on or after the start date.")


def _filter_date(value: str, tz) -> datetime:
    """'2025-03-05' or '2025-03-05T09:00' (Thai digits and a Buddhist-era year accepted), else ValueError."""
    text = value.strip().translate(_THAI_DIGITS)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?", text):
        raise ValueError(value)
    year = int(text[:4])
    if year >= 2400:  # typed in the Buddhist era (B.E. 2568 = A.D. 2025)
        text = f"{year - 543:04d}{text[4:]}"
    d = datetime.fromisoformat(text)
    return d if d.tzinfo else d.replace(tzinfo=tz)


def parse_filter_period(
    since: str | None, until: str | None, tz
) -> tuple[datetime | None, datetime | None, Errors]:
    """The analysis date filters. An `until` given as a plain date includes that whole day.
    A badly formed value is an error for its field, never silently ignored."""
    errors: Errors = {}
    bounds: dict[str, datetime | None] = {"since": None, "until": None}
    for name, raw in (("since", since), ("until", until)):
        if raw is None or not raw.strip():
            continue
        try:
            bounds[name] = _filter_date(raw, tz)
        except ValueError:
            errors[name] = Problem(BAD_FILTER_DATE)
    s_since, s_until = bounds["since"], bounds["until"]
    if s_since is not None and s_until is not None and s_until < s_since:
        errors["until"] = Problem(FILTER_PERIOD_REVERSED)
    if s_until is not None and re.fullmatch(r"\S{10}", until.strip()):
        s_until += timedelta(days=1)  # a date from <input type=date>: "until 5 March" includes that day
    return s_since, s_until, errors


# ---------------------------------------------------------------- comment moderation
# Paragraph comments are moderated like idea comments: anyone logged in reports one with a reason;
# platform moderators work a queue (hide, restore, dismiss, block the author). Staff of the
# agencies running a consultation may also hide and restore on its own page (can_moderate).

REASON_MIN, REASON_MAX = 3, 1000


def _active(user: CurrentUser | None) -> bool:
    return user is not None and user.status == "active"


def can_flag(user: CurrentUser | None, comment_status: str, *, is_author: bool) -> bool:
    """Report a visible comment written by someone else."""
    return _active(user) and comment_status == "visible" and not is_author


def can_report(user: CurrentUser | None) -> bool:
    """Anyone active may report; whether this comment can be reported is decided under its lock."""
    return _active(user)


def can_use_queue(user: CurrentUser | None) -> bool:
    """The cross-consultation moderation queue: platform moderators (and admins) only."""
    return _active(user) and user.is_moderator


def can_block_author(user: CurrentUser | None, author_id: int, author_role: str) -> bool:
    return can_use_queue(user) and user.id != author_id and can_block_user(user.role, author_role)


def validate_reason(reason: str) -> Errors:
    """A report's or a hiding's reason: required, short, one paragraph or a few, no control chars."""
    if p := check_text(reason, min_len=REASON_MIN, max_len=REASON_MAX, multiline=True):
        return {"reason": p}
    return {}
