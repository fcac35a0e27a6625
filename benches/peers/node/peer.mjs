// Who is on call with rrule.js + luxon, the way a JavaScript app does it without this engine,
// against the wasm package's whoIsOnCall in the same Node process (benches/README.md).
//
// A rotation becomes one RRULE per participant and time-restriction window (every full cycle of
// the rotation), generated on local wall-clock times and mapped to instants with luxon; who is
// on call at T is the set of participants whose latest occurrence at or before T's local time
// has not ended at T. The conversion covers the benchmark schedules (one weekly or daily
// rotation, same-day windows or none) and refuses anything else; its answer is checked against
// whoIsOnCall at every instant before anything is timed.
//
// Usage: node peer.mjs [seconds per case, default 2] [SCHEDULE.json ...]
// (needs the Node build of the package: wasm/scripts/build)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import rrule from "rrule";
import { DateTime } from "luxon";
const { RRule } = rrule;

const require = createRequire(import.meta.url);
const { OnCall } = require(process.env.ONCALL_WASM_NODE ?? "../../../wasm/pkg/node/oncall_wasm.js");
const seconds = Number(process.argv[2] ?? 2);
const files = process.argv.slice(3);
if (files.length === 0) {
  for (const name of ["anchor-2026", "anchor-2000"]) files.push(new URL(`../../data/${name}.json`, import.meta.url).pathname);
}
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** The benchmark's instants (benches/src/lib.rs `instants_2026`). */
function instants2026(n) {
  const start = 1_767_225_600, year = 365 * 86_400;
  return Array.from({ length: n }, (_, i) => new Date(((start + ((i * 7_919_311) % year)) * 1000)));
}

function refuse(why) {
  throw new Error(`peer.mjs: ${why} is not covered`);
}

function peer(doc) {
  const [schedule] = doc.schedules;
  const [rot] = schedule.rotations;
  const zone = rot.timezone ?? schedule.timezone ?? "UTC";
  if (rot.type !== "weekly" && rot.type !== "daily") refuse(`rotation type ${rot.type}`);
  if (schedule.overrides?.length || rot.endDate) refuse("overrides and end dates");
  const users = rot.participants.map((p) => (typeof p === "string" ? p : p.username));
  const shiftDays = (rot.length ?? 1) * (rot.type === "weekly" ? 7 : 1);
  const cycle = shiftDays * users.length;
  // Local wall-clock times are carried as "floating" UTC dates, as rrule.js recommends.
  const anchor = DateTime.fromISO(rot.startDate, { zone: "UTC" });
  const r = rot.timeRestriction;
  const windows = !r ? [] : (r.restrictions ?? [r.restriction]);
  const rules = [];
  users.forEach((user, i) => {
    const shift = anchor.plus({ days: i * shiftDays });
    const add = (start, minutes) =>
      rules.push({ user, minutes, rule: new RRule({ freq: RRule.DAILY, interval: cycle, dtstart: start.toJSDate() }) });
    if (!r) return add(shift, shiftDays * 1440);
    for (let d = 0; d < shiftDays; d++) {
      const day = shift.plus({ days: d }).startOf("day");
      for (const w of windows) {
        if (r.type === "weekday-and-time-of-day") {
          if (w.startDay !== w.endDay) refuse("windows across days");
          if (DAYS[day.weekday - 1] !== w.startDay) continue;
        }
        const start = day.set({ hour: w.startHour, minute: w.startMin });
        const end = day.set({ hour: w.endHour, minute: w.endMin });
        if (start < shift || end > shift.plus({ days: shiftDays })) refuse("windows across hand-offs");
        add(start, end.diff(start, "minutes").minutes);
      }
    }
  });
  const toInstant = (floating) =>
    DateTime.fromObject(DateTime.fromJSDate(floating, { zone: "UTC" }).toObject(), { zone }).toMillis();
  return (at) => {
    const local = DateTime.fromJSDate(at, { zone }).setZone("UTC", { keepLocalTime: true }).toJSDate();
    const on = new Set();
    for (const { user, minutes, rule } of rules) {
      const last = rule.before(local, true);
      if (!last) continue;
      // Cheap test on wall-clock times first (an offset change moves an end by at most 2 h).
      if (local.getTime() >= last.getTime() + (minutes + 120) * 60_000) continue;
      const start = toInstant(last);
      const end = toInstant(new Date(last.getTime() + minutes * 60_000));
      if (start <= at.getTime() && at.getTime() < end) on.add(user);
    }
    return [...on].sort();
  };
}

function rate(call, n) {
  for (let i = 0; i < 2_000; i++) call(i % n); // warm-up
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < n; i++) call(i);
    calls += n;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / calls; // ns per call
}

const instants = instants2026(256);
const iso = instants.map((d) => d.toISOString());
console.log(`node ${process.version}, ${seconds} s per case, ${instants.length} instants of 2026`);
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const doc = JSON.parse(text);
  const name = doc.schedules[0].name;
  const oncall = new OnCall(text);
  const who = peer(doc);
  instants.forEach((at, i) => {
    const ours = oncall.whoIsOnCall(name, iso[i], { flat: true }).onCallRecipients.slice().sort();
    const theirs = who(at);
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
      throw new Error(`${name} at ${iso[i]}: rrule.js + luxon say ${theirs}, the engine ${ours}`);
    }
  });
  const engine = rate((i) => oncall.whoIsOnCall(name, iso[i]), instants.length);
  const theirs = rate((i) => who(instants[i]), instants.length);
  console.log(
    `${name.padEnd(12)} wasm whoIsOnCall ${engine.toFixed(0).padStart(7)} ns/call   rrule.js + luxon ${(theirs / 1000).toFixed(1).padStart(9)} µs/call   ratio ${(theirs / engine).toFixed(0)}x`,
  );
  oncall.free();
}
