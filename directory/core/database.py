"""Engine access, transactions and migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from directory.core.migration_lock import migration_lock
from directory.core.settings import get_settings


def engine() -> Engine:  # type: ignore[type-arg]
    found = engine_finder()
    if found is None:
        raise RuntimeError("no Piccolo engine configured (PICCOLO_CONF)")
    return found


# One advisory lock that every outbox-writing transaction on PostgreSQL takes first.
_CHANGE_ORDER_LOCK = 7_251_120_410


@contextlib.asynccontextmanager
async def transaction(ordered: bool = True) -> AsyncIterator[None]:
    """A write transaction whose outbox events commit in the order of their ids.

    A consumer reads ``change_event`` past its cursor, so an event that commits after one with a
    higher id would be skipped for good. SQLite has one writer at a time: ``BEGIN IMMEDIATE``
    takes the write lock up front (two writers queue instead of failing on a lock upgrade).
    PostgreSQL gets the same order from an advisory lock taken first and held to the commit.
    ``ordered=False`` is for writes that append no event (the embedded search index's own
    table), so that a long rebuild does not hold up the directory's writers.
    """
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
        return
    async with db.transaction():
        if ordered:
            await db.run_querystring(
                QueryString("SELECT pg_advisory_xact_lock({})", _CHANGE_ORDER_LOCK)
            )
        yield


async def migrate() -> None:
    """Apply every pending migration, then seed the default vocabulary; one process at a time
    (:mod:`directory.core.migration_lock`), so a second one waits and then finds nothing to do."""
    from directory.core.vocabulary import seed_default_terms

    db = engine()
    async with migration_lock(db):
        if isinstance(db, SQLiteEngine):
            # WAL lets readers run while one writer writes; the mode is stored in the file.
            await db.run_ddl("PRAGMA journal_mode=WAL")
        with contextlib.redirect_stdout(io.StringIO()):
            result = await run_forwards("all")
        if not result.success:
            raise RuntimeError(f"migration failed: {result.message}")
        await seed_default_terms()


_wal_keeper: list[sqlite3.Connection] = []


async def start_pool() -> None:
    """Open the PostgreSQL connection pool (``DATABASE_POOL_SIZE=0`` connects per query).

    On SQLite, where Piccolo opens a connection per query, one connection stays open instead:
    SQLite deletes the WAL and its index when the last connection closes, and a folder that then
    turns read-only (or full) could not get them back, so even reads would fail."""
    db = engine()
    size = get_settings().database_pool_size
    if isinstance(db, PostgresEngine) and size > 0:
        await db.start_connection_pool(min_size=1, max_size=size)
    if isinstance(db, SQLiteEngine) and not _wal_keeper:
        keeper = sqlite3.connect(db.connection_kwargs["database"], check_same_thread=False)
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
        _wal_keeper.append(keeper)


async def close_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()
    while _wal_keeper:
        _wal_keeper.pop().close()


def json_list_contains(column: str, value: str) -> WhereRaw:
    """``column`` (a JSON list of strings, stored as text) holds ``value``. The value is bound,
    never interpolated, and its LIKE wildcards (``%``, ``_``) and the escape character are
    escaped, so ``?area=%`` matches only a code spelled ``%``, not every row."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return WhereRaw(f"{column} LIKE {{}} ESCAPE '\\'", f'%"{escaped}"%')
