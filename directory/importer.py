"""All-or-nothing import: every row is validated first, every error reported with its place,
and only a clean file is written, in one transaction, with audit entries and outbox events."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import msgspec
from piccolo.table import Table

from directory.database import transaction
from directory.errors import InvalidField, InvalidFields
from directory.exchange import RawRow
from directory.records import now
from directory.resources import CONTACTS, ORGANIZATIONS, ResourceSpec
from directory.schemas import as_builtins
from directory.tables import AuditEntry, ChangeEvent, NetworkCoordinator, NetworkMember
from directory.vocabulary import allowed_codes

Progress = Callable[[int], None]
_BATCH = 500
_MAX_ERRORS = 1000


class _Prepared:
    def __init__(self, row: RawRow, record_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.row, self.id, self.values = row, record_id, values


def _decode(row: RawRow, codes: Mapping[str, frozenset[str]]) -> _Prepared:
    values = dict(row.values)
    raw_id = values.pop("id", None)
    try:
        record_id = uuid.UUID(str(raw_id)) if raw_id else uuid.uuid4()
    except ValueError:
        raise InvalidField("id", f"{raw_id!r} is not a UUID") from None
    try:
        data = msgspec.convert(values, row.spec.create, strict=False)
    except msgspec.ValidationError as error:
        message, _, path = str(error).partition(" - at `$")
        raise InvalidField(path.rstrip("`").lstrip(".") or "record", message) from None
    built = as_builtins(data)
    row.spec.validate(built, codes)
    return _Prepared(row, record_id, built)


async def _existing_ids(table: Any, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), _BATCH):
        chunk = list(ids[start : start + _BATCH])
        found.update(r["id"] for r in await table.select(table.id).where(table.id.is_in(chunk)))
    return found


async def _check_references(prepared: list[_Prepared]) -> list[InvalidField]:
    by_spec: dict[str, set[uuid.UUID]] = {}
    for item in prepared:
        by_spec.setdefault(item.row.spec.name, set()).add(item.id)
    errors = []
    wanted: dict[str, tuple[Any, set[uuid.UUID]]] = {
        "organization": (ORGANIZATIONS.table, set()),
        "contact": (CONTACTS.table, set()),
    }
    fields = {
        "organization_id": "organization",
        "parent_id": "organization",
        "member_organization_ids": "organization",
        "member_contact_ids": "contact",
    }
    for item in prepared:
        for field, kind in fields.items():
            refs = item.values.get(field)
            for ref in refs if isinstance(refs, list) else [refs]:
                if ref is not None and ref not in by_spec.get(kind, set()):
                    wanted[kind][1].add(ref)
    known = {kind: await _existing_ids(table, list(ids)) for kind, (table, ids) in wanted.items()}
    for item in prepared:
        for field, kind in fields.items():
            refs = item.values.get(field)
            for ref in refs if isinstance(refs, list) else [refs]:
                if ref is not None and ref not in by_spec.get(kind, set()) | known[kind]:
                    errors.append(
                        InvalidField(f"{item.row.where}: {field}", f"no such {kind} {ref}")
                    )
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


async def validate_rows(rows: Iterable[RawRow]) -> list[_Prepared]:
    """Every row decoded and checked; raises :class:`InvalidFields` listing all bad rows."""
    codes = await allowed_codes()
    prepared, errors = [], []
    seen_ids: set[uuid.UUID] = set()
    for row in rows:
        try:
            item = _decode(row, codes)
        except InvalidField as error:
            errors.append(InvalidField(f"{row.where}: {error.field}", error.message))
            continue
        if item.id in seen_ids:
            errors.append(InvalidField(f"{row.where}: id", f"{item.id} appears twice in the file"))
        seen_ids.add(item.id)
        prepared.append(item)
    errors.extend(await _check_references(prepared))
    for spec_name in {item.row.spec.name for item in prepared}:
        items = [p for p in prepared if p.row.spec.name == spec_name]
        existing = await _existing_ids(items[0].row.spec.table, [p.id for p in items])
        errors.extend(
            InvalidField(f"{p.row.where}: id", f"{p.id} already exists")
            for p in items
            if p.id in existing
        )
    if errors:
        raise InvalidFields(errors[:_MAX_ERRORS])
    return prepared


async def import_rows(rows: Iterable[RawRow], actor: str, progress: Progress | None = None) -> int:
    """Validate, then write all rows in one transaction; returns how many records were created."""
    prepared = await validate_rows(rows)
    async with transaction():
        for start in range(0, len(prepared), _BATCH):
            chunk = prepared[start : start + _BATCH]
            await _write_chunk(chunk, actor)
            if progress:
                progress(len(chunk))
    return len(prepared)


async def _write_chunk(chunk: list[_Prepared], actor: str) -> None:
    timestamp = now()
    by_table: dict[type[Table], list[Table]] = {}
    for item in chunk:
        spec: ResourceSpec = item.row.spec
        row = {
            **spec.to_row(item.values),
            "id": item.id,
            "created_at": timestamp,
            "last_modified": timestamp,
            "version": 1,
        }
        by_table.setdefault(spec.table, []).append(spec.table(**row))
    for table, records in by_table.items():
        await table.insert(*records)
    members = [
        NetworkMember(network_id=item.id, **{column: ref})
        for item in chunk
        for field, column in (
            ("member_organization_ids", "organization_id"),
            ("member_contact_ids", "contact_id"),
        )
        for ref in dict.fromkeys(item.values.get(field, []))
    ]
    if members:
        await NetworkMember.insert(*members)
    coordinators = [
        NetworkCoordinator(network_id=item.id, account_id=ref)
        for item in chunk
        for ref in item.values.get("coordinator_account_ids", [])
    ]
    if coordinators:
        await NetworkCoordinator.insert(*coordinators)
    encode = msgspec.json.encode
    await AuditEntry.insert(
        *(
            AuditEntry(
                actor=actor,
                action="import",
                resource_type=item.row.spec.name,
                resource_id=item.id,
                previous="{}",
                current=encode(item.values).decode(),
            )
            for item in chunk
        )
    )
    await ChangeEvent.insert(
        *(
            ChangeEvent(resource_type=item.row.spec.name, resource_id=item.id, operation="upsert")
            for item in chunk
        )
    )
