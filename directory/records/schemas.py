"""What crosses the wire: msgspec structs for every directory resource.

``*In`` structs are what a client sends to create a record; the record structs add the fields
the server owns. Partial updates use :func:`patch_of`, which makes every field optional.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from directory.core.schemas import Code, Codes, Email, LongText, Name, Short, Url


class Phone(Struct, kw_only=True):
    """A phone number; ``id`` is kept when an HSDS import brings one (HSDS phones have ids),
    otherwise the HSDS export derives a stable one from the number."""

    number: Annotated[str, Meta(max_length=40)]
    description: Annotated[str, Meta(max_length=200)] = ""
    id: UUID | UnsetType = UNSET


Phones = Annotated[list[Phone], Meta(max_length=20)]


class _Verified(Struct, kw_only=True, forbid_unknown_fields=True):
    visibility: Code = "public"
    assured_date: dt.date | None = None
    assurer_email: Email = ""


class OrganizationIn(_Verified, kw_only=True):
    name: Name
    alternate_name: Short = ""
    kind: Code
    parent_id: UUID | None = None
    municipality: Short = ""
    description: LongText = ""
    website: Url = ""
    email: Email = ""
    phones: Phones = []
    visiting_address: LongText = ""
    postal_address: LongText = ""
    languages: Codes = []
    areas: Codes = []
    levels: Codes = []


class ContactIn(_Verified, kw_only=True):
    organization_id: UUID
    name: Name
    is_function: bool = False
    title: Name = ""
    email: Email = ""
    phones: Phones = []
    languages: Codes = []
    areas: Codes = []


class ServiceIn(_Verified, kw_only=True):
    organization_id: UUID
    name: Name
    description: LongText = ""
    audience: LongText = ""
    levels: Codes = []
    areas: Codes = []
    how_to_reach: LongText = ""
    hours: LongText = ""
    cost: LongText = ""
    email: Email = ""
    phones: Phones = []
    url: Url = ""


class NetworkIn(_Verified, kw_only=True):
    name: Name
    alternate_name: Short = ""
    description: LongText = ""
    municipality: Short = ""
    areas: Codes = []
    levels: Codes = []
    member_organization_ids: Annotated[list[UUID], Meta(max_length=500)] = []
    member_contact_ids: Annotated[list[UUID], Meta(max_length=500)] = []
    coordinator_account_ids: Annotated[list[UUID], Meta(max_length=50)] = []


_SERVER_FIELDS: list[tuple[str, Any, Any]] = [
    ("id", UUID, msgspec.NODEFAULT),
    ("created_at", dt.datetime, msgspec.NODEFAULT),
    ("last_modified", dt.datetime, msgspec.NODEFAULT),
    ("retired_at", dt.datetime | None, None),
    ("version", int, msgspec.NODEFAULT),
]


class Coordinator(Struct, kw_only=True):
    """How to reach a network's coordinator, without their account id (for partners)."""

    display_name: str
    email: str = ""


def record_of(
    struct: type[Struct], extra: list[tuple[str, Any, Any]] | None = None
) -> type[Struct]:
    """The stored record: the client's fields plus the ones the server owns."""
    name = struct.__name__.removesuffix("In")
    fields = [*_SERVER_FIELDS, *(extra or [])]
    return msgspec.defstruct(name, fields, bases=(struct,), kw_only=True)


Organization = record_of(OrganizationIn)
Contact = record_of(ContactIn)
Service = record_of(ServiceIn)
Network = record_of(NetworkIn, [("coordinators", list[Coordinator], [])])


def patch_of(struct: type[Struct]) -> type[Struct]:
    """A struct with the same fields, each optional and ``UNSET`` unless the client sends it."""
    fields = [
        (field.encode_name, field.type | UnsetType, UNSET)
        for field in msgspec.structs.fields(struct)
    ]
    return msgspec.defstruct(
        struct.__name__.removesuffix("In") + "Patch",
        fields,
        kw_only=True,
        forbid_unknown_fields=True,
    )
