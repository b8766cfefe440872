"""The platform as people use it: a realistic mix of pages and writes on `civic run --workers 2`,
over a database of realistic size, on loopback, against its own embedded PostgreSQL.

    python bench/bench_mixed.py [--ideas 100000] [--supports 1000000] [--comments 500000]
        [--consultations 1000] [--responses 200000] [--tasks 10000] [--clients 64]
        [--requests 100000] [--alone 300] [--rounds 3] [--server uvicorn|granian] [--smoke]

Data: the demo data, then (set-based SQL, on top) --ideas ideas over the demo boards with
--supports supports and --comments comments skewed towards popular ideas, --consultations
consultations copied from the demo's (sections and questions) with --responses responses and a
published outcome on a tenth of them, and --tasks handover tasks copied from the demo's; then
everything is indexed for search (`civic reindex`), as an operator would after an import.

Load: --clients keep-alive HTTP/1.1 clients (plain asyncio streams, light on CPU, as in
bench_ideas) send --requests requests in this mix: browse 60 % (home, the board index sorted each
way, across boards, on one board and filtered by a province, an idea, a consultation, an outcome,
the task board in each order, a task), search 15 %
(Thai queries), support or withdraw 10 %, comment 5 %, respond 5 %, staff answers 5 %. Browsing
and search are anonymous; writes go through /api/v1 with a bearer token per client.

Prints, as ratios, in one run:
* errors (goal 0);
* per page kind, p95 under the load against p95 alone (one client, --alone requests, once the
  server is idle and every worker has served that kind), goal <= 4x;
* per page kind, CPU per request (server workers + PostgreSQL, from /proc) against a bare
  Litestar "hello" (bench/floor_app.py, served the same way) read just before it, goal <= 25x
  for every HTML page: the median of --rounds readings, and their range;
* throughput of the mix, requests per second;
* worker RSS after the mix, and its growth over the second half (goal <= 150 MB, no growth);
* the viral case: supports with 90 % on one idea against the same load spread over many ideas
  (goal >= 50 %), and whether that idea's count equals its rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import msgspec  # noqa: E402
from bench_ideas import (  # noqa: E402
    HttpConnection,
    free_port,
    process_cpu,
    run_load_generator,
    settle_users,
    wait_until_up,
)

from civic import embedded_db  # noqa: E402
from civic.accounts import store as accounts  # noqa: E402
from civic.db import _init_connection, migrate  # noqa: E402
from civic.demo import seed  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
SORTS = ("hot", "top", "new", "discussed")
THAI_QUERIES = (
    "ขยะ", "ไวไฟ", "ถนน", "น้ำท่วม", "รถเมล์", "ไฟฟ้า", "ทางเท้า", "สวนสาธารณะ", "ตลาด", "โรงเรียน",
    "อินเทอร์เน็ต", "น้ำประปา", "ฝุ่น", "จักรยาน", "ไฟส่องสว่าง", "ขยะ ตลาด", "ถนน ชำรุด", "wifi",
)  # fmt: skip
WORDS = (
    "ไวไฟ", "สาธารณะ", "ตลาด", "ถนน", "ขยะ", "ชุมชน", "ทางเท้า", "ไฟฟ้า", "รถเมล์", "สวน", "น้ำ", "โรงเรียน",
    "จักรยาน", "ฝุ่น", "ปลอดภัย", "ซ่อม", "ปรับปรุง", "เพิ่ม", "ลด", "จุด", "บริการ", "ประชาชน",
)  # fmt: skip
# (kind, share of the mix); the browse kinds split the browse 60 %.
BROWSE = ("home", "board_hot", "board_top", "board_new", "board_discussed", "board_one", "board_province",
          "idea", "consultation", "outcome", "tasks", "task")  # fmt: skip
# A province's board, as a citizen following theirs opens it: the data's five provinces, and two
# with no idea (a filter that matches nothing must cost no more).
PROVINCES = ("BKK", "CMI", "KKN", "SKA", "PKT", "LPN", "NAN")
TASK_ORDERS = ("newest", "deadline", "closing")
MIX = [(k, 0.60 / len(BROWSE)) for k in BROWSE] + [
    ("search", 0.15),
    ("support", 0.10),
    ("comment", 0.05),
    ("respond", 0.05),
    ("staff", 0.05),
]
HTML_KINDS = (*BROWSE, "search")
WRITE_STATUS = {"support": 200, "comment": 201, "respond": 201, "staff": 200}

# Set-based generation. $n: sizes; randomness from random(), skewed with a power so that a few
# ideas are popular, as on any real board.
GEN_USERS = """
INSERT INTO users (email, display_name, password_hash)
SELECT 'mixed' || g || '@bench.example', 'ผู้ใช้ทดสอบ ' || g, 'x' FROM generate_series(1, $1) g
"""
GEN_IDEAS = """
INSERT INTO ideas (board_id, author_id, title, body, category, province, status, created_at, updated_at)
SELECT b.ids[1 + (g % array_length(b.ids, 1))], u.lo + (g % u.n),
       w.words[1 + g % 22] || ' ' || w.words[1 + (g / 22) % 22] || ' ' || w.words[1 + (g / 484) % 22] || ' ' || g,
       'รายละเอียด ' || w.words[1 + (g * 7) % 22] || ' ' || w.words[1 + (g * 13) % 22] || ' ที่ ' || g,
       '', (ARRAY['BKK','CMI','KKN','SKA','PKT'])[1 + g % 5],
       (ARRAY['published','published','published','under_review','accepted','in_progress'])[1 + g % 6],
       now() - random() * interval '365 days', now()
