"""Open data: regenerate every dataset (the scheduled job and the admin's button), and the reads
behind /data, its JSON twin, the catalogue and the downloads.

A regeneration writes into a new directory and becomes what is served only when it is recorded
as good, in one transaction with its event; one that fails is recorded as failed and its
directory removed, so the previous files stay served and /data says when they were made.
Consultations' questions, results and consented responses come from the consultations domain's
own open-data reads, the tasks' OCDS package from the handovers domain's and the public record
from the record's own public reads, so their export rules hold here unchanged.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import msgspec

from civic import events
from civic.accounts.schemas import CurrentUser
from civic.consultations import queries as consultations
from civic.handovers import actions as handovers
from civic.opendata import files, rules, store
from civic.opendata.schemas import (
    ColumnOut,
    DatasetOut,
    DistributionOut,
    FileOut,
    Overview,
    RegenerateOut,
)
from civic.record import queries as record
from civic.record.schemas import RecordQuery
from civic.settings import Settings, get_settings
from civic.validation import Conflict, Forbidden, NotFound, raise_if
from civic.web.i18n import N_

log = logging.getLogger(__name__)

CLOSED = ("closed", "outcome_published")


class Busy(Conflict):
    code = "regenerating"
    default_msgid = "The open data is being regenerated right now. Try again in a minute."


def root(settings: Settings) -> Path:
    return Path(settings.data_dir) / "opendata"


# ---------------------------------------------------------------- rows of each dataset


async def _consultation_rows(conn: asyncpg.Connection, name: str) -> AsyncIterator[dict]:
    """Rows read through the consultations domain, one consultation at a time."""
    for c in await store.public_consultations(conn):
        cid = c["id"]
        if name == "consultation_questions":
            for q in await consultations.questions(conn, None, cid):
                yield {"consultation_id": cid, "question_id": q.id} | msgspec.structs.asdict(q)
        elif name == "consultation_results" and c["status"] in CLOSED:
            for q in (await consultations.statistics(conn, None, cid)).questions:
                base = {
                    "consultation_id": cid,
                    "question_id": q.question_id,
                    "answered": q.answered,
                    "mean": q.mean,
                }
                for o in q.options or [None]:
                    yield base | ({"option": o.label, "count": o.count, "percent": o.percent} if o else {})
        elif name == "consultation_responses" and c["status"] in CLOSED:
            for r in (await consultations.export(conn, None, cid)).responses:
                row = {"consultation_id": cid, "response": r.response, "consent": r.consent, "name": r.name,
                       "province": r.province, "submitted_on": date.fromisoformat(r.submitted_on)}  # fmt: skip
                for qid, answer in r.answers.items():
                    yield row | {
                        "question_id": int(qid),
                        "answer": answer if isinstance(answer, list) else [answer],
                    }
        elif name in ("outcomes", "outcome_themes"):
            for v in reversed(await consultations.outcome_versions(conn, cid)):
                _, o = await consultations.outcome(conn, None, cid, v["version"])
                head = {"consultation_id": cid, "version": o.version, "published_at": o.published_at}
                if name == "outcomes":
                    yield head | {"summary": o.summary, "correction_note": o.correction_note}
                    continue
                for i, t in enumerate(o.themes, start=1):
                    yield head | {"position": i, "title": t.title, "disposition": t.disposition,
                                  "reason": t.reason, "comment_ids": t.comment_ids}  # fmt: skip


async def _record_rows(conn: asyncpg.Connection) -> AsyncIterator[dict]:
    """The public record as its own pages read it (newest first), page after page."""
    before: int | None = None
    while True:
        page = await record.page(conn, RecordQuery(before=before))
        for shown in page.entries:
            yield msgspec.structs.asdict(shown.entry) | {"agency": shown.agency_slug}
        if page.next_before is None:
            return
        before = page.next_before


async def rows(conn: asyncpg.Connection, dataset: rules.Dataset, period: rules.Period) -> AsyncIterator[dict]:
    """The dataset's rows in the period (the whole of an undated dataset). Call in a transaction."""
    if dataset.name in store.READS:
        async for row in store.stream(conn, dataset.name, period.since, period.until):
            yield dict(row)
        return
    source = _record_rows(conn) if dataset.name == "record" else _consultation_rows(conn, dataset.name)
    async for row in source:
        if dataset.date_column is None or period.holds(row.get(dataset.date_column)):
            yield row


