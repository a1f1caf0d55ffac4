"""Complete, versioned backups: every row of every table of every registered Piccolo app.

The dump is one JSON document: ``{"format", "version", "created_at", "migrations", "tables"}``.
Tables come from ``APP_REGISTRY``, so a table another app adds is backed up without a change
here. A restore goes into an empty database only (what a fresh install seeds by itself, the
vocabulary and the search synonyms, counts as empty), in one transaction: all rows or none.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final

import msgspec
from piccolo.apps.migrations.tables import Migration
from piccolo.columns import Column, Serial
from piccolo.table import Table, sort_table_classes

from directory.core.database import engine, transaction
from directory.core.tables import TaxonomyTerm
from directory.core.vocabulary import DEFAULT_TERMS
from search.synonyms import default_rows
from search.tables import SearchSynonym

FORMAT: Final = "samverkan-backup"
VERSION: Final = 1
_BATCH = 500
Progress = Callable[[int], None]


class BackupError(Exception):
    """The dump cannot be written or restored; the message says why, nothing was written."""


# Counters that mean nothing after a restore (the minute-by-minute token-miss limit).
TRANSIENT_TABLES = frozenset({"token_miss"})


def backed_up_tables() -> list[type[Table]]:
    """Every lasting table of every registered app, parents before the tables that refer to
    them."""
    from directory.piccolo_conf import APP_REGISTRY  # reads the settings: not at import time

    tables = [
        table
        for app in APP_REGISTRY.app_configs.values()
        for table in app.table_classes
        if table._meta.tablename not in TRANSIENT_TABLES
    ]
    return sort_table_classes(tables)


def _encode(column: Column, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, uuid.UUID | dt.datetime | dt.date | dt.time):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    raise BackupError(
        f"{column._meta.table._meta.tablename}.{column._meta.name}: cannot "
        f"back up a value of type {type(value).__name__}"
    )


def _decode(column: Column, value: Any) -> Any:
    kind = column.value_type
    if value is None:
        return None
    try:
        if kind is uuid.UUID:
            return uuid.UUID(value)
        if kind is dt.datetime:
            return dt.datetime.fromisoformat(value)
        if kind is dt.date:
            return dt.date.fromisoformat(value)
        if kind is dt.time:
            return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise BackupError(
            f"{column._meta.table._meta.tablename}.{column._meta.name}: bad value {value!r}"
        ) from None
    return value


async def _applied_migrations() -> dict[str, list[str]]:
    rows = await Migration.select(Migration.app_name, Migration.name).order_by(
        Migration._meta.primary_key
    )
    applied: dict[str, list[str]] = {}
    for row in rows:
        applied.setdefault(row["app_name"], []).append(row["name"])
    return applied


async def export_all(progress: Progress | None = None) -> dict[str, Any]:
    """The whole database as one JSON-ready document."""
    dump: dict[str, list[dict[str, Any]]] = {}
    for table in backed_up_tables():
        columns = table._meta.columns
        rows = await table.select(*columns).order_by(table._meta.primary_key)
        dump[table._meta.tablename] = [
            {column._meta.name: _encode(column, row[column._meta.name]) for column in columns}
            for row in rows
        ]
        if progress:
            progress(len(rows))
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "migrations": await _applied_migrations(),
        "tables": dump,
    }


def row_count(document: dict[str, Any]) -> int:
    return sum(len(rows) for rows in document.get("tables", {}).values())


class _Dump(msgspec.Struct):
    format: str
    version: int
    migrations: dict[str, list[str]]
    tables: dict[str, list[dict[str, Any]]]


def _parse(document: object) -> _Dump:
    try:
        dump = msgspec.convert(document, _Dump)
    except msgspec.ValidationError as error:
        raise BackupError(f"not a Samverkan backup: {error}") from None
    if dump.format != FORMAT:
        raise BackupError(f"not a Samverkan backup (format {dump.format!r})")
    if dump.version != VERSION:
        raise BackupError(f"backup version {dump.version} is not supported (this is {VERSION})")
    return dump


async def _check_compatible(dump: _Dump, tables: list[type[Table]]) -> None:
    applied = await _applied_migrations()
    for app, names in dump.migrations.items():
        unknown = sorted(set(names) - set(applied.get(app, [])))
        if unknown:
            raise BackupError(f"the backup is from a newer Samverkan: {app} migration {unknown[0]}")
    known = {table._meta.tablename: table for table in tables}
    for name, rows in dump.tables.items():
        if name not in known:
            raise BackupError(f"the backup has a table this Samverkan lacks: {name}")
        columns = {column._meta.name for column in known[name]._meta.columns}
        for row in rows:
            if extra := set(row) - columns:
                raise BackupError(f"{name}: unknown column {sorted(extra)[0]}")


async def _only_seeded_terms() -> bool:
    seeded = {
        (taxonomy, code, label_sv, label_en, position)
        for taxonomy, terms in DEFAULT_TERMS.items()
        for position, (code, label_sv, label_en) in enumerate(terms)
    }
    rows = await TaxonomyTerm.select(
        TaxonomyTerm.taxonomy,
        TaxonomyTerm.code,
        TaxonomyTerm.label_sv,
        TaxonomyTerm.label_en,
        TaxonomyTerm.position,
    )
    return all(tuple(row.values()) in seeded for row in rows)


async def _only_seeded_synonyms() -> bool:
    seeded = default_rows()
    rows = await SearchSynonym.select(
        SearchSynonym.term, SearchSynonym.synonyms, SearchSynonym.one_way
    )
    return all((row["term"], row["synonyms"], row["one_way"]) in seeded for row in rows)


SEEDED: Final[dict[type[Table], Callable[[], Awaitable[bool]]]] = {
    TaxonomyTerm: _only_seeded_terms,
    SearchSynonym: _only_seeded_synonyms,
}
"""Tables a fresh install fills by itself (``migrate`` seeds the vocabulary, a data migration
the search synonyms), each with the check that it holds nothing else: such rows are not data,
and a restore replaces them with the dump's."""


