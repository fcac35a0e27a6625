// The ISO-string fast path of whoIsOnCall (js/decode.js `__oncall_instantMs`) reads instants
// exactly as the core does: whatever it accepts, the core accepts as the same instant (checked
// against `oncall.instant`, the core's reader, and against the native command), and whatever it
// leaves to the core gets the core's answer or error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, exampleText, native, nativeJson } from "./helpers.mjs";

const { OnCall } = pkg;
const oncall = new OnCall(exampleText);
const SCHEDULES = ["payments-primary", "payments-secondary"];
const fast = OnCall.__instantMs;

/** The core's reading of `text` in `schedule` (epoch ms), or the error message. */
function core(schedule, text) {
  try {
    return Date.parse(oncall.instant(schedule, text));
  } catch (e) {
    return e.message;
  }
}

/** The fast path agrees with the core on `text`: same instant when it reads it, else it declines. */
function agrees(text) {
  const ms = fast(text);
  for (const schedule of SCHEDULES) {
    const c = core(schedule, text);
    if (ms !== undefined) assert.equal(ms, c, `${JSON.stringify(text)} in ${schedule}`);
  }
  return ms;
}

// Read by the fast path: each with the instant the core gives it.
const READ = [
  ["2026-11-10T10:00:00Z", "2026-11-10T10:00:00Z"],
  ["2026-11-10t10:00:00z", "2026-11-10T10:00:00Z"],
  ["2026-11-10 10:00:00Z", "2026-11-10T10:00:00Z"],
  ["2026-11-10T10:00Z", "2026-11-10T10:00:00Z"],
  ["2026-11-10T10:00+01:00", "2026-11-10T09:00:00Z"],
  ["2026-11-10T11:00:00+01:00", "2026-11-10T10:00:00Z"],
  ["2026-11-10T04:30:00-05:30", "2026-11-10T10:00:00Z"],
  ["2026-11-10T15:45:00+05:45", "2026-11-10T10:00:00Z"],
  ["2026-11-10T10:00:00-00:00", "2026-11-10T10:00:00Z"],
  ["2026-11-10T10:00:00+23:59", "2026-11-09T10:01:00Z"],
  ["2026-11-10T10:00:00-23:59", "2026-11-11T09:59:00Z"],
  ["2026-11-10T10:00:00.999Z", "2026-11-10T10:00:00Z"],
  ["2026-11-10T10:00:59.5+00:00", "2026-11-10T10:00:59Z"],
  ["2026-11-10T10:00:00.000000000001Z", "2026-11-10T10:00:00Z"],
  ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"],
  ["2000-02-29T23:59:59-01:00", "2000-03-01T00:59:59Z"],
  ["2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"],
  ["2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00Z"],
  ["1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"],
  ["1899-12-31T23:00:00-01:00", "1900-01-01T00:00:00Z"],
  ["2199-12-31T23:59:59Z", "2199-12-31T23:59:59Z"],
  ["1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"],
  ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"],
];

// Left to the core (naive local times, `now`, spaces, out-of-range values, malformed text).
const DECLINED = [
  "2026-11-10T10:00:00",
  "2026-11-10T10:00",
  "2026-11-10",
  "now",
  " 2026-11-10T10:00:00Z",
  "2026-11-10T10:00:00Z ",
  "2026-11-10T10:00:00+25:00",
  "2026-11-10T10:00:00-24:00",
  "2026-11-10T10:00:00+01:60",
  "2026-11-10T10:00:00+0100",
  "2026-11-10T10:00:00+01",
  "2026-11-10T10:00:00.Z",
  "2026-11-10T24:00:00Z",
  "2026-11-10T10:60:00Z",
  "2026-11-10T10:00:60Z",
  "2025-02-29T12:00:00Z",
  "1900-02-29T12:00:00Z",
  "2026-04-31T12:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-00-10T00:00:00Z",
  "2026-11-00T00:00:00Z",
  "1899-12-31T23:59:59Z",
  "1900-01-01T00:00:00+00:01",
  "2200-01-01T00:00:00Z",
  "2199-12-31T23:59:59-00:01",
  "0000-01-01T00:00:00Z",
  "2026-11-10X10:00:00Z",
  "2026/11/10T10:00:00Z",
  "2026-11-10T10:00:00ZZ",
  "2026-11-10T10:00:00+01:00Z",
  "2026-1a-10T10:00:00Z",
  "٢٠٢٦-11-10T10:00:00Z",
  "2026-11-10T10:00:00\u0000",
  "",
];

