"""A partner's skills: task category codes only, partners only, stored in one order."""

from __future__ import annotations

import pytest

from civic.handovers.rules import CATEGORIES
from civic.orgs.rules import clean_skills, validate_skills


@pytest.mark.parametrize(
    ("kind", "skills", "refused"),
    [
        ("partner", [], False),
        ("partner", ["disaster"], False),
        ("partner", list(CATEGORIES), False),
        ("partner", ["disaster", "juggling"], True),
        ("partner", ["Disaster"], True),
        ("partner", [""], True),
        ("agency", [], False),
        ("agency", ["disaster"], True),
    ],
)
def test_validate_skills(kind, skills, refused):
    errors = validate_skills(kind, skills)
    assert bool(errors) is refused
    assert set(errors) <= {"skills"}


def test_clean_skills_keeps_the_categories_order_once_each():
    assert clean_skills(["health", "disaster", "health"]) == ["disaster", "health"]
    assert clean_skills([]) == []
