"""``/schema``: the API reference from vendored, pinned files, with the pages' CSP."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from samverkan.web.api_reference import INTEGRITY, SWAGGER_UI_VERSION, VENDOR
from tests.samverkan.web.conftest import Client

STATIC = Path(__file__).resolve().parents[3] / "samverkan" / "web"


def _assets(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_the_reference_loads_only_vendored_files_with_integrity(anonymous: Client) -> None:
    response = anonymous.get("/schema")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.text  # no inline script for the CSP to refuse
    assets = _assets(response.text)
    assert f"{VENDOR}/swagger-ui-bundle.js" in assets and "/static/api-reference.js" in assets
    assert all(asset.startswith(("/static/", "data:")) for asset in assets), assets
    for name, integrity in INTEGRITY.items():
        assert f'{name}" integrity="{integrity}"' in response.text
        body = anonymous.get(f"{VENDOR}/{name}").content
        digest = base64.b64encode(hashlib.sha384(body).digest()).decode()
        assert integrity == f"sha384-{digest}", name
    assert 'data-url="/schema/openapi.json"' in response.text
    assert anonymous.get("/schema/openapi.json").json()["info"]["title"] == "Samverkan"


def test_the_vendored_files_are_the_pinned_release_with_its_licence() -> None:
    folder = STATIC / VENDOR.removeprefix("/")
    assert folder.name == f"swagger-ui-dist-{SWAGGER_UI_VERSION}"
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert f"swagger-ui-dist@{SWAGGER_UI_VERSION}" not in (STATIC / "api_reference.py").read_text()
