// The built package (Node build) gives the same answers as the native `oncall` command on the
// bundled example: who, next, timeline, hand-offs and errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pkg, exampleText, examplePath, native, nativeJson, rootDir } from "./helpers.mjs";

const { OnCall, check } = pkg;
const oncall = new OnCall(exampleText);
const cfg = ["examples/payments.json"];

const SCHEDULES = ["payments-primary", "payments-secondary"];
// Weekday business hours, an evening, an override (alice covers bob on Tuesday), the long-weekend
// override, a DST-free naive local time, a week start, and an instant before every rotation.
const INSTANTS = [
  "2026-11-10T10:00:00Z",
  "2026-11-10T20:00:00Z",
  "2026-11-11T08:30:00Z",
  "2026-11-28T12:00:00Z",
  "2026-11-14T03:00",
  "2026-11-02T00:00:00Z",
  "2026-10-01T00:00:00Z",
  "2026-12-24T17:59:59+01:00",
];

for (const schedule of SCHEDULES) {
  test(`whoIsOnCall matches oncall who (${schedule})`, () => {
    for (const at of INSTANTS) {
      const args = ["who", ...cfg, "--schedule", schedule, "--at", at];
      assert.deepStrictEqual(oncall.whoIsOnCall(schedule, at), nativeJson(args), at);
      assert.deepStrictEqual(oncall.whoIsOnCall(schedule, at, { flat: true }), nativeJson([...args, "--flat"]), at);
    }
  });

  test(`nextOnCall matches oncall next (${schedule})`, () => {
    for (const at of INSTANTS) {
      const args = ["next", ...cfg, "--schedule", schedule, "--at", at];
      assert.deepStrictEqual(oncall.nextOnCall(schedule, at), nativeJson(args), at);
      assert.deepStrictEqual(oncall.nextOnCall(schedule, at, { flat: true }), nativeJson([...args, "--flat"]), at);
    }
  });

  test(`report matches oncall report --format json (${schedule})`, () => {
    // A week, and the Christmas fortnight (holiday rates, both currencies).
    for (const [from, to] of [["2026-11-09T00:00", "2026-11-16T00:00"], ["2026-12-21T00:00", "2027-01-04T00:00"]]) {
      const args = ["report", ...cfg, "--schedule", schedule, "--from", from, "--to", to];
      assert.deepStrictEqual(oncall.report(schedule, from, to), nativeJson(args), `${from}..${to}`);
    }
  });

  test(`timeline matches oncall timeline (${schedule})`, () => {
    const windows = [
      ["2026-11-09T00:00", "2026-11-16T00:00"],
      ["2026-11-23T00:00:00Z", "2026-12-01T00:00:00Z"],
      ["2026-11-10T10:00:00Z", "2026-11-10T10:30:00Z"],
      ["2026-10-25T00:00", "2026-11-08T00:00"],
    ];
    for (const [from, to] of windows) {
      const args = ["timeline", ...cfg, "--schedule", schedule, "--from", from, "--to", to];
      assert.deepStrictEqual(oncall.timeline(schedule, from, to), nativeJson(args), `${from}..${to}`);
      assert.deepStrictEqual(
        oncall.timeline(schedule, from, to, { expand: ["base", "override", "forwarding"] }),
        nativeJson([...args, "--expand", "base,override,forwarding"]),
        `${from}..${to} expanded`,
      );
    }
  });

  test(`handoffs matches oncall handoffs (${schedule})`, () => {
    const rotations = oncall.schedules().find((s) => s.name === schedule).rotations;
    assert.ok(rotations.length > 0);
    for (const rotation of rotations) {
      for (const from of ["2026-11-01T00:00:00Z", "2026-11-10T10:00:00Z", "2026-11-20T12:00"]) {
        for (const count of [1, 5, 25]) {
          const args = ["handoffs", ...cfg, "--schedule", schedule, "--rotation", rotation, "--from", from];
          assert.deepStrictEqual(
            oncall.handoffs(schedule, rotation, from, count),
            nativeJson([...args, "--count", String(count)]),
            `${rotation} ${from} ${count}`,
          );
        }
        // The default count is the command's default.
        assert.deepStrictEqual(
          oncall.handoffs(schedule, rotation, from),
          nativeJson(["handoffs", ...cfg, "--schedule", schedule, "--rotation", rotation, "--from", from]),
        );
      }
    }
  });
}

