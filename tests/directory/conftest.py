"""Fixtures for the directory's HTTP tests: a test client and a token per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from directory.accounts.service import create_service_token
from samverkan.app import create_app
from tests.conftest import run_async

ROLES = ("admin", "coordinator", "staff", "partner")


@pytest.fixture
def client() -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app=create_app()) as test_client:
        yield test_client


@pytest.fixture
def auth() -> dict[str, dict[str, str]]:
    """``Authorization`` headers for a fresh account of each role."""
    return {
        role: {"Authorization": f"Bearer {run_async(create_service_token(role))}"} for role in ROLES
    }
