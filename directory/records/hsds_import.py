"""Reading published HSDS 3.0: single objects, Pages, nested trees, Samverkan's own export
document and (through :mod:`directory.records.hsds_tabular`) Tabular Data Packages.

Every object is collected once by its id, wherever it is nested, then mapped to Samverkan's
records (:class:`~directory.records.exchange.RawRow`), which the all-or-nothing importer
validates and writes. A field Samverkan does not hold is a warning with its path, not a refusal.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from directory.core.tables import TaxonomyTerm
from directory.records import hsds
from directory.records.exchange import ExchangeFormatError, RawRow, rows_from_document
from directory.records.hsds_import_fields import (
    CHILDREN,
    FIELDS,
    IGNORED,
    history,
    infer_kind,
    location_text,
    moment,
    phone_number,
    schedule_text,
)
from directory.records.hsds_tabular import nest, read_tables
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS, SERVICES
from directory.records.tables import Organization

_TOP_KEYS = {
    "organizations": "organization",
    "contacts": "contact",
    "services": "service",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "networks": "network",
}
_SPECS = {"organization": ORGANIZATIONS, "contact": CONTACTS, "service": SERVICES}
DEFAULT_KIND = "other"


@dataclass
class Found:
    """One object as collected: where first seen, its fields merged over every occurrence,
    and the ids of the objects it was nested in."""

    kind: str
    where: str
    data: dict[str, Any]
    context: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[Found]] = field(default_factory=dict)


@dataclass
class HsdsRead:
    rows: list[RawRow]
    warnings: list[str]


class _Collector:
    def __init__(self) -> None:
        self.found: dict[tuple[str, str], Found] = {}
        self.order: list[Found] = []
        self.warnings: list[str] = []
        self.anonymous = 0

    def walk(
        self, item: Any, kind: str, where: str, context: Mapping[str, str] | None = None
    ) -> Found | None:
        if not isinstance(item, dict):
            raise ExchangeFormatError(f"{where} must be an object")
        where = item.pop("$where", where)
        key = item.get("id") or f"anonymous-{self.anonymous}"
        self.anonymous += not item.get("id")
        existing = self.found.get((kind, key))
        found = existing or Found(kind, where, {}, dict(context or {}))
        if existing is None:
            self.found[(kind, key)] = found
            self.order.append(found)
        for name, value in item.items():
            self._field(found, name, value, f"{where}.{name}")
        return found

    def _field(self, found: Found, name: str, value: Any, where: str) -> None:
        kind = found.kind
        if name in CHILDREN.get(kind, {}):
            child_kind = CHILDREN[kind][name]
            items = [value] if isinstance(value, dict) else value
            if not isinstance(items, list):
                raise ExchangeFormatError(f"{where} must be a list of objects")
            context = {**found.context, f"{kind}_id": str(found.data.get("id", ""))}
            for index, child in enumerate(items):
                at = where if isinstance(value, dict) else f"{where}[{index}]"
                walked = self.walk(child, child_kind, at, context)
                if walked is not None:
                    siblings = found.children.setdefault(name, [])
                    if all(walked is not other for other in siblings):
                        siblings.append(walked)
        elif name in FIELDS.get(kind, ()) or name in IGNORED.get(kind, ()):
            if found.data.get(name) in (None, "", []):
                found.data[name] = value
        elif value not in (None, "", []):
            self.warnings.append(f"{where}: not held by Samverkan; left out")

    def of_kind(self, kind: str) -> list[Found]:
        return [found for found in self.order if found.kind == kind]


def collect(document: Any) -> _Collector:
    """Every object of ``document``, whatever its shape (object, Page, list, or collection)."""
    collector = _Collector()
    if isinstance(document, list):
        items: Iterable[tuple[str, Any]] = ((f"[{i}]", item) for i, item in enumerate(document))
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        items = ((f"contents[{i}]", item) for i, item in enumerate(document["contents"]))
    elif isinstance(document, dict) and "id" not in document and set(document) & set(_TOP_KEYS):
        for key, kind in _TOP_KEYS.items():
            records = document.get(key, [])
            if not isinstance(records, list):
                raise ExchangeFormatError(f"{key} must be a list")
            for index, record in enumerate(records):
                collector.walk(record, kind, f"{key}[{index}]")
        for orphan in document.get("$orphans", []):
            where = orphan.get("$where", orphan.get("table", ""))
            collector.warnings.append(f"{where}: linked to nothing in the package; left out")
        for name in document.get("$unread", []):
            collector.warnings.append(f"{name}: not held by Samverkan; left out")
        return collector
    elif isinstance(document, dict):
        items = [("", document)]
    else:
        raise ExchangeFormatError("an HSDS document is an object, a Page or a list of objects")
    for where, item in items:
        inferred = infer_kind(item) if isinstance(item, dict) else None
        if inferred is None:
            raise ExchangeFormatError(f"{where or 'the document'}: not an HSDS object")
        collector.walk(item, inferred, where or inferred)
    return collector


class _Mapper:
    def __init__(self, collector: _Collector, terms: Mapping[str, tuple[str, str]]) -> None:
        self.collector = collector
        self.terms = terms
        self.warnings = collector.warnings
        self.services = {f.data.get("id"): f for f in collector.of_kind("service")}
        self.organizations: set[str] = set()
        self.places = {f.data.get("id"): f for f in collector.of_kind("service_at_location")}

    def _values(self, found: Found, names: Mapping[str, str]) -> dict[str, Any]:
        return {
            own: found.data[hsds_name]
            for hsds_name, own in names.items()
            if hsds_name in found.data
        }

    def _phones(self, found: Found) -> list[dict[str, Any]]:
        result = []
        for phone in found.children.get("phones", []):
            number, note = phone_number(str(phone.data.get("number", "")))
            if note:
                self.warnings.append(f"{phone.where}.number: {note}")
            item = {"number": number, "description": phone.data.get("description", "")}
            if phone.data.get("id"):
                item["id"] = phone.data["id"]
            result.append(item)
        return result

    def _codes(self, found: Found, values: dict[str, Any], fields: Mapping[str, str]) -> None:
        """Codes from the attributes, for the code fields the extensions did not give."""
        from_attributes: dict[str, list[str]] = {}
        for attribute in found.children.get("attributes", []):
            term = self.terms.get(str(attribute.data.get("taxonomy_term_id", "")))
            if term is None:
                self.warnings.append(
                    f"{attribute.where}: its taxonomy term is not in Samverkan's vocabulary; "
                    "left out"
                )
                continue
            from_attributes.setdefault(term[0], []).append(term[1])
        for own, taxonomy in fields.items():
            if own not in values and taxonomy in from_attributes:
                codes = from_attributes[taxonomy]
                values[own] = codes[0] if own == "kind" else codes

    def _row(self, found: Found, values: dict[str, Any], status: str = "active") -> RawRow:
        spec = _SPECS.get(found.kind, NETWORKS)
        last_modified = moment(found.data.get("last_modified", "")) or None
        retired = status != "active"
        return RawRow(
            spec, found.where, values, last_modified, retired, history(found, self.warnings)
        )

    def organization(self, found: Found) -> RawRow:
        values = self._values(found, FIELDS["organization"])
        if found.children.get("phones"):
            values["phones"] = self._phones(found)
        for location in found.children.get("locations", []):
            target = {"physical": "visiting_address", "postal": "postal_address"}.get(
                str(location.data.get("location_type")), ""
            )
            text = location_text(location, found.data.get("name", ""), self.warnings)
            if target and text and target not in values:
                values[target] = text
            elif text:
                self.warnings.append(f"{location.where}: a second address; left out")
        self._codes(found, values, {"kind": "kind", "areas": "area", "levels": "level"})
        if "kind" not in values:
            values["kind"] = DEFAULT_KIND
            self.warnings.append(f"{found.where}: kind not given; set to {DEFAULT_KIND!r}")
        return self._row(found, values)

    def owner_of(self, found: Found) -> str | None:
        """The organisation a contact or service belongs to: its own ``organization_id`` when
        that is known, else the one it is nested in, else its service's."""
        own = str(found.data.get("organization_id") or "")
        candidates = [
            own,
            found.context.get("organization_id", ""),
            *(str(f.data.get("id", "")) for f in found.children.get("organization", [])),
        ]
        service = self.services.get(
            found.context.get("service_id") or found.data.get("service_id") or self._placed(found)
        )
        if service is not None and service is not found:
            candidates.append(self.owner_of(service) or "")
        known = next((c for c in candidates if c and c in self.organizations), None)
        if known and own and known != own:
            self.warnings.append(
                f"{found.where}.organization_id: {own} is in neither the file nor Samverkan; "
                f"{known} (where it is published) is used"
            )
        return known or own or None

    def _placed(self, found: Found) -> str | None:
        """The service of the service_at_location ``found`` was nested in, if any."""
        place = self.places.get(found.context.get("service_at_location_id", ""))
        if place is None:
            return None
        nested = place.children.get("service", [])
        return str(place.data.get("service_id") or (nested[0].data.get("id") if nested else ""))

    def contact(self, found: Found) -> RawRow | None:
        values = self._values(found, FIELDS["contact"])
        owner = self.owner_of(found)
        if owner is None:
            self.warnings.append(f"{found.where}: belongs to no organisation; left out")
            return None
        values["organization_id"] = owner
        if found.children.get("phones"):
            values["phones"] = self._phones(found)
        self._codes(found, values, {"areas": "area"})
        return self._row(found, values)

    def service(self, found: Found) -> RawRow | None:
        values = self._values(found, FIELDS["service"])
        owner = self.owner_of(found)
        if owner is None:
            self.warnings.append(f"{found.where}: belongs to no organisation; left out")
            return None
        values["organization_id"] = owner
        if found.children.get("phones"):
            values["phones"] = self._phones(found)
        hours = schedule_text(found.children.get("schedules", []), self.warnings)
        if hours:
            values["hours"] = hours
        self._codes(found, values, {"areas": "area", "levels": "level"})
        status = str(found.data.get("status", "active"))
        if status not in {"active", "inactive"}:
            self.warnings.append(f"{found.where}.status: {status!r} is kept as inactive")
        return self._row(found, values, status)

    def network(self, found: Found) -> RawRow:
        return self._row(found, self._values(found, FIELDS["network"]))


