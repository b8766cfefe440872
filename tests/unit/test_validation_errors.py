"""The DomainError family: what the one error handler reads (status, code, msgid, params, field)."""

from __future__ import annotations

import pytest

from civic.validation import Conflict, DomainError, Forbidden, Invalid, NotFound, Problem, TooMany, raise_if
from tests.unit.rules_support import shown_in_thai


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (DomainError, 409, "conflict"),
        (Conflict, 409, "conflict"),
        (NotFound, 404, "not_found"),
        (Forbidden, 403, "forbidden"),
        (TooMany, 429, "too_many_requests"),
    ],
)
def test_each_refusal_has_its_status_code_and_a_readable_default(cls, status, code):
    error = cls()
    assert (error.status, error.code, error.params, error.field) == (status, code, {}, None)
    assert error.msgid == cls.default_msgid == str(error)
    assert shown_in_thai(Problem(error.msgid))


def test_a_refusal_keeps_what_it_was_given():
    error = Forbidden("Only agency staff can open a board.", {"n": 1}, field="agency")
    assert (error.msgid, error.params, error.field) == ("Only agency staff can open a board.", {"n": 1}, "agency")
    assert str(error) == "Only agency staff can open a board."


def test_invalid_carries_every_problem_and_names_the_first():
    errors = {"title": Problem("This field is required."), "body": Problem("x %(max)s", {"max": 3})}
    error = Invalid(errors)
    assert (error.status, error.code) == (422, "invalid_input")
    assert error.errors is errors
    assert (error.field, error.msgid, error.params) == ("title", "This field is required.", {})
    first_with_params = Invalid({"body": Problem("x %(max)s", {"max": 3})}, status=413)
    assert (first_with_params.params, first_with_params.field, first_with_params.status) == ({"max": 3}, "body", 413)
    assert Invalid(errors).status == 422  # the override is per instance


def test_raise_if():
    raise_if({})
    with pytest.raises(Invalid) as refused:
        raise_if({"title": Problem("This field is required.")})
    assert refused.value.errors == {"title": Problem("This field is required.")}
