"""Schemathesis drives every operation in the OpenAPI schema, as an admin: no server errors.

The generated requests are sent through Litestar's test client (``as_transport_kwargs``), so no
server runs. The ``schemathesis run`` command line works from the venv too, against a served
instance: caldav is held below 2 (its niquests pulled in urllib3-future, which replaced urllib3
under ``requests`` and crashed schemathesis with "'TrafficPolice' object has no attribute
'keys'").
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient

from samverkan.app import create_app
from tests.conftest import run_async

schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app())


@pytest.fixture
def admin_headers() -> dict[str, str]:
    from directory.accounts.service import create_service_token

    return {"Authorization": f"Bearer {run_async(create_service_token('admin'))}"}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(
    case: Any,
    admin_headers: dict[str, str],
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=admin_headers)
    kwargs.pop("cookies", None)
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    response = client.request(**kwargs)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
