#!/usr/bin/env python3
"""ics_check.py FILE — parses an iCalendar file with Python's icalendar (a second parser, independent of
libical) and prints one line per VEVENT, sorted by UID:

    UID|DTSTART local ISO time|TZID|UTC offset|STATUS|SEQUENCE

then a last line "VTIMEZONE|<TZID of each VTIMEZONE, comma-separated>". Exits 1 when the file does not
parse or an event lacks UID, DTSTART, DTEND, DTSTAMP, STATUS or SEQUENCE."""
import sys

from icalendar import Calendar


def main(path):
    with open(path, 'rb') as f:
        cal = Calendar.from_ical(f.read())
    lines = []
    for ev in cal.walk('VEVENT'):
        for key in ('UID', 'DTSTART', 'DTEND', 'DTSTAMP', 'STATUS', 'SEQUENCE'):
            if key not in ev:
                print(f'missing {key}', file=sys.stderr)
                return 1
        start = ev['DTSTART']
        tzid = start.params.get('TZID', '')
        dt = start.dt
        offset = dt.utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        lines.append(f"{ev['UID']}|{dt.strftime('%Y-%m-%dT%H:%M')}|{tzid}|{hours:+d}|{ev['STATUS']}|{int(ev['SEQUENCE'])}")
    for line in sorted(lines):
        print(line)
    print('VTIMEZONE|' + ','.join(str(z['TZID']) for z in cal.walk('VTIMEZONE')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
