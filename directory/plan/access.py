"""The access rules of the plan cycle (see :mod:`directory.core.access`).

The action plan, its measures, trainings, evidence and the council's report are for municipal
staff; admins and coordinators change them, and only an admin records that the council adopted
a plan. Anyone signed in reports to the situation picture, a partner for its own organisation
only, and everyone reads only the aggregate (:mod:`directory.plan.observations`).
"""

from __future__ import annotations

import uuid

from directory.core.access import ADMIN_ROLES, STAFF_ROLES, WRITER_ROLES, Principal, Role
from directory.core.errors import PermissionDenied


def require_reader(principal: Principal) -> None:
    if not principal.is_staff:
        raise PermissionDenied("the action plan is for municipal staff", STAFF_ROLES)


def require_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise PermissionDenied("only admins and coordinators change the action plan", WRITER_ROLES)


def require_adopter(principal: Principal) -> None:
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("only admins record that the council adopted a plan", ADMIN_ROLES)


def require_reporter_for(principal: Principal, organization_id: uuid.UUID | None) -> None:
    if principal.role is Role.PARTNER and organization_id != principal.organization_id:
        raise PermissionDenied("a partner reports for their own organisation only")