FROM generate_series(1, $1) g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM idea_boards) b,
     (SELECT min(id) AS lo, count(*) AS n FROM users WHERE email LIKE 'mixed%') u,
     (SELECT $2::text[] AS words) w
"""
GEN_SUPPORTS = """
INSERT INTO idea_supports (idea_id, user_id)
SELECT $2 + floor($3 * power(random(), 3))::bigint, u.lo + floor(u.n * random())::bigint
FROM generate_series(1, $1) g,
     (SELECT min(id) AS lo, count(*) AS n FROM users WHERE email LIKE 'mixed%') u
ON CONFLICT DO NOTHING
"""
GEN_COMMENTS = """
INSERT INTO idea_comments (idea_id, author_id, body)
SELECT $3 + floor($4 * power(random(), 3))::bigint, u.lo + floor(u.n * random())::bigint,
       'ความเห็นที่ ' || g || ' เรื่อง' || ($2::text[])[1 + g % 22]
FROM generate_series(1, $1) g,
     (SELECT min(id) AS lo, count(*) AS n FROM users WHERE email LIKE 'mixed%') u
"""
RECOUNT = """
UPDATE ideas i SET support_count = s.c FROM (SELECT idea_id, count(*) AS c FROM idea_supports GROUP BY idea_id) s
WHERE s.idea_id = i.id AND i.support_count <> s.c;
-- Supports given one by one would have started the clock of every idea over its board's
-- threshold; without this, the mix's next support on each would be its first official act.
UPDATE ideas i SET threshold_reached_at = i.created_at,
                   answer_due_at = i.created_at + make_interval(days => b.response_days)
FROM idea_boards b
WHERE b.id = i.board_id AND i.support_count >= b.support_threshold AND i.threshold_reached_at IS NULL;
UPDATE ideas i SET comment_count = s.c FROM (
    SELECT idea_id, count(*) AS c FROM idea_comments WHERE hidden_at IS NULL GROUP BY idea_id) s
WHERE s.idea_id = i.id AND i.comment_count <> s.c;
"""
GEN_CONSULTATIONS = """
WITH src AS (SELECT * FROM consultations WHERE status <> 'draft' ORDER BY id LIMIT 1),
made AS (
    INSERT INTO consultations (owner_org_id, kind, province, title, summary, opens_at, closes_at, status,
                               opened_at, closed_at, created_at, updated_at)
    SELECT src.owner_org_id, src.kind, src.province, src.title || ' ชุดที่ ' || g, src.summary,
           now() - interval '20 days', now() + interval '20 days',
           CASE WHEN g % 10 = 0 THEN 'outcome_published' ELSE 'open' END,
           now() - interval '20 days', CASE WHEN g % 10 = 0 THEN now() - interval '1 day' END,
           now() - interval '25 days', now()
    FROM src, generate_series(1, $1) g
    RETURNING id
)
SELECT array_agg(id) FROM made
"""
COPY_SECTIONS = """
INSERT INTO consultation_sections (consultation_id, position, heading, body, body_original)
SELECT m.id, s.position, s.heading, s.body, s.body_original
FROM unnest($1::bigint[]) m(id), consultation_sections s WHERE s.consultation_id = $2
"""
COPY_QUESTIONS = """
INSERT INTO consultation_questions (consultation_id, position, kind, prompt, required, options)
SELECT m.id, q.position, q.kind, q.prompt, q.required, q.options
FROM unnest($1::bigint[]) m(id), consultation_questions q WHERE q.consultation_id = $2
"""
# One answer per question of the response's consultation, chosen by kind.
GEN_RESPONSES = """
INSERT INTO consultation_responses (consultation_id, user_id, consent, province, answers)
SELECT c.id, u.lo + (g / c.n_c) % u.n, (ARRAY['named','anonymous','none'])[1 + g % 3],
       (ARRAY['BKK','CMI','KKN','SKA'])[1 + g % 4],
       (SELECT COALESCE(jsonb_object_agg(q.id::text, CASE q.kind
            WHEN 'single' THEN q.options -> (g % greatest(jsonb_array_length(q.options), 1))
            WHEN 'multi' THEN jsonb_build_array(q.options -> 0)
            WHEN 'scale' THEN to_jsonb(1 + g % 5)
            ELSE to_jsonb('ความเห็นที่ ' || g) END), '{}')
        FROM consultation_questions q WHERE q.consultation_id = c.id)
FROM generate_series(0, $1 - 1) g,
     LATERAL (SELECT ($2::bigint[])[1 + g % cardinality($2::bigint[])] AS id,
                     cardinality($2::bigint[]) AS n_c) c,
     (SELECT min(id) AS lo, count(*) AS n FROM users WHERE email LIKE 'mixed%') u
