"""What each form field is called, so an error summary can name the field it links to.

The summary is rendered above the form, before the fields' own labels, so it cannot read them:
it asks here (a template may pass `labels` to name a field as its form does). Keys are the field
names the rules use in their Errors."""

from __future__ import annotations

import re

from civic.web.i18n import N_, gettext

FIELD_LABELS = {
    "action": N_("Action"),
    "agency": N_("Agency"),
    "board": N_("Board"),
    "body": N_("Text"),
    "budget": N_("Budget"),
    "categories": N_("Categories"),
    "category": N_("Category"),
    "change_note": N_("What changed"),
    "claim_closes": N_("Claim window closes"),
    "claim_opens": N_("Claim window opens"),
    "closes_at": N_("Closes"),
    "comment": N_("Comment"),
    "confirm_days": N_("Days to confirm a claim"),
    "consent": N_("May we publish your answers?"),
    "contact": N_("Contact details"),
    "contact_email": N_("Contact email"),
    "coowners": N_("Co-owner agencies"),
    "correction_note": N_("What this correction changes"),
    "current_password": N_("Current password"),
    "deadline": N_("Delivery deadline"),
    "decision": N_("Decision"),
    "deliverables": N_("Deliverables"),
    "description": N_("Description"),
    "description_en": N_("Description in English"),
    "description_th": N_("Description in Thai"),
    "display_name": N_("Display name"),
    "district": N_("District"),
    "draft_pdf": N_("Draft PDF"),
    "draft_text": N_("Draft text"),
    "duplicate_of": N_("Original idea"),
    "email": N_("Email address"),
    "evidence": N_("Evidence files"),
    "file": N_("File"),
    "kind": N_("Kind"),
    "level": N_("Level of government"),
    "links": N_("Links"),
    "location": N_("Location"),
    "milestone_id": N_("Milestone"),
    "milestones": N_("Milestones"),
    "name_en": N_("Name in English"),
    "name_th": N_("Name in Thai"),
    "new_password": N_("New password"),
    "note": N_("Note"),
    "opens_at": N_("Opens"),
    "options": N_("Options"),
    "owner_org_id": N_("Owning agency"),
    "parent_id": N_("Parent"),
    "partner": N_("Claim for"),
    "partner_type": N_("Kind of partner"),
    "partner_types": N_("Partner types wanted"),
    "password": N_("Password"),
    "percent": N_("Percent complete"),
    "plan": N_("Your plan"),
    "prompt": N_("Question"),
    "province": N_("Province"),
    "questions": N_("Questions"),
    "reason": N_("Reason"),
    "response_days": N_("Days to answer"),
    "review_days": N_("Days to review a completion request"),
    "scope": N_("Scope"),
    "since": N_("From"),
    "skills": N_("Skills needed"),
    "slug": N_("Web address"),
    "status": N_("Status"),
    "summary": N_("Summary"),
    "support_threshold": N_("Support threshold"),
    "team": N_("Your team"),
    "title": N_("Title"),
    "until": N_("Until"),
    "verdict": N_("Review"),
    "website": N_("Website"),
}


# The consultation form's question editor names its fields q<row>_prompt, q<row>_options, ...
_QUESTION_ROW = re.compile(r"q(\d+)_\w+")


def field_label(lang: str, name: str) -> str | None:
    """The field's name in the reader's language, or None for a field with no known name."""
    if match := _QUESTION_ROW.fullmatch(name):
        return gettext(lang, "Question %(n)s", n=match.group(1))
    msgid = FIELD_LABELS.get(name)
    return gettext(lang, msgid) if msgid else None