async def _ocds(conn: asyncpg.Connection, settings: Settings) -> tuple[bytes, int]:
    uri = f"{settings.base_url}/data/{rules.filename('tasks', 'ocds')}"
    package = await handovers.ocds_package(conn, settings, uri)
    package["license"] = rules.licence_url(settings.opendata_licence)
    return msgspec.json.encode(rules.json_value(package)), len(package["releases"])


# ---------------------------------------------------------------- regenerate


async def regenerate(
    conn: asyncpg.Connection, actor: CurrentUser | None, settings: Settings
) -> RegenerateOut:
    """The admin's button: every dataset now. A failure is reported in the result, not raised:
    the previous files stay, and the failure is recorded for /data."""
    if not rules.can_regenerate(actor):
        raise Forbidden("Only platform administrators can regenerate the open data.")
    return await _regenerate(conn, actor.id, settings)


async def regenerate_job(conn: asyncpg.Connection) -> int:
    """The scheduled regeneration (civic/registry.py JOBS): the number of files written."""
    return (await _regenerate(conn, None, get_settings())).files


async def _regenerate(conn: asyncpg.Connection, actor_id: int | None, settings: Settings) -> RegenerateOut:
    if not await store.try_lock(conn):
        raise Busy()
    try:
        started = datetime.now(UTC)
        run_dir = files.RunDirectory(root(settings), f"{started:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}")
        try:
            written = await _write_all(conn, run_dir, settings)
        except Exception as exc:
            log.exception("open data regeneration failed; the previous files stay")
            run_dir.discard()
            run = await store.record_failure(conn, run_dir.name, actor_id, started, rules.short_error(exc))
            return RegenerateOut(run=run, files=0)
        async with conn.transaction():
            run = await store.record_success(conn, run_dir.name, actor_id, started, written)
            await events.record(
                conn, "opendata.regenerated", events.OpendataRegenerated(run_id=run.id, files=len(written)),
                subject=("opendata_run", run.id), actor_id=actor_id,
            )  # fmt: skip
        files.prune(root(settings), await store.kept_directories(conn))
        return RegenerateOut(run=run, files=len(written))
    finally:
        await store.unlock(conn)


async def _write_all(
    conn: asyncpg.Connection, run_dir: files.RunDirectory, settings: Settings
) -> list[FileOut]:
    written: list[FileOut] = []
    # One snapshot for every dataset, so their numbers agree; inside the scheduler's transaction
    # a savepoint is all there can be (asyncpg nests no isolation level).
    snapshot = (
        conn.transaction()
        if conn.is_in_transaction()
        else conn.transaction(isolation="repeatable_read", readonly=True)
    )
    async with snapshot:
        for dataset in rules.DATASETS:
            out, handles = run_dir.open_dataset(dataset)
            try:
                async for row in rows(conn, dataset, rules.EVERYTHING):
                    out.add(row)
            finally:
                written += run_dir.finish_dataset(out, handles)
            if dataset.ocds:
                data, releases = await _ocds(conn, settings)
                written.append(run_dir.write_bytes(dataset.name, "ocds", data, releases))
    return written


# ---------------------------------------------------------------- reads