ON CONFLICT DO NOTHING
"""
COPY_OUTCOMES = """
INSERT INTO consultation_outcomes (consultation_id, version, summary, themes, published_at)
SELECT c.id, 1, 'สรุปผลการรับฟังความคิดเห็น ชุดที่ ' || c.id,
       COALESCE((SELECT themes FROM consultation_outcomes ORDER BY id LIMIT 1), '[]'::jsonb), now()
FROM consultations c WHERE c.id = ANY($1::bigint[]) AND c.status = 'outcome_published'
"""
GEN_TASKS = """
WITH src AS (SELECT * FROM handover_tasks WHERE status = 'open' ORDER BY id LIMIT 1)
INSERT INTO handover_tasks (agency_id, title, description, deliverables, province, district, location, category,
                            partner_types, skills, budget, claim_opens, claim_closes, deadline, contact,
                            verified_only, status, created_by, published_at)
SELECT src.agency_id, src.title || ' ชุดที่ ' || g, src.description, src.deliverables,
       (ARRAY['BKK','CMI','KKN','SKA','PKT'])[1 + g % 5], src.district, src.location, src.category,
       src.partner_types, src.skills, src.budget, src.claim_opens, src.claim_closes, src.deadline, src.contact,
       src.verified_only, 'open', src.created_by, now() - g * interval '1 minute'
FROM src, generate_series(1, $1) g
"""
COPY_MILESTONES = """
INSERT INTO handover_milestones (task_id, position, title, due, budget_share)
SELECT t.id, m.position, m.title, m.due, m.budget_share
FROM handover_tasks t, handover_milestones m
WHERE t.title LIKE '% ชุดที่ %' AND m.task_id = $1
"""


class Client(HttpConnection):
    """bench_ideas' keep-alive connection, with a body for writes."""

    async def send(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}\r\ncontent-length: {len(body)}\r\n"
        if body:
            head += "content-type: application/json\r\n"
        request = head.encode() + self.extra + b"\r\n" + body
        self.writer.write(request)
        try:
            head_bytes = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            if getattr(exc, "partial", b""):
                raise
            # The server closed an idle keep-alive connection before reading the request
            # (uvicorn's timeout is 5 s): open a new one and send it again.
            self.close()
            await self.open()
            self.writer.write(request)
            head_bytes = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head_bytes.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(head_bytes[9:12]), await self.reader.readexactly(length)


