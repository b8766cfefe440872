"""Task handover /api/v1: the JSON twins of the pages in civic.handovers.pages. The bodies are the
actions' input Structs; each verb answers with the task as it is afterwards (TaskDetail)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from civic.handovers import actions
from civic.handovers.schemas import (
    ClaimIn,
    CommentIn,
    OverdueItem,
    ReasonIn,
    ReviewIn,
    TaskDetail,
    TaskIn,
    TaskPageOut,
    TaskPatch,
    TrackRecord,
    UpdateIn,
)
from civic.web.deps import Db
from civic.web.guards import current_user, require_user


class HandoversApi(Controller):
    path = "/api/v1/handovers"
    tags = ["handovers"]

    @get("/", summary="Task board")
    async def list_(
        self,
        request: Request,
        db: Db,
        province: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        partner: FromQuery[str | None] = None,
        mine: FromQuery[str | None] = None,
        order: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
    ) -> TaskPageOut:
        q = actions.board_query({"province": province, "category": category, "status": status, "agency": agency,
                                 "partner": partner, "mine": mine, "order": order, "page": page, "at": at})  # fmt: skip
        return (await actions.board(db, current_user(request), q)).public()

    @post("/", summary="Post a task (agency staff)", status_code=201)
    async def create(self, request: Request, db: Db, data: JSONBody[TaskIn]) -> TaskDetail:
        user = require_user(request)
        posted = await actions.post_task(db, user, data)
        return await actions.task_detail(db, user, posted.task_id)

    @get("/{task_id:int}", summary="A task with its timeline, updates, reviews and claims")
    async def get_(self, request: Request, db: Db, task_id: FromPath[int]) -> TaskDetail:
        return await actions.task_detail(db, current_user(request), task_id)

    @patch(
        "/{task_id:int}",
        summary="Edit a task: anything before a claim; after it, later dates and the category",
    )
    async def update(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[TaskPatch]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.edit_task(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/publish", summary="Publish a draft (agency staff)")
    async def publish(self, request: Request, db: Db, task_id: FromPath[int]) -> TaskDetail:
        user = require_user(request)
        await actions.publish_task(db, user, task_id)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/claim", summary="Claim an open task (verified partner member)")
    async def claim(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ClaimIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.claim_task(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/confirm", summary="Confirm the claim (agency staff)")
    async def confirm(self, request: Request, db: Db, task_id: FromPath[int]) -> TaskDetail:
        user = require_user(request)
        await actions.confirm_claim(db, user, task_id)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/release", summary="Release the claim with a reason (agency staff)")
    async def release(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.release_claim(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/withdraw", summary="Give the task back with a reason (holding partner)")
    async def withdraw(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.withdraw_claim(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/updates", summary="Post a milestone progress update (holding partner)")
    async def post_update(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[UpdateIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.report_progress(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/milestones/{milestone_id:int}/review", summary="Review a milestone (agency staff)")
    async def review(
        self,
        request: Request,
        db: Db,
        task_id: FromPath[int],
        milestone_id: FromPath[int],
        data: JSONBody[ReviewIn],
    ) -> TaskDetail:
        user = require_user(request)
        await actions.review_milestone(db, user, task_id, data, milestone_id=milestone_id)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/request-completion", summary="Request completion (holding partner)")
    async def request_completion(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.request_completion(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/sign-off", summary="Sign off completion (agency staff)")
    async def sign_off(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.sign_off(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/reject", summary="Reject completion with a reason (agency staff)")
    async def reject(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.reject_completion(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @post("/{task_id:int}/cancel", summary="Cancel with a public reason (agency staff)")
    async def cancel(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        user = require_user(request)
        await actions.cancel_task(db, user, task_id, data)
        return await actions.task_detail(db, user, task_id)

    @get("/{task_id:int}/ocds", summary="OCDS 1.1 release package for one task")
    async def ocds_one(self, request: Request, db: Db, task_id: FromPath[int]) -> dict[str, Any]:
        return await actions.ocds_package(db, request.app.state.settings, _here(request), task_id)

    @get("/ocds", summary="OCDS 1.1 release package for every published task")
    async def ocds_all(self, request: Request, db: Db) -> dict[str, Any]:
        return await actions.ocds_package(db, request.app.state.settings, _here(request))

    @get("/overdue", summary="Overdue responses, per agency or partner")
    async def overdue(
        self, db: Db, agency: FromQuery[str | None] = None, partner: FromQuery[str | None] = None
    ) -> list[OverdueItem]:
        return await actions.overdue(db, agency, partner)

    @get("/partners/{slug:str}", summary="A partner's track record")
    async def partner(self, db: Db, slug: FromPath[str]) -> TrackRecord:
        return await actions.track_record(db, slug)


def _here(request: Request) -> str:
    return f"{request.app.state.settings.base_url}{request.url.path}"
