"""Search documents built from directory records: one per organisation, contact, service, network,
and (from :mod:`search.plan_documents`) per measure of the plan in force and per training.

A document carries what a hit shows (title, subtitle, phones, email), what is searched (body,
addresses, phone digits) and what is counted and filtered (the facets). A contact's or service's
visibility is the stricter of its own and its organisation's, so an internal organisation never
leaks through its public contacts. Retired records have no document.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import msgspec

from directory.core.access import Visibility
from directory.core.tables import AuditEntry
from directory.records.tables import Contact, Network, NetworkMember, Organization, Service
from search.document import Document, document_key, join, rows_with_ids
from search.plan_documents import (
    PLAN_TYPES,
    affected_measures,
    build_plan,
    searchable_plan_ids,
)

RECORD_TYPES = ("organization", "contact", "service", "network")
DOCUMENT_TYPES = (*RECORD_TYPES, *PLAN_TYPES)
_STRICTNESS = {Visibility.INTERNAL: 0, Visibility.PARTNERS: 1, Visibility.PUBLIC: 2}
_TABLES = {"organization": Organization, "contact": Contact, "service": Service, "network": Network}

Row = Mapping[str, Any]


def stricter(*visibilities: str) -> str:
    """The most restrictive of ``visibilities`` (unknown values count as internal)."""
    return min(visibilities, key=lambda value: _STRICTNESS.get(Visibility(value), 0))


def _json_list(raw: str) -> list[Any]:
    value = msgspec.json.decode(raw or "[]")
    return value if isinstance(value, list) else []


def _numbers(raw: str) -> list[str]:
    return [str(phone.get("number", "")) for phone in _json_list(raw) if isinstance(phone, dict)]


class _Context:
    """The organisations and memberships that the documents being built refer to."""

    def __init__(
        self,
        organizations: Mapping[uuid.UUID, Row],
        memberships: Mapping[uuid.UUID, list[str]],
    ) -> None:
        self.organizations = organizations
        self.memberships = memberships

    def owner(self, row: Row) -> Row | None:
        return self.organizations.get(row["organization_id"])

    def visibility(self, organization: Row) -> str:
        """An organisation's own visibility made as strict as that of every organisation above
        it (the rule of :mod:`directory.core.access`), so a unit of an internal one is internal."""
        levels = [organization["visibility"]]
        seen = {organization["id"]}
        parent = self.organizations.get(organization["parent_id"])
        while parent is not None and parent["id"] not in seen:
            levels.append(parent["visibility"])
            seen.add(parent["id"])
            parent = self.organizations.get(parent["parent_id"])
        return stricter(*levels)

    def networks(self, *ids: uuid.UUID | None) -> list[str]:
        found: dict[str, None] = {}
        for record_id in ids:
            if record_id is not None:
                found.update(dict.fromkeys(self.memberships.get(record_id, [])))
        return list(found)


def _organization(row: Row, context: _Context) -> Document:
    parent = context.organizations.get(row["parent_id"]) if row["parent_id"] else None
    return Document(
        key=document_key("organization", row["id"]),
        type="organization",
        id=str(row["id"]),
        title=row["name"],
        subtitle=join(row["alternate_name"], parent["name"] if parent else ""),
        body=join(row["description"], row["visiting_address"]),
        email=row["email"],
        phones=_numbers(row["phones"]),
        addresses=[row["email"], row["website"]],
        visibility=context.visibility(row),
        kind=row["kind"],
        areas=_json_list(row["areas"]),
        levels=_json_list(row["levels"]),
        municipality=row["municipality"],
        networks=context.networks(row["id"]),
    )


def _contact(row: Row, owner: Row, context: _Context) -> Document:
    return Document(
        key=document_key("contact", row["id"]),
        type="contact",
        id=str(row["id"]),
        title=row["name"],
        subtitle=join(row["title"], owner["name"]),
        email=row["email"],
        phones=_numbers(row["phones"]),
        addresses=[row["email"]],
        visibility=stricter(row["visibility"], context.visibility(owner)),
        kind=owner["kind"],
        areas=_json_list(row["areas"]) or _json_list(owner["areas"]),
        levels=_json_list(owner["levels"]),
        municipality=owner["municipality"],
        networks=context.networks(row["id"], owner["id"]),
    )


def _service(row: Row, owner: Row, context: _Context) -> Document:
    return Document(
        key=document_key("service", row["id"]),
        type="service",
        id=str(row["id"]),
        title=row["name"],
        subtitle=owner["name"],
        body=join(row["description"], row["audience"], row["how_to_reach"]),
        email=row["email"],
        phones=_numbers(row["phones"]),
        addresses=[row["email"], row["url"]],
        visibility=stricter(row["visibility"], context.visibility(owner)),
        kind=owner["kind"],
        areas=_json_list(row["areas"]),
        levels=_json_list(row["levels"]),
        municipality=owner["municipality"],
        networks=context.networks(owner["id"]),
    )


def _network(row: Row) -> Document:
    return Document(
        key=document_key("network", row["id"]),
        type="network",
        id=str(row["id"]),
        title=row["name"],
        subtitle=row["alternate_name"],
        body=row["description"],
        visibility=row["visibility"],
        areas=_json_list(row["areas"]),
        levels=_json_list(row["levels"]),
        municipality=row["municipality"],
        networks=[str(row["id"])],
    )


def _document(resource_type: str, row: Row, context: _Context) -> Document | None:
    """The document of ``row``, or ``None`` when it must not be searchable (retired)."""
    if row["retired_at"] is not None:
        return None
    if resource_type == "organization":
        return _organization(row, context)
    if resource_type == "network":
        return _network(row)
    owner = context.owner(row)
    if owner is None or owner["retired_at"] is not None:
        return None
    if resource_type == "contact":
        return _contact(row, owner, context)
    return _service(row, owner, context)


async def _memberships(
    organization_ids: Iterable[uuid.UUID], contact_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Live networks of each organisation and contact, as id strings."""
    orgs, contacts = list(organization_ids), list(contact_ids)
    rows = await NetworkMember.select().where(
        NetworkMember.organization_id.is_in(orgs or [uuid.UUID(int=0)])
        | NetworkMember.contact_id.is_in(contacts or [uuid.UUID(int=0)])
    )
    live = {
        row["id"] for row in await Network.select(Network.id).where(Network.retired_at.is_null())
    }
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    for row in rows:
        if row["network_id"] in live:
            member = row["organization_id"] or row["contact_id"]
            found[member].append(str(row["network_id"]))
    return found


