"""Keeping one CardDAV address book or CalDAV calendar equal to what Samverkan says it holds.

The push is incremental and idempotent: each item's SHA-256 and the server's ETag are stored in
``dav_entry``; an unchanged item sends nothing, a new one is sent with ``If-None-Match: *``, a
changed one with ``If-Match`` (RFC 7232 §3.1–3.2), and an item Samverkan no longer holds is
deleted. Every run first compares with the server (:mod:`sync.dav_listing`): an item deleted
or edited there (by a user, an admin, a restore) is sent again, a deleted collection is made
again with everything in it, and the report counts that drift. A 412 means someone changed or
created the resource between the listing and the write: the current ETag is fetched and the
write repeated against it, because Samverkan is the source of these items.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from sync.dav_listing import CollectionKind, ServerView, read_collection
from sync.dav_session import DavRejected, DavSession
from sync.dav_tables import DavCollectionState, DavEntry

_CONFLICT_RETRIES = 3

_MKCOL_ADDRESSBOOK = """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>
<D:displayname>{name}</D:displayname></D:prop></D:set></D:mkcol>"""
_MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>{name}</D:displayname>
<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>"""


@dataclass(frozen=True)
class DavItem:
    """One resource to hold: ``uid`` names it (and its file), ``body`` is the vCard/iCalendar."""

    uid: str
    body: str


