"""Engine access, transactions and migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from directory.settings import get_settings


def engine() -> Engine:  # type: ignore[type-arg]
    found = engine_finder()
    if found is None:
        raise RuntimeError("no Piccolo engine configured (PICCOLO_CONF)")
    return found


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction; on SQLite it takes the write lock up front (``BEGIN IMMEDIATE``)
    so that two concurrent writers queue instead of failing on a lock upgrade."""
    db = engine()
    context = (
        db.transaction(transaction_type=TransactionType.immediate)
        if isinstance(db, SQLiteEngine)
        else db.transaction()
    )
    async with context:
        yield


async def migrate() -> None:
    """Apply every pending migration, then seed the default vocabulary."""
    from directory.vocabulary import seed_default_terms

    db = engine()
    if isinstance(db, SQLiteEngine):
        # WAL lets readers run while one writer writes; the mode is stored in the file.
        await db.run_ddl("PRAGMA journal_mode=WAL")
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")
    await seed_default_terms()


async def start_pool() -> None:
    """Open the PostgreSQL connection pool (``DATABASE_POOL_SIZE=0`` connects per query)."""
    db = engine()
    size = get_settings().database_pool_size
    if isinstance(db, PostgresEngine) and size > 0:
        await db.start_connection_pool(min_size=1, max_size=size)


async def close_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()
