#!/usr/bin/env python3
"""Who is on call, computed the way iCal-based tools do it (Grafana OnCall's method).

A rotation becomes an iCalendar document: one VEVENT per participant and time-restriction
window of that participant's shift, each repeating with RRULE every full cycle of the rotation;
who is on call at T is the set of attendees of the events that `recurring_ical_events` finds at
T. This is the peer the benchmark table compares the engine with (benches/README.md).

The conversion covers what the benchmark schedules use: one weekly or daily rotation with
`weekday-and-time-of-day` windows that start and end on the same day, or `time-of-day` windows,
or none. The script refuses anything else, and checks its answer at every instant against the
engine's (`oncall who --flat --format json`): a peer that answered differently would not be a
peer.

Usage: ical_peer.py ONCALL_BIN SCHEDULE.json [INSTANTS] [REPEATS]
Prints one JSON line: {"schedule", "instants", "median_ns", "min_ns", "max_ns", "versions"}.
"""

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from importlib import metadata
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def instants_2026(n):
    """The benchmark's instants (benches/src/lib.rs `instants_2026`)."""
    start, year = 1_767_225_600, 365 * 86_400
    return [dt.datetime.fromtimestamp(start + (i * 7_919_311) % year, dt.timezone.utc) for i in range(n)]


def username(p):
    return p if isinstance(p, str) else p["username"]


def calendar(doc):
    (schedule,) = doc["schedules"]
    (rot,) = schedule["rotations"]
    zone = ZoneInfo(rot.get("timezone", schedule.get("timezone", "UTC")))
    kind, length = rot["type"], rot.get("length", 1)
    if kind not in ("weekly", "daily"):
        sys.exit(f"ical_peer: rotation type {kind} is not covered")
    if schedule.get("overrides") or "endDate" in rot:
        sys.exit("ical_peer: overrides and end dates are not covered")
    users = [username(p) for p in rot["participants"]]
    shift_days = length * (7 if kind == "weekly" else 1)
    anchor = dt.datetime.fromisoformat(rot["startDate"]).replace(tzinfo=zone)
    restriction = rot.get("timeRestriction")
    cal = icalendar.Calendar()
    cal.add("prodid", "-//oncall benchmark peer//")
    cal.add("version", "2.0")

    def event(user, start, duration, every_days):
        ev = icalendar.Event()
        ev.add("uid", f"{user}-{start.isoformat()}")
        ev.add("summary", user)
        ev.add("dtstart", start)
        ev.add("duration", duration)
        ev.add("rrule", {"freq": "daily", "interval": every_days})
        cal.add_component(ev)

    cycle = shift_days * len(users)
    for i, user in enumerate(users):
        shift = anchor + dt.timedelta(days=i * shift_days)
        if restriction is None:
            event(user, shift, dt.timedelta(days=shift_days), cycle)
            continue
        windows = []
        for r in restriction["restrictions"] if "restrictions" in restriction else [restriction["restriction"]]:
            if restriction["type"] == "weekday-and-time-of-day" and r["startDay"] != r["endDay"]:
                sys.exit("ical_peer: windows across days are not covered")
            windows.append(r)
        for d in range(shift_days):
            day = (shift + dt.timedelta(days=d)).replace(hour=0, minute=0)
            for r in windows:
                if restriction["type"] == "weekday-and-time-of-day" and DAYS[day.weekday()] != r["startDay"]:
                    continue
                start = day.replace(hour=r["startHour"], minute=r["startMin"])
                end = day.replace(hour=r["endHour"], minute=r["endMin"])
                if start < shift or end > shift + dt.timedelta(days=shift_days):
                    sys.exit("ical_peer: windows across hand-offs are not covered")
                event(user, start, end - start, cycle)
    return schedule["name"], cal


def who(cal, at):
    return sorted({str(e["summary"]) for e in recurring_ical_events.of(cal).at(at)})


def engine(oncall, path, name, at):
    out = subprocess.run(
        [oncall, "who", path, "--schedule", name, "--at", at.strftime("%Y-%m-%dT%H:%M:%SZ"), "--flat", "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return sorted(json.loads(out)["onCallRecipients"])


def main():
    oncall, path = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with open(path) as f:
        name, cal = calendar(json.load(f))
    instants = instants_2026(n)
    for at in instants:
        mine, theirs = who(cal, at), engine(oncall, path, name, at)
        if mine != theirs:
            sys.exit(f"ical_peer: {name} at {at.isoformat()}: iCal says {mine}, the engine {theirs}")
    samples = []
    for _ in range(repeats):
        for at in instants:
            t0 = time.perf_counter_ns()
            who(cal, at)
            samples.append(time.perf_counter_ns() - t0)
    versions = {p: metadata.version(p) for p in ("icalendar", "recurring_ical_events")}
    versions["python"] = sys.version.split()[0]
    print(json.dumps({"schedule": name, "instants": n, "median_ns": statistics.median(samples),
                      "min_ns": min(samples), "max_ns": max(samples), "versions": versions}))


if __name__ == "__main__":
    main()