async def build_data(dsn: str, args) -> dict:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    try:
        await migrate(conn)
        await seed(conn)
        steps = []

        async def step(label: str, sql: str, *params) -> None:
            t = time.perf_counter()
            await conn.execute(sql, *params)
            steps.append(f"{label} {time.perf_counter() - t:.0f}s")

        words = list(WORDS)
        await step("users", GEN_USERS, args.users)
        await settle_users(conn)
        first = 1 + await conn.fetchval("SELECT COALESCE(max(id), 0) FROM ideas")
        await step("ideas", GEN_IDEAS, args.ideas, words)
        # Generated ideas have consecutive ids from `first`; popularity falls with the id.
        await step("supports", GEN_SUPPORTS, args.supports, first, args.ideas)
        await step("comments", GEN_COMMENTS, args.comments, words, first, args.ideas)
        await step("counts", RECOUNT)
        src_c = await conn.fetchval(
            "SELECT id FROM consultations WHERE status <> 'draft' ORDER BY id LIMIT 1"
        )
        made = await conn.fetchval(GEN_CONSULTATIONS, args.consultations)
        await conn.execute(COPY_SECTIONS, made, src_c)
        await conn.execute(COPY_QUESTIONS, made, src_c)
        await step("responses", GEN_RESPONSES, args.responses, made)
        await conn.execute(COPY_OUTCOMES, made)
        src_t = await conn.fetchval("SELECT id FROM handover_tasks WHERE status = 'open' ORDER BY id LIMIT 1")
        await step("tasks", GEN_TASKS, args.tasks)
        await conn.execute(COPY_MILESTONES, src_t)
        t = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        steps.append(f"vacuum {time.perf_counter() - t:.0f}s")
        print("  generated: " + ", ".join(steps))
        sizes = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM ideas) AS ideas, (SELECT count(*) FROM idea_supports) AS supports, "
            "(SELECT count(*) FROM idea_comments) AS comments, (SELECT count(*) FROM consultations) AS consultations, "
            "(SELECT count(*) FROM consultation_responses) AS responses, (SELECT count(*) FROM handover_tasks) AS tasks"
        )
        print("  data: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

        # The clients are users of their own, who have supported and answered nothing yet.
        client_ids = [
            r["id"]
            for r in await conn.fetch(
                "INSERT INTO users (email, display_name, password_hash) SELECT 'client' || g || '@bench.example', "
                "'ผู้ทดสอบ ' || g, 'x' FROM generate_series(1, $1) g RETURNING id",
                args.clients,
            )
        ]
        await settle_users(conn)
        tokens = [(await accounts.create_api_token(conn, uid, "bench"))[1] for uid in client_ids]
        # Staff of each board's agency answer that board's ideas.
        staff = await conn.fetch(
            "SELECT DISTINCT ON (b.id) b.id AS board_id, m.user_id FROM idea_boards b "
            "JOIN memberships m ON m.org_id = b.agency_id AND m.status = 'active' ORDER BY b.id, m.user_id"
        )
        staff_tokens = {
            r["board_id"]: (await accounts.create_api_token(conn, r["user_id"], "bench"))[1] for r in staff
        }
        ideas = await conn.fetch(
            "SELECT id, board_id FROM ideas WHERE hidden_at IS NULL AND status <> 'pending_moderation' ORDER BY id"
        )
        staffed = [(r["id"], r["board_id"]) for r in ideas if r["board_id"] in staff_tokens]
        open_c = await conn.fetch(
            "SELECT c.id, json_agg(json_build_object('id', q.id, 'kind', q.kind, 'options', q.options)) AS qs "
            "FROM consultations c JOIN consultation_questions q ON q.consultation_id = c.id "
            "WHERE c.status = 'open' GROUP BY c.id ORDER BY c.id"
        )
        outcomes = [
            r["id"]
            for r in await conn.fetch(
                "SELECT DISTINCT consultation_id AS id FROM consultation_outcomes ORDER BY 1"
            )
        ]
        tasks = [r["id"] for r in await conn.fetch("SELECT id FROM handover_tasks WHERE status <> 'draft'")]
        boards = [r["slug"] for r in await conn.fetch("SELECT slug FROM idea_boards ORDER BY id")]
    finally:
        await conn.close()
    return {
        "ideas": [r["id"] for r in ideas],
        "staffed": staffed,
        "tokens": tokens,
        "staff_tokens": staff_tokens,
        "consultations": [(r["id"], _answers(r["qs"])) for r in open_c],
        "outcomes": outcomes,
        "tasks": tasks,
        "boards": boards,
    }


def _answers(questions) -> dict:
    if isinstance(questions, str):
        questions = msgspec.json.decode(questions)
    answers: dict[str, object] = {}
    for q in questions:
        options = q["options"] if isinstance(q["options"], list) else msgspec.json.decode(q["options"])
        if q["kind"] == "single":
            answers[str(q["id"])] = options[0]
        elif q["kind"] == "multi":
            answers[str(q["id"])] = options[:1]
        elif q["kind"] == "scale":
            answers[str(q["id"])] = 4
        else:
            answers[str(q["id"])] = "เห็นด้วยกับร่างนี้"
    return answers


class Traffic:
    """What each kind of request asks for. Writes keep per-client state so every request is a
    real change: a support when this client has not supported the idea, else a withdrawal; a
    response to a consultation this client has not answered."""

    def __init__(self, data: dict, rng: random.Random, viral_idea: int | None = None) -> None:
        self.d, self.rng = data, rng
        self.supported: list[set[int]] = [set() for _ in data["tokens"]]
        self.answered = [0] * len(data["tokens"])
        self.viral_idea = viral_idea

    def pick(self) -> str:
        r, acc = self.rng.random(), 0.0
        for kind, share in MIX:
            acc += share
            if r < acc:
                return kind
        return MIX[-1][0]

    def request(self, kind: str, w: int) -> tuple[str, str, bytes, str | None]:
        """(method, path, body, bearer token or None)"""
        rng, d = self.rng, self.d
        if kind == "home":
            return "GET", "/", b"", None
        if kind == "board_province":
            return "GET", f"/ideas?province={rng.choice(PROVINCES)}&sort={rng.choice(SORTS)}", b"", None
        if kind.startswith("board_") and kind != "board_one":
            page = rng.choice((1, 1, 1, 2, 3))
            return "GET", f"/ideas?sort={kind[6:]}&page={page}", b"", None
        if kind == "tasks":
            return "GET", f"/handovers?order={rng.choice(TASK_ORDERS)}&page={rng.choice((1, 1, 2))}", b"", None
        if kind == "board_one":
            return "GET", f"/boards/{rng.choice(d['boards'])}?sort={rng.choice(SORTS)}", b"", None
        if kind == "idea":
            return "GET", f"/ideas/{rng.choice(d['ideas'])}", b"", None
        if kind == "consultation":
            return "GET", f"/consultations/{rng.choice(d['consultations'])[0]}", b"", None
        if kind == "outcome":
            return "GET", f"/consultations/{rng.choice(d['outcomes'])}/outcome", b"", None
        if kind == "task":
            return "GET", f"/handovers/{rng.choice(d['tasks'])}", b"", None
        if kind == "search":
            return "GET", f"/search?q={quote(rng.choice(THAI_QUERIES))}", b"", None
        if kind == "support":
            return self.support(w)
        if kind == "comment":
            body = msgspec.json.encode({"body": f"เห็นด้วยครับ {rng.choice(WORDS)} {rng.randrange(10**6)}"})
            return "POST", f"/api/v1/ideas/{rng.choice(d['ideas'])}/comments", body, d["tokens"][w]
        if kind == "respond":
            cid, answers = d["consultations"][self.answered[w] % len(d["consultations"])]
            self.answered[w] += 1
            body = msgspec.json.encode({"consent": "anonymous", "answers": answers})
            return "POST", f"/api/v1/consultations/{cid}/response", body, d["tokens"][w]
        if kind == "staff":
            idea_id, board_id = rng.choice(d["staffed"])
            body = msgspec.json.encode({"body": f"หน่วยงานรับเรื่องแล้ว จะตอบภายใน {rng.randrange(1, 30)} วัน"})
            return "POST", f"/api/v1/ideas/{idea_id}/answer", body, d["staff_tokens"][board_id]
        raise ValueError(kind)

    def support(self, w: int) -> tuple[str, str, bytes, str]:
        if self.viral_idea is not None and self.rng.random() < 0.9:
            idea_id = self.viral_idea
        else:
            idea_id = self.rng.choice(self.d["ideas"])
        mine = self.supported[w]
        method = "DELETE" if idea_id in mine else "POST"
        mine.symmetric_difference_update({idea_id})
        return method, f"/api/v1/ideas/{idea_id}/support", b"", self.d["tokens"][w]


async def drive(
    port: int, traffic: Traffic, clients: int, total: int, kinds=None, on_half=None, rate=None, first: int = 0
):
    """`total` requests from `clients` keep-alive clients (the users `first`, `first` + 1, ...);
    returns (latencies by kind, errors, seconds). Each client holds two connections, anonymous and
    with its bearer token. With
    `rate` (requests a second) the requests are paced: request i leaves no earlier than i / rate
    seconds after the start, so the server sees that load rather than as much as it can take."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    sent = 0
    half_done = asyncio.Event()

    async def client(w: int) -> None:
        nonlocal sent
        anon = await Client("127.0.0.1", port, {}).open()
        authed = await Client("127.0.0.1", port, {"authorization": f"Bearer {traffic.d['tokens'][w]}"}).open()
        staff: dict[str, Client] = {}
        try:
            while sent < total:
                sent += 1
                if on_half and sent == total // 2:
                    half_done.set()
                if rate:
                    await asyncio.sleep(max(0.0, started + (sent - 1) / rate - time.perf_counter()))
                kind = traffic.pick() if kinds is None else traffic.rng.choice(kinds)
                method, path, body, token = traffic.request(kind, w)
                if token is None:
                    conn = anon
                elif token == traffic.d["tokens"][w]:
                    conn = authed
                else:
                    if token not in staff:
                        staff[token] = await Client(
                            "127.0.0.1", port, {"authorization": f"Bearer {token}"}
                        ).open()
                    conn = staff[token]
                t = time.perf_counter()
                status, payload = await conn.send(method, path, body)
                latencies[kind].append(time.perf_counter() - t)
                if status != WRITE_STATUS.get(kind, 200):
                    errors.append(f"{method} {path} -> {status} {payload[:160]!r}")
        finally:
            for c in (anon, authed, *staff.values()):
                c.close()

    async def watch_half() -> None:
        await half_done.wait()
        on_half()

    started = time.perf_counter()
    watcher = asyncio.create_task(watch_half()) if on_half else None
    await asyncio.gather(*(client(first + w) for w in range(clients)))
    if watcher:
        watcher.cancel()
    return latencies, errors, time.perf_counter() - started


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 2 else (xs[0] if xs else float("nan"))


def rss_mb(pid: int) -> tuple[list[float], list[float]]:
    """Resident memory of the server's web workers, and of its background worker (`civic worker`,
    which `civic run --workers N` starts beside them): its children, less multiprocessing's helper."""
    web, background = [], []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"resource_tracker" in cmdline:
                continue
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    (background if b"civic\0worker" in cmdline else web).append(int(line.split()[1]) / 1024)
    return web, background


