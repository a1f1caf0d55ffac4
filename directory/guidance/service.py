"""The "Vid oro" guidance: default content, reading it with its directory entries, and editing."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec
from piccolo.columns.combination import WhereRaw

from directory.core.access import Principal
from directory.core.database import json_list_contains, transaction
from directory.core.errors import N_, InvalidField, NotFound, PermissionDenied
from directory.core.tables import AuditEntry
from directory.core.validation import check_phone, check_required
from directory.guidance.tables import GuidanceSection
from directory.records.resources import CONTACTS, SERVICES
from directory.records.service import visibility_filter
from directory.records.tables import Contact, Organization, Service

DEFAULT_SECTIONS: tuple[dict[str, Any], ...] = (
    {
        "heading_sv": "Akut fara",
        "heading_en": "Acute danger",
        "body_sv": "Om någon är i akut fara eller ett brott pågår: ring 112.",
        "body_en": "If someone is in acute danger or a crime is in progress: call 112.",
        "phone": "112",
    },
    {
        "heading_sv": "Oro för ett barn eller en ung person",
        "heading_en": "Concern about a child or young person",
        "body_sv": "Kontakta socialtjänsten och gör en orosanmälan. Socialtjänsten bedömer "
        "behovet av stöd och samverkar med polisen.",
        "body_en": "Contact social services and make a report of concern. Social services "
        "assess the need for support and work with the police.",
        "directory_area": "social_services",
        "directory_kind": "internal",
    },
    {
        "heading_sv": "Annan oro för våldsbejakande extremism",
        "heading_en": "Other concern about violent extremism",
        "body_sv": "Kontakta polisen på 114 14. Polisen bedömer om ärendet ska gå vidare.",
        "body_en": "Contact the police on 114 14. The police assess whether to take it further.",
        "phone": "114 14",
        "directory_area": "crime_prevention",
        "directory_kind": "internal",
    },
    {
        "heading_sv": "Stöd till anhöriga",
        "heading_en": "Support for relatives",
        "body_sv": "Anhöriga kan få stöd lokalt och nationellt, även anonymt.",
        "body_en": "Relatives can get support locally and nationally, also anonymously.",
        "directory_area": "relatives_support",
    },
)

OWN_UNITS_FIRST: Final = frozenset({"social_services"})
"""Areas whose step lists the area's own units first: for a concern about a child the plan says
"contact social services", so their intake and socialjouren (entries that work in social
services only) come before the units that also work with children, such as a field group."""

EDITABLE = ("heading_sv", "heading_en", "body_sv", "body_en", "phone")
_MAX_LENGTH = {"heading_sv": 200, "heading_en": 200, "body_sv": 5000, "body_en": 5000, "phone": 40}


@dataclass(frozen=True)
class DirectoryEntry:
    """A service or function contact listed under a step, as the principal may see it; ``also``
    holds the others of its organisation reached the same way (resource, id, name)."""

    resource: str
    id: uuid.UUID
    name: str
    organization: str
    phones: list[dict[str, str]]
    email: str
    also: list[tuple[str, uuid.UUID, str]] = field(default_factory=list)


def _merged(entries: list[tuple[uuid.UUID, DirectoryEntry]]) -> list[DirectoryEntry]:
    """One line per organisation and way to reach it (phone numbers and email): a unit's
    service and its function contact with the same number are one call to make, listed once
    under the contact's name. Function contacts (whom to call) come first, then services."""
    groups: dict[object, list[DirectoryEntry]] = {}
    for organization_id, entry in entries:
        numbers = tuple(sorted(phone.get("number", "") for phone in entry.phones))
        reach = (organization_id, numbers, entry.email) if numbers or entry.email else entry.id
        groups.setdefault(reach, []).append(entry)
    merged = []
    for group in groups.values():
        group.sort(key=lambda entry: (entry.resource != "contact", entry.name.casefold()))
        head, *rest = group
        also = [(entry.resource, entry.id, entry.name) for entry in rest if entry.name != head.name]
        merged.append(dataclasses.replace(head, also=also))
    return sorted(merged, key=lambda entry: (entry.resource != "contact", entry.name.casefold()))


@dataclass(frozen=True)
class Section:
    id: uuid.UUID
    position: int
    values: dict[str, str]
    entries: list[DirectoryEntry] = field(default_factory=list)


