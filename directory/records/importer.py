"""All-or-nothing import: every row is validated first, every error reported with its place,
and only a clean file is written, in one transaction, with audit entries and outbox events."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import msgspec
from piccolo.table import Table

from directory.accounts.tables import Account
from directory.core.access import Principal, Role
from directory.core.bulk import insert_many
from directory.core.database import transaction
from directory.core.errors import InvalidField, InvalidFields, problems_of
from directory.core.schemas import as_builtins, convert_row
from directory.core.tables import AuditEntry, ChangeEvent
from directory.core.vocabulary import allowed_codes
from directory.records.exchange import RawRow
from directory.records.resources import ResourceSpec
from directory.records.service import RecordService, now
from directory.records.tables import Contact, NetworkCoordinator, NetworkMember, Organization

Progress = Callable[[int], None]
_BATCH = 500
_MAX_ERRORS = 1000


class _Prepared:
    def __init__(self, row: RawRow, record_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.row, self.id, self.values = row, record_id, values
        self.existing = False


def _decode(row: RawRow, codes: Mapping[str, frozenset[str]]) -> _Prepared:
    values = dict(row.values)
    raw_id = values.pop("id", None)
    try:
        record_id = uuid.UUID(str(raw_id)) if raw_id else uuid.uuid4()
    except ValueError:
        raise InvalidField("id", f"{raw_id!r} is not a UUID") from None
    data = convert_row(values, row.spec.create, "record")
    built = as_builtins(data)
    row.spec.validate(built, codes)
    return _Prepared(row, record_id, built)


async def _existing_ids(table: Any, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), _BATCH):
        chunk = list(ids[start : start + _BATCH])
        found.update(r["id"] for r in await table.select(table.id).where(table.id.is_in(chunk)))
    return found


_REFERENCES = {
    "organization_id": "organization",
    "parent_id": "organization",
    "member_organization_ids": "organization",
    "member_contact_ids": "contact",
    "coordinator_account_ids": "account",
}
_TABLES: dict[str, Any] = {"organization": Organization, "contact": Contact, "account": Account}


def _references(item: _Prepared) -> Iterator[tuple[str, str, uuid.UUID]]:
    """(field, kind of record, id) for every reference a prepared record makes."""
    for field, kind in _REFERENCES.items():
        refs = item.values.get(field)
        for ref in refs if isinstance(refs, list) else [refs]:
            if ref is not None:
                yield field, kind, ref


async def _check_references(prepared: list[_Prepared]) -> list[InvalidField]:
    """Every reference must name a record in the file or in the database."""
    in_file: dict[str, set[uuid.UUID]] = {kind: set() for kind in _TABLES}
    for item in prepared:
        in_file.setdefault(item.row.spec.name, set()).add(item.id)
    outside: dict[str, set[uuid.UUID]] = {kind: set() for kind in _TABLES}
    for item in prepared:
        for _, kind, ref in _references(item):
            if ref not in in_file[kind]:
                outside[kind].add(ref)
    missing = {
        kind: refs - await _existing_ids(_TABLES[kind], list(refs))
        for kind, refs in outside.items()
    }
    errors = [
        InvalidField(f"{item.row.where}: {field}", f"no such {kind} {ref}")
        for item in prepared
        for field, kind, ref in _references(item)
        if ref in missing[kind]
    ]
    errors.extend(_parent_cycles([p for p in prepared if p.row.spec.name == "organization"]))
    return errors


def _parent_cycles(organizations: list[_Prepared]) -> list[InvalidField]:
    parents = {item.id: item.values.get("parent_id") for item in organizations}
    errors = []
    for item in organizations:
        seen, current = {item.id}, parents.get(item.id)
        while current is not None and current in parents:
            if current in seen:
                errors.append(
                    InvalidField(f"{item.row.where}: parent_id", "the parents form a cycle")
                )
                break
            seen.add(current)
            current = parents[current]
    return errors


async def validate_rows(rows: Iterable[RawRow], update: bool = False) -> list[_Prepared]:
    """Every row decoded and checked; raises :class:`InvalidFields` listing all bad rows. A row
    whose id exists already is an error, or with ``update`` a replacement of that record."""
    codes = await allowed_codes()
    prepared: list[_Prepared] = []
    errors: list[InvalidField] = []
    seen_ids: set[uuid.UUID] = set()
    for row in rows:
        try:
            item = _decode(row, codes)
        except (InvalidField, InvalidFields) as error:
            errors.extend(_located(row.where, problem) for problem in problems_of(error))
            continue
        if item.id in seen_ids:
            errors.append(InvalidField(f"{row.where}: id", f"{item.id} appears twice in the file"))
        seen_ids.add(item.id)
        prepared.append(item)
    errors.extend(await _check_references(prepared))
    for spec_name in {item.row.spec.name for item in prepared}:
        items = [p for p in prepared if p.row.spec.name == spec_name]
        existing = await _existing_ids(items[0].row.spec.table, [p.id for p in items])
        for item in items:
            item.existing = item.id in existing
        if not update:
            errors.extend(
                InvalidField(f"{p.row.where}: id", f"{p.id} already exists (--update replaces it)")
                for p in items
                if p.existing
            )
    if errors:
        raise InvalidFields(errors[:_MAX_ERRORS])
    return prepared


async def import_rows(
    rows: Iterable[RawRow], actor: str, progress: Progress | None = None, update: bool = False
) -> int:
    """Validate, then write all rows in one transaction; returns how many records it created or
    changed. With ``update``, a row naming an existing record replaces that record's values."""
    prepared = await validate_rows(rows, update)
    written = 0
    async with transaction():
        for start in range(0, len(prepared), _BATCH):
            chunk = prepared[start : start + _BATCH]
            created = [item for item in chunk if not item.existing]
            await _write_chunk(created, actor)
            written += len(created)
            for item in chunk:
                if item.existing:
                    written += await _replace(item, actor)
            if progress:
                progress(len(chunk))
    return written


