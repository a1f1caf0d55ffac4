"""The directory as HSDS 3.0 for one audience: the export document and the API's objects.

An audience reads what :func:`directory.core.access.visibilities_for` gives its role, through
the same :func:`directory.records.service.audience_filter` as every other read path, so an
export for the public never holds an internal record, nor a contact or service of one.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

import msgspec
from piccolo.columns.combination import And, Where

from directory.core.access import Role, visibilities_for
from directory.core.tables import AuditEntry, TaxonomyTerm
from directory.records import hsds
from directory.records.relations import load_relations
from directory.records.resources import (
    CONTACTS,
    NETWORKS,
    ORGANIZATIONS,
    SERVICES,
    ResourceSpec,
)
from directory.records.service import audience_filter

_PAGE = 1000
_NETWORK_FIELDS = (
    "id",
    "name",
    "alternate_name",
    "description",
    "municipality",
    "areas",
    "levels",
    "visibility",
    "assured_date",
    "assurer_email",
    "last_modified",
)


class Audience(StrEnum):
    """Who an export is for; ``internal`` only when asked for by name."""

    PUBLIC = "public"
    PARTNERS = "partners"
    INTERNAL = "internal"

    @property
    def visibilities(self) -> tuple[str, ...]:
        role = {"public": None, "partners": Role.PARTNER, "internal": Role.STAFF}[self.value]
        return visibilities_for(role)


Condition = Where | And


def current(spec: ResourceSpec) -> Where:
    return spec.table.retired_at.is_null()  # type: ignore[attr-defined,no-any-return]


async def select_records(
    spec: ResourceSpec,
    conditions: Sequence[Any],
    limit: int | None = None,
    offset: int = 0,
    order: Any = None,
) -> list[dict[str, Any]]:
    """Records of ``spec`` meeting every condition, as JSON builtins with their relations."""
    table = spec.table
    where = functools.reduce(operator.and_, conditions)
    result: list[dict[str, Any]] = []
    while True:
        batch = _PAGE if limit is None else min(_PAGE, limit - len(result))
        query = table.select().where(where)
        if order is not None:
            query = query.order_by(order)
        rows = await query.order_by(table.id).limit(batch).offset(offset)  # type: ignore[attr-defined]
        relations = await load_relations(spec, [row["id"] for row in rows])
        for row in rows:
            record = msgspec.convert(
                {**spec.from_row(row), **relations.get(row["id"], {})}, spec.record
            )
            result.append(msgspec.to_builtins(record))
        offset += len(rows)
        if len(rows) < batch or (limit is not None and len(result) >= limit):
            return result


async def histories(ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The audit entries of each record, oldest first, with their values decoded."""
    wanted = list(dict.fromkeys(ids))
    result: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(wanted), _PAGE):
        rows = (
            await AuditEntry.select()
            .where(AuditEntry.resource_id.is_in(wanted[start : start + _PAGE]))
            .order_by(AuditEntry.id)
        )
        for row in rows:
            entry = {
                "at": row["at"],
                "action": row["action"],
                "actor": row["actor"],
                "previous": msgspec.json.decode(row["previous"]),
                "current": msgspec.json.decode(row["current"]),
            }
            result.setdefault(str(row["resource_id"]), []).append(entry)
    return result


async def readable_organization_ids(
    ids: Iterable[str | None], visibilities: Sequence[str]
) -> set[str]:
    """Those of ``ids`` that are current organisations the audience may read."""
    wanted = [i for i in dict.fromkeys(ids) if i]
    if not wanted:
        return set()
    table = ORGANIZATIONS.table
    rows = await table.select(table.id).where(  # type: ignore[attr-defined]
        table.id.is_in(wanted)  # type: ignore[attr-defined]
        & current(ORGANIZATIONS)
        & audience_filter(ORGANIZATIONS, visibilities)
    )
    return {str(row["id"]) for row in rows}


