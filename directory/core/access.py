"""Roles, the signed-in principal, and which visibility levels each role may read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    STAFF = "staff"
    PARTNER = "partner"


class Visibility(StrEnum):
    INTERNAL = "internal"
    PARTNERS = "partners"
    PUBLIC = "public"


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
