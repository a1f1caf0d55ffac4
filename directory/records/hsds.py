"""Samverkan's records as Open Referral HSDS 3.0 objects.

The functions here are pure: they take records as JSON builtins (as :mod:`directory.export`
reads them) and return HSDS objects that validate against the HSDS 3.0 JSON Schemas. Ids that
Samverkan does not store (locations, addresses, attributes, schedules, taxonomies, metadata, and
phones without a stored id) are UUIDv5s of what they describe, so every export and every
Samverkan installation gives the same object the same id.

HSDS has no place for some of Samverkan's fields; they travel as extension properties with their
Samverkan names (``EXTENSIONS``), which HSDS 3 allows (its schemas admit additional properties).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import msgspec

HSDS_VERSION: Final = "3.0"
PROFILE_URL: Final = "https://docs.openreferral.org/en/v3.0/"
NAMESPACE: Final = uuid.UUID("6f1d2c3e-5b0a-5e8e-9a57-73616d76726b")

# Samverkan field -> HSDS field, where HSDS has a name for it.
HSDS_NAMES: Final[dict[str, str]] = {
    "parent_id": "parent_organization_id",
    "audience": "eligibility_description",
    "how_to_reach": "application_process",
    "cost": "fees_description",
    "hours": "schedules",
    "retired_at": "status",
}
SAMVERKAN_NAMES: Final = {
    hsds: own for own, hsds in HSDS_NAMES.items() if own not in {"retired_at", "hours"}
}
EXTENSIONS: Final[dict[str, tuple[str, ...]]] = {
    "organization": (
        "kind",
        "municipality",
        "visibility",
        "areas",
        "levels",
        "languages",
        "assured_date",
        "assurer_email",
        "last_modified",
    ),
    "contact": (
        "is_function",
        "visibility",
        "languages",
        "areas",
        "assured_date",
        "assurer_email",
        "last_modified",
    ),
    "service": ("visibility", "areas", "levels"),
}
TAXONOMY_DESCRIPTIONS: Final = {
    "kind": "Kinds of organisation in a Swedish municipal collaboration network",
    "area": "Areas of work against violent extremism",
    "level": "Prevention levels (general, selective, indicated)",
}
_ADDRESS = re.compile(r"^(?P<street>.+), (?P<postal_code>\d{3} ?\d{2}) (?P<city>[^,]+)$")


def stable_id(*parts: object) -> str:
    """The UUIDv5 of ``parts``: the same thing gets the same id in every export."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def taxonomy_id(taxonomy: str) -> str:
    return stable_id("taxonomy", taxonomy)


def term_id(taxonomy: str, code: str) -> str:
    return stable_id("taxonomy", taxonomy, code)


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 in UTC, as msgspec writes it (``Z``, microseconds when there are any)."""
    return msgspec.json.encode(value.astimezone(dt.UTC)).decode().strip('"')


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    """Put ``value`` unless it is empty: HSDS wants absent fields, never ``""`` or ``null``."""
    if value not in (None, "", []):
        target[key] = value


def phones(record: Mapping[str, Any], link_field: str) -> list[dict[str, Any]]:
    """HSDS phones of a record; a phone keeps its stored id, else one from its number."""
    result, seen = [], set()
    for phone in record.get("phones", []):
        phone_id = phone.get("id") or stable_id(record["id"], "phone", phone["number"])
        while phone_id in seen:
            phone_id = stable_id(phone_id, "again")
        seen.add(phone_id)
        item = {"id": phone_id, link_field: record["id"], "number": phone["number"]}
        _set(item, "description", phone.get("description"))
        result.append(item)
    return result


def attributes(
    record: Mapping[str, Any], entity: str, coded: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One attribute per taxonomy code of the record (``coded``: field -> taxonomy)."""
    result = []
    for field, taxonomy in coded.items():
        value = record.get(field)
        for code in value if isinstance(value, list) else [value] if value else []:
            result.append(
                {
                    "id": stable_id(record["id"], "attribute", taxonomy, code),
                    "link_id": record["id"],
                    "link_type": taxonomy,
                    "link_entity": entity,
                    "taxonomy_term_id": term_id(taxonomy, code),
                    "value": code,
                }
            )
    return result


def address_parts(text: str) -> dict[str, str]:
    """``Storgatan 1, 135 81 Tyresö`` split into HSDS address fields; other text stays whole in
    ``address_1`` (HSDS requires the fields, Samverkan keeps addresses as free text)."""
    match = _ADDRESS.match(text)
    if match:
        return {
            "address_1": match["street"],
            "city": match["city"],
            "postal_code": match["postal_code"],
        }
    return {"address_1": text, "city": "", "postal_code": ""}


def address_text(address: Mapping[str, Any]) -> str:
    """The inverse of :func:`address_parts` (also for other publishers' addresses)."""
    place = " ".join(
        part for part in (address.get("postal_code", ""), address.get("city", "")) if part
    )
    parts = (address.get("address_1", ""), address.get("address_2", ""), place)
    return ", ".join(part for part in parts if part)


LOCATION_FIELDS: Final = (("visiting_address", "physical"), ("postal_address", "postal"))


