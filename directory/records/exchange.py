"""Samverkan's own exchange formats: one CSV file per resource (for editing in a spreadsheet and
``import --update``) and the version-1 JSON document of earlier exports. HSDS 3.0 is read by
:mod:`directory.records.hsds_import` into the same rows.

Readers turn a file into numbered raw rows; :mod:`directory.records.importer` validates and
writes them. In CSV, code lists are ``;``-separated and phones are a JSON list, so nothing is
lost either way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

import msgspec

from directory.records.resources import ALL_RESOURCES, ResourceSpec

DOCUMENT_KEYS = {
    "organization": "organizations",
    "contact": "contacts",
    "service": "services",
    "network": "networks",
}
SPEC_BY_KEY = {DOCUMENT_KEYS[spec.name]: spec for spec in ALL_RESOURCES}
_LIST_FIELDS = (
    "languages",
    "areas",
    "levels",
    "member_organization_ids",
    "member_contact_ids",
    "coordinator_account_ids",
)
_SERVER_FIELDS = ("created_at", "last_modified", "retired_at", "version", "coordinators")


@dataclass(frozen=True)
class RawRow:
    """One record as read, before validation; ``where`` says where it came from. An HSDS
    publication may also give when it last changed, whether it is retired (an inactive
    service) and its change history (HSDS metadata, as audit entries), which are kept."""

    spec: ResourceSpec
    where: str
    values: dict[str, Any]
    last_modified: dt.datetime | None = None
    retired: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)


class ExchangeFormatError(ValueError):
    """The file as a whole cannot be read (not JSON, unknown key, missing header)."""


def rows_from_document(document: Any) -> list[RawRow]:
    """Numbered rows of Samverkan's own version-1 document ``{"version": 1, "organizations":
    [...], ...}`` (records in Samverkan's names; HSDS documents go through
    :mod:`directory.records.hsds_import`)."""
    if not isinstance(document, dict):
        raise ExchangeFormatError("the document must be an object of resource lists")
    unknown = set(document) - set(SPEC_BY_KEY) - {"version"}
    if unknown:
        raise ExchangeFormatError(f"unknown keys {sorted(unknown)}; expected {sorted(SPEC_BY_KEY)}")
    rows = []
    for key, spec in SPEC_BY_KEY.items():
        records = document.get(key, [])
        if not isinstance(records, list):
            raise ExchangeFormatError(f"{key} must be a list")
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise ExchangeFormatError(f"{key}[{index}] must be an object")
            values = {k: v for k, v in record.items() if k not in _SERVER_FIELDS}
            rows.append(RawRow(spec, f"{key}[{index}]", values))
    return rows


def _csv_value(field: str, cell: str) -> Any:
    if field in _LIST_FIELDS:
        return [item.strip() for item in cell.split(";") if item.strip()]
    if field == "phones":
        try:
            return msgspec.json.decode(cell) if cell.strip() else []
        except msgspec.DecodeError:
            return cell  # rejected by validation with the row and field named
    if field in {"parent_id", "assured_date"} and not cell.strip():
        return None
    return cell


def read_csv(stream: TextIO, spec: ResourceSpec) -> list[RawRow]:
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise ExchangeFormatError("the CSV file needs a header row with at least a name column")
    rows = []
    for record in reader:
        if None in record:
            raise ExchangeFormatError(f"line {reader.line_num}: more cells than header columns")
        values = {
            field: _csv_value(field, cell or "")
            for field, cell in record.items()
            if field not in _SERVER_FIELDS
        }
        if not values.get("id"):
            values.pop("id", None)
        rows.append(RawRow(spec, f"line {reader.line_num}", values))
    return rows


def _csv_cell(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field in _LIST_FIELDS:
        return ";".join(str(item) for item in value)
    if field == "phones":
        return msgspec.json.encode(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_columns(spec: ResourceSpec) -> list[str]:
    return ["id", *(field.name for field in msgspec.structs.fields(spec.create))]


def write_csv(records: Iterable[Mapping[str, Any]], spec: ResourceSpec) -> Iterator[str]:
    """CSV text of ``records`` in chunks, header first."""
    columns = csv_columns(spec)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_cell(column, record.get(column)) for column in columns])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
