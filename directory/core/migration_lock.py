"""One migration at a time per database, across processes.

``samverkan serve`` migrates as it starts; a ``samverkan token create`` run right after it on a
fresh database used to migrate at the same moment and fail with ``table "feed_token" already
exists``. Whoever migrates first holds the lock; the others wait for it and then find nothing
left to do. SQLite: an exclusive ``flock`` on a file beside the database file. PostgreSQL: a
session advisory lock (``pg_advisory_lock``) on a connection of its own, released when that
connection closes even if the process dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

ADVISORY_KEY = 0x53616D76  # "Samv": the key every Samverkan process locks migrations with


def lock_path(db: SQLiteEngine) -> Path:
    return Path(f"{db.path}.migrate-lock")


@contextlib.asynccontextmanager
async def migration_lock(db: Engine) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Hold the database's migration lock for the block, waiting as long as another holds it."""
    if isinstance(db, SQLiteEngine):
        path = lock_path(db)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing the file releases the lock
    elif isinstance(db, PostgresEngine):
        connection = await db.get_new_connection()
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_KEY)
            yield
        finally:
            await connection.close()  # ends the session, so the lock goes with it
    else:
        yield
