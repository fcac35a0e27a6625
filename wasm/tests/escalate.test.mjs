// `escalate` gives the same timelines as `oncall escalate --format json` on the bundled examples,
// with the command's flags as camelCase options, and errors that name the option.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pkg, rootDir, native, nativeJson } from "./helpers.mjs";

const { OnCall } = pkg;
const EXAMPLES = {
  escalation: path.join("examples", "escalation.json"),
  payments: path.join("examples", "payments.json"),
};
const configs = Object.fromEntries(
  Object.entries(EXAMPLES).map(([k, file]) => [k, new OnCall(readFileSync(path.join(rootDir, file), "utf8"))]),
);
const dir = mkdtempSync(path.join(tmpdir(), "oncall-wasm-escalate-"));

/** The command line of the same question: `--kebab-case` flags, `alert` and `events` as files. */
function args(example, options) {
  const out = ["escalate", EXAMPLES[example]];
  for (const [key, value] of Object.entries(options)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (key === "alert" || key === "events") {
      const file = path.join(dir, `${key}-${out.length}.json`);
      writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
      out.push(flag, file);
    } else {
      out.push(flag, Array.isArray(value) ? value.join(",") : String(value));
    }
  }
  return out;
}

const CASES = [
  // Acknowledged after 3 minutes, closed after 40 (rule 2 skipped, rule 3 to the admin).
  [
    "escalation",
    {
      team: "checkout",
      message: "Checkout latency above 2 s",
      at: "2026-11-10T10:30",
      ackAt: "2026-11-10T10:33",
      ackBy: "ann@example.com",
      closeAt: "2026-11-10T11:10",
      closeBy: "dan@example.com",
    },
  ],
  // Nobody acknowledges: every rule fires.
  ["escalation", { team: "checkout", message: "Disk full", at: "2026-11-10T10:30", closeAt: "2026-11-10T12:00" }],
  // A P1 alert payload, events (note, close), forwarding on a Saturday.
  [
    "escalation",
    {
      alert: { message: "Payments down", priority: "P1", tags: ["payments"] },
      events: [
        { at: "2026-11-21T12:01", action: "add-note", note: "looking", user: "cat@example.com" },
        { at: "2026-11-21T12:04", action: "close", user: "cat@example.com" },
      ],
      team: "checkout",
      at: "2026-11-21T12:00",
    },
  ],
  // Routing by tags and time of day.
  ["escalation", { team: "checkout", message: "flaky", tags: ["noise", "ci"], at: "2026-11-10T10:30" }],
  ["escalation", { team: "checkout", message: "at night", at: "2026-11-10T23:00", closeAt: "2026-11-10T23:30" }],
  // Schedule, escalation and user targets; priority and alias; another zone; a seed.
  ["escalation", { schedule: "checkout-secondary", message: "m", at: "2026-11-10T23:00" }],
  [
    "escalation",
    { escalation: "checkout_escalation", message: "m", at: "2026-11-10T23:00", closeAt: "2026-11-10T23:05" },
  ],
  ["escalation", { user: "cat@example.com", message: "m", priority: "P2", alias: "x-1", at: "2026-11-10T14:00:00Z" }],
  ["escalation", { team: "checkout", message: "m", at: "2026-11-10T10:30", tz: "America/New_York", seed: 7 }],
  // Snooze, unacknowledge, escalate-to-next, assign, duplicate.
  [
    "escalation",
    {
      team: "checkout",
      message: "m",
      at: "2026-11-10T10:30",
      events: [
        { at: "2026-11-10T10:31", action: "snooze", until: "2026-11-10T10:50", user: "ann@example.com" },
        { at: "2026-11-10T10:55", action: "duplicate" },
        { at: "2026-11-10T10:56", action: "escalate-to-next" },
        { at: "2026-11-10T10:58", action: "assign", owner: "ben@example.com" },
        { at: "2026-11-10T11:00", action: "acknowledge", user: "ben@example.com" },
        { at: "2026-11-10T11:05", action: "unacknowledge", user: "ben@example.com" },
      ],
    },
  ],
  // The other example.
  ["payments", { team: "payments", message: "Payment API 5xx", at: "2026-11-10T10:00:00Z" }],
  ["payments", { team: "payments", message: "m", priority: "P1", at: "2026-11-14T03:00", closeAt: "2026-11-14T05:00" }],
];

test("escalate matches oncall escalate --format json", () => {
  for (const [example, options] of CASES) {
    const expected = nativeJson(args(example, options));
    assert.deepStrictEqual(configs[example].escalate(options), expected, JSON.stringify(options));
  }
});