test("roster changes: hand-offs, who and next match the native command (examples/roster-change.json)", () => {
  const file = "examples/roster-change.json";
  const roster = new OnCall(readFileSync(path.join(rootDir, file), "utf8"));
  const args = ["--schedule", "platform"];
  for (const from of ["2026-11-10T00:00:00Z", "2027-01-10T00:00:00Z"]) {
    const native = nativeJson(["handoffs", file, ...args, "--rotation", "primary", "--from", from, "--count", "6"]);
    const ours = roster.handoffs("platform", "primary", from, 6);
    assert.deepStrictEqual(ours, native, from);
    assert.ok(ours.handoffs.some((h) => h.change !== undefined), from);
  }
  for (const at of ["2026-11-12T12:00:00Z", "2026-11-23T12:00:00Z", "2027-01-26T12:00:00Z"]) {
    assert.deepStrictEqual(roster.whoIsOnCall("platform", at), nativeJson(["who", file, ...args, "--at", at]), at);
    assert.deepStrictEqual(roster.nextOnCall("platform", at), nativeJson(["next", file, ...args, "--at", at]), at);
  }
  // ben keeps his week; then cy, and the newcomer dee.
  assert.deepStrictEqual(roster.whoIsOnCall("platform", "2026-11-23T12:00:00Z", { flat: true }).onCallRecipients, ["dee@example.com"]);
});

test("a Date and an ISO string for the same instant give the same answer", () => {
  const s = "payments-primary";
  const at = "2026-11-10T10:00:00Z";
  assert.deepStrictEqual(oncall.whoIsOnCall(s, new Date(at)), oncall.whoIsOnCall(s, at));
  assert.deepStrictEqual(oncall.nextOnCall(s, new Date(at)), oncall.nextOnCall(s, at));
  assert.deepStrictEqual(
    oncall.timeline(s, new Date("2026-11-09T00:00:00Z"), new Date("2026-11-16T00:00:00Z")),
    oncall.timeline(s, "2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z"),
  );
  assert.deepStrictEqual(oncall.handoffs(s, "off-hours", new Date(at), 3), oncall.handoffs(s, "off-hours", at, 3));
});

test("the constructor accepts a plain object and gives the same answers", () => {
  const fromObject = new OnCall(JSON.parse(exampleText));
  for (const at of INSTANTS) {
    assert.deepStrictEqual(fromObject.whoIsOnCall("payments-primary", at), oncall.whoIsOnCall("payments-primary", at));
  }
  fromObject.free();
});

test("check() matches oncall check --format json, valid and invalid", () => {
  const ok = native(["check", ...cfg, "--format", "json"]);
  assert.equal(ok.status, 0);
  assert.deepStrictEqual(check(exampleText), ok.json);
  assert.deepStrictEqual(oncall.check(), ok.json);

  // Opsgenie's read-only fields are listed as ignored by both.
  const og = JSON.parse(exampleText);
  og.teams[0].links = { web: "https://example.app.opsgenie.com/teams/dashboard/t/main", api: "https://api.opsgenie.com/v2/teams/t" };
  const ogDir = mkdtempSync(path.join(tmpdir(), "oncall-wasm-"));
  const ogFile = path.join(ogDir, "opsgenie.json");
  writeFileSync(ogFile, JSON.stringify(og));
  const ogRun = native(["check", ogFile, "--format", "json"]);
  assert.equal(ogRun.status, 0);
  assert.deepStrictEqual(ogRun.json.ignored, ["teams[0].links"]);
  assert.deepStrictEqual(check(og), ogRun.json);

  const doc = JSON.parse(exampleText);
  doc.schedules[0].rotations[0].length = 0;
  doc.schedules[1].rotations[0].participants = [];
  const dir = mkdtempSync(path.join(tmpdir(), "oncall-wasm-"));
  const bad = path.join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify(doc));
  const r = native(["check", bad, "--format", "json"]);
  assert.equal(r.status, 1);
  assert.equal(r.json.valid, false);
  assert.ok(r.json.errors.length >= 2);
  assert.deepStrictEqual(check(doc), r.json);
  assert.deepStrictEqual(check(JSON.stringify(doc)), r.json);

  // The constructor throws an Error with the same `path: message` lines the command prints.
  assert.throws(
    () => new OnCall(doc),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, r.stderr);
      assert.deepStrictEqual(e.problems, r.json.errors);
      assert.match(e.message, /^schedules\[0\]\.rotations\[0\]\.length: must be at least 1/m);
      return true;
    },
  );
});

test("an unknown field is an error with its path, as the command says", () => {
  const doc = JSON.parse(exampleText);
  doc.schedules[0].rotations[1].startdate = "2026-11-02T09:00:00";
  const dir = mkdtempSync(path.join(tmpdir(), "oncall-wasm-"));
  const bad = path.join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify(doc));
  const r = native(["check", bad, "--format", "json"]);
  assert.equal(r.status, 1);
  assert.deepStrictEqual(check(doc), r.json);
  assert.match(r.json.errors[0].path, /^schedules\[0\]\.rotations\[1\]/);
  assert.throws(() => new OnCall(doc), (e) => e.message === r.stderr);
});