async def _vocabulary() -> dict[str, tuple[str, str]]:
    rows = await TaxonomyTerm.select(TaxonomyTerm.taxonomy, TaxonomyTerm.code)
    return {hsds.term_id(r["taxonomy"], r["code"]): (r["taxonomy"], r["code"]) for r in rows}


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def _existing(table: Any, ids: Iterable[str]) -> set[str]:
    wanted = [u for u in dict.fromkeys(_uuid(i) for i in ids) if u]
    if not wanted:
        return set()
    rows = await table.select(table.id).where(table.id.is_in(wanted))
    return {str(row["id"]) for row in rows}


def _present(rows: Iterable[RawRow | None]) -> list[RawRow]:
    return [row for row in rows if row is not None]


async def read_hsds(document: Any) -> HsdsRead:
    """The Samverkan rows of an HSDS document, and what was left out or assumed."""
    collector = collect(document)
    vocabulary = await _vocabulary()
    mapper = _Mapper(collector, vocabulary)
    rows = [mapper.organization(f) for f in collector.of_kind("organization")]
    organizations = {str(row.values.get("id")) for row in rows}
    organizations |= await _existing(
        Organization,
        [str(f.data.get("organization_id", "")) for f in collector.order]
        + [str(row.values.get("parent_id", "")) for row in rows],
    )
    mapper.organizations = organizations
    for row in rows:
        parent = row.values.get("parent_id")
        if parent and str(parent) not in organizations:
            del row.values["parent_id"]
            mapper.warnings.append(
                f"{row.where}.parent_organization_id: {parent} is in neither the file nor "
                "Samverkan; left out"
            )
    services = _present(mapper.service(f) for f in collector.of_kind("service"))
    contacts = _present(mapper.contact(f) for f in collector.of_kind("contact"))
    consumed = {
        id(loc)
        for f in collector.of_kind("organization")
        for loc in f.children.get("locations", [])
    }
    for found in collector.of_kind("location"):
        if id(found) not in consumed:
            mapper.warnings.append(f"{found.where}: a location of no organisation; left out")
    networks = [mapper.network(f) for f in collector.of_kind("network")]
    for found in collector.of_kind("taxonomy_term"):
        if str(found.data.get("id")) not in vocabulary:
            mapper.warnings.append(f"{found.where}: Samverkan keeps its own vocabulary; left out")
    warnings = list(dict.fromkeys(mapper.warnings))
    return HsdsRead([*rows, *contacts, *services, *networks], warnings)


