"""Implementation plans /api/v1: the JSON twins of civic.implementation.pages. The bodies are the
actions' input Structs; each verb answers with the plan as it is afterwards. Evidence files are
attached with the HTML form (multipart), as for handovers."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from civic.implementation import actions
from civic.implementation.schemas import ImplementedIn, OverdueMilestone, Plan, PlanIn, UpdateIn
from civic.validation import NotFound
from civic.web.deps import Db
from civic.web.guards import current_user, require_user


class ImplementationApi(Controller):
    path = "/api/v1/implementation"
    tags = ["implementation"]

    @post("/plans", summary="Attach an implementation plan to an accepted idea or adopted theme (agency staff)",
          status_code=201)  # fmt: skip
    async def create(self, request: Request, db: Db, data: JSONBody[PlanIn]) -> Plan:
        return await actions.create_plan(db, require_user(request), data)

    @get("/plans/{plan_id:int}", summary="A plan with its milestones, updates and report")
    async def get_(self, request: Request, db: Db, plan_id: FromPath[int]) -> Plan:
        return await actions.plan(db, current_user(request), plan_id)

    @post("/plans/{plan_id:int}/updates", summary="Post a public progress update (agency staff)",
          status_code=201)  # fmt: skip
    async def post_update(self, request: Request, db: Db, plan_id: FromPath[int], data: JSONBody[UpdateIn]) -> Plan:
        return await actions.post_update(db, require_user(request), plan_id, data)

    @post("/plans/{plan_id:int}/implemented", summary="Report the promise implemented (agency staff)",
          status_code=200)  # fmt: skip
    async def implemented(
        self, request: Request, db: Db, plan_id: FromPath[int], data: JSONBody[ImplementedIn]
    ) -> Plan:
        return await actions.implement(db, require_user(request), plan_id, data)

    @get("/ideas/{idea_id:int}", summary="An idea's implementation plan (404 when it has none)")
    async def for_idea(self, request: Request, db: Db, idea_id: FromPath[int]) -> Plan:
        found = await actions.plan_for_idea(db, current_user(request), idea_id)
        if found is None:
            raise NotFound(actions.PLAN_NOT_FOUND)
        return found

    @get("/consultations/{consultation_id:int}", summary="The implementation plans of a consultation's themes")
    async def for_consultation(self, request: Request, db: Db, consultation_id: FromPath[int]) -> list[Plan]:
        return await actions.plans_for_consultation(db, current_user(request), consultation_id)

    @get("/overdue", summary="Implementation milestones past their due date")
    async def overdue(self, db: Db) -> list[OverdueMilestone]:
        return await actions.overdue(db)
