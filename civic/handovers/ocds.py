"""Tasks in the shape of the Open Contracting Data Standard 1.1 (release packages). Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from civic.handovers.rules import OCDS_MILESTONE_STATUS
from civic.handovers.schemas import Claim, Event, Task

BANGKOK = ZoneInfo("Asia/Bangkok")
PUBLISHER = {"name": "civic: Thai civic participation platform"}

TENDER_STATUS = {
    "draft": "planning",
    "open": "active",
    "claimed": "active",
    "in_progress": "complete",
    "completion_requested": "complete",
    "completed": "complete",
    "cancelled": "cancelled",
    "expired": "unsuccessful",
}


def _dt(value: datetime | date | None, end_of_day: bool = False) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    moment = datetime.combine(value, time(23, 59, 59) if end_of_day else time(0, 0), BANGKOK)
    return moment.isoformat()


def _party_id(slug: str) -> str:
    return f"civic-org-{slug}"


def _amount(value) -> dict | None:
    return None if value is None else {"amount": float(value), "currency": "THB"}


def releases_for(
    task: Task, claims: list[Claim], events: list[Event], prefix: str, base_url: str
) -> list[dict]:
    """One release per stage the task has reached, each a snapshot of what was known then."""
    ocid = f"{prefix}-{task.id}"
    buyer = {"id": _party_id(task.agency_slug), "name": task.agency_name}
    parties = [
        {
            "id": buyer["id"],
            "name": task.agency_name,
            "roles": ["buyer", "procuringEntity"],
            "details": {"url": f"{base_url}/organisations/{task.agency_slug}"},
        }
    ]
    # The latest confirmed claim: after a give-back or release the task may be awarded again.
    awarded = next((c for c in reversed(claims) if c.confirmed_at is not None), None)
    if awarded is not None:
        parties.append(
            {
                "id": _party_id(awarded.partner_slug),
                "name": awarded.partner_name,
                "roles": ["supplier"],
                "details": {"url": f"{base_url}/handovers/partners/{awarded.partner_slug}"},
            }
        )
    tender = {
        "id": f"{ocid}-tender",
        "title": task.title,
        "description": task.description,
        "status": TENDER_STATUS[task.status],
        "procurementMethod": "open",
        "procurementMethodDetails": "Delegated task handover to civil-society partners",
        "mainProcurementCategory": "services",
        "tenderPeriod": {"startDate": _dt(task.claim_opens), "endDate": _dt(task.claim_closes, True)},
        "contractPeriod": {"endDate": _dt(task.deadline, True)},
        "items": [{"id": "1", "description": task.deliverables}],
        "numberOfTenderers": len({c.partner_id for c in claims}),
    }
    if task.budget is not None:
        tender["value"] = _amount(task.budget)
    base = {
        "ocid": ocid,
        "initiationType": "tender",
        "language": "th",
        "buyer": buyer,
        "parties": parties,
        "tender": tender,
    }
    published = task.published_at or task.created_at
    releases = [base | {"id": f"{ocid}-01-tender", "date": _dt(published), "tag": ["tender"]}]
    if awarded is not None:
        award = {
            "id": f"{ocid}-award-{awarded.id}",
            "title": task.title,
            "status": "cancelled" if awarded.status in ("released", "expired", "withdrawn") else "active",
            "date": _dt(awarded.confirmed_at),
            "suppliers": [{"id": _party_id(awarded.partner_slug), "name": awarded.partner_name}],
            "description": awarded.plan,
        }
        if task.budget is not None:
            award["value"] = _amount(task.budget)
        milestones = [
            {
                "id": str(m.id),
                "title": m.title,
                "type": "delivery",
                "dueDate": _dt(m.due, True),
                "status": OCDS_MILESTONE_STATUS[m.status],
                **({"dateModified": _dt(m.reviewed_at)} if m.reviewed_at else {}),
                **({"dateMet": _dt(m.reviewed_at)} if m.status == "met" and m.reviewed_at else {}),
            }
            for m in task.milestones
        ]
        contract_status = {
            "completed": "terminated",
            "cancelled": "cancelled",
        }.get(task.status, "active")
        if awarded.status in ("released", "expired", "withdrawn"):
            contract_status = "cancelled"
        contract = {
            "id": f"{ocid}-contract-{awarded.id}",
            "awardID": award["id"],
            "title": task.title,
            "status": contract_status,
            "period": {"startDate": _dt(awarded.confirmed_at), "endDate": _dt(task.deadline, True)},
            "dateSigned": _dt(awarded.confirmed_at),
            "implementation": {"milestones": milestones},
        }
        if task.budget is not None:
            contract["value"] = _amount(task.budget)
        releases.append(
            base | {"id": f"{ocid}-02-award", "date": _dt(awarded.confirmed_at), "tag": ["award", "contract"],
                    "awards": [award], "contracts": [contract]}
        )  # fmt: skip
        progress = [
            e for e in events if e.action.startswith(("update", "review_", "request_completion", "reject"))
        ]
        if progress:
            releases.append(
                base | {"id": f"{ocid}-03-implementation", "date": _dt(progress[-1].at),
                        "tag": ["implementation", "contractUpdate"], "awards": [award], "contracts": [contract]}
            )  # fmt: skip
        if task.status == "completed":
            releases.append(
                base | {"id": f"{ocid}-04-termination", "date": _dt(task.signed_off_at),
                        "tag": ["contractTermination"], "awards": [award], "contracts": [contract]}
            )  # fmt: skip
    if task.status == "cancelled":
        cancelled_at = next((e.at for e in reversed(events) if e.action == "cancel"), task.updated_at)
        tag = ["awardCancellation", "contractTermination"] if awarded else ["tenderCancellation"]
        extra: dict = {}
        if awarded:
            extra = {"awards": releases[1]["awards"], "contracts": releases[1]["contracts"]}
        tender_cancel = tender | {"statusDetails": task.cancel_reason}
        releases.append(
            base | {"id": f"{ocid}-05-cancellation", "date": _dt(cancelled_at), "tag": tag,
                    "tender": tender_cancel, **extra}
        )  # fmt: skip
    if task.status == "expired":
        expired_at = next((e.at for e in reversed(events) if e.action == "expire"), task.updated_at)
        releases.append(
            base | {"id": f"{ocid}-05-unsuccessful", "date": _dt(expired_at), "tag": ["tenderUpdate"]}
        )
    return releases


def package(releases: list[dict], *, uri: str, published: datetime) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _dt(published),
        "publisher": PUBLISHER,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": releases,
    }