def _tabular_json(document: Any) -> bool:
    """The specification's ``tabular.json`` shape: each CSV file's rows under its name."""
    return (
        isinstance(document, dict)
        and bool(document)
        and all(key.endswith(".csv") and isinstance(rows, list) for key, rows in document.items())
    )


async def read_document(document: Any) -> HsdsRead:
    """Rows of a decoded JSON document: Samverkan's version-1 document as before, the tables of
    a package given as JSON, or any HSDS JSON."""
    if isinstance(document, dict) and isinstance(document.get("version"), int):
        return HsdsRead(rows_from_document(document), [])
    if _tabular_json(document):
        tables = {
            name: [{**row, "$where": f"{name} row {i + 1}"} for i, row in enumerate(rows)]
            for name, rows in document.items()
        }
        return await read_hsds(nest(tables))
    return await read_hsds(document)


async def read_path(path: Path) -> HsdsRead:
    """Rows of an HSDS JSON file, or of a Tabular Data Package (its folder or its
    ``datapackage.json``); raises :class:`ExchangeFormatError` for an unreadable one."""
    if path.is_dir() or path.name == "datapackage.json":
        return await read_hsds(nest(read_tables(path)))
    try:
        document = msgspec.json.decode(path.read_bytes())
    except msgspec.DecodeError as error:
        raise ExchangeFormatError(f"not valid JSON: {error}") from None
    return await read_document(document)
