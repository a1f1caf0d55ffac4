"""The directory as vCard 3.0 (RFC 2426), one card per organisation and per contact.

vCard 3.0 is what every CardDAV client reads. The UID is the record's id, so a card keeps its
identity across pushes; an organisation carries ``KIND:org`` (RFC 6350, understood by Nextcloud
and Apple clients in 3.0 cards too) and ``X-ABSHOWAS:COMPANY``. Categories are the Swedish
labels of the kind and areas, so Nextcloud's search finds a contact by them as well. vobject
escapes every value, so user text cannot break the card.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import vobject

from directory.core.access import Role, Visibility, visibilities_for
from directory.core.tables import TaxonomyTerm
from directory.records.resources import CONTACTS, ORGANIZATIONS
from directory.records.service import audience_filter
from directory.records.tables import Contact, Organization
from sync.dav_collection import DavItem

PRODID = "-//Samverkan//Katalog//SV"
_MOBILE_WORDS = ("mobil", "mobile", "cell")


@dataclass(frozen=True)
class Audience:
    """Who an address book is for: it holds exactly what ``role`` may read."""

    visibility: Visibility
    role: Role | None
    display_name: str

    @property
    def slug(self) -> str:
        return f"samverkan-{self.visibility.value}"

    @property
    def visibilities(self) -> tuple[str, ...]:
        return visibilities_for(self.role)


AUDIENCES = (
    Audience(Visibility.INTERNAL, Role.STAFF, "Samverkan – kommunens katalog"),
    Audience(Visibility.PARTNERS, Role.PARTNER, "Samverkan – för samverkanspartner"),
    Audience(Visibility.PUBLIC, None, "Samverkan – öppen katalog"),
)

Labels = Mapping[tuple[str, str], str]


async def taxonomy_labels() -> dict[tuple[str, str], str]:
    rows = await TaxonomyTerm.select(
        TaxonomyTerm.taxonomy, TaxonomyTerm.code, TaxonomyTerm.label_sv
    )
    return {(row["taxonomy"], row["code"]): row["label_sv"] for row in rows}


def _phones(card: Any, phones_json: str) -> None:
    for phone in msgspec.json.decode(phones_json):
        tel = card.add("tel")
        tel.value = phone["number"]
        description = phone.get("description", "").lower()
        mobile = any(word in description for word in _MOBILE_WORDS)
        tel.type_param = ["WORK", "CELL"] if mobile else ["WORK", "VOICE"]


def _common(card: Any, row: Mapping[str, Any], url: str, categories: list[str]) -> None:
    card.add("version").value = "3.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = str(row["id"])
    card.add("fn").value = row["name"]
    card.add("url").value = url
    modified: dt.datetime = row["last_modified"]
    card.add("rev").value = modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if row["email"]:
        email = card.add("email")
        email.value = row["email"]
        email.type_param = ["INTERNET", "WORK"]
    _phones(card, row["phones"])
    if categories:
        card.add("categories").value = categories


def _categories(labels: Labels, kind: str, areas_json: str) -> list[str]:
    names = [labels.get(("kind", kind), kind)] if kind else []
    names += [labels.get(("area", code), code) for code in msgspec.json.decode(areas_json)]
    return names


def organization_card(row: Mapping[str, Any], labels: Labels, public_url: str) -> str:
    card = vobject.vCard()
    url = f"{public_url}/organizations/{row['id']}"
    _common(card, row, url, _categories(labels, row["kind"], row["areas"]))
    card.add("n").value = vobject.vcard.Name(family=row["name"])
    card.add("org").value = [row["name"]]
    card.add("kind").value = "org"
    card.add("x-abshowas").value = "COMPANY"
    if row["website"]:
        card.add("url").value = row["website"]
    for text, kind in ((row["visiting_address"], "WORK"), (row["postal_address"], "POSTAL")):
        if text:
            address = card.add("adr")
            address.value = vobject.vcard.Address(street=text)
            address.type_param = kind
    if row["description"]:
        card.add("note").value = row["description"]
    return str(card.serialize())


def contact_card(
    row: Mapping[str, Any], organization: Mapping[str, Any], labels: Labels, public_url: str
) -> str:
    card = vobject.vCard()
    url = f"{public_url}/contacts/{row['id']}"
    _common(card, row, url, _categories(labels, organization["kind"], row["areas"]))
    if row["is_function"]:
        card.add("n").value = vobject.vcard.Name(family=row["name"])
    else:
        given, _, family = row["name"].rpartition(" ")
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("org").value = [organization["name"]]
    if row["title"]:
        card.add("title").value = row["title"]
    return str(card.serialize())


async def audience_cards(audience: Audience, public_url: str) -> list[DavItem]:
    """Every organisation and contact the audience may read, not retired, as vCards."""
    labels = await taxonomy_labels()
    organizations = await Organization.select().where(
        audience_filter(ORGANIZATIONS, audience.visibilities),
        Organization.retired_at.is_null(),
    )
    contacts = await Contact.select().where(
        audience_filter(CONTACTS, audience.visibilities), Contact.retired_at.is_null()
    )
    by_id: dict[uuid.UUID, Mapping[str, Any]] = {row["id"]: row for row in organizations}
    cards = [
        DavItem(str(row["id"]), organization_card(row, labels, public_url)) for row in organizations
    ]
    for row in contacts:
        owner = by_id.get(row["organization_id"])
        if owner is not None:
            cards.append(DavItem(str(row["id"]), contact_card(row, owner, labels, public_url)))
    return cards
