"""The HSDS API profile's reads, for one principal: Pages of services, organisations,
service_at_locations, taxonomies and taxonomy terms, and single fully nested objects.

What a caller sees is decided by :func:`directory.records.service.visibility_filter`, as in every
other read; a service is listed with its organisation only while that organisation is current.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Where, WhereRaw

from directory.core.access import Principal
from directory.core.errors import NotFound
from directory.core.schemas import Page
from directory.core.tables import TaxonomyTerm
from directory.records import hsds, hsds_export
from directory.records.resources import CONTACTS, ORGANIZATIONS, SERVICES, ResourceSpec
from directory.records.service import visibility_filter

_ARRAYS = ("phones", "locations", "schedules", "service_at_locations", "attributes", "metadata")


@dataclass(frozen=True)
class HsdsQuery:
    """The profile's filters; every one given narrows the result (they are cumulative)."""

    page: int = 1
    per_page: int = 50
    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: dt.datetime | None = None
    full: bool = False
    full_service: bool = False
    parent_id: str = ""
    top_only: bool = False


def one_to_one(item: dict[str, Any]) -> dict[str, Any]:
    """An object without its nested lists, as the profile's list endpoints give it."""
    return {key: value for key, value in item.items() if key not in _ARRAYS}


def _page(contents: list[Any], total: int, query: HsdsQuery) -> Page[Any]:
    pages = max(1, math.ceil(total / query.per_page))
    return Page(
        total_items=total,
        total_pages=pages,
        page_number=query.page,
        size=len(contents),
        first_page=query.page == 1,
        last_page=query.page >= pages,
        empty=not contents,
        contents=contents,
    )


