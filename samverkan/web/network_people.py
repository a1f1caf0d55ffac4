"""A network's coordinators and members, kept from the network's own page with search pickers.

Admins keep any network; a coordinator only the networks they coordinate. The policy has no
separate "may change this network's people" rule, so this asks
:func:`directory.records.access.is_coordinator_of`, the rule that guards scheduling too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Final

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Template

from directory.accounts.auth import writers_only
from directory.accounts.tables import Account
from directory.core.access import Principal, Role
from directory.records.access import (
    NetworkCoordinatorsOnly,
    is_coordinator_of,
    keeps_own_coordinator_role,
)
from directory.records.resources import CONTACTS, NETWORKS, ORGANIZATIONS
from directory.records.service import RecordService, visibility_filter
from directory.records.tables import Contact, Organization
from samverkan.web.embedding import redirect
from samverkan.web.notices import with_notice
from samverkan.web.rendering import is_htmx, page

WebRequest = Request[Principal, Any, Any]
Query = Annotated[str, Parameter(max_length=100)]
SHOWN: Final = 8


@dataclass(frozen=True)
class Person:
    """One row of a picker or of the current list: an account, organisation or contact."""

    id: uuid.UUID
    name: str
    detail: str
    also_matches: str = ""


# kind -> the network field that holds its ids
FIELDS: Final = {
    "coordinators": "coordinator_account_ids",
    "organizations": "member_organization_ids",
    "contacts": "member_contact_ids",
}


async def _require_keeper(principal: Principal, network_id: uuid.UUID) -> None:
    if not await is_coordinator_of(principal, network_id):
        raise NetworkCoordinatorsOnly(
            "only admins and the network's coordinators change its people"
        )


async def _people(
    principal: Principal, kind: str, ids: list[uuid.UUID] | None, text: str
) -> list[Person]:
    """Candidates of ``kind`` whose name contains ``text`` (or, with ``ids``, exactly those).

    The match is made here, with ``casefold``, because SQLite's LIKE folds only ASCII
    ("öst" would not find "Östra")."""
    people = await _candidates(principal, kind, ids)
    needle = text.strip().casefold()
    return [p for p in people if needle in f"{p.name} {p.also_matches}".casefold()]


async def _candidates(principal: Principal, kind: str, ids: list[uuid.UUID] | None) -> list[Person]:
    if kind == "coordinators":
        where = Account.disabled_at.is_null() & Account.role.is_in(
            [Role.COORDINATOR.value, Role.ADMIN.value]
        )
        if ids is not None:
            where &= Account.id.is_in(ids or [uuid.UUID(int=0)])
        rows = (
            await Account.select(Account.id, Account.display_name, Account.username, Account.email)
            .where(where)
            .order_by(Account.display_name)
        )
        return [
            Person(r["id"], r["display_name"] or r["username"], r["email"], r["username"])
            for r in rows
        ]
    table, spec = (Organization, ORGANIZATIONS) if kind == "organizations" else (Contact, CONTACTS)
    where = table.retired_at.is_null() & visibility_filter(spec, principal)
    if ids is not None:
        where &= table.id.is_in(ids or [uuid.UUID(int=0)])
    if table is Contact:
        rows = (
            await Contact.select(Contact.id, Contact.name, Contact.title)
            .where(where)
            .order_by(Contact.name)
        )
        return [Person(r["id"], r["name"], r["title"]) for r in rows]
    rows = (
        await Organization.select(Organization.id, Organization.name, Organization.municipality)
        .where(where)
        .order_by(Organization.name)
    )
    return [Person(r["id"], r["name"], r["municipality"]) for r in rows]


def _kind(kind: str) -> str:
    if kind not in FIELDS:
        raise NotFoundException()
    return kind


async def _choices(
    principal: Principal, kind: str, current: list[uuid.UUID], text: str
) -> list[Person]:
    """What the picker offers: matches not already chosen, the first :data:`SHOWN`."""
    if not text.strip():
        return []
    taken = set(current)
    return [p for p in await _people(principal, kind, None, text) if p.id not in taken][:SHOWN]


@get("/networks/{network_id:uuid}/people", name="network_people")
async def people_page(
    request: WebRequest,
    network_id: uuid.UUID,
    kind: Query = "",
    q: Query = "",
) -> Template:
    """The three lists with a picker each; ``?kind=&q=`` filters one picker (htmx swaps in
    only that picker's list, a browser without script reloads the page)."""
    await _require_keeper(request.user, network_id)
    network = await RecordService(NETWORKS, request.user).get(network_id)
    values = {name: list(getattr(network, field)) for name, field in FIELDS.items()}
    if kind and is_htmx(request):
        choices = await _choices(request.user, _kind(kind), values[kind], q)
        return await page(
            request, "_people_choices.html", kind=kind, q=q, choices=choices, network=network
        )
    sections = {}
    for name in FIELDS:
        sections[name] = {
            "current": await _people(request.user, name, values[name], ""),
            "choices": await _choices(request.user, name, values[name], q) if kind == name else [],
            "q": q if kind == name else "",
        }
    own = [ref for ref in values["coordinators"] if keeps_own_coordinator_role(request.user, ref)]
    return await page(
        request, "network_people.html", network=network, sections=sections, own_role=own
    )


@post("/networks/{network_id:uuid}/people", name="change_network_people", guards=[writers_only])
async def change_people(request: WebRequest, network_id: uuid.UUID) -> Response[Any]:
    """Add or remove one person or organisation, with the version the page showed as If-Match;
    the service refuses a coordinator's removing themselves (the 403 page says why)."""
    await _require_keeper(request.user, network_id)
    form = await request.form()
    kind = _kind(str(form.get("kind", "")))
    try:
        person = uuid.UUID(str(form.get("id", "")))
    except ValueError:
        raise NotFoundException() from None
    service = RecordService(NETWORKS, request.user)
    network = await service.get(network_id)
    field = FIELDS[kind]
    ids = list(getattr(network, field))
    if form.get("action") == "remove":
        ids = [item for item in ids if item != person]
        notice = "person_removed"
    else:
        if not await _people(request.user, kind, [person], ""):
            raise NotFoundException()
        ids = [*ids, person] if person not in ids else ids
        notice = "person_added"
    patch = NETWORKS.patch(**{field: ids})
    await service.update(network_id, patch, f'"{form.get("version", "")}"')
    return redirect(with_notice(f"/networks/{network_id}/people#{kind}", notice))


PEOPLE_HANDLERS = [people_page, change_people]
