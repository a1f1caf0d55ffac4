"""Pushing the directory to CardDAV: one address book per audience under ``CARDDAV_URL``.

Each address book (``samverkan-internal``, ``samverkan-partners``, ``samverkan-public``) holds
exactly what its audience may read, so it can be shared with the matching Nextcloud group
without leaking an internal entry. Nextcloud's search then finds these contacts.
"""

from __future__ import annotations

from collections.abc import Callable

from sync.dav_collection import CollectionPush, PushProgress, PushReport
from sync.dav_session import DavSession
from sync.vcards import AUDIENCES, Audience, audience_cards

VCARD_TYPE = "text/vcard; charset=utf-8"


def address_book_url(home: str, audience: Audience) -> str:
    return f"{home.rstrip('/')}/{audience.slug}/"


async def push_directory(
    session: DavSession,
    home: str,
    public_url: str,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, PushReport]:
    """Bring every audience's address book up to date; ``progress(done, total)`` as it goes.

    Raises ``DavError`` when the server fails; what it accepted so far stays recorded.
    """
    prepared = [(audience, await audience_cards(audience, public_url)) for audience in AUDIENCES]
    advance = PushProgress(sum(len(cards) for _, cards in prepared), progress)
    reports = {}
    for audience, cards in prepared:
        url = address_book_url(home, audience)
        push = CollectionPush(session, url, VCARD_TYPE, ".vcf", "addressbook")
        reports[audience.visibility.value] = await push.run(cards, advance, audience.display_name)
    return reports
