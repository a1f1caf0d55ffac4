"""Test set-up: a fresh database per test session, on SQLite or PostgreSQL.

``SAMVERKAN_TEST_DB=sqlite`` (the default) uses a file in a temporary directory;
``SAMVERKAN_TEST_DB=postgres://host:port/db`` creates a uniquely named database on that server,
so parallel runs never share state, and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

_DATA_DIR = tempfile.mkdtemp(prefix="samverkan-test-")
_SERVER_URL = os.environ.get("SAMVERKAN_TEST_DB", "sqlite")
_DB_NAME = f"samverkan_test_{os.getpid()}_{secrets.token_hex(3)}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin_sql(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_SERVER_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


IS_POSTGRES = _SERVER_URL.startswith("postgres")


def create_scratch_database() -> str:
    """A new empty PostgreSQL database beside the session's one, for tests of fresh installs."""
    name = f"samverkan_scratch_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    return _with_database(_SERVER_URL, name)


def drop_scratch_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


os.environ["SAMVERKAN_DATA_DIR"] = _DATA_DIR
os.environ.pop("SEARCH_BACKEND", None)
os.environ["DATABASE_POOL_SIZE"] = "0"  # tests drive the database from several event loops
# The lowest scrypt cost the app accepts, so the many sign-ins stay fast; the OWASP default and
# the rehash on sign-in are tested in tests/directory/accounts/test_passwords.py.
os.environ.setdefault("SAMVERKAN_SCRYPT_N", str(2**14))
if IS_POSTGRES:
    asyncio.run(_admin_sql(f'CREATE DATABASE "{_DB_NAME}"'))
    os.environ["DATABASE_URL"] = _with_database(_SERVER_URL, _DB_NAME)
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_DATA_DIR}/test.sqlite"

from directory.core.database import engine, migrate  # noqa: E402
from directory.core.vocabulary import seed_default_terms  # noqa: E402
from directory.piccolo_conf import APP_REGISTRY  # noqa: E402


def pytest_report_header() -> str:
    return f"samverkan database: {'PostgreSQL ' + _DB_NAME if IS_POSTGRES else 'SQLite'}"


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[None]:
    asyncio.run(migrate())
    yield
    if IS_POSTGRES:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{_DB_NAME}" WITH (FORCE)'))


async def _clean() -> None:
    tables = [
        table._meta.tablename
        for app in APP_REGISTRY.app_configs.values()
        for table in app.table_classes
    ]
    db = engine()
    async with db.transaction():  # one connection and one commit, not one per table
        if IS_POSTGRES:
            filled = await db.run_ddl(
                " UNION ALL ".join(
                    f"SELECT '{table}' AS name WHERE EXISTS (SELECT 1 FROM {table})"  # noqa: S608
                    for table in tables
                )
            )
            if filled:
                names = ", ".join(row["name"] for row in filled)
                await db.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                await db.run_ddl(f"DELETE FROM {table}")  # noqa: S608
        await seed_default_terms()


@pytest.fixture(autouse=True)
def clean_database(database: None) -> None:
    """Every test starts from an empty directory with the default vocabulary (and an empty
    embedded search index, which lives in files beside the database)."""
    asyncio.run(_clean())
    shutil.rmtree(os.path.join(_DATA_DIR, "search-index"), ignore_errors=True)


def run_async(awaitable: Any) -> Any:
    """Await a coroutine or a Piccolo query on a fresh event loop."""

    async def wait() -> Any:
        return await awaitable

    return asyncio.run(wait())


@pytest.fixture
def run() -> Callable[[Any], Any]:
    """Run a coroutine against the test database from a synchronous test."""
    return run_async
