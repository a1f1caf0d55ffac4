"""The one place that says which database is used (Piccolo reads ``DB`` and ``APP_REGISTRY``)."""

import contextlib
import os
from pathlib import Path

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from directory.core.settings import get_settings


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (0600), like the secret key; SQLite
    gives its -wal and -shm files the database file's permissions."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _engine() -> PostgresEngine | SQLiteEngine:
    settings = get_settings()
    if settings.is_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(settings.sqlite_path)
    # A generous busy timeout lets concurrent writers queue instead of failing.
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=30)


DB = _engine()

APP_REGISTRY = AppRegistry(apps=["directory.piccolo_app", "sync.piccolo_app", "search.piccolo_app"])