# Connections beside the web workers' pools: the background worker's (two per loop, four loops:
# civic/__main__.py cmd_worker) and the bench's own (its reads, the wait sampler, settling).
BACKGROUND_CONNECTIONS, BENCH_CONNECTIONS = 8, 6


async def pool_max(dsn: str, args) -> int:
    """Each web worker's pools (the app's and search's) large enough for its share of the clients,
    but all of them and the connections beside them within max_connections: past it, a burst of
    searches was refused ("too many clients already")."""
    conn = await asyncpg.connect(dsn)
    try:
        max_connections = int(await conn.fetchval("SHOW max_connections"))
    finally:
        await conn.close()
    return min(max(10, args.clients // args.workers + 4), (max_connections - BACKGROUND_CONNECTIONS - BENCH_CONNECTIONS) // (2 * args.workers))


def serve(args, env: dict, port: int, app: str | None = None) -> subprocess.Popen:
    """civic (app None) or a floor_app (the hello), both by the same server so the ratio compares
    like with like: uvicorn as `civic run` serves (uvloop, httptools), or Granian."""
    if args.server == "granian":
        cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop", "--no-ws"]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        cmd += ["--log-level", "warning", "--no-access-log"]
        cmd += ["--factory", "civic.app:create_app"] if app is None else [f"floor_app:{app}"]
        # `civic run` would start the mail catcher; nothing in the mix sends mail
        env = env | {"RUN_MAIL": "false"}
        cwd = ROOT if app is None else ROOT / "bench"
    elif app is None:
        cmd = [sys.executable, "-m", "civic", "run", "--no-demo", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(args.workers)]
        cwd = ROOT
    else:
        cmd = [sys.executable, "-m", "uvicorn", f"floor_app:{app}", "--port", str(port), "--workers"]
        cmd += [str(args.workers), "--log-level", "warning", "--no-access-log"]
        cwd = ROOT / "bench"
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL)  # noqa: S603


# What PostgreSQL's backends of the app are doing, sampled: waiting for a lock, on the client
# (a transaction idle between round trips), or running. Under saturation this tells a lock convoy
# from plain queueing.
SAMPLE_WAITS = """
SELECT CASE WHEN state = 'idle in transaction' THEN 'idle in transaction'
            ELSE coalesce(wait_event_type || ':' || wait_event, 'running') END AS what,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND state <> 'idle'
"""


async def sample_waits(dsn: str, stop: asyncio.Event) -> Counter:
    seen: Counter = Counter()
    conn = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            for r in await conn.fetch(SAMPLE_WAITS):
                seen[(r["what"], r["query"])] += 1
            await asyncio.sleep(0.02)
    finally:
        await conn.close()
    return seen


# Work the mix left behind: events a consumer has not handled yet, and mail still to send.
BACKLOG = """
SELECT (SELECT count(*) FROM event_cursors c
        WHERE EXISTS (SELECT 1 FROM events e WHERE (e.xid, e.id) > (c.last_xid, c.last_id)))
     + (SELECT count(*) FROM pgqueuer WHERE status = 'queued' AND execute_after <= now())
"""


async def catch_up(conn: asyncpg.Connection, limit: float = 600) -> float:
    """Seconds until the consumers and the mail sender have done what the mix left them (at
    most `limit`), so that the paced reading measures a steady half load, not a backlog."""
    t = time.perf_counter()
    for _ in range(int(limit * 2)):
        if not await conn.fetchval(BACKLOG):
            break
        await asyncio.sleep(0.5)
    return time.perf_counter() - t


CLIENT_BACKENDS = """
SELECT pid FROM pg_stat_activity
WHERE backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()
"""


async def backends_cpu(conn: asyncpg.Connection) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving a client. The server's own processes
    (autovacuum after the data load, the checkpointer) are left out: they would land on whichever
    kind happened to be measured."""
    cpu = {r["pid"]: process_cpu(r["pid"]) for r in await conn.fetch(CLIENT_BACKENDS)}
    return {pid: s for pid, s in cpu.items() if s == s}  # NaN: it ended while we looked


async def settle(pids: tuple[int, ...], limit: float = 120) -> float:
    """Seconds until these processes (and their children) use under 5 % of a core over a second,
    at most `limit`."""
    t = time.perf_counter()
    while time.perf_counter() - t < limit:
        before = sum(process_cpu(p) for p in pids)
        await asyncio.sleep(1)
        if sum(process_cpu(p) for p in pids) - before < 0.05:
            break
    return time.perf_counter() - t


async def alone(
    port: int, traffic: Traffic, kind: str, n: int, app_pid: int, conn, warm_clients: int, user: int
) -> tuple[float, float, float]:
    """One client (the user `user`), n requests of one kind after a warm-up: (p95 seconds, CPU ms
    per request of the app's workers and the PostgreSQL backends serving them, of which
    PostgreSQL's). Each round of readings takes another user, so that none answers more
    consultations than there are.

    Each worker compiles a page's templates on its first request of that page, and each pooled
    connection prepares its statements: 20 to 170 ms of CPU, once. The kernel hands each new
    connection to either worker, so a warm-up on one connection left the measured connection a
    cold worker about half the time, and that one-off cost added up to 1.7 ms to each of the n
    requests. The warm-up runs on `warm_clients` connections, enough to reach every worker."""
    await drive(port, traffic, warm_clients, max(5, n // 2) + 2 * warm_clients, kinds=(kind,))
    before, pg_before = process_cpu(app_pid), await backends_cpu(conn)
    lat, errors, _ = await drive(port, traffic, 1, n, kinds=(kind,), first=user)
    pg = sum(s - pg_before.get(pid, 0.0) for pid, s in (await backends_cpu(conn)).items())
    cpu = (process_cpu(app_pid) - before + pg) * 1000 / n
    if errors:
        raise RuntimeError(f"{kind} alone: {errors[:3]}")
    return p95(lat[kind]), cpu, pg * 1000 / n


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ideas", type=int, default=100_000)
    ap.add_argument("--supports", type=int, default=1_000_000)
    ap.add_argument("--comments", type=int, default=500_000)
    ap.add_argument("--consultations", type=int, default=1_000)
    ap.add_argument("--responses", type=int, default=200_000)
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=50_000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--requests", type=int, default=100_000, help="requests in the mix")
    ap.add_argument("--alone", type=int, default=300, help="requests per kind for the one-client readings")
    ap.add_argument("--rounds", type=int, default=3, help="one-client readings of each kind (medians are printed)")
    ap.add_argument("--viral", type=int, default=10_000, help="support requests per viral/spread reading")
    ap.add_argument(
        "--server", choices=("uvicorn", "granian"), default="uvicorn",
        help="the ASGI server under test (civic run serves with uvicorn); the hello is served by the same",
    )  # fmt: skip
    ap.add_argument("--smoke", action="store_true", help="a tiny run that only checks the bench works")
    args = ap.parse_args()
    if args.smoke:
        args.ideas, args.supports, args.comments, args.users = 300, 2000, 1000, 300
        # enough open consultations that no client answers one twice (409) in the alone and mix readings
        args.consultations, args.responses, args.tasks = 40, 200, 20
        args.clients, args.requests, args.alone, args.viral, args.rounds = 8, 400, 5, 100, 2

    base_dir = Path(tempfile.mkdtemp(prefix="civic-bench-mixed-"))
    server = embedded_db.start(base_dir, cleanup="delete")
    procs: list[subprocess.Popen] = []
    try:
        embedded_db.ensure_database(server, "civic")
        dsn = embedded_db.dsn(server, "civic")
        t = time.perf_counter()
        data = await build_data(dsn, args)
        print(f"  data ready in {time.perf_counter() - t:.0f}s")
        env = os.environ | {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": dsn,
            "CIVIC_DATA_DIR": str(base_dir),
            "RUN_RELAY": "false",
            "RUN_SCHEDULER": "false",
            "LOG_LEVEL": "WARNING",
            "DB_POOL_MAX": str(await pool_max(dsn, args)),
        }
        # The data went in by SQL, past the search outbox: index it as an operator would, or the
        # search kind would measure empty results.
        t = time.perf_counter()
        reindex = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "civic", "reindex", "--duty", "1",
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _, err = await reindex.communicate()
        if reindex.returncode:
            raise RuntimeError(f"civic reindex failed: {err.decode()[-2000:]}")
        print(f"  search index built in {time.perf_counter() - t:.0f}s")
        port, hello_port = free_port(), free_port()
        civic = serve(args, env, port)
        hello = serve(args, env, hello_port, app="litestar_app")
        procs += [civic, hello]
        await wait_until_up(f"http://127.0.0.1:{port}/api/v1/health")
        await wait_until_up(f"http://127.0.0.1:{hello_port}/")
        pg_pid = server.get_pid()
        # A fresh worker warms its search pages and opens its pool, and the database may still be
        # analysing the load: a reading taken meanwhile charges that to the first kinds measured.
        waited = await settle((civic.pid, pg_pid))
        print(f"  app and database idle after {waited:.0f}s")
        rng = random.Random(2026)
        traffic = Traffic(data, rng)

        # Alone: one client, one kind at a time, each right after a reading of the hello, which
        # it is divided by. On a shared machine the hello alone spread over 0.126-0.229 ms within
        # one run, and every ratio with it. So each kind is read --rounds times, the kinds in
        # turn, each way round, and its figures are the medians: one slow stretch of the machine
        # moves one reading of each kind, not a kind's verdict.
        await drive(hello_port, traffic, 1, 20, kinds=("home",))
        # 8 connections per worker: all land on one worker with odds of 2^-15 at 2 workers.
        warm_clients = min(args.clients, 8 * args.workers)
        hello_cpus: list[float] = []
        hello_lat: dict[str, list[float]] = {"home": []}
        readings: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
        db = await asyncpg.connect(dsn)  # the bench's own reads of the database, from here on
        for turn in range(args.rounds):
            for kind, _ in MIX[:: 1 if turn % 2 == 0 else -1]:
                before = process_cpu(hello.pid)
                lat, _, _ = await drive(hello_port, traffic, 1, args.alone * 2, kinds=("home",))
                hello_cpus.append((process_cpu(hello.pid) - before) * 1000 / (args.alone * 2))
                hello_lat["home"] += lat["home"]
                solo_p95, cpu, db_cpu = await alone(port, traffic, kind, args.alone, civic.pid, db, warm_clients, turn)
                readings[kind].append((solo_p95, cpu, db_cpu, cpu / hello_cpus[-1]))
        # kind: (p95 alone, CPU per request, of it PostgreSQL's, CPU against the hello beside it)
        solo = {kind: tuple(statistics.median(x) for x in zip(*rs, strict=True)) for kind, rs in readings.items()}
        hello_cpu = statistics.median(hello_cpus)

        # The mix, with RSS read at the half and at the end.
        rss_half: tuple[list[float], list[float]] = ([], [])
        cpu_before = process_cpu(civic.pid) + process_cpu(pg_pid)
        stop_sampling = asyncio.Event()
        sampler = asyncio.create_task(sample_waits(dsn, stop_sampling))
        lat, errors, secs = await drive(
            port,
            traffic,
            args.clients,
            args.requests,
            on_half=lambda: [half.extend(now) for half, now in zip(rss_half, rss_mb(civic.pid), strict=True)],
        )
        cpu_mix = (process_cpu(civic.pid) + process_cpu(pg_pid) - cpu_before) * 1000 / args.requests
        stop_sampling.set()
        waits = await sampler
        rss_end = rss_mb(civic.pid)
        # 64 clients that send again as soon as they are answered keep the server saturated, so
        # their p95 is mostly queueing. The same mix paced at half the throughput just measured
        # is a busy day the server can carry: how much slower is each page then?
        paced_rate = sum(len(v) for v in lat.values()) / secs / 2
        caught_up = await catch_up(db)
        paced, paced_errors, _ = await drive(
            port, traffic, args.clients, max(200, args.requests // 5), rate=paced_rate
        )
        errors.extend(paced_errors)

        # Viral against spread: supports only, the same clients.
        async def supports(viral: int | None) -> float:
            t = Traffic(data, random.Random(7), viral_idea=viral)
            _, errs, s = await drive(port, t, args.clients, args.viral, kinds=("support",))
            errors.extend(errs)
            # Leave nothing behind for the next reading: withdraw what is still supported.
            for w, ideas in enumerate(t.supported):
                conn = await Client(
                    "127.0.0.1", port, {"authorization": f"Bearer {data['tokens'][w]}"}
                ).open()
                for idea_id in ideas:
                    await conn.send("DELETE", f"/api/v1/ideas/{idea_id}/support")
                conn.close()
            return args.viral / s

        viral_idea = data["ideas"][len(data["ideas"]) // 2]
        spread_rate = await supports(None)
        viral_rate = await supports(viral_idea)
        count, rows = await db.fetchrow(
            "SELECT support_count, (SELECT count(*) FROM idea_supports WHERE idea_id = $1) FROM ideas WHERE id = $1",
            viral_idea,
        )
        await db.close()

        total = sum(len(v) for v in lat.values())
        print(
            f"mixed: {args.server}, {args.clients} clients, {args.workers} workers, {os.cpu_count()} cores, "
            f"{total} requests"
        )
        print(f"  errors: {len(errors)} (goal 0)" + (f"; first: {errors[:3]}" if errors else ""))
        print(f"  throughput: {total / secs:.0f} req/s; CPU per request of the mix {cpu_mix:.2f} ms")
        print(
            f"  hello (bare Litestar, same server): p95 {p95(hello_lat['home']) * 1000:.2f} ms, CPU {hello_cpu:.3f} ms "
            f"(median of {len(hello_cpus)} readings, {min(hello_cpus):.3f}-{max(hello_cpus):.3f})"
        )
        print(
            f"  {'kind':16s} {'p95 alone':>10s} {'p95 mix':>9s} {'ratio':>6s} {'p95 paced':>10s} {'ratio':>6s}  "
            f"{'CPU/req':>8s} {'of it db':>8s} {'x hello':>8s} {'readings':>9s}"
        )
        for kind, _ in MIX:
            solo_p95, cpu, db_cpu, ratio = solo[kind]
            mixed_p95, paced_p95 = p95(lat[kind]), p95(paced[kind])
            goal = " (goal <= 25x)" if kind in HTML_KINDS and ratio > 25 else ""
            spread = [r[3] for r in readings[kind]]
            print(
                f"  {kind:16s} {solo_p95 * 1000:8.1f}ms {mixed_p95 * 1000:7.1f}ms {mixed_p95 / solo_p95:5.1f}x "
                f"{paced_p95 * 1000:8.1f}ms {paced_p95 / solo_p95:5.1f}x  {cpu:7.2f}ms {db_cpu:6.2f}ms {ratio:7.0f}x "
                f"{min(spread):4.0f}-{max(spread):.0f}x{goal}"
            )
        worst = max(p95(lat[k]) / solo[k][0] for k, _ in MIX if lat[k])
        print(f"  worst p95 under load / alone: {worst:.1f}x (goal <= 4x)")
        print(f"  background work left by the mix (consumers, mail) done {caught_up:.0f} s after it")
        worst_paced = max(p95(paced[k]) / solo[k][0] for k, _ in MIX if paced[k])
        print(
            f"  worst p95 paced at {paced_rate:.0f} req/s (half the throughput) / alone: {worst_paced:.1f}x"
        )
        busy = sum(waits.values()) or 1
        print("  PostgreSQL backends during the mix, share of busy samples (state or wait: statement):")
        for (what, query), n in waits.most_common(8):
            print(f"    {n / busy:6.1%}  {what}: {query}")
        growth = [sum(end) - sum(half) if half else float("nan") for end, half in zip(rss_end, rss_half, strict=True)]
        print(
            f"  worker RSS after {total} requests: {', '.join(f'{r:.0f} MB' for r in rss_end[0])}; "
            f"growth over the second half {growth[0]:+.1f} MB (goal <= 150 MB each, no growth)"
        )
        if rss_end[1]:
            print(f"  background worker RSS: {rss_end[1][0]:.0f} MB, growth over the second half {growth[1]:+.1f} MB")
        print(
            f"  viral: supports with 90% on one idea {viral_rate:.0f}/s vs spread {spread_rate:.0f}/s = "
            f"{viral_rate / spread_rate:.0%} (goal >= 50%); its count {count} equals its rows {rows}: {count == rows}"
        )
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)
        server.cleanup()
        shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    run_load_generator(main)
