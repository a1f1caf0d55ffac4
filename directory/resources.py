"""The four directory resources described once, so every operation treats them alike."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import Struct
from piccolo.table import Table

from directory import schemas
from directory.access import Visibility
from directory.errors import N_, InvalidField
from directory.tables import Contact, Network, Organization, Service
from directory.validation import check_code, check_email, check_phone, check_required, check_url

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class ResourceSpec:
    """How one resource maps between the wire, the validators and its table."""

    name: str
    path: str
    table: type[Table]
    create: type[Struct]
    record: type[Struct]
    patch: type[Struct]
    json_columns: tuple[str, ...]
    coded: Mapping[str, str]
    emails: tuple[str, ...] = ("email", "assurer_email")
    urls: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column._meta.name for column in self.table._meta.columns)

    @property
    def organization_scoped(self) -> bool:
        return "organization_id" in self.column_names

    def to_row(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Builtins from the wire to column values (lists and phones become JSON text)."""
        row = {}
        for key, value in values.items():
            if key in self.relations:
                continue
            row[key] = msgspec.json.encode(value).decode() if key in self.json_columns else value
        return row

    def from_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: msgspec.json.decode(value) if key in self.json_columns else value
            for key, value in row.items()
        }

    def validate(self, values: Mapping[str, Any], codes: Mapping[str, frozenset[str]]) -> None:
        """Check the given fields; raises :class:`InvalidField` naming the first bad one."""
        if "name" in values:
            check_required("name", values["name"])
        if "visibility" in values:
            check_code("visibility", values["visibility"], [v.value for v in Visibility])
        for field in self.emails:
            if field in values:
                check_email(field, values[field])
        for field in self.urls:
            if field in values:
                check_url(field, values[field])
        for index, phone in enumerate(values.get("phones", [])):
            check_phone(f"phones[{index}].number", phone["number"])
        for index, language in enumerate(values.get("languages", [])):
            if not _LANGUAGE.match(language):
                raise InvalidField(
                    f"languages[{index}]",
                    N_("%(value)s is not an ISO 639 code"),
                    {"value": repr(language)},
                )
        for field, taxonomy in self.coded.items():
            if field not in values:
                continue
            value = values[field]
            for index, code in enumerate(value if isinstance(value, list) else [value]):
                name = f"{field}[{index}]" if isinstance(value, list) else field
                check_code(name, code, codes[taxonomy])


ORGANIZATIONS = ResourceSpec(
    name="organization",
    path="organizations",
    table=Organization,
    create=schemas.OrganizationIn,
    record=schemas.Organization,
    patch=schemas.patch_of(schemas.OrganizationIn),
    json_columns=("phones", "languages", "areas", "levels"),
    coded={"kind": "kind", "areas": "area", "levels": "level"},
    urls=("website",),
)

CONTACTS = ResourceSpec(
    name="contact",
    path="contacts",
    table=Contact,
    create=schemas.ContactIn,
    record=schemas.Contact,
    patch=schemas.patch_of(schemas.ContactIn),
    json_columns=("phones", "languages", "areas"),
    coded={"areas": "area"},
)

SERVICES = ResourceSpec(
    name="service",
    path="services",
    table=Service,
    create=schemas.ServiceIn,
    record=schemas.Service,
    patch=schemas.patch_of(schemas.ServiceIn),
    json_columns=("phones", "levels", "areas"),
    coded={"areas": "area", "levels": "level"},
    urls=("url",),
)

NETWORKS = ResourceSpec(
    name="network",
    path="networks",
    table=Network,
    create=schemas.NetworkIn,
    record=schemas.Network,
    patch=schemas.patch_of(schemas.NetworkIn),
    json_columns=("areas", "levels"),
    coded={"areas": "area", "levels": "level"},
    emails=("assurer_email",),
    relations=("member_organization_ids", "member_contact_ids", "coordinator_account_ids"),
)

ALL_RESOURCES = (ORGANIZATIONS, CONTACTS, SERVICES, NETWORKS)
