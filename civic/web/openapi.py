"""/schema: Swagger UI served from static/vendor, started by an external script, and the
OpenAPI document with the error answers every operation can give.

Litestar's bundled render plugins load their JavaScript from a CDN and start it with an inline
script; both break our rule of no CDN and our Content-Security-Policy."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request

# Private, but the one place Litestar turns a Struct into a schema; litestar is pinned to 2.x.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition

from civic.web.errors import STATUS_MESSAGES

# What civic.web.errors answers on /api, whoever raised it: the framework (400 for a malformed
# query or body, 413), the middleware (401 for a bad token, 403 for CSRF) or an action's
# DomainError (403, 404, 409, 422). Every operation can meet all of them: a token can be revoked
# between two calls, and a resource can disappear or change state under any id.
ERROR_STATUSES = (400, 401, 403, 404, 409, 422)
BODY_ERROR_STATUSES = (413,)  # only where there is a body to be too large
# A change may be throttled (TooMany): sign-ins, resets, codes, and every verb that asks for the
# password again count towards the same limits.
WRITE_ERROR_STATUSES = (429,)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable, for programs: e.g. not_found, invalid_input.",
                },
                "message": {"type": "string", "description": "For people, in the caller's language."},
                "field": {"type": ["string", "null"], "description": "The input field at fault, if one is."},
                "fields": {
                    "type": "array",
                    "description": "Every field's problem at once, when the input was invalid.",
                    "items": {
                        "type": "object",
                        "required": ["message"],
                        "properties": {"key": {"type": ["string", "null"]}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}


def _error_response(status: int) -> dict[str, Any]:
    code, message = STATUS_MESSAGES[status]
    return {
        "description": message,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": {"code": code, "message": message}},
            }
        },
    }


def document_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """Adds the shared error answers to every /api operation, in place (running it twice changes
    nothing). Litestar documents its own `{status_code, detail}` body for 400, which our error
    handlers never send, so that one is replaced."""
    openapi.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, item in openapi.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            statuses = (
                ERROR_STATUSES
                + (BODY_ERROR_STATUSES if "requestBody" in operation else ())
                + (WRITE_ERROR_STATUSES if method != "get" else ())
            )
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses[str(status)] = _error_response(status)
    return openapi


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """A Struct declared forbid_unknown_fields refuses a body with any other field (400), so its
    schema says `additionalProperties: false`; without it a client reads that extra fields are
    welcome."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


class DocumentedJsonPlugin(JsonRenderPlugin):
    """/schema/openapi.json as Litestar generates it, plus the error answers (document_errors).
    Done here, on first use, because building the document costs seconds and most app instances
    (every test's) never serve it."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return self.render_json(request, document_errors(openapi_schema))


class LocalSwaggerPlugin(OpenAPIRenderPlugin):
    def __init__(self, path: str = "/") -> None:
        super().__init__(path=path)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        spec_url = escape(self.get_openapi_json_route(request))
        title = escape(openapi_schema.get("info", {}).get("title", "API"))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
  <p><a href="{spec_url}">OpenAPI document (JSON)</a></p>
  <noscript><p>This page shows the API documentation with JavaScript. Without it, read the
  <a href="{spec_url}">OpenAPI document</a> directly, or load it into any OpenAPI viewer.</p></noscript>
  <div id="swagger-ui" data-spec-url="{spec_url}"></div>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/js/openapi.js"></script>
</body>
</html>""".encode()
