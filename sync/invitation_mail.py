"""One invitation message: the iTIP object (RFC 5546) inside a mail as RFC 6047 describes.

Each message is built for one recipient: the ATTENDEE lines name that recipient alone, so no
invitee learns another's address (an internal contact's above all). The ORGANIZER is the reply
address as ``mailto:`` with the network's name as CN, so a client's REPLY comes back to the
mailbox that :mod:`sync.invitation_replies` reads.

The mail is plain ASCII on the wire: text parts quoted-printable, the attachment base64, headers
RFC 2047-encoded, so no server needs 8BITMIME; it has the Date and Message-ID that RFC 5322 and
large providers require, and ``Auto-Submitted`` (RFC 3834) so no auto-reply answers it.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from icalendar import Calendar, vCalAddress

from directory.core.settings import Settings
from directory.meetings.store import Series
from sync.feeds import PRODID, series_components, vtimezone
from sync.invitation_content import Held, changes, day_text, description, time_text

#: What a message tells its recipient: METHOD and the subject's first word.
KINDS = {
    "invitation": ("REQUEST", "Inbjudan"),
    "update": ("REQUEST", "Ändrat"),
    "cancelled": ("CANCEL", "Inställt"),
    "removed": ("CANCEL", "Inbjudan återkallad"),
}


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str


@dataclass(frozen=True)
class Organizer:
    """Who invites: the network (CN) at the reply address; ``rsvp`` when replies are read."""

    name: str
    address: str
    rsvp: bool


def itip_calendar(
    series: Series, method: str, organizer: Organizer, invitee: Invitee, partstat: str
) -> Calendar:
    """The iTIP object for one recipient: METHOD, the series with its moved occurrences,
    ORGANIZER and that recipient's own ATTENDEE line."""
    if method == "CANCEL":
        series = Series({**series.row, "status": "cancelled"}, series.overrides)
    events = series_components(series, staff=False)
    for event in events:
        address = vCalAddress(f"mailto:{organizer.address}")
        address.params["CN"] = organizer.name
        event.add("ORGANIZER", address)
        attendee = vCalAddress(f"mailto:{invitee.email}")
        attendee.params.update(
            {
                "CN": invitee.name,
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": partstat,
                "RSVP": "TRUE" if organizer.rsvp and method == "REQUEST" else "FALSE",
            }
        )
        event.add("ATTENDEE", attendee)
    calendar = Calendar.new(
        prodid=PRODID, method=method, uid=series.row["uid"], subcomponents=events
    )
    if not series.row["all_day"]:
        start_year = series.row["starts_at"].year - 1
        calendar.subcomponents.insert(
            0, vtimezone(series.row["timezone"], start_year, start_year + 12)
        )
    return calendar


def _one_line(text: str) -> str:
    """A header value: line breaks in user text must not start new headers."""
    return " ".join(text.split())


def body_text(
    kind: str,
    network: str,
    held: Held,
    before: Held | None,
    organizer: Organizer,
    continues: bool = False,
) -> str:
    """The Swedish text part: what happened, what the calendar now holds, what to do.
    ``continues``: the meeting is the new half of a "this and following" change."""
    title = held.title
    if kind == "invitation" and continues:
        lines = [
            f"{title} fortsätter med ändringar från och med {day_text(held.starts_at.date())}. "
            "Den tidigare serien i din kalender slutar före dess.",
            "",
        ]
    elif kind == "invitation":
        lines = [f"{network} bjuder in dig till {title}.", ""]
    elif kind == "update":
        lines = [f"{title} är ändrat.", ""]
        found = changes(before, held) if before is not None else []
        if found:
            lines += ["Det här är nytt:", *(f"- {line}" for line in found), ""]
    elif kind == "cancelled":
        lines = [f"{title} är inställt. Inga fler tillfällen blir av.", ""]
    else:
        lines = [
            f"Du är inte längre inbjuden till {title}. Mötet blir av som planerat, men utan dig.",
            "",
        ]
    if kind in {"invitation", "update"}:
        lines += description(held)
        lines.append("")
        if organizer.rsvp:
            lines.append("Svara med kalenderns knappar (Acceptera, Kanske, Avböj).")
        lines.append("Inbjudan i bifogad fil uppdaterar mötet i din kalender.")
    else:
        lines.append(f"Det gällde: {time_text(held)}")
        if held.rrule:
            lines.append(f"Från och med: {day_text(held.starts_at.date())}")
        lines.append("Öppna den bifogade filen så tas mötet bort ur din kalender.")
    lines += ["", f"Hälsningar, {network}"]
    return "\n".join(lines) + "\n"


def message(
    kind: str,
    calendar: Calendar,
    body: str,
    invitee: Invitee,
    settings: Settings,
    now: dt.datetime,
) -> EmailMessage:
    method, verb = KINDS[kind]
    mail = EmailMessage(policy=email.policy.SMTP)
    mail["Subject"] = _one_line(f"{verb}: {calendar.walk('VEVENT')[0]['SUMMARY']}")
    mail["From"] = settings.smtp_from
    mail["To"] = formataddr((_one_line(invitee.name), invitee.email))
    if settings.reply_address != settings.sender_address:
        mail["Reply-To"] = settings.reply_address
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=settings.sender_address.rpartition("@")[2])
    mail["Auto-Submitted"] = "auto-generated"
    ics = calendar.to_ical().decode()
    mail.set_content(body, cte="quoted-printable")
    mail.add_alternative(ics, subtype="calendar", cte="quoted-printable", params={"method": method})
    mail.add_attachment(ics.encode(), maintype="application", subtype="ics", filename="invite.ics")
    return mail
