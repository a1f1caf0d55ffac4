"""Pushing the directory to CardDAV: one address book per audience under ``CARDDAV_URL``.

Each address book (``samverkan-internal``, ``samverkan-partners``, ``samverkan-public``) holds
exactly what its audience may read, so it can be shared with the matching Nextcloud group
without leaking an internal entry. Nextcloud's search then finds these contacts.

Every book holds *all* its audience may read (the internal book holds the partners' and the
public entries too), so a reader needs exactly one of them; a reader given two would see each
contact twice in Nextcloud's search, under the same UID. So only the books named in
``CARDDAV_ADDRESS_BOOKS`` are published, and a book dropped from it is emptied.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sync.dav_collection import CollectionPush, PushProgress, PushReport
from sync.dav_session import DavSession
from sync.dav_tables import DavEntry
from sync.vcards import AUDIENCES, Audience, audience_cards

VCARD_TYPE = "text/vcard; charset=utf-8"


def address_book_url(home: str, audience: Audience) -> str:
    return f"{home.rstrip('/')}/{audience.slug}/"


async def push_directory(
    session: DavSession,
    home: str,
    public_url: str,
    progress: Callable[[int, int], None] | None = None,
    books: Collection[str] | None = None,
) -> dict[str, PushReport]:
    """Bring the address books of ``books`` (visibility values; all when ``None``) up to date
    and empty those of the other audiences that were pushed before; ``progress(done, total)``
    as it goes.

    Raises ``DavError`` when the server fails; what it accepted so far stays recorded.
    """
    prepared = []
    for audience in AUDIENCES:
        published = books is None or audience.visibility.value in books
        url = address_book_url(home, audience)
        if published:
            prepared.append((audience, url, await audience_cards(audience, public_url)))
        elif await DavEntry.exists().where(DavEntry.collection == url):
            prepared.append((audience, url, []))
    advance = PushProgress(sum(len(cards) for _, _, cards in prepared), progress)
    reports = {}
    for audience, url, cards in prepared:
        # An unpublished book is only emptied: without a name, a missing one is not recreated.
        published = books is None or audience.visibility.value in books
        push = CollectionPush(session, url, VCARD_TYPE, ".vcf", "addressbook")
        name = audience.display_name if published else None
        reports[audience.visibility.value] = await push.run(cards, advance, name)
    return reports
