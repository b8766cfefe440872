"""The staff menu's counts, read from each domain through its own actions and queries."""

from __future__ import annotations

import asyncpg

from civic.accounts.schemas import CurrentUser
from civic.consultations import actions as consultations_actions
from civic.consultations import queries as consultations
from civic.handovers import actions as handovers
from civic.ideas import actions as ideas
from civic.orgs import queries as orgs
from civic.staff import rules
from civic.staff.schemas import Tool, Tools
from civic.validation import Forbidden
from civic.web.i18n import N_


async def tools(conn: asyncpg.Connection, user: CurrentUser | None) -> Tools:
    if user is None or not rules.has_tools(user):
        raise Forbidden()
    found: list[Tool] = []
    if rules.can_moderate(user):
        flags, pending = await ideas.moderation_queue(conn, user)
        reported = (await consultations.moderation_queue(conn, user)).flagged
        waiting = len(flags) + len(pending) + len(reported)
        found.append(Tool("moderation", "/moderation", N_("Moderation inbox"), waiting))
    if rules.can_review_partners(user):
        partners = await orgs.partner_queue(conn, user, "pending")
        found.append(Tool("partners", "/admin/partners", N_("Partners to verify"), len(partners)))
    slugs = rules.agency_slugs(user)
    if slugs:
        late_tasks = [i for slug in slugs for i in await handovers.overdue(conn, slug, None)]
        href = f"/handovers/overdue?agency={slugs[0]}" if len(slugs) == 1 else "/handovers/overdue"
        found.append(Tool("tasks", href, N_("Tasks waiting for your agency"), len(late_tasks)))
        late_ideas = sum(a.ideas for a in await ideas.overdue_by_agency(conn) if a.agency_slug in slugs)
        href = f"/ideas/overdue?agency={slugs[0]}" if len(slugs) == 1 else "/ideas/overdue"
        found.append(Tool("ideas", href, N_("Ideas waiting for an answer"), late_ideas))
        # Everything due for the agency in one list; its own page counts it (civic/dashboard).
        found.append(Tool("queue", "/dashboard/mine", N_("Your agency's queue"), None))
        # Submitting for someone who came in, called or sent a paper form (civic/assisted).
        found.append(Tool("counter", "/counter", N_("Counter: submit for a person"), None))
    if user.is_admin:  # roles, blocks, the audit log, consents, jobs (civic/admin)
        found.append(Tool("admin", "/admin", N_("Admin console"), None))
    invitations = [
        *await ideas.coownership_invitations(conn, user),
        *await consultations_actions.coownership_invitations(conn, user),
    ]
    return Tools(found, sum(t.pending or 0 for t in found) + len(invitations), invitations)
