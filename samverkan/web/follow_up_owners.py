"""Who a follow-up can be given to, offered as the owner field's suggestions: the network's
coordinators, the accounts at its member organisations and its contacts.

The owner stays free text (someone outside the directory can own a follow-up too); an account is
offered by its display name, which is what "My follow-ups" on the start page matches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from directory.accounts.tables import Account
from directory.core.access import Principal
from directory.records.resources import CONTACTS
from directory.records.service import visibility_filter
from directory.records.tables import Contact


@dataclass(frozen=True)
class Owner:
    name: str
    detail: str


def _ids(values: list[uuid.UUID]) -> list[uuid.UUID]:
    return values or [uuid.UUID(int=0)]


async def owner_choices(principal: Principal, network: Any) -> list[Owner]:
    """Each name once, accounts first, then contacts, each in name order."""
    organizations = _ids(list(network.member_organization_ids))
    accounts = (
        await Account.select(Account.display_name, Account.username, Account.email)
        .where(
            Account.disabled_at.is_null()
            & (
                Account.id.is_in(_ids(list(network.coordinator_account_ids)))
                | Account.organization_id.is_in(organizations)
            )
        )
        .order_by(Account.display_name)
    )
    contacts = (
        await Contact.select(Contact.name, Contact.title)
        .where(
            Contact.retired_at.is_null()
            & visibility_filter(CONTACTS, principal)
            & (
                Contact.id.is_in(_ids(list(network.member_contact_ids)))
                | Contact.organization_id.is_in(organizations)
            )
        )
        .order_by(Contact.name)
    )
    found = [Owner(r["display_name"] or r["username"], r["email"]) for r in accounts]
    found += [Owner(r["name"], r["title"]) for r in contacts]
    once: dict[str, Owner] = {}
    for owner in found:
        once.setdefault(owner.name, owner)
    return list(once.values())
