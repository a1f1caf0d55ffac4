"""The API reference on ``/schema``: Swagger UI from vendored, pinned files, never a CDN.

The files are swagger-ui-dist's own distributed build (npm ``swagger-ui-dist``, version
:data:`SWAGGER_UI_VERSION`), committed under ``static/vendor/`` with their licence; the page
loads them with subresource-integrity hashes and the pages' CSP (no inline script), so it
works offline, and with the embedding's path prefix, so it works through AppAPI's proxy.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from markupsafe import escape

from samverkan.web import embedding
from samverkan.web.security import SECURITY_HEADERS

SWAGGER_UI_VERSION = "5.35.0"
VENDOR = f"/static/vendor/swagger-ui-dist-{SWAGGER_UI_VERSION}"
INTEGRITY = {
    "swagger-ui-bundle.js": (
        "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9"
    ),
    "swagger-ui.css": "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
}


class VendoredSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI on ``/schema`` (and ``/schema/swagger``) from :data:`VENDOR`."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/swagger"])

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        root = embedding.url_root()
        title = escape(openapi_schema["info"]["title"])
        url = escape(root + self.get_openapi_json_route(request))
        css, bundle = (
            f'{escape(root + VENDOR)}/{name}" integrity="{INTEGRITY[name]}'
            for name in ("swagger-ui.css", "swagger-ui-bundle.js")
        )
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
</head><body>
<div id="swagger-ui" data-url="{url}" data-root="{escape(root)}"></div>
<script src="{bundle}"></script>
<script src="{escape(root)}/static/api-reference.js"></script>
</body></html>""".encode()


def openapi_router() -> Router:
    """The router Litestar serves ``/schema`` from, with the pages' security headers."""
    return Router(
        "/schema",
        route_handlers=[],
        include_in_schema=False,
        response_headers=SECURITY_HEADERS,
    )