def locations(organization: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The visiting address as a physical location, the postal address as a postal one."""
    result = []
    for field, location_type in LOCATION_FIELDS:
        text = organization.get(field, "")
        if not text:
            continue
        location_id = stable_id(organization["id"], "location", location_type)
        address = {
            "id": stable_id(location_id, "address"),
            "location_id": location_id,
            **address_parts(text),
            "state_province": "",
            "country": "SE",
            "address_type": location_type,
        }
        result.append(
            {
                "id": location_id,
                "location_type": location_type,
                "organization_id": organization["id"],
                "name": organization["name"],
                "addresses": [address],
            }
        )
    return result


def metadata(
    resource_type: str, resource_id: str, entries: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """HSDS metadata from audit entries: one object per changed field, oldest first."""
    result = []
    for entry in entries:
        at = entry["at"] if isinstance(entry["at"], str) else timestamp(entry["at"])
        previous, current = entry["previous"], entry["current"]
        for field in dict.fromkeys([*previous, *current]):
            before, after = previous.get(field), current.get(field)
            name = HSDS_NAMES.get(field, field)
            if field == "retired_at" and resource_type == "service":
                before, after = _status(before), _status(after)
            if _text(before) == _text(after):
                continue
            result.append(
                {
                    "id": stable_id(resource_id, "metadata", at, entry["action"], name),
                    "resource_id": resource_id,
                    "resource_type": resource_type,
                    "last_action_date": at,
                    "last_action_type": entry["action"],
                    "field_name": name,
                    "previous_value": _text(before),
                    "replacement_value": _text(after),
                    "updated_by": entry["actor"],
                }
            )
    return result


def _status(retired_at: Any) -> str:
    return "active" if retired_at is None else "inactive"


def _extensions(kind: str, record: Mapping[str, Any], target: dict[str, Any]) -> None:
    for field in EXTENSIONS[kind]:
        value = record.get(field)
        if field == "is_function" or (field in {"visibility", "kind"} and value):
            target[field] = value
        else:
            _set(target, field, value)


def organization(record: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An HSDS organization (its contacts and services are separate objects, linked by id)."""
    result: dict[str, Any] = {
        "id": record["id"],
        "name": record["name"],
        "description": record.get("description", ""),
    }
    _set(result, "alternate_name", record.get("alternate_name"))
    _set(result, "email", record.get("email"))
    _set(result, "website", record.get("website"))
    _set(result, "parent_organization_id", record.get("parent_id"))
    result["phones"] = phones(record, "organization_id")
    result["locations"] = locations(record)
    coded = {"kind": "kind", "areas": "area", "levels": "level"}
    result["attributes"] = attributes(record, "organization", coded)
    result["metadata"] = metadata("organization", record["id"], history)
    _extensions("organization", record, result)
    return result


def contact(record: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": record["id"],
        "organization_id": record["organization_id"],
        "name": record["name"],
    }
    _set(result, "title", record.get("title"))
    _set(result, "email", record.get("email"))
    result["phones"] = phones(record, "contact_id")
    result["attributes"] = attributes(record, "contact", {"areas": "area"})
    result["metadata"] = metadata("contact", record["id"], history)
    _extensions("contact", record, result)
    return result


def service(
    record: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    owner: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """An HSDS service; a retired one is ``inactive``. ``owner`` (the organisation record) gives
    the service its place: a service_at_location at the organisation's visiting address."""
    result: dict[str, Any] = {
        "id": record["id"],
        "organization_id": record["organization_id"],
        "name": record["name"],
        "description": record.get("description", ""),
        "status": "inactive" if record.get("retired_at") else "active",
    }
    for field in ("url", "email", "audience", "how_to_reach", "cost"):
        _set(result, HSDS_NAMES.get(field, field), record.get(field))
    _set(result, "assured_date", record.get("assured_date"))
    _set(result, "assurer_email", record.get("assurer_email"))
    result["last_modified"] = record["last_modified"]
    result["phones"] = phones(record, "service_id")
    result["schedules"] = (
        [
            {
                "id": stable_id(record["id"], "schedule", "hours"),
                "service_id": record["id"],
                "description": record["hours"],
            }
        ]
        if record.get("hours")
        else []
    )
    places = locations(owner) if owner else []
    result["service_at_locations"] = [
        {
            "id": stable_id(record["id"], "at", location["id"]),
            "service_id": record["id"],
            "location_id": location["id"],
        }
        for location in places
        if location["location_type"] == "physical"
    ]
    result["attributes"] = attributes(record, "service", {"areas": "area", "levels": "level"})
    result["metadata"] = metadata("service", record["id"], history)
    _extensions("service", record, result)
    return result


def taxonomies(terms: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    names = dict.fromkeys(term["taxonomy"] for term in terms)
    return [
        {
            "id": taxonomy_id(name),
            "name": name,
            "description": TAXONOMY_DESCRIPTIONS.get(name, name),
            "version": "1",
        }
        for name in names
    ]


def taxonomy_term(term: Mapping[str, Any]) -> dict[str, Any]:
    """A term named in Swedish (``language`` ISO 639-2 ``swe``), its English label as
    description and ``name_en``."""
    return {
        "id": term_id(term["taxonomy"], term["code"]),
        "code": term["code"],
        "name": term["label_sv"],
        "description": term["label_en"],
        "taxonomy": term["taxonomy"],
        "taxonomy_id": taxonomy_id(term["taxonomy"]),
        "language": "swe",
        "name_en": term["label_en"],
    }
