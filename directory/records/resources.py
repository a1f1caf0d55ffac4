"""The four directory resources described once, so every operation treats them alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import Struct
from piccolo.table import Table

from directory.core.access import Visibility
from directory.core.errors import N_, InvalidField, InvalidFields
from directory.core.validation import (
    check_code,
    check_email,
    check_phone,
    check_required,
    check_url,
)
from directory.records import schemas
from directory.records.tables import Contact, Network, Organization, Service

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
        """Check the given fields; raises :class:`InvalidField` for one bad field or
        :class:`InvalidFields` listing every bad one, so a form can mark them all at once."""
        problems = self.problems(values, codes)
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise InvalidFields(problems)

    def problems(
        self, values: Mapping[str, Any], codes: Mapping[str, frozenset[str]]
    ) -> list[InvalidField]:
        """Every bad value among the given fields, in form order."""
        checks: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        if "name" in values:
            checks.append((check_required, ("name", values["name"])))
        if "visibility" in values:
            checks.append(
                (check_code, ("visibility", values["visibility"], [v.value for v in Visibility]))
            )
        checks += [
            (check_email, (field, values[field])) for field in self.emails if field in values
        ]
        checks += [(check_url, (field, values[field])) for field in self.urls if field in values]
        for index, phone in enumerate(values.get("phones", [])):
            checks.append((check_phone, (f"phones[{index}].number", phone["number"])))
        for index, language in enumerate(values.get("languages", [])):
            checks.append((_check_language, (f"languages[{index}]", language)))
        for field, taxonomy in self.coded.items():
            if field not in values:
                continue
            value = values[field]
            for index, code in enumerate(value if isinstance(value, list) else [value]):
                name = f"{field}[{index}]" if isinstance(value, list) else field
                checks.append((check_code, (name, code, codes[taxonomy])))
        problems = []
        for check, args in checks:
            try:
                check(*args)
            except InvalidField as problem:
                problems.append(problem)
        return problems


def _check_language(field: str, language: str) -> None:
    if not _LANGUAGE.match(language):
        raise InvalidField(field, N_("%(value)s is not an ISO 639 code"), {"value": repr(language)})


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
