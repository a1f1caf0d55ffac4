"""Reading and writing directory records: visibility, validation, audit and outbox in one place.

Every write runs in one transaction that also appends the audit entry and the outbox event, so a
record, its history and its index change are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import Struct
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.table import Table

from directory.core.access import Principal, audience_condition, record_condition
from directory.core.change_log import log_change
from directory.core.database import json_list_contains, transaction
from directory.core.erasure import forget_everywhere
from directory.core.errors import (
    N_,
    Conflict,
    InvalidField,
    NotFound,
    PermissionDenied,
    PreconditionRequired,
    VersionMismatch,
)
from directory.core.schemas import Page, as_builtins, provided_fields
from directory.core.tables import AuditEntry
from directory.core.vocabulary import allowed_codes
from directory.records import access
from directory.records.relations import check_references, load_relations, save_relations
from directory.records.resources import ResourceSpec
from directory.records.tables import Contact, NetworkMember, Organization, Service

Condition = Where | And | WhereRaw
SORTABLE = ("name", "last_modified", "assured_date", "created_at")


@dataclass(frozen=True)
class ListQuery:
    """Filters and paging of a list request; empty values do not filter."""

    page: int = 1
    per_page: int = 50
    sort: str = "name"
    kind: str = ""
    area: str = ""
    level: str = ""
    municipality: str = ""
    network: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    stale_since: dt.date | None = None
    modified_after: dt.datetime | None = None
    include_retired: bool = False


def etag_of(record: Struct) -> str:
    return f'"{record.version}"'  # type: ignore[attr-defined]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _contains_code(table: type[Table], column: str, code: str) -> WhereRaw:
    """``column`` (a JSON list of validated codes) contains ``code``; the value is bound, never
    interpolated, and a code has no quote, so ``"code"`` cannot match a longer code."""
    return json_list_contains(column, code)


def visibility_filter(spec: ResourceSpec, principal: Principal) -> Condition:
    """What ``principal`` may read (see :mod:`directory.core.access`)."""
    return record_condition(spec.table, principal)


def audience_filter(spec: ResourceSpec, visibilities: Sequence[str]) -> Condition:
    """What an audience reading ``visibilities`` may see (also used for exports to an audience,
    such as one CardDAV address book per visibility level)."""
    return audience_condition(spec.table, visibilities)


def _filters(spec: ResourceSpec, query: ListQuery) -> list[Where | And | Or | WhereRaw]:
    table = spec.table
    columns = spec.column_names
    conditions: list[Where | And | Or | WhereRaw] = []
    if not query.include_retired:
        conditions.append(table.retired_at.is_null())  # type: ignore[attr-defined]
    if query.kind and "kind" in columns:
        conditions.append(table.kind == query.kind)  # type: ignore[attr-defined]
    for column, code in (("areas", query.area), ("levels", query.level)):
        if code and column in columns:
            conditions.append(_contains_code(table, column, code))
    if query.municipality and "municipality" in columns:
        conditions.append(table.municipality == query.municipality)  # type: ignore[attr-defined]
    if query.organization_id and "organization_id" in columns:
        conditions.append(table.organization_id == query.organization_id)  # type: ignore[attr-defined]
    if query.network:
        conditions.append(_in_network(spec, query.network))
    if query.stale_since:
        conditions.append(
            table.assured_date.is_null() | (table.assured_date < query.stale_since)  # type: ignore[attr-defined]
        )
    if query.modified_after:
        conditions.append(table.last_modified > query.modified_after)  # type: ignore[attr-defined]
    return conditions


def _in_network(spec: ResourceSpec, network_id: uuid.UUID) -> Where:
    members = NetworkMember.network_id == network_id
    table = spec.table
    if spec.name == "contact":
        return table.id.is_in(  # type: ignore[attr-defined,no-any-return]
            NetworkMember.select(NetworkMember.contact_id).where(members)
        )
    member_orgs = NetworkMember.select(NetworkMember.organization_id).where(members)
    if spec.name == "organization":
        return table.id.is_in(member_orgs)  # type: ignore[attr-defined,no-any-return]
    if spec.name == "service":
        return table.organization_id.is_in(member_orgs)  # type: ignore[attr-defined,no-any-return]
    return table.id == network_id  # type: ignore[attr-defined,no-any-return]


async def _has_dependants(organization_id: uuid.UUID) -> bool:
    for table in (Contact, Service):
        if await table.exists().where(table.organization_id == organization_id):
            return True
    return bool(await Organization.exists().where(Organization.parent_id == organization_id))


class RecordService:
    """The directory operations for one resource on behalf of one principal."""

    def __init__(self, spec: ResourceSpec, principal: Principal) -> None:
        self.spec = spec
        self.principal = principal

    async def page(self, query: ListQuery) -> Page[Any]:
        spec, table = self.spec, self.spec.table
        if query.sort.lstrip("-") not in SORTABLE:
            raise InvalidField(
                "sort",
                N_("must be one of %(allowed)s, optionally with -"),
                {"allowed": ", ".join(SORTABLE)},
            )
        conditions = [visibility_filter(spec, self.principal), *_filters(spec, query)]
        if query.network and not await access.can_read_network(self.principal, query.network):
            conditions.append(WhereRaw("1 = 0"))  # a hidden network filters to nothing
        where = functools.reduce(operator.and_, conditions)
        total = await table.count().where(where)
        sort_column = getattr(table, query.sort.lstrip("-"))
        rows = (
            await table.select()
            .where(where)
            .order_by(sort_column, ascending=not query.sort.startswith("-"))
            .order_by(table.id)  # type: ignore[attr-defined]
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        )
        records = await self._records(rows)
        total_pages = max(1, math.ceil(total / query.per_page))
        return Page(
            total_items=total,
            total_pages=total_pages,
            page_number=query.page,
            size=len(records),
            first_page=query.page == 1,
            last_page=query.page >= total_pages,
            empty=not records,
            contents=records,
        )

    async def get(self, record_id: uuid.UUID) -> Struct:
        row = await self._row(record_id)
        return (await self._records([row]))[0]

    async def editable(self, record_id: uuid.UUID) -> Struct:
        """The record, for a form that changes it; raises :class:`PermissionDenied` unless the
        principal may change it."""
        await self._require_changer(record_id)
        return await self.get(record_id)

    async def create(self, data: Struct) -> Struct:
        self._require_writer()
        values = as_builtins(data)
        await self._validate(values, record_id=None)
        record_id = uuid.uuid4()
        timestamp = now()
        row = {
            **self.spec.to_row(values),
            "id": record_id,
            "created_at": timestamp,
            "last_modified": timestamp,
            "version": 1,
        }
        async with transaction():
            await self.spec.table.insert(self.spec.table(**row))
            await save_relations(self.spec, record_id, values)
            await self._log("create", record_id, {}, values)
        return await self.get(record_id)

    async def update(self, record_id: uuid.UUID, patch: Struct, if_match: str | None) -> Struct:
        await self._require_changer(record_id)
        changes = provided_fields(patch)
        await self._validate(changes, record_id=record_id)
        async with transaction():
            current = await self._current(record_id, if_match)
            if "coordinator_account_ids" in changes:
                access.require_coordinators_change(
                    self.principal,
                    current.coordinator_account_ids,  # type: ignore[attr-defined]
                    changes["coordinator_account_ids"],
                )
            await self._change(current, changes)
        return await self.get(record_id)

    async def replace(self, record_id: uuid.UUID, values: Mapping[str, Any]) -> bool:
        """Overwrite a record with complete, decoded values (an import with ``--update``),
        writing only the fields that differ; returns whether anything changed. Call inside the
        caller's transaction: a concurrent write raises :class:`VersionMismatch`."""
        await self._require_changer(record_id)
        await self._validate(values, record_id=record_id)
        current = (await self._records([await self._row(record_id)]))[0]
        return await self._change(current, values)

    async def _change(self, current: Struct, values: Mapping[str, Any]) -> bool:
        """Write the values that differ from ``current``, with audit and outbox; returns whether
        any did."""
        record_id: uuid.UUID = current.id  # type: ignore[attr-defined]
        current_values = as_builtins(current)
        changed = {k: v for k, v in values.items() if current_values.get(k) != v}
        if changed:
            await self._write(current, self.spec.to_row(changed))
            await save_relations(self.spec, record_id, changed)
            previous = {key: current_values.get(key) for key in changed}
            await self._log("update", record_id, previous, changed)
        return bool(changed)

    async def retire(self, record_id: uuid.UUID, if_match: str | None) -> Struct:
        """Soft delete: the record stays for history but leaves lists, search and feeds."""
        await self._require_changer(record_id)
        async with transaction():
            current = await self._current(record_id, if_match)
            if current.retired_at is None:  # type: ignore[attr-defined]
                retired_at = now()
                await self._write(current, {"retired_at": retired_at})
                await self._log(
                    "retire", record_id, {"retired_at": None}, {"retired_at": retired_at}
                )
        return await self.get(record_id)

    async def restore(self, record_id: uuid.UUID, if_match: str | None) -> Struct:
        """Undo :meth:`retire`: the record is back in lists, search and feeds."""
        self._require_writer()
        async with transaction():
            current = await self._current(record_id, if_match)
            retired_at = current.retired_at  # type: ignore[attr-defined]
            if retired_at is not None:
                await self._write(current, {"retired_at": None})
                await self._log(
                    "restore", record_id, {"retired_at": retired_at}, {"retired_at": None}
                )
        return await self.get(record_id)

    async def erase(self, record_id: uuid.UUID) -> None:
        """Delete for good (a data subject's request) and purge the values from the audit log."""
        if self.principal.role != "admin":
            raise PermissionDenied("only an admin may erase a record")
        await self._row(record_id)
        table = self.spec.table
        if self.spec.name == "organization" and await _has_dependants(record_id):
            raise Conflict(
                N_("erase or move the organisation's units, contacts and services first")
            )
        async with transaction():
            await save_relations(self.spec, record_id, None)
            await NetworkMember.delete().where(
                (NetworkMember.contact_id == record_id)
                | (NetworkMember.organization_id == record_id)
            )
            await table.delete().where(table.id == record_id)  # type: ignore[attr-defined]
            await forget_everywhere(self.spec.name, record_id)
            await AuditEntry.update({AuditEntry.previous: "{}", AuditEntry.current: "{}"}).where(
                AuditEntry.resource_id == record_id
            )
            await self._log("erase", record_id, {}, {})

    async def _validate(self, values: Mapping[str, Any], record_id: uuid.UUID | None) -> None:
        self.spec.validate(values, await allowed_codes())
        await check_references(self.spec, values, record_id)

    async def _row(self, record_id: uuid.UUID) -> dict[str, Any]:
        table = self.spec.table
        row = (
            await table.select()
            .where(table.id == record_id)  # type: ignore[attr-defined]
            .where(visibility_filter(self.spec, self.principal))
            .first()
        )
        if row is None:
            raise NotFound(self.spec.name, str(record_id))
        return row

    async def _records(self, rows: Sequence[Mapping[str, Any]]) -> list[Struct]:
        relations = await load_relations(self.spec, [row["id"] for row in rows])
        views = {
            record_id: await access.network_view(self.principal, entry)
            for record_id, entry in relations.items()
        }
        return [
            msgspec.convert(
                {**self.spec.from_row(row), **views.get(row["id"], {})},
                self.spec.record,
            )
            for row in rows
        ]

    async def _current(self, record_id: uuid.UUID, if_match: str | None) -> Struct:
        """The stored record, if ``if_match`` names its current version."""
        if if_match is None:
            raise PreconditionRequired
        current = await self.get(record_id)
        if if_match.strip() not in {etag_of(current), "*"}:
            raise VersionMismatch(etag_of(current))
        return current

    async def _write(self, current: Struct, row: Mapping[str, Any]) -> None:
        table = self.spec.table
        version: int = current.version  # type: ignore[attr-defined]
        updated = (
            await table.update(
                {**row, "last_modified": now(), "version": version + 1},  # type: ignore[dict-item]
                use_auto_update=False,
            )
            .where((table.id == current.id) & (table.version == version))  # type: ignore[attr-defined]
            .returning(table.id)  # type: ignore[attr-defined]
        )
        if not updated:
            raise VersionMismatch(etag_of(await self.get(current.id)))  # type: ignore[attr-defined]

    async def _log(
        self,
        action: str,
        record_id: uuid.UUID,
        previous: Mapping[str, Any],
        current: Mapping[str, Any],
    ) -> None:
        await log_change(self.principal, action, self.spec.name, record_id, previous, current)

    def _require_writer(self) -> None:
        access.require_writer(self.principal)

    async def _require_changer(self, record_id: uuid.UUID) -> None:
        """A writer; for a network, one who coordinates it (or an admin)."""
        access.require_writer(self.principal)
        if self.spec.name == "network":
            await self._row(record_id)  # a network the principal cannot see is not found
            await access.require_coordinator(self.principal, record_id)
