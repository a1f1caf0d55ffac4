"""A contact or an organisation as a vCard file (.vcf), to add to Outlook, Nextcloud or a phone's
contacts; the same card the CardDAV address books carry (:mod:`sync.vcards`)."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get

from directory.core.access import Principal
from directory.core.errors import NotFound
from directory.core.settings import get_settings
from directory.records.resources import CONTACTS, ORGANIZATIONS
from directory.records.service import RecordService
from directory.records.tables import Contact, Organization
from sync.vcards import contact_card, organization_card, taxonomy_labels

WebRequest = Request[Principal, Any, Any]


def _download(card: str, name: str) -> Response[bytes]:
    ascii_name = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "kontakt"
    disposition = f"attachment; filename=\"{ascii_name}.vcf\"; filename*=UTF-8''{quote(name)}.vcf"
    return Response(
        card.encode(),
        media_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@get("/organizations/{record_id:uuid}/vcard", name="organization_vcard")
async def organization_vcard(request: WebRequest, record_id: uuid.UUID) -> Response[bytes]:
    """Only an organisation the user may read (the service raises :class:`NotFound`)."""
    await RecordService(ORGANIZATIONS, request.user).get(record_id)
    row = await Organization.select().where(Organization.id == record_id).first()
    if row is None:
        raise NotFound("organization", str(record_id))
    card = organization_card(row, await taxonomy_labels(), get_settings().public_url)
    return _download(card, row["name"])


@get("/contacts/{record_id:uuid}/vcard", name="contact_vcard")
async def contact_vcard(request: WebRequest, record_id: uuid.UUID) -> Response[bytes]:
    """The card names the contact's organisation only if the user may read it."""
    record = await RecordService(CONTACTS, request.user).get(record_id)
    row = await Contact.select().where(Contact.id == record_id).first()
    if row is None:
        raise NotFound("contact", str(record_id))
    organization: dict[str, Any] = {"name": "", "kind": ""}
    try:
        await RecordService(ORGANIZATIONS, request.user).get(record.organization_id)  # type: ignore[attr-defined]
        found = await Organization.select().where(Organization.id == row["organization_id"]).first()
        organization = found or organization
    except NotFound:
        pass
    card = contact_card(row, organization, await taxonomy_labels(), get_settings().public_url)
    return _download(card, row["name"])


VCARD_HANDLERS = [organization_vcard, contact_vcard]
