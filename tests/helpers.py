"""Shared test helpers: CSRF-aware posting, users, logins, HTML parsing."""

from __future__ import annotations

import socket
from html.parser import HTMLParser

from civic.accounts import store as accounts
from civic.accounts.passwords import hash_password
from civic.orgs import store as orgs
from civic.privacy import records as privacy

PASSWORD = "correct horse battery"


async def csrf_token(client) -> str:
    token = client.cookies.get("civic_csrf")
    if not token:
        await client.get("/login")
        token = client.cookies.get("civic_csrf")
    assert token, "no CSRF cookie was set"
    return token


async def post_form(client, url: str, data: dict | list | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF field from the cookie."""
    token = await csrf_token(client)
    if isinstance(data, list):
        body = [*data, ("_csrf_token", token)]
    else:
        body = {**(data or {}), "_csrf_token": token}
    return await client.post(url, data=body, **kwargs)


async def send_json(client, method: str, url: str, json=None, **kwargs):
    """JSON with the CSRF header, as the cookie-authenticated browser app would send it."""
    token = await csrf_token(client)
    headers = {"x-csrftoken": token, **kwargs.pop("headers", {})}
    return await client.request(method, url, json=json, headers=headers, **kwargs)


async def make_user(
    conn, email: str, *, role: str = "citizen", name: str | None = None, lang: str = "th", verified: bool = True
) -> int:
    """A user whose address is verified unless `verified=False` (to test the verified gate)."""
    user_id = await accounts.create_user(
        conn,
        email=email,
        display_name=name or email.split("@")[0],
        password_hash=hash_password(PASSWORD),
        lang=lang,
        role=role,
    )
    if verified:
        await accounts.set_email_verified(conn, user_id, email)
    # As registering does: without it the privacy notice gate would stop every page the user asks.
    await privacy.record_acceptance(conn, user_id, "web")
    return user_id


async def make_agency(
    conn, slug: str, *, level: str = "central", province: str | None = None, name_th: str | None = None
) -> int:
    return await orgs.create_organisation(
        conn, slug=slug, kind="agency", name_th=name_th or f"หน่วยงาน {slug}", level=level, province=province
    )


async def make_board(conn, slug: str, agency_id: int, *, coowner_ids: tuple[int, ...] = ()) -> int:
    """An open idea board of the agency's, with co-owners invited (not yet accepted)."""
    from civic.ideas import store as ideas

    return await ideas.create_board(
        conn, slug=slug, agency_id=agency_id, title=f"บอร์ด {slug}", description_th="", description_en="",
        scope=None, categories=[], is_open=True, moderate_first=False, support_threshold=10, response_days=30,
        coowner_ids=list(coowner_ids), actor_id=None,
    )  # fmt: skip


async def make_task(conn, agency_id: int, *, title: str = "อบรมอาสาสมัครชุมชน", status: str = "open") -> int:
    """A task of the agency's (open, or `status`), its claim window open today."""
    return await conn.fetchval(
        """INSERT INTO handover_tasks (agency_id, title, description, province, category, claim_opens,
                                       claim_closes, deadline, status)
           VALUES ($1, $2, 'จัดอบรม', 'KKN', 'disaster', current_date, current_date + 14, current_date + 60, $3)
           RETURNING id""",
        agency_id,
        title,
        status,
    )


async def make_partner(
    conn, slug: str, *, verification: str = "verified", partner_type: str = "ngo", name_th: str | None = None
) -> int:
    return await orgs.create_organisation(
        conn,
        slug=slug,
        kind="partner",
        name_th=name_th or f"องค์กร {slug}",
        partner_type=partner_type,
        verification=verification,
    )


async def login(client, email: str, password: str = PASSWORD):
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code in (200, 303), response.text[:500]
    return response


async def index_events(db) -> int:
    """Run the search consumer over the events recorded so far (a pool or a connection outside a
    transaction), as the app's background loop would: a change's search_outbox row appears only
    then. Returns how many events it read."""
    from civic import consumers
    from civic.search.consumer import SEARCH_INDEXER

    return await consumers.drain(db, [SEARCH_INDEXER])


def free_port() -> int:
    """A loopback port nothing listens on right now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_batch_sizes(monkeypatch, module, name: str) -> list[int]:
    """Replaces module.<name>, a store function that answers a list of keys, with one that also
    records how many keys each call got."""
    sizes: list[int] = []
    real = getattr(module, name)

    async def recording(conn, keys, **options):
        sizes.append(len(keys))
        return await real(conn, keys, **options)

    monkeypatch.setattr(module, name, recording)
    return sizes


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.forms: list[dict[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if "id" in attrs_d:
            self.ids[attrs_d["id"]] = attrs_d
        if tag == "form":
            self.forms.append(attrs_d)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def parse(html: str) -> _TextExtractor:
    p = _TextExtractor()
    p.feed(html)
    return p


def text_of(html: str) -> str:
    return " ".join(" ".join(parse(html).parts).split())


def rows_read(plan: dict, relation: str) -> int:
    """Rows an executed plan (EXPLAIN (ANALYZE, FORMAT JSON)) read from `relation`, over every node
    and loop: those it kept and those its filters dropped."""
    read = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0) + plan.get("Rows Removed by Index Recheck", 0)
    own = read * plan["Actual Loops"] if plan.get("Relation Name") == relation else 0
    return own + sum(rows_read(child, relation) for child in plan.get("Plans", ()))
