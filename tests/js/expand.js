// Expand every event of an iCalendar file with Mozilla's ical.js, as Thunderbird and
// Nextcloud Calendar do, and print the occurrences starting in [from, to) as JSON:
// [[uid, start, end], ...] with instants in UTC ISO 8601 and all-day dates as YYYY-MM-DD.
// Usage: node expand.js FILE.ics FROM_ISO TO_ISO
"use strict";
const fs = require("fs");
const ICAL = require("ical.js");

const [file, fromIso, toIso] = process.argv.slice(2);
const from = new Date(fromIso);
const to = new Date(toIso);
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}
const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exception of exceptions) {
  const master = masters.get(exception.uid);
  if (master) master.relateException(exception);
}
const iso = (time) =>
  time.isDate ? time.toString() : time.toJSDate().toISOString().replace(".000Z", "Z");
const found = [];
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    const start = event.startDate.toJSDate();
    if (start >= from && start < to) found.push([event.uid, iso(event.startDate), iso(event.endDate)]);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    const start = details.startDate.toJSDate();
    if (next.toJSDate() >= to && start >= to) break;
    if (start >= from && start < to) found.push([event.uid, iso(details.startDate), iso(details.endDate)]);
  }
}
found.sort();
process.stdout.write(JSON.stringify(found));
