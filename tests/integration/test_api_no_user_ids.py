"""What anyone may read over /api/v1 names no person by their internal account id (issue 21,
item 10: `author_id` and `claimed_by` were public): people are shown by display fields such as
author_name; ids of things (ideas, agencies, partners) stay.

Every GET operation in the OpenAPI document is asked without logging in, on the demo data; those
that answer without asking for a login are public, and neither their response schemas nor the
JSON they answer may carry a property that names a user id."""

from __future__ import annotations

import re

from civic.demo import seed

# actor_id, author_id, user_id, reviewer_ids ...; claimed_by, created_by ...
USER_ID = re.compile(
    r"^(user|author|actor|creator|reporter|reviewer|moderator|member|person|flagger|editor|signer)_ids?$"
    r"|_user_ids?$|_by$|_by_id$"
)
# A path parameter with a value the demo data has, so a public operation answers with a body.
PARAMS = {
    "idea_id": "SELECT min(i.id) FROM ideas i WHERE EXISTS (SELECT 1 FROM idea_comments c WHERE c.idea_id = i.id)",
    "comment_id": "SELECT min(id) FROM idea_comments WHERE parent_id IS NULL",
    "consultation_id": "SELECT min(id) FROM consultations WHERE status <> 'draft'",
    "task_id": "SELECT min(task_id) FROM handover_claims",
    "user_id": "SELECT min(id) FROM users",
    "plan_id": "SELECT min(id) FROM implementation_plans",
}
SLUGS = {
    "/api/v1/boards/{slug}": "SELECT min(slug) FROM idea_boards",
    "/api/v1/handovers/partners/{slug}": "SELECT min(o.slug) FROM organisations o JOIN handover_claims c ON c.partner_id = o.id",
}


def _resolve(schema: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def schema_user_ids(schema: dict, node, seen: frozenset[str] = frozenset()) -> set[str]:
    """Every property naming a user id reachable from a response schema."""
    if isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return set()
        seen = seen | {name}
    node = _resolve(schema, node)
    if not isinstance(node, dict):
        return set()
    found = {p for p in node.get("properties", {}) if USER_ID.search(p)}
    children = [*node.get("properties", {}).values(), node.get("items"), node.get("additionalProperties")]
    children += [*node.get("oneOf", []), *node.get("anyOf", []), *node.get("allOf", [])]
    for child in children:
        if isinstance(child, dict):
            found |= schema_user_ids(schema, child, seen)
    return found


def body_user_ids(value) -> set[str]:
    if isinstance(value, dict):
        found = {k for k in value if USER_ID.search(k)}
        return found.union(*(body_user_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(body_user_ids(v) for v in value))
    return set()


async def _url(conn, path: str) -> str:
    async def value(name: str) -> str:
        sql = SLUGS.get(path, "SELECT 'mdes'") if name == "slug" else PARAMS[name]
        return str(await conn.fetchval(sql))

    for name in re.findall(r"{(\w+)}", path):
        path = path.replace(f"{{{name}}}", await value(name))
    return path


async def test_public_get_operations_name_no_user_id(client, conn):
    await seed(conn)
    schema = (await client.get("/schema/openapi.json")).json()
    public, leaks = [], set()
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        response = await client.get(await _url(conn, path), headers={"accept": "application/json"})
        if response.status_code == 401:
            continue  # needs a login
        public.append(path)
        for answer in operation["responses"].values():
            for content in answer.get("content", {}).values():
                leaks |= {(path, p) for p in schema_user_ids(schema, content.get("schema"))}
        if response.headers.get("content-type", "").startswith("application/json"):
            leaks |= {(path, p) for p in body_user_ids(response.json())}
    # The walk reached the public reads this item is about, with data in them.
    assert {"/api/v1/ideas", "/api/v1/ideas/{idea_id}", "/api/v1/handovers/{task_id}"} <= set(public)
    assert not any(p.startswith("/api/v1/admin") for p in public)
    assert sorted(leaks) == []


def test_the_pattern_names_people_and_not_things():
    people = ["author_id", "claimed_by", "created_by", "actor_id", "user_id", "reviewer_ids", "decided_by_id"]
    things = [
        "id",
        "idea_id",
        "agency_id",
        "partner_id",
        "org_id",
        "owner_org_id",
        "coowner_ids",
        "subject_id",
    ]
    assert all(USER_ID.search(p) for p in people)
    assert not any(USER_ID.search(t) for t in things)
