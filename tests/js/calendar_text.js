// Print the calendar-level NAME, X-WR-CALNAME and X-WR-CALDESC of an iCalendar file as ical.js
// (Thunderbird, Nextcloud Calendar) reads them, as a JSON object.
// Usage: node calendar_text.js FILE.ics
"use strict";
const fs = require("fs");
const ICAL = require("ical.js");

const root = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[2], "utf8")));
const found = {};
for (const name of ["name", "x-wr-calname", "x-wr-caldesc"]) {
  found[name] = root.getFirstPropertyValue(name);
}
process.stdout.write(JSON.stringify(found));
