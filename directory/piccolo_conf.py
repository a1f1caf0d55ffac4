"""The one place that says which database is used (Piccolo reads ``DB`` and ``APP_REGISTRY``)."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from directory.core.settings import get_settings


def _engine() -> PostgresEngine | SQLiteEngine:
    settings = get_settings()
    if settings.is_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    # A generous busy timeout lets concurrent writers queue instead of failing.
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=30)


DB = _engine()

APP_REGISTRY = AppRegistry(apps=["directory.piccolo_app", "sync.piccolo_app", "search.piccolo_app"])
