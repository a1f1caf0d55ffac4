"""The official HSDS 3.0 JSON Schemas, read from outside the repository and resolved offline.

They live in ``../shared/hsds-3.0`` beside the repository, or wherever ``HSDS_SCHEMA_DIR``
points. Without them the tests that need them skip, saying so; with ``HSDS_REQUIRED=1`` (set by
``.ci/run``) a missing schema directory fails them instead, so CI cannot pass by skipping.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[3]
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI = BASE + "openapi.json"
# The profile's compiled schemas are the same objects with their $refs inlined; the list
# variants hold a subset of the fields. Both resolve to the plain schema here.
_COMPILED = {
    "service.json": "service.json",
    "service_list.json": "service.json",
    "organization.json": "organization.json",
    "organization_list.json": "organization.json",
    "service_at_location_list.json": "service_at_location.json",
}


def schema_dir() -> Path:
    """The HSDS 3.0 folder (holding ``schema/`` and ``examples/``), or skip (fail under
    ``HSDS_REQUIRED=1``) with what to set."""
    configured = os.environ.get("HSDS_SCHEMA_DIR")
    folder = Path(configured) if configured else ROOT.parent / "shared" / "hsds-3.0"
    if (folder / "schema" / "service.json").is_file():
        return folder
    message = (
        f"the HSDS 3.0 schemas are not in {folder}: set HSDS_SCHEMA_DIR to a folder holding "
        "schema/ and examples/ of the HSDS 3.0 specification (../shared/hsds-3.0)"
    )
    if os.environ.get("HSDS_REQUIRED") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value and parsed.tzinfo is not None


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("date-time")(_date_time)
    checker.checks("uri")(_uri)
    return checker


@cache
def registry() -> Registry[Any]:
    folder = schema_dir() / "schema"
    resources = []
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((BASE + path.name, resource))
    by_name = dict(resources)
    for uri, resource in list(resources):
        resources.append((uri.replace(BASE, BASE + "compiled/"), resource))
    for compiled, plain in _COMPILED.items():
        resources.append((BASE + "compiled/" + compiled, by_name[BASE + plain]))
    return Registry().with_resources(resources)


def validator(ref: str) -> Draft202012Validator:
    """A validator of the schema at ``ref`` (an object's file name, or a URL with a pointer)."""
    target = ref if ref.startswith("http") else BASE + ref
    return Draft202012Validator(
        {"$ref": target}, registry=registry(), format_checker=_format_checker()
    )


def errors(ref: str, instance: Any) -> list[str]:
    """Every validation error of ``instance``, with where it is."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator(ref).iter_errors(instance)
    ]


def response_schema(path: str) -> str:
    """The profile's 200 response schema of ``GET path`` in ``openapi.json``, as a ref."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return f"{OPENAPI}#/paths/{pointer}/get/responses/200/content/application~1json/schema"


def example(name: str) -> Any:
    return json.loads((schema_dir() / "examples" / name).read_text(encoding="utf-8"))