async def overview(
    conn: asyncpg.Connection, actor: CurrentUser | None, settings: Settings, lang: str
) -> Overview:
    current = await store.current(conn)
    failed = await store.last_failure(conn)
    run, present = (current[0], current[2]) if current else (None, [])
    if failed and run and failed.finished_at < run.finished_at:
        failed = None
    by_key = {(f.dataset, f.format): f for f in present}
    base = f"{settings.base_url}/data"
    datasets = []
    for d in rules.DATASETS:
        dists = [
            DistributionOut(
                format=fmt,
                url=f"{base}/{rules.filename(d.name, fmt)}",
                media_type=rules.FORMATS[fmt][1],
                bytes=f.bytes,
                rows=f.rows,
                sha256=f.sha256,
            )  # fmt: skip
            for fmt in rules.formats_of(d)
            if (f := by_key.get((d.name, fmt)))
        ]
        dated = [f for f in present if f.dataset == d.name and f.temporal_start]
        datasets.append(
            DatasetOut(
                name=d.name,
                title=d.title_th if lang == "th" else d.title_en,
                description=d.description_th if lang == "th" else d.description_en,
                columns=[ColumnOut(c.name, c.type, c.th if lang == "th" else c.en) for c in d.columns],
                distributions=dists,
                temporal_start=min((f.temporal_start for f in dated), default=None),
                temporal_end=max((f.temporal_end for f in dated), default=None),
            )
        )
    return Overview(
        licence=settings.opendata_licence,
        licence_url=rules.licence_url(settings.opendata_licence),
        catalogue=[f"{base}/catalog.jsonld", f"{base}/catalog.ttl"],
        regenerated=run,
        failed=failed,
        datasets=datasets,
        types={t: th if lang == "th" else en for t, (en, th) in rules.TYPES.items()},
        can_regenerate=rules.can_regenerate(actor),
    )


class Download(msgspec.Struct, frozen=True):
    """A published file on disk, or (for a date range) the file's bytes made now."""

    media_type: str
    filename: str
    path: Path | None = None
    content: bytes | None = None
    modified: datetime | None = None


NOT_PUBLISHED = N_("That file is not published (yet). The list of files is at /data.")


async def download(
    conn: asyncpg.Connection, settings: Settings, name: str, since: str | None, until: str | None
) -> Download:
    """/data/<dataset>.<csv|json|ocds.json>. Without a range: the file of the run being served.
    With ?since=&until=: the rows dated in that range, read now; a range outside the data gives
    the header (CSV) or an empty array (JSON), not an error."""
    parsed = rules.parse_filename(name)
    if parsed is None:
        raise NotFound(NOT_PUBLISHED)
    dataset, fmt = parsed
    period, errors = rules.parse_period(since, until)
    raise_if(errors)
    media_type = rules.FORMATS[fmt][1]
    if not period.whole and fmt != "ocds":
        out, csv_buf, json_buf = files.in_memory(dataset)
        async with conn.transaction(readonly=True):
            async for row in rows(conn, dataset, period):
                out.add(row)
        out.close()
        content = csv_buf.getvalue().encode() if fmt == "csv" else json_buf.getvalue()
        return Download(media_type=media_type, filename=name, content=content)
    current = await store.current(conn)
    if current is None or not any(f.dataset == dataset.name and f.format == fmt for f in current[2]):
        raise NotFound(NOT_PUBLISHED)
    run, directory, _ = current
    return Download(media_type=media_type, filename=name, path=root(settings) / directory / name,
                    modified=run.finished_at)  # fmt: skip


async def catalogue(conn: asyncpg.Connection, settings: Settings, fmt: str) -> tuple[bytes, datetime]:
    """The DCAT catalogue of the files being served, as JSON-LD ('jsonld') or Turtle ('ttl')."""
    current = await store.current(conn)
    if current is None:
        raise NotFound("The open data has not been generated yet.")
    run, _, present = current
    from civic.opendata import catalog  # on first use: rdflib is 5 MB a worker

    graph = catalog.build(settings.base_url, settings.opendata_licence, run, present)
    return catalog.serialise(graph, fmt), run.finished_at
