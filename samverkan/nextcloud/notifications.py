"""Nextcloud notifications for the people a meeting or follow-up concerns.

Through AppAPI's notification API (:meth:`OcsClient.notify`), and only to Nextcloud users
(accounts ``nc:<user id>``, not disabled) who are concerned: the network's coordinators, users
of a member or invited organisation (the account's organisation), users whose email is that of
a member or invited contact, and for a follow-up its owner (named by display name, email or user
id). Partners outside Nextcloud have no such account and are never notified.

- A meeting is announced when its SEQUENCE moves (the same rule as the invitation mail,
  :mod:`sync.invitations`): the first time as an invitation, later as moved or changed, or as
  cancelled. Notes and attendance leave SEQUENCE alone and announce nothing.
- A follow-up is announced once, on the day it falls due (or when first seen overdue).

Each notification links into Samverkan's page in Nextcloud:
``/index.php/apps/app_api/embedded/{app}/{menu}/{path}``, whose frame opens ``path``
(``static/nextcloud-embed.js``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import operator
import uuid
from collections.abc import Iterable, Sequence

import httpx
import msgspec

from directory.accounts.tables import Account
from directory.core.settings import AppApiSettings
from directory.meetings.store import Series, load_series
from directory.meetings.tables import Meeting, MeetingFollowUp
from directory.records.tables import Contact, NetworkCoordinator, NetworkMember
from samverkan.nextcloud.ocs import OcsClient, OcsError
from samverkan.web import i18n
from samverkan.web.i18n import gettext as _
from sync.notice_tables import NextcloudNotice
from sync.outbox import Change, OutboxWorker

logger = logging.getLogger(__name__)

CONSUMER = "nextcloud-notifications"
ACCOUNT_PREFIX = "nc:"
EMBEDDED_PATH = "/index.php/apps/app_api/embedded"
FOLLOW_UP_CHECK_SECONDS = 3600.0


def embedded_link(settings: AppApiSettings, menu: str, path: str) -> str:
    return f"{settings.nextcloud_url}{EMBEDDED_PATH}/{settings.app_id}/{menu}/{path.lstrip('/')}"


async def nextcloud_users(
    account_ids: Iterable[uuid.UUID] = (),
    organization_ids: Iterable[uuid.UUID] = (),
    emails: Iterable[str] = (),
    names: Iterable[str] = (),
) -> list[str]:
    """The Nextcloud user ids of enabled ``nc:`` accounts matching any of the criteria."""
    conditions = []
    if ids := list(account_ids):
        conditions.append(Account.id.is_in(ids))
    if orgs := list(organization_ids):
        conditions.append(Account.organization_id.is_in(orgs))
    given = [email.strip() for email in emails if "@" in email]
    if addresses := sorted({*given, *(email.lower() for email in given)}):
        conditions.append(Account.email.is_in(addresses))
    if people := [name.strip() for name in names if name.strip()]:
        conditions.append(Account.display_name.is_in(people))
        conditions.append(Account.username.is_in([ACCOUNT_PREFIX + name for name in people]))
    if not conditions:
        return []
    combined = functools.reduce(operator.or_, conditions)
    rows = await Account.select(Account.username).where(
        combined, Account.username.like(ACCOUNT_PREFIX + "%"), Account.disabled_at.is_null()
    )
    return sorted({row["username"].removeprefix(ACCOUNT_PREFIX) for row in rows})


async def concerned_by_meeting(series: Series) -> list[str]:
    row = series.row
    coordinators = await NetworkCoordinator.select(NetworkCoordinator.account_id).where(
        NetworkCoordinator.network_id == row["network_id"]
    )
    members = await NetworkMember.select(
        NetworkMember.organization_id, NetworkMember.contact_id
    ).where(NetworkMember.network_id == row["network_id"])
    organizations = [m["organization_id"] for m in members if m["organization_id"]]
    organizations += list(row["invited_organizations"])
    contacts = [m["contact_id"] for m in members if m["contact_id"]]
    contacts += list(row["invited_contacts"])
    emails = (
        [c["email"] for c in await Contact.select(Contact.email).where(Contact.id.is_in(contacts))]
        if contacts
        else []
    )
    account_ids = [c["account_id"] for c in coordinators]
    if row["coordinator_id"]:
        account_ids.append(row["coordinator_id"])
    return await nextcloud_users(account_ids, organizations, emails)


def meeting_message(series: Series, first: bool) -> tuple[str, str]:
    """Subject and message, in Samverkan's default language (Swedish)."""
    row = series.row
    when = i18n.datetime_text(row["starts_at"])
    if row["status"] == "cancelled":
        return _("Meeting cancelled: %(title)s") % {"title": row["title"]}, _(
            "The meeting on %(when)s is cancelled."
        ) % {"when": when}
    if first:
        return _("You are invited: %(title)s") % {"title": row["title"]}, _(
            "A meeting on %(when)s."
        ) % {"when": when}
    return _("Meeting changed: %(title)s") % {"title": row["title"]}, _(
        "The meeting was moved or changed; it starts %(when)s."
    ) % {"when": when}