async def _ensure_defaults() -> None:
    """Seed the plan's four steps the first time the card is read."""
    if await GuidanceSection.exists():
        return
    async with transaction():
        if await GuidanceSection.exists():
            return
        await GuidanceSection.insert(
            *(
                GuidanceSection(position=position, **values)
                for position, values in enumerate(DEFAULT_SECTIONS)
            )
        )


def _contains(column: str, code: str) -> WhereRaw:
    """Same bound-parameter JSON-list match as the record filters."""
    return json_list_contains(column, code)


async def _entries(principal: Principal, area: str, kind: str) -> list[DirectoryEntry]:
    """Visible services and function contacts in ``area``, of organisations of ``kind``."""
    owners = Organization.select(Organization.id).where(
        Organization.retired_at.is_null()
        & Organization.visibility.is_in(list(principal.readable_visibilities))
    )
    if kind:
        owners = owners.where(Organization.kind == kind)
    names = {
        row["id"]: row["name"]
        for row in await Organization.select(Organization.id, Organization.name)
    }
    entries: list[tuple[uuid.UUID, DirectoryEntry]] = []
    own: set[uuid.UUID] = set()
    for spec, table, extra in (
        (SERVICES, Service, None),
        (CONTACTS, Contact, Contact.is_function == True),  # noqa: E712
    ):
        query = table.select().where(
            visibility_filter(spec, principal)
            & table.retired_at.is_null()
            & table.organization_id.is_in(owners)
            & _contains("areas", area)
        )
        if extra is not None:
            query = query.where(extra)
        for row in await query.order_by(table.name):
            entry = DirectoryEntry(
                resource=spec.name,
                id=row["id"],
                name=row["name"],
                organization=names.get(row["organization_id"], ""),
                phones=msgspec.json.decode(row["phones"]),
                email=row["email"],
            )
            entries.append((row["organization_id"], entry))
            if area in OWN_UNITS_FIRST and set(msgspec.json.decode(row["areas"])) == {area}:
                own.add(row["id"])
    merged = _merged(entries)  # sorted is stable: the merged order holds within each part
    return sorted(merged, key=lambda entry: not _is_own(entry, own))


def _is_own(entry: DirectoryEntry, own: set[uuid.UUID]) -> bool:
    return entry.id in own or any(ref in own for _, ref, _ in entry.also)


async def sections(principal: Principal) -> list[Section]:
    """The card in order, each step with the directory entries it points to."""
    await _ensure_defaults()
    result = []
    for row in await GuidanceSection.select().order_by(GuidanceSection.position):
        entries = (
            await _entries(principal, row["directory_area"], row["directory_kind"])
            if row["directory_area"]
            else []
        )
        result.append(
            Section(row["id"], row["position"], {key: row[key] for key in EDITABLE}, entries)
        )
    return result


def validate(values: dict[str, str]) -> None:
    """Raise :class:`InvalidField` naming the first bad field of an edit."""
    for key in ("heading_sv", "heading_en"):
        check_required(key, values.get(key, ""))
    for key, limit in _MAX_LENGTH.items():
        if len(values.get(key, "")) > limit:
            raise InvalidField(key, N_("at most %(limit)s characters"), {"limit": limit})
    if values.get("phone"):
        check_phone("phone", values["phone"])


async def update_section(
    principal: Principal, section_id: uuid.UUID, values: dict[str, str]
) -> None:
    """Change one step's texts (admins only), with an audit entry like any directory write."""
    if principal.role != "admin":
        raise PermissionDenied("only an admin edits the guidance")
    validate(values)
    changes = {key: values.get(key, "") for key in EDITABLE}
    async with transaction():
        current = await GuidanceSection.select().where(GuidanceSection.id == section_id).first()
        if current is None:
            raise NotFound("guidance_section", str(section_id))
        await GuidanceSection.update(changes).where(GuidanceSection.id == section_id)  # type: ignore[arg-type]
        await AuditEntry.insert(
            AuditEntry(
                actor=principal.username,
                action="update",
                resource_type="guidance_section",
                resource_id=section_id,
                previous=msgspec.json.encode({k: current[k] for k in EDITABLE}).decode(),
                current=msgspec.json.encode(changes).decode(),
            )
        )