@dataclass
class PushReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: int = 0
    restored: int = 0
    """Items we had pushed that were missing on the server, sent again (drift)."""
    reverted: int = 0
    """Items we had pushed that were changed on the server, overwritten (drift)."""
    recreated: int = 0
    """Collections we had pushed to that were gone on the server, made again (drift)."""

    def add(self, other: PushReport) -> None:
        for name in (
            "created", "updated", "deleted", "unchanged", "conflicts",
            "restored", "reverted", "recreated",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


class PushProgress:
    """Items pushed so far across a push's collections, reported as ``progress(done, total)``;
    the total grows if more items turn up than were counted (records removed from the server)."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def __call__(self, count: int) -> None:
        self.done += count
        self.total = max(self.total, self.done)
        if self.progress is not None:
            self.progress(self.done, self.total)


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def create_collection(
    session: DavSession, url: str, kind: CollectionKind, display_name: str
) -> None:
    """Create the address book (extended MKCOL, RFC 5689) or calendar (MKCALENDAR, RFC 4791
    §5.3.1) at ``url``; raises ``DavRejected`` if the server refuses."""
    template, method = (
        (_MKCOL_ADDRESSBOOK, "MKCOL") if kind == "addressbook" else (_MKCALENDAR, "MKCALENDAR")
    )
    body = template.format(name=_xml_text(display_name))
    created = await session.request(
        method, url, headers={"Content-Type": "application/xml; charset=utf-8"}, content=body
    )
    if 400 <= created.status_code < 500 and (await read_collection(session, url, kind, "")).exists:
        return  # another pusher made it since we looked (servers answer 403, 405 or 409 then)
    if created.status_code not in (200, 201):
        raise DavRejected(method, url, created.status_code)


class CollectionPush:
    """One push of a set of items into one collection."""

    def __init__(
        self,
        session: DavSession,
        url: str,
        content_type: str,
        suffix: str,
        kind: CollectionKind,
    ) -> None:
        self.session = session
        self.url = url if url.endswith("/") else url + "/"
        self.content_type = content_type
        self.suffix = suffix
        self.kind = kind
        self.report = PushReport()
        self.server = ServerView(exists=False)

    async def run(
        self,
        items: Iterable[DavItem],
        progress: Callable[[int], None] | None = None,
        display_name: str | None = None,
    ) -> PushReport:
        """Make the collection hold exactly ``items``, creating it (named ``display_name``)
        when it is missing; with no name, a missing collection is only forgotten. Raises
        ``DavError`` if the server fails, after recording every item it did accept."""
        stored = {
            entry.uid: entry
            for entry in await DavEntry.objects().where(DavEntry.collection == self.url)
        }
        state = await DavCollectionState.objects().get(DavCollectionState.collection == self.url)
        self.server = await read_collection(
            self.session, self.url, self.kind, state.sync_token if state else ""
        )
        if not self.server.exists and display_name is not None:
            await create_collection(self.session, self.url, self.kind, display_name)
            if stored:
                self.report.recreated += 1
        for item in items:
            await self._hold(item, stored.pop(item.uid, None))
            if progress is not None:
                progress(1)
        for entry in stored.values():
            await self._remove(entry)
            if progress is not None:
                progress(1)
        await self._keep_token(state)
        return self.report

    async def _keep_token(self, state: DavCollectionState | None) -> None:
        """Store the token read before this run's writes: the next run's changes then include
        those writes (whose ETags we hold) and whatever else happened after them."""
        token = self.server.token or ""
        if state is not None and state.sync_token == token:
            return
        # Another push (the CLI beside the app's worker) may store the same collection's.
        await DavCollectionState.insert(
            DavCollectionState(collection=self.url, sync_token=token)
        ).on_conflict(
            target=DavCollectionState.collection,
            action="DO UPDATE",
            values=[DavCollectionState.sync_token],
        )

    async def _hold(self, item: DavItem, entry: DavEntry | None) -> None:
        digest = hashlib.sha256(item.body.encode()).hexdigest()
        recorded: str | None = entry.etag if entry else None
        on_server = self.server.etag(entry.href, recorded) if entry else None
        if entry is not None and on_server is None:
            self.report.restored += 1
        elif entry is not None and on_server != recorded:
            self.report.reverted += 1
        elif entry is not None and entry.content_hash == digest:
            self.report.unchanged += 1
            return
        href = entry.href if entry else self.url + quote(item.uid, safe="") + self.suffix
        etag = await self._put(href, item.body, on_server)
        if entry is None:
            # Another pusher (the worker beside `samverkan sync`) may record the object first.
            self.report.created += 1
            new = DavEntry(
                collection=self.url, uid=item.uid, href=href, etag=etag, content_hash=digest
            )
            await DavEntry.insert(new).on_conflict(
                target=(DavEntry.collection, DavEntry.uid),
                action="DO UPDATE",
                values=[DavEntry.href, DavEntry.etag, DavEntry.content_hash],
            )
            return
        if on_server == recorded:
            self.report.updated += 1
        entry.etag = etag
        entry.content_hash = digest
        await entry.save()

    async def _current_etag(self, href: str) -> str | None:
        """The server's ETag for ``href``, or ``None`` if it does not exist."""
        response = await self.session.request("GET", href)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DavRejected("GET", href, response.status_code)
        etag: str | None = response.headers.get("etag")
        return etag

    async def _put(self, href: str, body: str, etag: str | None) -> str:
        """PUT under our precondition; on 412 fetch the current ETag and try again."""
        headers = {"Content-Type": self.content_type}
        for _ in range(_CONFLICT_RETRIES):
            precondition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
            response = await self.session.request(
                "PUT", href, headers={**headers, **precondition}, content=body.encode()
            )
            if response.status_code in (200, 201, 204):
                return response.headers.get("etag") or await self._current_etag(href) or ""
            if response.status_code != 412:
                raise DavRejected("PUT", href, response.status_code)
            self.report.conflicts += 1
            etag = await self._current_etag(href)
        raise DavRejected("PUT", href, 412)

    async def _remove(self, entry: DavEntry) -> None:
        etag: str | None = self.server.etag(entry.href, entry.etag)
        for _ in range(_CONFLICT_RETRIES):
            if etag is None:
                break
            precondition = {"If-Match": etag} if etag else {}
            response = await self.session.request("DELETE", entry.href, headers=precondition)
            if response.status_code in (200, 204, 404, 410):
                break
            if response.status_code != 412:
                raise DavRejected("DELETE", entry.href, response.status_code)
            self.report.conflicts += 1
            etag = await self._current_etag(entry.href)
        else:
            raise DavRejected("DELETE", entry.href, 412)
        await entry.remove()
        self.report.deleted += 1
