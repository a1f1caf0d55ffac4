"""The scheduling forms: a recurrence picker instead of a raw RRULE, Stockholm wall times, and the
conversion to what the meeting service takes (:class:`~directory.meeting_schemas.MeetingIn`, and
for one occurrence of a series a move, a cancellation or a split).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

import msgspec

from directory.core.errors import N_, InvalidField
from directory.meetings.schemas import (
    MeetingIn,
    MeetingPatch,
    OccurrenceChange,
    OccurrenceRef,
    SplitIn,
)
from samverkan.web.messages import invalid_field

ZONE: Final = ZoneInfo("Europe/Stockholm")
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
REPEATS: Final = ("none", "weekly", "biweekly", "monthly")


@dataclass
class ScheduleForm:
    """What the coordinator filled in, kept as text so a rejected form shows it again."""

    title: str = ""
    date: str = ""
    start: str = "09:00"
    end: str = "10:00"
    location: str = ""
    online_url: str = ""
    agenda: str = ""
    all_day: bool = False
    repeat: str = "none"
    until: str = ""
    count: str = ""
    invited_organizations: list[str] = field(default_factory=list)
    invited_contacts: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: Mapping[str, str], multi: Mapping[str, list[str]]) -> ScheduleForm:
        text = {
            name: str(form.get(name, "")).strip()
            for name in ("title", "date", "start", "end", "location", "online_url", "agenda")
        }
        return cls(
            **text,
            all_day=form.get("all_day") == "on",
            repeat=str(form.get("repeat", "none")),
            until=str(form.get("until", "")).strip(),
            count=str(form.get("count", "")).strip(),
            invited_organizations=list(multi.get("invited_organizations", [])),
            invited_contacts=list(multi.get("invited_contacts", [])),
            levels=list(multi.get("levels", [])),
        )

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """Start and end as Stockholm times (an all-day meeting runs midnight to midnight);
        raises :class:`InvalidField` naming the field."""
        try:
            day = dt.date.fromisoformat(self.date)
        except ValueError:
            raise InvalidField("date", N_("pick a date")) from None
        if self.all_day:
            midnight = dt.datetime.combine(day, dt.time(), ZONE)
            return midnight, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZONE)
        bounds = []
        for name, value in (("start", self.start), ("end", self.end)):
            try:
                bounds.append(dt.datetime.combine(day, dt.time.fromisoformat(value), ZONE))
            except ValueError:
                raise InvalidField(name, N_("write the time as HH:MM")) from None
        if bounds[1] <= bounds[0]:
            raise InvalidField("end", N_("must be after the start"))
        return bounds[0], bounds[1]

    def with_start(self, slot: dt.datetime) -> ScheduleForm:
        """The same meeting moved to a suggested slot, keeping its length."""
        start, end = self.times()
        local = slot.astimezone(ZONE)
        if self.all_day:
            return dataclasses.replace(self, date=local.date().isoformat())
        return dataclasses.replace(
            self,
            date=local.date().isoformat(),
            start=local.strftime("%H:%M"),
            end=(local + (end - start)).strftime("%H:%M"),
        )

    def rrule(self) -> str:
        """The picker as an RFC 5545 RRULE: weekly or every other week on the start's weekday,
        or monthly on its nth weekday (the 5th becomes "last"), ending by date or count."""
        if self.repeat not in REPEATS:
            raise InvalidField("repeat", N_("choose how the meeting repeats"))
        if self.repeat == "none":
            return ""
        start, _ = self.times()
        weekday = _WEEKDAYS[start.weekday()]
        if self.repeat == "monthly":
            nth = (start.day - 1) // 7 + 1
            parts = ["FREQ=MONTHLY", f"BYDAY={-1 if nth == 5 else nth}{weekday}"]
        else:
            parts = ["FREQ=WEEKLY", f"BYDAY={weekday}"]
            if self.repeat == "biweekly":
                parts.insert(1, "INTERVAL=2")
        if self.until and self.count:
            raise InvalidField(
                "count", N_("give either an end date or a number of times, not both")
            )
        if self.until:
            parts.append(f"UNTIL={self._until(start)}")
        elif self.count:
            if not self.count.isdigit() or not 1 <= int(self.count) <= 500:
                raise InvalidField("count", N_("a whole number from 1 to 500"))
            parts.append(f"COUNT={int(self.count)}")
        return ";".join(parts)

    def _until(self, start: dt.datetime) -> str:
        try:
            last_day = dt.date.fromisoformat(self.until)
        except ValueError:
            raise InvalidField("until", N_("pick a date")) from None
        if last_day < start.date():
            raise InvalidField("until", N_("must not be before the first meeting"))
        if self.all_day:  # RFC 5545 section 3.3.10: a date, as DTSTART is one
            return last_day.strftime("%Y%m%d")
        end_of_day = dt.datetime.combine(last_day, dt.time(23, 59, 59), ZONE)
        return end_of_day.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")

    def meeting(self, network_id: uuid.UUID) -> MeetingIn:
        start, end = self.times()
        if not self.title:
            raise InvalidField("title", N_("must not be empty"))
        try:
            return msgspec.convert(
                {
                    "network_id": str(network_id),
                    "title": self.title,
                    "starts_at": start,
                    "ends_at": end,
                    "all_day": self.all_day,
                    "location": self.location,
                    "online_url": self.online_url,
                    "agenda": self.agenda,
                    "invited_organizations": self.invited_organizations,
                    "invited_contacts": self.invited_contacts,
                    "levels": self.levels,
                    "rrule": self.rrule(),
                },
                MeetingIn,
                builtin_types=(dt.datetime,),
            )
        except msgspec.ValidationError as error:
            raise invalid_field(error, "title") from None


@dataclass(frozen=True)
class OccurrenceForm:
    """A change to one occurrence of a series, named by its original start (RECURRENCE-ID)."""

    recurrence_id: dt.datetime
    all_day: bool
    date: str = ""
    start: str = ""
    end: str = ""
    location: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, str], all_day: bool) -> OccurrenceForm:
        try:
            recurrence_id = dt.datetime.fromisoformat(str(form.get("recurrence_id", "")))
        except ValueError:
            raise InvalidField("recurrence_id", N_("choose an occasion")) from None
        if recurrence_id.tzinfo is None:
            raise InvalidField("recurrence_id", N_("choose an occasion"))
        text = {
            name: str(form.get(name, "")).strip() for name in ("date", "start", "end", "location")
        }
        return cls(recurrence_id, all_day, **text)

    def _times(self, date: str) -> tuple[dt.datetime, dt.datetime]:
        return ScheduleForm(date=date, start=self.start, end=self.end, all_day=self.all_day).times()

    def ref(self) -> OccurrenceRef:
        return OccurrenceRef(recurrence_id=self.recurrence_id)

    def moved(self) -> OccurrenceChange:
        start, end = self._times(self.date)
        return OccurrenceChange(recurrence_id=self.recurrence_id, starts_at=start, ends_at=end)

    def split(self) -> SplitIn:
        """This and the following occurrences at new times (and place, if given), from the
        occurrence's own date: the weekday, and so the recurrence rule, stays the same."""
        start, end = self._times(self.recurrence_id.astimezone(ZONE).date().isoformat())
        changes = MeetingPatch(starts_at=start, ends_at=end)
        if self.location:
            changes = MeetingPatch(starts_at=start, ends_at=end, location=self.location)
        return SplitIn(recurrence_id=self.recurrence_id, changes=changes)