test("the fast path reads RFC 3339 instants with an offset as the core does", () => {
  for (const [text, utc] of READ) {
    assert.equal(agrees(text), Date.parse(utc), text);
  }
});

test("the fast path leaves everything else to the core", () => {
  for (const text of DECLINED) {
    assert.equal(agrees(text), undefined, JSON.stringify(text));
  }
});

test("random near-RFC 3339 texts: whatever the fast path reads, the core reads the same", () => {
  // A small deterministic generator (xorshift32), texts built around the accepted shape.
  let x = 0x9e3779b9;
  const rnd = (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const pick = (xs) => xs[rnd(xs.length)];
  const pad = (v, n) => String(v).padStart(n, "0");
  let read = 0;
  const total = 4000;
  for (let k = 0; k < total; k++) {
    const y = pick([1899, 1900, 1970, 2000, 2024, 2025, 2026, 2100, 2199, 2200, rnd(10000)]);
    const date = `${pad(y, 4)}-${pad(rnd(14), 2)}-${pad(rnd(33), 2)}`;
    const time = `${pad(rnd(25), 2)}:${pad(rnd(61), 2)}${pick(["", `:${pad(rnd(61), 2)}`, `:${pad(rnd(60), 2)}.${rnd(1000)}`, ":5", ":00."])}`;
    const off = pick(["Z", "z", "", `+${pad(rnd(26), 2)}:${pad(rnd(61), 2)}`, `-${pad(rnd(26), 2)}:${pad(rnd(61), 2)}`, "+01", "+0100"]);
    let text = `${date}${pick(["T", "t", " ", "_"])}${time}${off}`;
    if (rnd(10) === 0) {
      const i = rnd(text.length);
      text = text.slice(0, i) + pick(["x", "", " ", "9", ":", "-"]) + text.slice(i + 1);
    }
    if (agrees(text) !== undefined) read += 1;
  }
  // The check is not vacuous: a good share of the texts take the fast path.
  assert.ok(read > total / 10, `only ${read} of ${total} texts were read by the fast path`);
});

test("whoIsOnCall with an ISO string, around a hand-off, in many shapes, matches oncall who", () => {
  const cfg = ["examples/payments.json"];
  for (const schedule of SCHEDULES) {
    const next = oncall.nextOnCall(schedule, "2026-11-10T10:00:00Z").exactNextOnCallAt;
    const at = Date.parse(next);
    const shapes = (ms) => {
      const z = new Date(ms).toISOString().slice(0, 19);
      const shifted = (minutes) => {
        const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 19);
        const sign = minutes < 0 ? "-" : "+";
        const m = Math.abs(minutes);
        return `${local}${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
      };
      return [`${z}Z`, `${z.toLowerCase()}z`, `${z}.999Z`, shifted(330), shifted(-480), shifted(-1439)];
    };
    for (const ms of [at - 1000, at]) {
      for (const text of shapes(ms)) {
        assert.equal(fast(text), ms, text);
        const args = ["who", ...cfg, "--schedule", schedule, "--at", text];
        assert.deepStrictEqual(oncall.whoIsOnCall(schedule, text), nativeJson(args), text);
        assert.deepStrictEqual(oncall.whoIsOnCall(schedule, text, { flat: true }), nativeJson([...args, "--flat"]), text);
      }
    }
    // The two sides of the hand-off differ: the instants above are read to the second.
    assert.notDeepStrictEqual(oncall.whoIsOnCall(schedule, new Date(at - 1000)), oncall.whoIsOnCall(schedule, new Date(at)));
  }
});

test("instants the fast path declines get the command's errors", () => {
  const s = "payments-primary";
  for (const text of ["2026-11-10T10:00:00+25:00", "2026-11-10T10:00:00+01:60", "2025-02-29T12:00:00Z", "1899-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "2026-11-10T10:00:00.Z"]) {
    const r = native(["who", "examples/payments.json", "--schedule", s, "--at", text]);
    assert.equal(r.status, 2, text);
    assert.throws(() => oncall.whoIsOnCall(s, text), (e) => {
      assert.equal(e.message, r.stderr.replace(/^--/, ""), text);
      return true;
    });
  }
});
