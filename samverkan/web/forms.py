"""Edit forms of directory records: which fields, how a posted form becomes a patch, and where
each validation error goes.

Field labels are message ids marked with :func:`N_` so the catalogue extraction finds them; the
template translates them when it renders.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import msgspec

from directory.core.errors import N_, InvalidField
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS, SERVICES, ResourceSpec
from samverkan.web.messages import invalid_field

Widget = Literal[
    "text", "textarea", "email", "url", "date", "select", "checkboxes", "phones", "organization"
]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: Widget = "text"
    taxonomy: str = ""
    required: bool = False
    help: str = ""


_VISIBILITY = FormField("visibility", N_("Visibility"), "select", taxonomy="visibility")
_ASSURED = FormField("assured_date", N_("Last verified"), "date")
_PHONES = FormField(
    "phones", N_("Phone numbers"), "phones", help=N_("One per line: number, then a description")
)

FORMS: Final[dict[str, tuple[FormField, ...]]] = {
    ORGANIZATIONS.name: (
        FormField("name", N_("Name"), required=True),
        FormField("alternate_name", N_("Short name")),
        FormField("kind", N_("Kind of organisation"), "select", taxonomy="kind", required=True),
        FormField("parent_id", N_("Part of"), "organization"),
        FormField("municipality", N_("Municipality")),
        FormField("description", N_("Description"), "textarea"),
        FormField("website", N_("Website"), "url"),
        FormField("email", N_("Email"), "email"),
        _PHONES,
        FormField("visiting_address", N_("Visiting address"), "textarea"),
        FormField("areas", N_("Areas"), "checkboxes", taxonomy="area"),
        FormField("levels", N_("Prevention levels"), "checkboxes", taxonomy="level"),
        _VISIBILITY,
        _ASSURED,
    ),
    CONTACTS.name: (
        FormField("name", N_("Name"), required=True),
        FormField("organization_id", N_("Organisation"), "organization", required=True),
        FormField("title", N_("Title or function")),
        FormField("email", N_("Email"), "email"),
        _PHONES,
        FormField("areas", N_("Areas"), "checkboxes", taxonomy="area"),
        _VISIBILITY,
        _ASSURED,
    ),
    SERVICES.name: (
        FormField("name", N_("Name"), required=True),
        FormField("organization_id", N_("Organisation"), "organization", required=True),
        FormField("description", N_("Description"), "textarea"),
        FormField("audience", N_("For whom"), "textarea"),
        FormField("how_to_reach", N_("How to get in touch"), "textarea"),
        FormField("hours", N_("Opening hours"), "textarea"),
        FormField("email", N_("Email"), "email"),
        _PHONES,
        FormField("url", N_("Web page"), "url"),
        FormField("areas", N_("Areas"), "checkboxes", taxonomy="area"),
        FormField("levels", N_("Prevention levels"), "checkboxes", taxonomy="level"),
        _VISIBILITY,
        _ASSURED,
    ),
    NETWORKS.name: (
        FormField("name", N_("Name"), required=True),
        FormField("alternate_name", N_("Short name")),
        FormField("description", N_("Description"), "textarea"),
        FormField("municipality", N_("Municipality")),
        FormField("areas", N_("Areas"), "checkboxes", taxonomy="area"),
        FormField("levels", N_("Prevention levels"), "checkboxes", taxonomy="level"),
        _VISIBILITY,
        _ASSURED,
    ),
}

VISIBILITY_LABELS: Final = {
    "internal": N_("Internal (municipal staff only)"),
    "partners": N_("Partners"),
    "public": N_("Public"),
}


def phones_text(phones: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{phone['number']}, {phone['description']}"
        if phone.get("description")
        else phone["number"]
        for phone in phones
    )


def _phones(text: str) -> list[dict[str, str]]:
    phones = []
    for line in text.splitlines():
        number, _, description = line.partition(",")
        if number.strip():
            phones.append({"number": number.strip(), "description": description.strip()})
    return phones


def form_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record as the form shows it."""
    values = dict(record)
    values["phones"] = phones_text(record.get("phones", []))
    assured = record.get("assured_date")
    values["assured_date"] = assured.isoformat() if isinstance(assured, dt.date) else ""
    for key in ("organization_id", "parent_id"):
        values[key] = str(record[key]) if record.get(key) else ""
    return values


def patch_from_form(
    spec: ResourceSpec, form: Mapping[str, Any], multi: Mapping[str, list[str]]
) -> msgspec.Struct:
    """The patch a posted form asks for; raises :class:`InvalidField` naming the form field."""
    values: dict[str, Any] = {}
    for field in FORMS[spec.name]:
        if field.widget == "checkboxes":
            values[field.name] = list(multi.get(field.name, []))
        elif field.widget == "phones":
            values[field.name] = _phones(str(form.get(field.name, "")))
        elif field.widget in {"date", "organization"}:
            raw = str(form.get(field.name, "")).strip()
            values[field.name] = raw or None
        else:
            values[field.name] = str(form.get(field.name, "")).strip()
    try:
        return msgspec.convert(values, spec.patch)
    except msgspec.ValidationError as error:
        raise invalid_field(error, "name") from None


def field_of_error(error: InvalidField) -> str:
    """``phones[0].number`` → ``phones``: the form field to show the message next to."""
    return re.split(r"[\[.]", error.field, maxsplit=1)[0]