test("a document that is not JSON: check() reports it, the constructor throws", () => {
  const text = '{"schedules": [';
  const result = check(text);
  assert.equal(result.valid, false);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0].path, "");
  assert.match(result.errors[0].message, /^not valid JSON/);
  assert.throws(() => new OnCall(text), /not valid JSON/);
  assert.equal(check(42).valid, false);
  assert.throws(() => new OnCall(42), /expected a JSON string or an object/);
});

/** The command's error line without the `--` of its flag names. */
const plain = (line) => line.replace(/^--/, "");

test("query errors name the argument, as the command does", () => {
  const s = "payments-primary";
  const cases = [
    [() => oncall.whoIsOnCall(s, "garbage"), ["who", ...cfg, "--schedule", s, "--at", "garbage"]],
    [() => oncall.nextOnCall(s, "2026-13-01T00:00"), ["next", ...cfg, "--schedule", s, "--at", "2026-13-01T00:00"]],
    [() => oncall.whoIsOnCall("nope", "2026-11-10T10:00:00Z"), ["who", ...cfg, "--schedule", "nope"]],
    [
      () => oncall.handoffs(s, "zz", "2026-11-10T10:00:00Z"),
      ["handoffs", ...cfg, "--schedule", s, "--rotation", "zz", "--from", "2026-11-10T10:00:00Z"],
    ],
    [
      () => oncall.timeline(s, "2026-11-10", "2026-11-09"),
      ["timeline", ...cfg, "--schedule", s, "--from", "2026-11-10", "--to", "2026-11-09"],
    ],
    [
      () => oncall.timeline(s, "2026-11-10", "yesterday"),
      ["timeline", ...cfg, "--schedule", s, "--from", "2026-11-10", "--to", "yesterday"],
    ],
    [
      () => oncall.timeline(s, "1800-01-01T00:00:00Z", "2026-11-09"),
      ["timeline", ...cfg, "--schedule", s, "--from", "1800-01-01T00:00:00Z", "--to", "2026-11-09"],
    ],
  ];
  for (const [call, args] of cases) {
    const r = native(args);
    // A name the document lacks is invalid input (1); a value the command cannot use, a usage error (2).
    assert.equal(r.status, args.includes("nope") || args.includes("zz") ? 1 : 2, args.join(" "));
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, plain(r.stderr));
      assert.equal(e.problems.length, 1);
      assert.equal(`${e.problems[0].path}: ${e.problems[0].message}`, e.message);
      return true;
    });
  }
});

test("argument errors of the bindings themselves name the argument", () => {
  const s = "payments-primary";
  const expectError = (call, re) => assert.throws(call, (e) => e instanceof Error && re.test(e.message));
  expectError(() => oncall.whoIsOnCall(s, new Date("not a date")), /^at: invalid Date$/);
  expectError(() => oncall.whoIsOnCall(s, 12), /^at: expected an ISO 8601 string or a Date$/);
  expectError(() => oncall.whoIsOnCall(s, null, { flat: "yes" }), /^options\.flat: expected a boolean$/);
  expectError(() => oncall.timeline(s, "2026-11-09", "2026-11-16", { expand: ["bogus"] }), /^options\.expand: /);
  expectError(() => oncall.timeline(s, "2026-11-09", "2026-11-16", { expand: 3 }), /^options\.expand: /);
  expectError(() => oncall.timeline(s), /^from: is required$/);
  expectError(() => oncall.timeline(s, "2026-11-09"), /^to: is required$/);
  expectError(() => oncall.handoffs(s, "off-hours", null, 0), /^count: must be a whole number from 1 to 10000, found 0$/);
  expectError(() => oncall.handoffs(s, "off-hours", null, 1.5), /^count: must be a whole number/);
  expectError(() => oncall.handoffs(s, "off-hours", null, 10001), /^count: /);
});

test("omitted instants mean now", () => {
  const before = Date.now();
  const next = oncall.nextOnCall("payments-primary");
  const after = Date.now();
  assert.ok(next.exactNextOnCallAt === null || Date.parse(next.exactNextOnCallAt) > before);
  const h = oncall.handoffs("payments-primary", "off-hours");
  assert.equal(h.handoffs.length, 10);
  assert.ok(Date.parse(h.handoffs[0].at) > before - 1000);
  assert.deepStrictEqual(oncall.whoIsOnCall("payments-primary", "now")._parent, oncall.whoIsOnCall("payments-primary")._parent);
  assert.ok(after >= before);
  void examplePath;
});