async def _rows(resource_type: str, ids: set[uuid.UUID]) -> list[dict[str, Any]]:
    return await rows_with_ids(_TABLES[resource_type], ids)


async def _network_members(network_ids: set[uuid.UUID]) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Organisations and contacts that are or ever were members (from the audit trail), so a
    membership removed by an update also leaves the former member's network facet."""
    if not network_ids:
        return set(), set()
    orgs: set[uuid.UUID] = set()
    contacts: set[uuid.UUID] = set()
    current = await NetworkMember.select().where(NetworkMember.network_id.is_in(list(network_ids)))
    for row in current:
        if row["organization_id"]:
            orgs.add(row["organization_id"])
        if row["contact_id"]:
            contacts.add(row["contact_id"])
    history = await AuditEntry.select(AuditEntry.previous, AuditEntry.current).where(
        AuditEntry.resource_id.is_in(list(network_ids))
    )
    for entry in history:
        for raw in (entry["previous"], entry["current"]):
            values = msgspec.json.decode(raw or "{}")
            orgs.update(uuid.UUID(str(ref)) for ref in values.get("member_organization_ids", []))
            contacts.update(uuid.UUID(str(ref)) for ref in values.get("member_contact_ids", []))
    return orgs, contacts


async def _dependants(organization_ids: set[uuid.UUID]) -> dict[str, set[uuid.UUID]]:
    found: dict[str, set[uuid.UUID]] = {"contact": set(), "service": set(), "organization": set()}
    if not organization_ids:
        return found
    ids = list(organization_ids)
    for name, table in (("contact", Contact), ("service", Service)):
        rows = await table.select(table.id).where(table.organization_id.is_in(ids))
        found[name] = {row["id"] for row in rows}
    found["organization"] = set()
    while ids:  # units, their units, and so on: each takes its visibility from those above it
        children = await Organization.select(Organization.id).where(
            Organization.parent_id.is_in(ids)
        )
        ids = [row["id"] for row in children if row["id"] not in found["organization"]]
        found["organization"].update(ids)
    return found