async def organizations(
    records: Sequence[dict[str, Any]], visibilities: Sequence[str]
) -> list[dict[str, Any]]:
    """HSDS organizations; a parent the audience may not read is left out."""
    parents = await readable_organization_ids((r.get("parent_id") for r in records), visibilities)
    history = await histories(r["id"] for r in records)
    result = []
    for record in records:
        if record.get("parent_id") not in parents:
            record = {**record, "parent_id": None}
        result.append(hsds.organization(record, history.get(record["id"], [])))
    return result


async def contacts(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    history = await histories(r["id"] for r in records)
    return [hsds.contact(record, history.get(record["id"], [])) for record in records]


async def services(
    records: Sequence[dict[str, Any]], owners: Mapping[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """HSDS services; ``owners`` are their organisation records, loaded when not given."""
    if owners is None:
        ids = [r["organization_id"] for r in records]
        table = ORGANIZATIONS.table
        found = await select_records(ORGANIZATIONS, [table.id.is_in(ids or [None])])  # type: ignore[attr-defined]
        owners = {record["id"]: record for record in found}
    history = await histories(r["id"] for r in records)
    return [
        hsds.service(record, history.get(record["id"], []), owners.get(record["organization_id"]))
        for record in records
    ]


def network(record: Mapping[str, Any], organization_ids: set[str], contact_ids: set[str]) -> Any:
    """A network (a Samverkan extension, no HSDS object), with the members the audience sees."""
    result = {field: record.get(field) for field in _NETWORK_FIELDS}
    result["member_organization_ids"] = [
        ref for ref in record.get("member_organization_ids", []) if ref in organization_ids
    ]
    result["member_contact_ids"] = [
        ref for ref in record.get("member_contact_ids", []) if ref in contact_ids
    ]
    return {key: value for key, value in result.items() if value not in (None, "")}


async def terms() -> list[dict[str, Any]]:
    """The terms of the taxonomies records use (``hsds.TAXONOMY_DESCRIPTIONS``); the plan's
    vocabulary (signals, districts) describes no record and is not exchanged."""
    rows = await TaxonomyTerm.select().where(
        TaxonomyTerm.taxonomy.is_in(list(hsds.TAXONOMY_DESCRIPTIONS))
    )
    return [hsds.taxonomy_term(row) for row in sorted(rows, key=_term_order)]


def _term_order(row: Mapping[str, Any]) -> tuple[int, int, str]:
    order = {"kind": 0, "area": 1, "level": 2}
    return (order.get(row["taxonomy"], 3), row["position"], row["code"])


async def hsds_document(audience: Audience = Audience.PUBLIC) -> dict[str, Any]:
    """Everything ``audience`` may read, as HSDS objects: current organisations and contacts,
    every service of those organisations (a retired one ``inactive``), the vocabulary, and the
    networks as an extension."""
    seen = audience.visibilities
    org_records = await select_records(
        ORGANIZATIONS, [current(ORGANIZATIONS), audience_filter(ORGANIZATIONS, seen)]
    )
    org_ids = {record["id"] for record in org_records}
    contact_records = [
        record
        for record in await select_records(
            CONTACTS, [current(CONTACTS), audience_filter(CONTACTS, seen)]
        )
        if record["organization_id"] in org_ids
    ]
    service_records = [
        record
        for record in await select_records(SERVICES, [audience_filter(SERVICES, seen)])
        if record["organization_id"] in org_ids
    ]
    network_records = await select_records(
        NETWORKS, [current(NETWORKS), audience_filter(NETWORKS, seen)]
    )
    contact_ids = {record["id"] for record in contact_records}
    vocabulary = await terms()
    return {
        "version": hsds.HSDS_VERSION,
        "profile": hsds.PROFILE_URL,
        "audience": audience.value,
        "organizations": await organizations(org_records, seen),
        "contacts": await contacts(contact_records),
        "services": await services(
            service_records, {record["id"]: record for record in org_records}
        ),
        "taxonomies": hsds.taxonomies(vocabulary),
        "taxonomy_terms": vocabulary,
        "networks": [network(r, org_ids, contact_ids) for r in network_records],
    }
