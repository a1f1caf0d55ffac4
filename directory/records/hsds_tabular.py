"""HSDS 3.0 as a Tabular Data Package: one CSV file per object, linked by ids, and a
``datapackage.json`` that lists them (Frictionless Data's tabular-data-package profile, which
the HSDS specification uses for its CSV form).

Writing flattens an HSDS document (:func:`directory.records.hsds_export.hsds_document`);
reading nests the tables back into that document's shape, for :mod:`directory.records.hsds_import`.
Lists of codes are ``;``-separated in a cell, booleans ``true``/``false``, an empty cell is an
absent field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import msgspec

from directory.records.exchange import ExchangeFormatError

TOP_FILES: Final = {
    "organizations": "organizations.csv",
    "contacts": "contacts.csv",
    "services": "services.csv",
    "taxonomies": "taxonomies.csv",
    "taxonomy_terms": "taxonomy_terms.csv",
    "networks": "networks.csv",
}
CHILD_FILES: Final = {
    "phones": "phones.csv",
    "locations": "locations.csv",
    "addresses": "addresses.csv",
    "schedules": "schedules.csv",
    "service_at_locations": "service_at_location.csv",
    "attributes": "attributes.csv",
    "metadata": "metadata.csv",
    "contacts": "contacts.csv",
}
# Which column of a child table names its parent, per file (the first one set wins).
PARENT_COLUMNS: Final = {
    "phones.csv": ("contact_id", "service_id", "organization_id", "location_id"),
    "locations.csv": ("organization_id",),
    "addresses.csv": ("location_id",),
    "schedules.csv": ("service_id", "service_at_location_id", "location_id"),
    "service_at_location.csv": ("service_id",),
    "attributes.csv": ("link_id",),
    "metadata.csv": ("resource_id",),
}
LIST_COLUMNS: Final = frozenset(
    {"areas", "levels", "languages", "member_organization_ids", "member_contact_ids"}
)
BOOLEAN_COLUMNS: Final = frozenset({"is_function"})
_ORDER: Final = (*TOP_FILES.values(), *CHILD_FILES.values())


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict):
        return msgspec.json.encode(value).decode()
    return "" if value is None else str(value)


def _flatten(item: Mapping[str, Any], tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    row = {}
    for key, value in item.items():
        if key in CHILD_FILES and isinstance(value, list):
            for child in value:
                tables.setdefault(CHILD_FILES[key], []).append(_flatten(child, tables))
        elif isinstance(value, dict):
            continue  # a nested copy of an object that has its own row
        else:
            row[key] = value
    return row


def tables_of(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of every file of ``document``, in HSDS order."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for key, filename in TOP_FILES.items():
        for item in document.get(key, []):
            tables.setdefault(filename, []).append(_flatten(item, tables))
    return {name: tables[name] for name in _ORDER if name in tables}


def _columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_columns(rows), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def write_package(document: Mapping[str, Any], folder: Path) -> list[Path]:
    """Write ``document`` into ``folder`` as CSV files and ``datapackage.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = tables_of(document)
    written = []
    for filename, rows in tables.items():
        path = folder / filename
        path.write_text(csv_text(rows), encoding="utf-8", newline="")
        written.append(path)
    package = {
        "profile": "tabular-data-package",
        "name": "samverkan-hsds",
        "title": "Samverkan directory in Open Referral HSDS 3.0",
        "hsds_version": document.get("version", "3.0"),
        "resources": [
            {
                "name": filename.removesuffix(".csv"),
                "path": filename,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": col, "type": "string"} for col in _columns(rows)]},
            }
            for filename, rows in tables.items()
        ],
    }
    descriptor = folder / "datapackage.json"
    descriptor.write_bytes(msgspec.json.format(msgspec.json.encode(package)) + b"\n")
    return [descriptor, *written]


def _value(column: str, cell: str) -> Any:
    if column in LIST_COLUMNS:
        return [item.strip() for item in cell.split(";") if item.strip()]
    if column in BOOLEAN_COLUMNS:
        return cell.strip().lower() in {"true", "1", "yes"}
    return cell


def read_tables(source: Path) -> dict[str, list[dict[str, Any]]]:
    """The files of a package (its folder, or its ``datapackage.json``), each row with its
    place as ``$where``; raises :class:`ExchangeFormatError` for an unreadable package."""
    folder = source.parent if source.is_file() else source
    descriptor = folder / "datapackage.json"
    if descriptor.is_file():
        try:
            package = msgspec.json.decode(descriptor.read_bytes())
            names = [resource["path"] for resource in package["resources"]]
        except (msgspec.DecodeError, KeyError, TypeError) as error:
            raise ExchangeFormatError(f"datapackage.json is not a data package: {error}") from None
    else:
        names = sorted(path.name for path in folder.glob("*.csv"))
    if not names:
        raise ExchangeFormatError(f"{folder} holds no CSV files")
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        path = folder / name
        if not path.is_file():
            raise ExchangeFormatError(f"the package lists {name}, which is missing")
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            rows = []
            for record in reader:
                if None in record:
                    raise ExchangeFormatError(f"{name} line {reader.line_num}: too many cells")
                row: dict[str, Any] = {
                    key: _value(key, cell) for key, cell in record.items() if cell
                }
                row["$where"] = f"{name} line {reader.line_num}"
                rows.append(row)
        tables[Path(name).name] = rows
    return tables


def nest(tables: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The tables as one nested HSDS document: each child row under the object its parent
    column names; a row whose parent is in no table is kept under ``$orphans``."""
    by_id: dict[str, dict[str, Any]] = {}
    for rows in tables.values():
        for row in rows:
            if "id" in row and row["id"] not in by_id:
                by_id[row["id"]] = row
    document: dict[str, Any] = {key: list(tables.get(name, [])) for key, name in TOP_FILES.items()}
    orphans: list[dict[str, Any]] = []
    top_ids = {id(row) for rows in document.values() for row in rows}
    for key, filename in CHILD_FILES.items():
        for row in tables.get(filename, []):
            if id(row) in top_ids:
                continue
            parent = next(
                (
                    by_id[row[col]]
                    for col in PARENT_COLUMNS.get(filename, ())
                    if row.get(col) in by_id
                ),
                None,
            )
            if parent is None:
                orphans.append({"table": filename, **row})
            else:
                parent.setdefault(key, []).append(row)
    known = set(TOP_FILES.values()) | set(CHILD_FILES.values())
    document["$unread"] = sorted(name for name in tables if name not in known)
    document["$orphans"] = orphans
    return document