async def _refuse_non_empty(tables: list[type[Table]]) -> None:
    for table in tables:
        if table in SEEDED:
            if not await SEEDED[table]():
                name = table._meta.tablename
                raise BackupError(f"the database is not empty: {name} has changed rows")
        elif await table.count() > 0:
            raise BackupError(f"the database is not empty: {table._meta.tablename} has rows")


async def _reset_sequences(tables: list[type[Table]]) -> None:
    """On PostgreSQL, move serial sequences past the restored ids so new rows never collide."""
    db = engine()
    if db.engine_type != "postgres":
        return
    for table in tables:
        for column in table._meta.columns:
            if isinstance(column, Serial):  # BigSerial is a Serial
                name, col = table._meta.tablename, column._meta.db_column_name
                await db.run_ddl(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{col}'), "  # noqa: S608
                    f"COALESCE(MAX({col}), 1), MAX({col}) IS NOT NULL) FROM {name}"
                )


async def import_all(document: object, progress: Progress | None = None) -> int:
    """Restore a dump from :func:`export_all` into an empty database; returns the rows written.

    Raises :class:`BackupError` (and writes nothing) if the dump is malformed, newer than this
    code, or the database already holds data.
    """
    dump = _parse(document)
    tables = backed_up_tables()
    await _check_compatible(dump, tables)
    written = 0
    async with transaction():
        await _refuse_non_empty(tables)
        for seeded in SEEDED:
            await seeded.delete(force=True)
        for table in tables:
            rows = dump.tables.get(table._meta.tablename, [])
            columns = {column._meta.name: column for column in table._meta.columns}
            for start in range(0, len(rows), _BATCH):
                batch = rows[start : start + _BATCH]
                await table.insert(
                    *[
                        table(**{key: _decode(columns[key], value) for key, value in row.items()})
                        for row in batch
                    ]
                )
                written += len(batch)
                if progress:
                    progress(len(batch))
        await _reset_sequences(tables)
    return written