def _like(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(spec: ResourceSpec, term: str) -> WhereRaw:
    columns = ["name", "description", *(["audience"] if spec is SERVICES else [])]
    sql = " OR ".join(f"LOWER({column}) LIKE {{}} ESCAPE '\\'" for column in columns)
    return WhereRaw(f"({sql})", *([_like(term)] * len(columns)))


async def _term(term_id: str) -> tuple[str, str] | None:
    for row in await TaxonomyTerm.select(TaxonomyTerm.taxonomy, TaxonomyTerm.code):
        if hsds.term_id(row["taxonomy"], row["code"]) == term_id:
            return row["taxonomy"], row["code"]
    return None


_COLUMNS = {"area": "areas", "level": "levels", "kind": "kind"}


def _coded(spec: ResourceSpec, taxonomy: str, code: str | None) -> Where | WhereRaw | None:
    column = _COLUMNS.get(taxonomy)
    if column is None or column not in spec.column_names:
        return None
    if column == "kind":
        table = spec.table
        return table.kind == code if code else table.kind != ""  # type: ignore[attr-defined,no-any-return]
    if code is None:
        return WhereRaw(f"{column} != '[]'")
    return WhereRaw(f"{column} LIKE {{}}", f'%"{code}"%')


class HsdsDirectory:
    """The HSDS view of the directory for one principal."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.visibilities = principal.readable_visibilities

    def _readable(self, spec: ResourceSpec) -> list[Any]:
        conditions: list[Any] = [visibility_filter(spec, self.principal)]
        if spec is ORGANIZATIONS:
            conditions.append(hsds_export.current(spec))
        else:
            owners = ORGANIZATIONS.table.select(ORGANIZATIONS.table.id).where(  # type: ignore[attr-defined]
                hsds_export.current(ORGANIZATIONS)
            )
            conditions.append(spec.table.organization_id.is_in(owners))  # type: ignore[attr-defined]
            if spec is not SERVICES:
                conditions.append(hsds_export.current(spec))
        return conditions

    async def _conditions(self, spec: ResourceSpec, query: HsdsQuery) -> list[Any] | None:
        """The filters as conditions, or ``None`` when they cannot match anything."""
        table = spec.table
        conditions = self._readable(spec)
        if query.search:
            conditions.append(_search(spec, query.search))
        if query.organization_id:
            conditions.append(table.organization_id == query.organization_id)  # type: ignore[attr-defined]
        if query.modified_after is not None:
            conditions.append(table.last_modified >= query.modified_after)  # type: ignore[attr-defined]
        if query.taxonomy_term_id:
            found = await _term(query.taxonomy_term_id)
            coded = _coded(spec, *found) if found else None
            if coded is None:
                return None
            conditions.append(coded)
        if query.taxonomy_id:
            taxonomy = next(
                (name for name in _COLUMNS if hsds.taxonomy_id(name) == query.taxonomy_id), None
            )
            coded = _coded(spec, taxonomy, None) if taxonomy else None
            if coded is None:
                return None
            conditions.append(coded)
        return conditions

    async def _records(
        self, spec: ResourceSpec, query: HsdsQuery, extra: Sequence[Any] = ()
    ) -> tuple[list[dict[str, Any]], int]:
        conditions = await self._conditions(spec, query)
        if conditions is None:
            return [], 0
        conditions = [*conditions, *extra]
        where = conditions[0]
        for condition in conditions[1:]:
            where = where & condition
        total = await spec.table.count().where(where)
        records = await hsds_export.select_records(
            spec,
            conditions,
            limit=query.per_page,
            offset=(query.page - 1) * query.per_page,
            order=spec.table.name,  # type: ignore[attr-defined]
        )
        return records, total

    async def _owners(self, records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        ids = list({record["organization_id"] for record in records}) or [None]
        table = ORGANIZATIONS.table
        found = await hsds_export.select_records(ORGANIZATIONS, [table.id.is_in(ids)])  # type: ignore[attr-defined]
        return {record["id"]: record for record in found}

    async def _full_services(self, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Services with their organisation, its contacts, and each place's location."""
        owners = await self._owners(records)
        services = await hsds_export.services(records, owners)
        organizations = {
            o["id"]: o
            for o in await hsds_export.organizations(list(owners.values()), self.visibilities)
        }
        org_ids: list[Any] = list(owners) or [None]
        contact_records = await hsds_export.select_records(
            CONTACTS,
            [*self._readable(CONTACTS), CONTACTS.table.organization_id.is_in(org_ids)],  # type: ignore[attr-defined]
        )
        contacts = await hsds_export.contacts(contact_records)
        for service in services:
            organization = organizations[service["organization_id"]]
            service["organization"] = one_to_one(organization)
            service["contacts"] = [
                c for c in contacts if c["organization_id"] == service["organization_id"]
            ]
            places = {loc["id"]: loc for loc in organization["locations"]}
            for place in service["service_at_locations"]:
                place["location"] = places[place["location_id"]]
        return services

    async def services(self, query: HsdsQuery) -> Page[Any]:
        records, total = await self._records(SERVICES, query)
        if query.full:
            return _page(await self._full_services(records), total, query)
        services = await hsds_export.services(records, await self._owners(records))
        return _page([one_to_one(s) for s in services], total, query)

    async def service(self, service_id: str) -> dict[str, Any]:
        table = SERVICES.table
        records = await hsds_export.select_records(
            SERVICES,
            [*self._readable(SERVICES), table.id == service_id],  # type: ignore[attr-defined]
        )
        if not records:
            raise NotFound("service", service_id)
        return (await self._full_services(records))[0]

    async def organizations(self, query: HsdsQuery) -> Page[Any]:
        records, total = await self._records(ORGANIZATIONS, query)
        organizations = await hsds_export.organizations(records, self.visibilities)
        if query.full or query.full_service:
            organizations = [await self._nested(o, query.full_service) for o in organizations]
        else:
            organizations = [one_to_one(o) for o in organizations]
        return _page(organizations, total, query)

    async def organization(self, organization_id: str, full_service: bool) -> dict[str, Any]:
        table = ORGANIZATIONS.table
        records = await hsds_export.select_records(
            ORGANIZATIONS,
            [*self._readable(ORGANIZATIONS), table.id == organization_id],  # type: ignore[attr-defined]
        )
        if not records:
            raise NotFound("organization", organization_id)
        organization = (await hsds_export.organizations(records, self.visibilities))[0]
        return await self._nested(organization, full_service)

    async def _nested(self, organization: dict[str, Any], full_service: bool) -> dict[str, Any]:
        """The organisation with its contacts and its services (just their one-to-one fields,
        or fully nested with ``full_service``)."""
        by_owner = SERVICES.table.organization_id == organization["id"]  # type: ignore[attr-defined]
        records = await hsds_export.select_records(SERVICES, [*self._readable(SERVICES), by_owner])
        if full_service:
            services = await self._full_services(records)
        else:
            owners = {organization["id"]: await self._owner_record(organization["id"])}
            services = [one_to_one(s) for s in await hsds_export.services(records, owners)]
        by_org = CONTACTS.table.organization_id == organization["id"]  # type: ignore[attr-defined]
        contact_records = await hsds_export.select_records(
            CONTACTS, [*self._readable(CONTACTS), by_org]
        )
        return {
            **organization,
            "contacts": await hsds_export.contacts(contact_records),
            "services": services,
        }

    async def _owner_record(self, organization_id: str) -> dict[str, Any]:
        table = ORGANIZATIONS.table
        return (
            await hsds_export.select_records(ORGANIZATIONS, [table.id == organization_id])  # type: ignore[attr-defined]
        )[0]

    async def service_at_locations(self, query: HsdsQuery) -> Page[Any]:
        """A service is at its organisation's visiting address, when it has one."""
        table = ORGANIZATIONS.table
        visited = table.select(table.id).where(table.visiting_address != "")  # type: ignore[attr-defined]
        at_place = [SERVICES.table.organization_id.is_in(visited)]  # type: ignore[attr-defined]
        records, total = await self._records(SERVICES, query, at_place)
        services = await self._full_services(records)
        contents = [self._place(service, query.full) for service in services]
        return _page(contents, total, query)

    def _place(self, service: dict[str, Any], full: bool) -> dict[str, Any]:
        place = dict(service["service_at_locations"][0])
        location = place["location"]
        place["location"] = location if full else one_to_one(location)
        place["service"] = service if full else one_to_one(service)
        if full:
            place["contacts"] = service["contacts"]
        return place

    async def service_at_location(self, place_id: str) -> dict[str, Any]:
        table = ORGANIZATIONS.table
        visited = table.select(table.id).where(table.visiting_address != "")  # type: ignore[attr-defined]
        conditions = [*self._readable(SERVICES), SERVICES.table.organization_id.is_in(visited)]  # type: ignore[attr-defined]
        records = await hsds_export.select_records(SERVICES, conditions)
        for service in await self._full_services(records):
            if service["service_at_locations"][0]["id"] == place_id:
                return self._place(service, True)
        raise NotFound("service_at_location", place_id)

    async def taxonomy_terms(self, query: HsdsQuery) -> Page[Any]:
        """Samverkan's terms have no parents: ``top_only`` keeps them all, a ``parent_id``
        matches none."""
        terms = await hsds_export.terms()
        tests: list[Callable[[dict[str, Any]], bool]] = []
        if query.taxonomy_id:
            tests.append(lambda t: t["taxonomy_id"] == query.taxonomy_id)
        if query.search:
            needle = query.search.lower()
            tests.append(lambda t: needle in f"{t['name']} {t['description']}".lower())
        if query.parent_id:
            tests.append(lambda t: t.get("parent_id") == query.parent_id)
        return self._slice([t for t in terms if all(test(t) for test in tests)], query)

    async def taxonomies(self, query: HsdsQuery) -> Page[Any]:
        found = hsds.taxonomies(await hsds_export.terms())
        needle = query.search.lower()
        return self._slice(
            [t for t in found if needle in f"{t['name']} {t['description']}".lower()], query
        )

    async def taxonomy(self, taxonomy_id: str) -> dict[str, Any]:
        for taxonomy in hsds.taxonomies(await hsds_export.terms()):
            if taxonomy["id"] == taxonomy_id:
                return taxonomy
        raise NotFound("taxonomy", taxonomy_id)

    async def taxonomy_term(self, term_id: str) -> dict[str, Any]:
        for term in await hsds_export.terms():
            if term["id"] == term_id:
                return term
        raise NotFound("taxonomy_term", term_id)

    def _slice(self, items: list[dict[str, Any]], query: HsdsQuery) -> Page[Any]:
        start = (query.page - 1) * query.per_page
        return _page(items[start : start + query.per_page], len(items), query)
