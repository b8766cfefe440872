"""/schema: Swagger UI served from static/vendor, started by an external script.

Litestar's bundled render plugins load their JavaScript from a CDN and start it with an inline
script; both break our rule of no CDN and our Content-Security-Policy."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin


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
  <div id="swagger-ui" data-spec-url="{spec_url}"></div>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/js/openapi.js"></script>
</body>
</html>""".encode()
