"""Demo meetings of the demo networks, placed around the day the demo is loaded.

Each network meets the way the action plan describes (SSPF every other week, the regional network
monthly, the faith-community dialogue each quarter), so the calendars, feeds and follow-up views
have something to show: past occurrences with attendance and notes, and coming ones. The notes
record exchanged experience only, never anything about an individual.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from directory.core.access import Principal, Role
from directory.demo.data import NAMESPACE, _id, _org_id
from directory.meetings.followup import FollowUpService
from directory.meetings.schemas import AttendanceIn, FollowUpIn, MeetingIn, NoteIn
from directory.meetings.service import TIMEZONE, MeetingService

_ORGANIZER = Principal(
    account_id=uuid.uuid5(NAMESPACE, "account/demo"), username="demo", role=Role.ADMIN
)


@dataclass(frozen=True)
class DemoSeries:
    network: str
    title: str
    weeks_back: int
    start: dt.time
    minutes: int
    pattern: str
    count: int | None
    organizations: tuple[str, ...]
    location: str = ""
    online_url: str = ""
    agenda: str = ""
    levels: tuple[str, ...] = ()
    is_public: bool = False
    attended: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


SERIES = (
    DemoSeries(
        "sspf-tyreso",
        "SSPF operativ arbetsgrupp",
        weeks_back=6,
        start=dt.time(13, 0),
        minutes=90,
        pattern="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        count=16,
        organizations=("mottagningsenheten", "faltgruppen", "tyreso-gymnasium", "lpo-nacka"),
        location="Kommunhuset, rum Bollmora",
        agenda="Lägesbild per område, aktuella insatser, rutinfrågor.",
        levels=("selective", "indicated"),
        attended=("mottagningsenheten", "faltgruppen", "lpo-nacka"),
        notes=(
            "Erfarenhetsutbyte: fältgruppens helgpass i centrum fungerar; fler vuxna ute fredagar.",
        ),
    ),
    DemoSeries(
        "regionalt-sodertorn",
        "Regional lägesbild Södertörn",
        weeks_back=9,
        start=dt.time(9, 0),
        minutes=150,
        pattern="FREQ=MONTHLY;BYDAY=2TH",
        count=12,
        organizations=("haninge", "huddinge", "nacka", "lansstyrelsen", "cve"),
        online_url="https://meet.example.se/sodertorn-vbe",
        agenda="Gemensam lägesbild, utbildningsbehov, erfarenheter från respektive kommun.",
        levels=("general", "selective"),
        attended=("haninge", "huddinge", "lansstyrelsen"),
        notes=("Länsstyrelsen samordnar en gemensam utbildningsdag för skolpersonal i vår.",),
    ),
    DemoSeries(
        "dialogforum-trossamfund",
        "Dialogforum med trossamfund",
        weeks_back=5,
        start=dt.time(18, 0),
        minutes=120,
        pattern="FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
        count=6,
        organizations=("tyreso-forsamling", "interreligiosa-radet", "kulturforeningen"),
        location="Tyresö kyrka, församlingssalen",
        agenda="Trygghet i lokalerna, demokratisamtal med unga.",
        levels=("general",),
        is_public=True,
    ),
    DemoSeries(
        "bra-arbetsgrupp-vbe",
        "BRÅ:s arbetsgrupp VBE",
        weeks_back=3,
        start=dt.time(8, 30),
        minutes=90,
        pattern="FREQ=MONTHLY;BYDAY=-1MO",
        count=10,
        organizations=("sakerhetsfunktionen", "socialforvaltningen", "buf", "kof"),
        location="Kommunhuset, rum Alby",
        agenda="Uppföljning av handlingsplanen, utbildningsplan, rutin vid oro.",
        levels=("general", "selective", "indicated"),
    ),
    DemoSeries(
        "anhorigstod",
        "Utbildning: stöd till anhöriga",
        weeks_back=-3,
        start=dt.time(13, 0),
        minutes=180,
        pattern="FREQ=WEEKLY;BYDAY=TH",
        count=None,
        organizations=("familjestod", "radda-barnen", "foraldranatverket"),
        location="Tyresö bibliotek, hörsalen",
        agenda="Hur anhöriga hittar stöd lokalt och nationellt; CVE:s stödtelefon.",
        levels=("selective",),
    ),
)


def _first_start(series: DemoSeries, today: dt.date) -> dt.datetime:
    """The first date matching the pattern from ``weeks_back`` weeks before ``today``, so that
    DTSTART is itself an occurrence (RFC 5545 3.8.5.3) and every client counts the same."""
    anchor = dt.datetime.combine(today - dt.timedelta(weeks=series.weeks_back), series.start)
    first: dt.datetime = rrulestr(series.pattern, dtstart=anchor)[0]
    return first.replace(tzinfo=ZoneInfo(TIMEZONE))


async def load_demo_meetings(today: dt.date | None = None) -> int:
    """Schedule the demo series; returns how many meetings it created."""
    today = today or dt.date.today()
    meetings, follow_up = MeetingService(_ORGANIZER), FollowUpService(_ORGANIZER)
    for series in SERIES:
        starts_at = _first_start(series, today)
        meeting = await meetings.create(
            MeetingIn(
                network_id=uuid.UUID(_id(f"network/{series.network}")),
                title=series.title,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=series.minutes),
                location=series.location,
                online_url=series.online_url,
                agenda=series.agenda,
                invited_organizations=[uuid.UUID(_org_id(slug)) for slug in series.organizations],
                levels=list(series.levels),
                is_public=series.is_public,
                rrule=f"{series.pattern};COUNT={series.count}" if series.count else "",
            )
        )
        if series.attended:
            attended = [uuid.UUID(_org_id(slug)) for slug in series.attended]
            await follow_up.record_attendance(
                meeting.id, AttendanceIn(occurrence_start=starts_at, organization_ids=attended)
            )
        for body in series.notes:
            await follow_up.add_note(meeting.id, NoteIn(occurrence_start=starts_at, body=body))
        if series.notes:
            due = today + dt.timedelta(days=21)
            task = FollowUpIn(
                title="Återkoppla erfarenheterna till styrgruppen",
                owner="Samordnaren",
                due_date=due,
            )
            await follow_up.add_follow_up(meeting.id, task)
    return len(SERIES)
