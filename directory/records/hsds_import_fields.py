"""Which HSDS 3.0 fields Samverkan reads, under which of its own names, and the small
conversions an import needs (addresses, phone numbers, schedules, what an object is)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

from directory.records import hsds

_SAME = ("id", "name")
_VERIFIED = ("assured_date", "assurer_email")


def _named(*names: str, **renamed: str) -> dict[str, str]:
    return {**{name: name for name in names}, **renamed}


# HSDS field -> Samverkan field, per object; extensions keep their Samverkan names.
FIELDS: Final[dict[str, dict[str, str]]] = {
    "organization": _named(
        *_SAME,
        "alternate_name",
        "description",
        "email",
        "website",
        "kind",
        "municipality",
        "visibility",
        "areas",
        "levels",
        "languages",
        *_VERIFIED,
        parent_organization_id="parent_id",
    ),
    "contact": _named(
        *_SAME, "title", "email", "is_function", "visibility", "languages", "areas", *_VERIFIED
    ),
    "service": _named(
        *_SAME,
        "description",
        "url",
        "email",
        "visibility",
        "areas",
        "levels",
        *_VERIFIED,
        eligibility_description="audience",
        application_process="how_to_reach",
        fees_description="cost",
    ),
    "network": _named(
        *_SAME,
        "alternate_name",
        "description",
        "municipality",
        "areas",
        "levels",
        "visibility",
        *_VERIFIED,
        "member_organization_ids",
        "member_contact_ids",
    ),
    "phone": _named("id", "number", "description"),
    "location": _named("id", "location_type", "name"),
    "address": _named(
        "id",
        "address_1",
        "address_2",
        "city",
        "postal_code",
        "state_province",
        "country",
        "address_type",
    ),
    "schedule": _named("id", "description"),
    "service_at_location": _named("id"),
    "attribute": _named("id", "link_type", "link_entity", "taxonomy_term_id", "value"),
    "metadata": _named(
        "id",
        "resource_id",
        "resource_type",
        "last_action_date",
        "last_action_type",
        "field_name",
        "previous_value",
        "replacement_value",
        "updated_by",
    ),
    "taxonomy": _named("id", "name", "description", "uri", "version"),
    "taxonomy_term": _named(
        "id",
        "code",
        "name",
        "description",
        "taxonomy",
        "taxonomy_id",
        "language",
        "parent_id",
        "term_uri",
        "name_en",
    ),
}
_LINKS = ("organization_id", "service_id", "contact_id", "location_id", "service_at_location_id")
# Fields read without a warning though no Samverkan field takes them as they are.
IGNORED: Final[dict[str, tuple[str, ...]]] = {
    "organization": ("last_modified",),
    "contact": (*_LINKS, "last_modified"),
    "service": ("organization_id", "status", "last_modified"),
    "network": ("last_modified",),
    "phone": _LINKS,
    "location": ("organization_id",),
    "address": ("location_id",),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "service_at_location": ("service_id", "location_id"),
    "attribute": ("link_id", "taxonomy_term"),
    "taxonomy_term": ("taxonomy_detail",),
}
CHILDREN: Final[dict[str, dict[str, str]]] = {
    "organization": {
        "phones": "phone",
        "locations": "location",
        "contacts": "contact",
        "services": "service",
        "attributes": "attribute",
        "metadata": "metadata",
    },
    "service": {
        "organization": "organization",
        "phones": "phone",
        "schedules": "schedule",
        "service_at_locations": "service_at_location",
        "contacts": "contact",
        "attributes": "attribute",
        "metadata": "metadata",
    },
    "contact": {"phones": "phone", "attributes": "attribute", "metadata": "metadata"},
    "location": {"addresses": "address", "contacts": "contact"},
    "service_at_location": {"service": "service", "location": "location", "contacts": "contact"},
}
_SERVICE_HINTS = {"status", "organization", "service_at_locations", "eligibility_description"}
_ORGANIZATION_HINTS = {
    "parent_organization_id",
    "website",
    "locations",
    "services",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
    "logo",
    "funding",
    "programs",
    "organization_identifiers",
}
_TERM_HINTS = {"taxonomy", "taxonomy_id", "taxonomy_detail", "code", "term_uri"}


def infer_kind(item: Mapping[str, Any]) -> str | None:
    """What an HSDS object standing alone is, from the fields only that object has."""
    keys = set(item)
    if "location_type" in keys:
        return "location"
    if keys & {"service", "location"} or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if keys & _SERVICE_HINTS:
        return "service"
    if keys & _TERM_HINTS:
        return "taxonomy_term"
    if keys & _ORGANIZATION_HINTS:
        return "organization"
    if keys & {"title", "department", "organization_id"}:
        return "contact"
    if "name" in keys and keys <= {"id", "name", "description", "uri", "version", "metadata"}:
        return "taxonomy" if keys & {"uri", "version"} else "organization"
    return "organization" if "name" in keys else None


class Collected(Protocol):
    where: str
    data: dict[str, Any]
    children: dict[str, list[Any]]


def location_text(location: Collected, organization_name: str, warnings: list[str]) -> str:
    """The free-text address Samverkan keeps for a location; what it cannot keep, warned."""
    addresses = location.children.get("addresses", [])
    name = location.data.get("name", "")
    if name and name != organization_name:
        warnings.append(f"{location.where}.name: not held by Samverkan; left out")
    if not addresses:
        return ""
    for extra in addresses[1:]:
        warnings.append(f"{extra.where}: a second address; left out")
    address = addresses[0]
    if address.data.get("state_province"):
        warnings.append(f"{address.where}.state_province: not held by Samverkan; left out")
    if address.data.get("country") not in (None, "", "SE"):
        warnings.append(f"{address.where}.country: not held by Samverkan; left out")
    return hsds.address_text(address.data)


def phone_number(raw: str) -> tuple[str, str]:
    """The number without quotes and spaces around it (some publications quote it)."""
    number = raw.strip().strip('"').strip()
    return number, ("quotes and spaces around the number removed" if number != raw else "")


def schedule_text(schedules: Sequence[Collected], warnings: list[str]) -> str:
    """Samverkan keeps opening hours as text: the schedules' descriptions, one a line."""
    texts = [str(s.data["description"]) for s in schedules if s.data.get("description")]
    return "\n".join(texts)


def moment(value: Any) -> dt.datetime | None:
    """An ISO 8601 date or date-time (UTC when it has no offset), or ``None``."""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def history(found: Collected, warnings: list[str]) -> list[dict[str, Any]]:
    """The object's metadata as audit entries: one per date, action and author."""
    entries: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in found.children.get("metadata", []):
        data = item.data
        at = moment(data.get("last_action_date", ""))
        if at is None:
            warnings.append(f"{item.where}.last_action_date: not a date; left out")
            continue
        action = str(data.get("last_action_type", "update"))[:20]
        key = (at, action, str(data.get("updated_by", ""))[:150])
        entry = entries.setdefault(
            key,
            {"at": at, "action": key[1], "actor": key[2], "previous": {}, "current": {}},
        )
        name = hsds.SAMVERKAN_NAMES.get(data.get("field_name", ""), data.get("field_name", ""))
        entry["previous"][name] = str(data.get("previous_value", ""))
        entry["current"][name] = str(data.get("replacement_value", ""))
    return list(entries.values())
