#!/usr/bin/env python3
"""Writes the benchmark schedules of benches/data deterministically (seeded).

small:      1 rotation, 3 users.
realistic:  4 rotations with restrictions across 2 zones, 12 users, 200 overrides, 10 forwarding rules.
large:      20 rotations (custom RRULE ones among them), 200 users, 10 000 overrides.
anchor-2000 / anchor-2026: the same weekly rotation anchored in 2000 and in 2026.
"""
import json, random, datetime, pathlib

OUT = pathlib.Path(__file__).parent
rnd = random.Random(20261122)
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

def users(n):
    return [{"username": f"user{i:03d}@example.com", "fullName": f"User {i}",
             "timezone": "Europe/Berlin" if i % 2 == 0 else "America/New_York"} for i in range(n)]

def ref(i):
    return {"type": "user", "username": f"user{i:03d}@example.com"}

def business(start_h=9, end_h=18):
    return {"type": "weekday-and-time-of-day", "restrictions": [
        {"startDay": d, "startHour": start_h, "startMin": 0, "endDay": d, "endHour": end_h, "endMin": 0}
        for d in DAYS[:5]]}

def off_hours(start_h=18, end_h=9):
    spans = [{"startDay": DAYS[i], "startHour": start_h, "startMin": 0, "endDay": DAYS[i + 1],
              "endHour": end_h, "endMin": 0} for i in range(4)]
    spans.append({"startDay": "friday", "startHour": start_h, "startMin": 0, "endDay": "monday",
                  "endHour": end_h, "endMin": 0})
    return {"type": "weekday-and-time-of-day", "restrictions": spans}

def overrides(n, rotations, start, days, user_count):
    out = []
    for i in range(n):
        s = start + datetime.timedelta(hours=rnd.randrange(days * 24))
        e = s + datetime.timedelta(hours=rnd.choice([4, 8, 12, 24, 48, 72]))
        o = {"alias": f"ov-{i}", "user": ref(rnd.randrange(user_count)),
             "startDate": s.strftime("%Y-%m-%dT%H:%M:00"), "endDate": e.strftime("%Y-%m-%dT%H:%M:00")}
        if rnd.random() < 0.8:
            o["rotations"] = [{"name": rnd.choice(rotations)}]
        out.append(o)
    return out

def write(name, doc):
    (OUT / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")

write("small", {"schedules": [{"name": "small", "timezone": "Europe/Berlin", "rotations": [
    {"name": "weekly", "type": "weekly", "startDate": "2026-01-05T09:00:00",
     "participants": [ref(0), ref(1), ref(2)]}]}], "users": users(3)})

rot = ["business", "off-hours", "follow-the-sun", "secondary"]
write("realistic", {"users": users(12), "schedules": [{
    "name": "realistic", "timezone": "Europe/Berlin", "rotations": [
        {"name": "business", "type": "weekly", "startDate": "2025-01-06T09:00:00",
         "participants": [ref(i) for i in range(0, 4)], "timeRestriction": business()},
        {"name": "off-hours", "type": "weekly", "startDate": "2025-01-06T09:00:00",
         "participants": [ref(i) for i in range(4, 8)], "timeRestriction": off_hours()},
        {"name": "follow-the-sun", "type": "daily", "startDate": "2025-01-06T09:00:00",
         "timezone": "America/New_York", "participants": [ref(i) for i in range(8, 12)],
         "timeRestriction": {"type": "time-of-day",
                             "restriction": {"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0}}},
        {"name": "secondary", "type": "daily", "length": 7, "startDate": "2025-01-06T09:00:00",
         "timezone": "America/New_York", "priority": -1,
         "participants": [ref(i) for i in range(1, 12, 2)],
         "timeRestriction": {"type": "time-of-day",
                             "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0}}}],
    "overrides": overrides(200, rot, datetime.datetime(2026, 1, 1), 365, 12)}],
    "forwardingRules": [
        {"alias": f"fw-{i}", "fromUser": {"username": f"user{i:03d}@example.com"},
         "toUser": {"username": f"user{(i + 5) % 12:03d}@example.com"},
         "startDate": f"2026-{i + 1:02d}-10T00:00:00Z", "endDate": f"2026-{i + 1:02d}-17T00:00:00Z"}
        for i in range(10)]})

zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Europe/London"]
rotations = []
for i in range(20):
    members = [ref((i * 10 + j) % 200) for j in range(10)]
    kind = ["weekly", "daily", "hourly", "monthly", "custom"][i % 5]
    r = {"name": f"r{i:02d}", "type": kind, "startDate": "2024-01-01T09:00:00",
         "timezone": zones[i % len(zones)], "participants": members, "priority": i % 3}
    if kind == "hourly":
        r["length"] = 12
    if kind == "custom":
        r["recurrence"] = ["FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;BYHOUR=9,21", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
                           "FREQ=MONTHLY;BYDAY=1MO"][(i // 5) % 4]
    if i % 4 == 0:
        r["timeRestriction"] = business()
    elif i % 4 == 1:
        r["timeRestriction"] = off_hours()
    rotations.append(r)
write("large", {"users": users(200), "schedules": [{
    "name": "large", "timezone": "Europe/Berlin", "rotations": rotations,
    "overrides": overrides(10_000, [r["name"] for r in rotations], datetime.datetime(2022, 1, 1), 365 * 8, 200)}]})

for year in (2000, 2026):
    write(f"anchor-{year}", {"schedules": [{"name": f"anchor-{year}", "timezone": "Europe/Berlin", "rotations": [
        {"name": "weekly", "type": "weekly", "startDate": f"{year}-01-03T09:00:00" if year == 2000 else "2026-01-05T09:00:00",
         "participants": [ref(0), ref(1), ref(2)], "timeRestriction": business()}]}]})