async def affected(changes: Iterable[tuple[str, uuid.UUID]]) -> dict[str, set[uuid.UUID]]:
    """Every record whose document a change to ``changes`` may alter: an organisation's contacts,
    services and units (owner name, visibility, kind), a network's past and present members."""
    selection: dict[str, set[uuid.UUID]] = {name: set() for name in DOCUMENT_TYPES}
    plans: set[uuid.UUID] = set()
    for resource_type, resource_id in changes:
        if resource_type in selection:
            selection[resource_type].add(resource_id)
        elif resource_type == "plan":
            plans.add(resource_id)
    selection["measure"] |= await affected_measures(plans)
    orgs, contacts = await _network_members(selection["network"])
    selection["organization"] |= orgs
    selection["contact"] |= contacts
    for name, ids in (await _dependants(set(selection["organization"]))).items():
        selection[name] |= ids
    return selection


async def build(selection: Mapping[str, set[uuid.UUID]]) -> tuple[list[Document], list[str]]:
    """Documents to store and keys to remove for the records in ``selection``."""
    rows = {name: await _rows(name, set(selection.get(name, set()))) for name in RECORD_TYPES}
    owner_ids = {row["organization_id"] for name in ("contact", "service") for row in rows[name]}
    owner_ids |= {row["parent_id"] for row in rows["organization"] if row["parent_id"]}
    organizations = {row["id"]: row for row in rows["organization"]}
    tried: set[uuid.UUID] = set()
    wanted = owner_ids
    while wanted := wanted - set(organizations) - tried:  # owners and every one above them
        tried |= wanted
        parents = await _rows("organization", wanted)
        organizations.update({row["id"]: row for row in parents})
        wanted = {row["parent_id"] for row in parents if row["parent_id"]}
    memberships = await _memberships(organizations, [row["id"] for row in rows["contact"]])
    context = _Context(organizations, memberships)
    documents, removed = await build_plan(selection)
    for name in RECORD_TYPES:
        found = {row["id"] for row in rows[name]}
        removed += [document_key(name, gone) for gone in selection.get(name, set()) - found]
        for row in rows[name]:
            document = _document(name, row, context)
            if document is None:
                removed.append(document_key(name, row["id"]))
            else:
                documents.append(document)
    return documents, removed


async def all_documents(batch_size: int = 2000) -> AsyncIterator[list[Document]]:
    """Every searchable document, in batches (for a full rebuild); the records of each type in
    name order, each batch of them a run of names (so an index can keep neighbours in title
    order together, see :meth:`search.embedded.EmbeddedBackend.rebuild`)."""
    searchable = await searchable_plan_ids()
    for name in RECORD_TYPES:
        table = _TABLES[name]
        live = table.select(table.id).where(table.retired_at.is_null())  # type: ignore[attr-defined]
        rows = await live.order_by(table.name)  # type: ignore[attr-defined]
        searchable[name] = [row["id"] for row in rows]
    for name, ids in searchable.items():
        for start in range(0, len(ids), batch_size):
            documents, _ = await build({name: set(ids[start : start + batch_size])})
            yield documents


async def count_searchable() -> int:
    """Records that are not retired (an upper bound of the documents a rebuild writes)."""
    total = sum(len(ids) for ids in (await searchable_plan_ids()).values())
    for table in _TABLES.values():
        total += await table.count().where(table.retired_at.is_null())
    return total
