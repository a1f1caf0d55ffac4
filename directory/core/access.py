"""The access policy: who may read and who may change each kind of data.

Every read path (API routes, web pages, search, reports, feeds, DAV exports) and every write asks
this module; none decides on its own. The rules:

- A record's visibility is the strictest of its own and that of every record it belongs to: a
  unit's parent organisations, a contact's or service's organisation, a meeting's network (and
  so the meeting's notes, follow-ups, attendance and report).
- Internal networks, with everything that hangs from them, are invisible to partners, whether
  or not the partner's organisation is a member.
- A list that names other records (members, invitees, attendance) names only those the reader
  may see; a partner sees coordinators as a display name and an address, never an account id.
- Admins change everything; a coordinator changes the directory, but a network (its members and
  coordinators included) and its meetings only if they coordinate it; staff and partners change
  nothing.

The rules live in three layers, because each needs the tables of its own domain: this module
holds roles, visibility levels and the record conditions (on table and column names only);
:mod:`directory.records.access` decides on networks, their members and coordinators; and
:mod:`directory.meetings.access` on meetings and all that follows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from piccolo.columns.combination import And, Where, WhereRaw
from piccolo.table import Table

Condition = Where | And | WhereRaw
_STRICTNESS = {"internal": 0, "partners": 1, "public": 2}


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    STAFF = "staff"
    PARTNER = "partner"


class Visibility(StrEnum):
    INTERNAL = "internal"
    PARTNERS = "partners"
    PUBLIC = "public"


ADMIN_ROLES = frozenset({Role.ADMIN})
WRITER_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.STAFF})


@dataclass(frozen=True)
class Principal:
    """Who is calling; built by an authenticator, never from request data the caller controls."""

    account_id: UUID
    username: str
    role: Role
    organization_id: UUID | None = None
    display_name: str = ""
    """How people know the caller (a Nextcloud user's display name); empty: the username."""

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username

    @property
    def readable_visibilities(self) -> tuple[str, ...]:
        return visibilities_for(self.role)

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def visibilities_for(role: Role | None) -> tuple[str, ...]:
    """Municipal roles read everything; partners never read internal entries; anyone, public."""
    if role in STAFF_ROLES:
        return (Visibility.INTERNAL, Visibility.PARTNERS, Visibility.PUBLIC)
    if role is Role.PARTNER:
        return (Visibility.PARTNERS, Visibility.PUBLIC)
    return (Visibility.PUBLIC,)


def stricter(*visibilities: str) -> str:
    """The most restrictive of ``visibilities`` (unknown values count as internal)."""
    return min(visibilities, key=lambda value: _STRICTNESS.get(value, 0))


def outside_hidden_organizations(audience: Sequence[str], column: str) -> WhereRaw:
    """``column`` names no organisation hidden from ``audience``, that is, one whose own
    visibility, or that of any organisation above it, is outside ``audience`` (a recursive
    query, so a unit of a unit of an internal organisation is hidden too)."""
    placeholders = ", ".join("{}" for _ in audience) or "NULL"
    return WhereRaw(
        f"{column} NOT IN (WITH RECURSIVE hidden(id) AS ("  # noqa: S608 (only placeholders)
        f"SELECT o.id FROM organization o WHERE o.visibility NOT IN ({placeholders}) "
        "UNION SELECT u.id FROM organization u JOIN hidden h ON u.parent_id = h.id) "
        "SELECT id FROM hidden)",
        *audience,
    )


def audience_condition(table: type[Table], audience: Sequence[str]) -> Condition:
    """The rows of a directory table that an audience reading ``audience`` may see."""
    allowed = list(audience)
    condition: Condition = table.visibility.is_in(allowed)  # type: ignore[attr-defined]
    if Visibility.INTERNAL in allowed:
        return condition
    tablename = table._meta.tablename
    if tablename == "organization":
        return condition & outside_hidden_organizations(allowed, f'"{tablename}"."id"')
    if "organization_id" in {c._meta.name for c in table._meta.columns}:
        column = f'"{tablename}"."organization_id"'
        return condition & outside_hidden_organizations(allowed, column)
    return condition


def record_condition(table: type[Table], principal: Principal) -> Condition:
    return audience_condition(table, principal.readable_visibilities)