test("escalate takes Dates, tags as text, events as JSON text, and a bigint seed", () => {
  const oncall = configs.escalation;
  const base = { team: "checkout", message: "m", at: "2026-11-10T09:30:00Z", ackAt: "2026-11-10T09:33:00Z" };
  const expected = oncall.escalate(base);
  assert.deepStrictEqual(
    oncall.escalate({ ...base, at: new Date(base.at), ackAt: new Date(base.ackAt), seed: 0n }),
    expected,
  );
  const events = [{ at: "2026-11-10T09:33:00Z", action: "acknowledge" }];
  const { ackAt, ...noAck } = base;
  void ackAt;
  assert.deepStrictEqual(oncall.escalate({ ...noAck, events: JSON.stringify(events) }), oncall.escalate({ ...noAck, events }));
  assert.deepStrictEqual(oncall.escalate({ ...base, tags: "a, b,," }), oncall.escalate({ ...base, tags: ["a", "b"] }));
  assert.deepStrictEqual(oncall.escalate({ ...base, tags: "a, b,," }).alert.tags, ["a", "b"]);
});

/** The command's one-line error with its flag renamed to the option (`--ack-at` → `ackAt`). */
const renamed = (line) => line.replace(/--([a-z-]+)/g, (_, f) => f.replace(/-([a-z])/g, (__, c) => c.toUpperCase()));

test("escalate errors name the option, as the command names the flag", () => {
  const oncall = configs.escalation;
  const m = { message: "m", at: "2026-11-10T10:30" };
  // The command's status: 1 for a name the document lacks, 2 for a flag value it cannot use.
  const same = [
    [{ team: "nope", ...m }, 1],
    [{ schedule: "nope", ...m }, 1],
    [{ team: "checkout", message: "m", at: "tomorrow" }, 2],
    [{ team: "checkout", ...m, ackAt: "2026-11-10T10:29" }, 2],
    [{ team: "checkout", ...m, tz: "Mars/Olympus" }, 2],
  ];
  for (const [options, status] of same) {
    const r = native(args("escalation", options));
    assert.equal(r.status, status, JSON.stringify(options));
    assert.throws(
      () => oncall.escalate(options),
      (e) => {
        assert.ok(e instanceof Error);
        assert.equal(e.message, renamed(r.stderr));
        assert.equal(e.problems.length, 1);
        assert.equal(`${e.problems[0].path}: ${e.problems[0].message}`, e.message);
        return true;
      },
      JSON.stringify(options),
    );
  }
  const expectError = (options, message, paths) =>
    assert.throws(
      () => oncall.escalate(options),
      (e) => {
        assert.ok(e instanceof Error);
        if (message instanceof RegExp) assert.match(e.message, message);
        else assert.equal(e.message, message);
        assert.deepStrictEqual(
          e.problems.map((p) => p.path),
          paths,
        );
        return true;
      },
    );
  // The command says where the alert came from (`alert: message: …`); the options name the field.
  expectError({ team: "checkout", ...m, message: "x".repeat(131) }, "message: at most 130 characters, found 131", [
    "message",
  ]);
  expectError({ team: "checkout", ...m, priority: "P9" }, 'priority: expected P1, P2, P3, P4 or P5, found "P9"', [
    "priority",
  ]);
  expectError(
    { team: "checkout", at: m.at, alert: { message: "m", colour: "red" } },
    /^alert\.colour: unknown field `colour`, expected one of `message`, /,
    ["alert.colour"],
  );
  expectError(
    { team: "checkout", ...m, closeAt: "2026-11-10T10:31", ackAt: "2026-11-10T10:32" },
    "ackAt: cannot acknowledge alert 1: the alert is closed (ackAt at 2026-11-10T09:32:00Z)",
    ["ackAt"],
  );
  expectError(
    { team: "checkout", ...m, events: [{ at: "2026-11-10T10:31", action: "snooze" }] },
    'events[0].until: required for "snooze"',
    ["events[0].until"],
  );
  expectError(
    { team: "checkout", ...m, ackAt: "2026-11-10T10:33", events: [{ at: "2026-11-10T10:40", action: "acknowledge" }] },
    "events[0]: cannot acknowledge alert 1: the alert is already acknowledged (events[0] at 2026-11-10T09:40:00Z)",
    ["events[0]"],
  );
  expectError(m, "options: give one target: team, escalation, schedule or user", ["options"]);
  expectError({ team: "checkout", schedule: "checkout-primary", ...m }, "schedule: not allowed with team: give one target", [
    "schedule",
  ]);
  expectError({ team: "checkout", at: m.at }, "options: give alert or message", ["options"]);
  expectError({ team: "checkout", message: "m" }, "at: is required", ["at"]);
  expectError({ team: "checkout", ...m, ackBy: "ann@example.com" }, "ackBy: needs ackAt", ["ackBy"]);
  expectError({ team: "checkout", ...m, seed: -1 }, /^seed: /, ["seed"]);
  expectError({ team: "checkout", ...m, at: new Date(NaN) }, "at: invalid Date", ["at"]);
  assert.throws(() => oncall.escalate("team=checkout"), /^Error: options: expected an object$/);
});