test("schedules() lists the schedules with zone and rotations", () => {
  assert.deepStrictEqual(oncall.schedules(), [
    { name: "payments-primary", timezone: "Europe/Berlin", enabled: true, rotations: ["business-hours", "off-hours"] },
    { name: "payments-secondary", timezone: "America/New_York", enabled: true, rotations: ["secondary"] },
  ]);
});

test("instant() reads instants as the queries do", () => {
  assert.equal(oncall.instant("payments-primary", "2026-11-10T10:00"), "2026-11-10T09:00:00Z");
  assert.equal(oncall.instant("payments-secondary", "2026-11-10T10:00"), "2026-11-10T15:00:00Z");
  assert.equal(oncall.instant("payments-primary", new Date("2026-11-10T10:00:00.900Z")), "2026-11-10T10:00:00Z");
  assert.throws(() => oncall.instant("payments-primary", "soon"), (e) => /^at: cannot read "soon"/.test(e.message));
});

test("time off: timelines match oncall timeline, sources say what the command's who says", () => {
  const file = path.join(path.dirname(examplePath), "time-off.json");
  const oncall = new pkg.OnCall(readFileSync(file, "utf8"));
  const cfg = [file, "--schedule", "support"];
  for (const [from, to] of [["2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z"], ["2026-12-21T00:00:00Z", "2027-01-04T00:00:00Z"]]) {
    const answer = oncall.timeline("support", from, to);
    assert.deepStrictEqual(answer, nativeJson(["timeline", ...cfg, "--from", from, "--to", to]), `${from}..${to}`);
    assert.ok((answer.away ?? []).length > 0, `${from}: someone is away or a rotation is closed`);
  }
  const at = "2026-11-10T10:00:00Z";
  const sources = oncall.onCallSources("support", at);
  assert.deepStrictEqual(sources[0].reassigned, { policy: "skip", absent: ["bob@example.com"], reason: "vacation", timeOff: 0 });
  const who = nativeJson(["who", ...cfg, "--at", at]);
  assert.deepStrictEqual(who.timeOff, [{ rotation: "business-hours", participant: "carol@example.com", ...sources[0].reassigned }]);
  // whoIsOnCall gives Opsgenie's answer alone (the command's extra `timeOff` key comes from the sources).
  const { timeOff, ...opsgenie } = who;
  void timeOff;
  assert.deepStrictEqual(oncall.whoIsOnCall("support", at), opsgenie);
  oncall.free();
});

test("repeated whoIsOnCall answers come from the answer index's cache, frozen, as a fresh configuration's", () => {
  const s = "payments-primary";
  const hot = new OnCall(exampleText);
  const base = Date.parse("2026-11-02T00:00:00Z");
  const instants = Array.from({ length: 300 }, (_, i) => new Date(base + i * 2_419_200));
  for (let round = 0; round < 3; round++) {
    for (const at of instants) {
      hot.whoIsOnCall(s, at);
      hot.whoIsOnCall(s, at.toISOString(), { flat: true });
    }
  }
  const a = hot.whoIsOnCall(s, instants[5]);
  assert.equal(hot.whoIsOnCall(s, instants[5].toISOString()), a, "an indexed answer is the cached object");
  for (const value of [a, a._parent, a.onCallParticipants, a.onCallParticipants[0]]) {
    assert.ok(Object.isFrozen(value));
  }
  assert.throws(() => a.onCallParticipants.push({ name: "mallory" }), TypeError);
  assert.throws(() => {
    a._parent.name = "changed";
  }, TypeError);
  const cold = oncall.whoIsOnCall(s, "2026-10-01T00:00:00Z");
  assert.ok(Object.isFrozen(cold), "answers not from the index are frozen too");
  for (const [i, at] of instants.entries()) {
    if (i % 10 !== 0) continue;
    const fresh = new OnCall(exampleText);
    const iso = at.toISOString();
    assert.deepStrictEqual(hot.whoIsOnCall(s, at), fresh.whoIsOnCall(s, iso), iso);
    assert.deepStrictEqual(hot.whoIsOnCall(s, iso, { flat: true }), fresh.whoIsOnCall(s, at, { flat: true }), iso);
    fresh.free();
  }
  for (const at of INSTANTS.slice(0, 3)) {
    const args = ["who", ...cfg, "--schedule", s, "--at", at];
    assert.deepStrictEqual(hot.whoIsOnCall(s, at), nativeJson(args), at);
  }
  hot.free();
});