async def _replace(item: _Prepared, actor: str) -> bool:
    importer = Principal(account_id=uuid.UUID(int=0), username=actor, role=Role.ADMIN)
    try:
        return await RecordService(item.row.spec, importer).replace(item.id, item.values)
    except (InvalidField, InvalidFields) as error:
        raise InvalidFields([_located(item.row.where, p) for p in problems_of(error)]) from None


def _located(where: str, problem: InvalidField) -> InvalidField:
    """``problem`` named by its place in the file (``line 3: email``)."""
    return InvalidField(f"{where}: {problem.field}", problem.message_id, problem.params)


async def _write_chunk(chunk: list[_Prepared], actor: str) -> None:
    timestamp = now()
    by_table: dict[type[Table], list[dict[str, Any]]] = {}
    for item in chunk:
        spec: ResourceSpec = item.row.spec
        changed = item.row.last_modified or timestamp
        row = {
            **spec.to_row(item.values),
            "id": item.id,
            "created_at": timestamp,
            "last_modified": changed,
            "retired_at": changed if item.row.retired else None,
            "version": 1,
        }
        by_table.setdefault(spec.table, []).append(row)
    for table, rows in by_table.items():
        await insert_many(table, rows)
    await insert_many(
        NetworkMember,
        [
            {"id": uuid.uuid4(), "network_id": item.id, column: ref}
            for item in chunk
            for field, column in (
                ("member_organization_ids", "organization_id"),
                ("member_contact_ids", "contact_id"),
            )
            for ref in dict.fromkeys(item.values.get(field, []))
        ],
    )
    await insert_many(
        NetworkCoordinator,
        [
            {"id": uuid.uuid4(), "network_id": item.id, "account_id": ref}
            for item in chunk
            for ref in dict.fromkeys(item.values.get("coordinator_account_ids", []))
        ],
    )
    await insert_many(
        AuditEntry, [entry for item in chunk for entry in _audit(item, actor, timestamp)]
    )
    await insert_many(
        ChangeEvent,
        [
            {
                "at": timestamp,
                "resource_type": item.row.spec.name,
                "resource_id": item.id,
                "operation": "upsert",
            }
            for item in chunk
        ],
    )


def _audit(item: _Prepared, actor: str, timestamp: dt.datetime) -> list[dict[str, Any]]:
    """The record's audit entries: the history its publication gave (HSDS metadata), or one
    entry saying ``actor`` imported it."""
    encode = msgspec.json.encode
    base = {"resource_type": item.row.spec.name, "resource_id": item.id}
    if item.row.history:
        return [
            {
                **base,
                "at": entry["at"],
                "actor": entry["actor"],
                "action": entry["action"],
                "previous": encode(entry["previous"]).decode(),
                "current": encode(entry["current"]).decode(),
            }
            for entry in item.row.history
        ]
    return [
        {
            **base,
            "at": timestamp,
            "actor": actor,
            "action": "import",
            "previous": "{}",
            "current": encode(item.values).decode(),
        }
    ]
