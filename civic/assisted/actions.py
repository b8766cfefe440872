"""The counter's verbs: submit an idea, a support or a consultation answer for a person, through
the domain's own action acted by a fresh counter account; and the person's take-over by code.
Everything of one submission (the account, the consent, the contribution, the record of who
helped whom) is one transaction: a refusal anywhere leaves nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from civic import events
from civic.accounts import actions as accounts
from civic.accounts.schemas import CurrentUser
from civic.assisted import rules, store
from civic.assisted.schemas import (
    AssistedAnswerIn,
    AssistedIdeaIn,
    AssistedOut,
    AssistedSupportIn,
    PersonIn,
    TakenOver,
    TakeOverIn,
)
from civic.consultations import actions as consultations
from civic.ideas import actions as ideas
from civic.identity.rules import national_id_digits, national_id_hash
from civic.privacy import records as privacy
from civic.privacy.rules import ASSISTED
from civic.validation import Forbidden, Invalid, Problem, raise_if


def _agency_name(actor: CurrentUser, agency_id: int) -> str:
    return next(m.name_th for m in actor.memberships if m.org_id == agency_id)


def _check(actor: CurrentUser, person: PersonIn) -> dict:
    if not rules.can_assist(actor, person.agency):
        raise Forbidden(rules.N_("Only staff of this agency can submit at its counter."))
    return rules.validate_person(
        person.channel, person.person_name, person.person_contact, person.consent, person.national_id
    )


async def _submit(
    conn, actor: CurrentUser, person: PersonIn, kind: str, target_id: int | None, act, *, secret: str
) -> AssistedOut:
    """Runs `act(holder) -> contribution id` under a new counter account, with the person's
    problems and the domain's reported together. An idea is its own target (target_id None)."""
    errors = _check(actor, person)
    async with conn.transaction():
        holder = await accounts.create_counter_account(
            conn, f"ส่งผ่านช่องทางเคาน์เตอร์ {_agency_name(actor, person.agency)}"
        )
        try:
            contribution_id = await act(holder)
        except Invalid as exc:
            raise Invalid(errors | exc.errors) from None
        raise_if(errors)
        target_id = contribution_id if target_id is None else target_id
        detail = {"agency_id": person.agency, "staff_id": actor.id, "channel": person.channel, "kind": kind}
        await privacy.record_consent(conn, holder.id, ASSISTED, True, "counter", detail)
        digits = national_id_digits(person.national_id) if person.national_id.strip() else None
        code = rules.new_code()
        expires = datetime.now(UTC) + rules.CODE_LIFETIME
        row_id = await store.record(
            conn, kind=kind, target_id=target_id, contribution_id=contribution_id, holder_id=holder.id,
            agency_id=person.agency, staff_id=actor.id, channel=person.channel,
            person_name=person.person_name.strip(), person_contact=person.person_contact.strip(),
            national_id_hash=national_id_hash(secret, digits) if digits else None,
            code_hash=rules.code_hash(code), code_expires_at=expires,
        )  # fmt: skip
        await events.record(
            conn,
            "assisted.submitted",
            events.AssistedSubmitted(
                kind=kind, channel=person.channel, target_id=target_id, contribution_id=contribution_id
            ),
            subject=("assisted", row_id),
            actor_id=actor.id,
            agency_id=person.agency,
        )
    return AssistedOut(row_id, kind, target_id, contribution_id, code, expires)


async def submit_idea(
    conn: asyncpg.Connection, actor: CurrentUser, data: AssistedIdeaIn, *, secret: str
) -> AssistedOut:
    async def act(holder: CurrentUser) -> int:
        return (await ideas.submit_idea(conn, holder, data.idea, assisted_by=data.person.agency)).id

    return await _submit(conn, actor, data.person, "idea", None, act, secret=secret)


async def support(
    conn: asyncpg.Connection, actor: CurrentUser, data: AssistedSupportIn, *, secret: str
) -> AssistedOut:
    async def act(holder: CurrentUser) -> int:
        await ideas.support_idea(conn, holder, data.idea_id)
        return data.idea_id

    return await _submit(conn, actor, data.person, "support", data.idea_id, act, secret=secret)


async def answer(
    conn: asyncpg.Connection, actor: CurrentUser, data: AssistedAnswerIn, *, secret: str
) -> AssistedOut:
    async def act(holder: CurrentUser) -> int:
        return (await consultations.respond(conn, holder, data.consultation_id, data.response)).id

    return await _submit(conn, actor, data.person, "answer", data.consultation_id, act, secret=secret)


async def take_over(conn: asyncpg.Connection, actor: CurrentUser, data: TakeOverIn) -> TakenOver:
    """The person, logged in with a verified address, types the code: the contribution is theirs,
    and so is the record of the consent they gave at the counter."""
    if not rules.can_take_over(actor):
        raise Forbidden(rules.N_("Log in with a verified email address to take over a contribution."))
    async with conn.transaction():
        row = await store.by_code(conn, rules.code_hash(data.code)) if rules.code_form(data.code) else None
        if row is None:
            raise Invalid(
                {
                    "code": Problem(
                        rules.N_("This code is not known. Check it against the slip from the counter.")
                    )
                }
            )
        if problem := rules.code_problem(row["taken_over_at"], row["code_expires_at"], datetime.now(UTC)):
            raise Invalid({"code": Problem(problem)})
        if row["kind"] == "idea":
            await ideas.transfer_idea(conn, actor, row["contribution_id"], row["holder_id"])
        elif row["kind"] == "support":
            await ideas.transfer_support(conn, actor, row["target_id"], row["holder_id"])
        else:
            await consultations.transfer_response(conn, actor, row["target_id"], row["holder_id"])
        await store.mark_taken(conn, row["id"], actor.id)
        await privacy.take_over_consents(conn, row["holder_id"], actor.id, row["id"])
        taken = TakenOver(
            kind=row["kind"], target_id=row["target_id"], contribution_id=row["contribution_id"]
        )
        await events.record(
            conn, "assisted.taken_over", events.AssistedTakenOver(taken.kind, taken.target_id, taken.contribution_id),
            subject=("assisted", row["id"]), actor_id=actor.id,
        )  # fmt: skip
    return taken