class Notifier:
    """Sends the notifications; a user Nextcloud refuses (e.g. deleted there) is skipped."""

    def __init__(self, settings: AppApiSettings, ocs: OcsClient, menu: str) -> None:
        self.settings = settings
        self.ocs = ocs
        self.menu = menu

    async def send(
        self, users: Sequence[str], kind: str, object_id: str, text: tuple[str, str], path: str
    ) -> int:
        link = embedded_link(self.settings, self.menu, path)
        sent = 0
        for user in users:
            try:
                await self.ocs.notify(user, kind, object_id, text[0], text[1], link)
                sent += 1
            except OcsError as error:
                logger.warning("Nextcloud refused a notification for %s: %s", user, error)
        return sent

    async def announce_meeting(self, series: Series) -> int:
        """Announce the meeting if its SEQUENCE is new; the number of notifications sent."""
        row = series.row
        key = f"meeting:{row['id']}"
        seen = await NextcloudNotice.select().where(NextcloudNotice.key == key).first()
        if seen is not None and row["sequence"] <= seen["sequence"]:
            return 0
        users = await concerned_by_meeting(series)
        text = meeting_message(series, first=seen is None)
        path = f"/networks/{row['network_id']}/meetings/{row['id']}"
        sent = await self.send(users, "meeting", str(row["id"]), text, path)
        values = {"sequence": row["sequence"], "sent_at": dt.datetime.now(dt.UTC)}
        if seen is None:
            await NextcloudNotice.insert(NextcloudNotice(key=key, **values))
        else:
            await NextcloudNotice.update(values).where(  # type: ignore[arg-type]
                NextcloudNotice.key == key
            )
        return sent

    async def announce_due_follow_ups(self, today: dt.date | None = None) -> int:
        """Announce each open follow-up due today or earlier, once."""
        today = today or dt.date.today()
        due = await MeetingFollowUp.select().where(
            MeetingFollowUp.due_date <= today, MeetingFollowUp.done_at.is_null()
        )
        sent = 0
        for item in due:
            # Claim it first: of several processes running this, one announces it.
            claimed = (
                await NextcloudNotice.insert(NextcloudNotice(key=f"follow-up:{item['id']}"))
                .on_conflict(target=NextcloudNotice.key, action="DO NOTHING")
                .returning(NextcloudNotice.key)
            )
            if not claimed:
                continue
            coordinators = await NetworkCoordinator.select(NetworkCoordinator.account_id).where(
                NetworkCoordinator.network_id == item["network_id"]
            )
            users = await nextcloud_users(
                [c["account_id"] for c in coordinators],
                emails=[item["owner"]],
                names=[item["owner"]],
            )
            text = (
                _("Follow-up due: %(title)s") % {"title": item["title"]},
                _("Due %(date)s, owner %(owner)s.")
                % {"date": i18n.date_text(item["due_date"]), "owner": item["owner"]},
            )
            path = f"/networks/{item['network_id']}/follow-up"
            sent += await self.send(users, "follow-up", str(item["id"]), text, path)
        return sent


def notification_worker(notifier: Notifier, interval: float = 1.0) -> OutboxWorker:
    """The outbox consumer announcing meetings; past meetings are never announced."""

    async def apply(changes: Sequence[Change]) -> None:
        ids = list(dict.fromkeys(c.resource_id for c in changes if c.resource_type == "meeting"))
        if not ids:
            return
        upcoming = Meeting.series_ends_at.is_null() | (
            Meeting.series_ends_at > dt.datetime.now(dt.UTC)
        )
        for series in await load_series([Meeting.id.is_in(ids), upcoming]):
            await notifier.announce_meeting(series)

    return OutboxWorker(CONSUMER, apply, interval=interval)


async def follow_up_reminders(
    notifier: Notifier, interval: float = FOLLOW_UP_CHECK_SECONDS
) -> None:
    """Announce due follow-ups every ``interval`` seconds, until cancelled."""
    while True:
        try:
            await notifier.announce_due_follow_ups()
        except (OcsError, httpx.TransportError, msgspec.DecodeError) as error:
            logger.warning("could not announce due follow-ups: %s", error)
        await asyncio.sleep(interval)
