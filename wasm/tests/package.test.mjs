// The package folder: its exports resolve for Node (require and import) and name the web build
// for browsers, the web build works (initialised synchronously here), and the TypeScript
// declarations are real types: no `any`, and a typed usage compiles under --strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { pkg, pkgDir, wasmDir, exampleText } from "./helpers.mjs";

const manifest = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));

/** A scratch project with the package installed (a symlink) as node_modules/oncall-wasm. */
function scratchProject() {
  const dir = mkdtempSync(path.join(tmpdir(), "oncall-wasm-consumer-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(pkgDir, path.join(dir, "node_modules", "oncall-wasm"), "dir");
  writeFileSync(path.join(dir, "payments.json"), exampleText);
  return dir;
}

test("package.json names the package, its builds and its types", () => {
  assert.equal(manifest.name, "oncall-wasm");
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  const root = manifest.exports["."];
  assert.equal(root.node.default, "./node/oncall_wasm.js");
  assert.equal(root.browser.default, "./web/oncall_wasm.js");
  assert.equal(root.types, "./web/oncall_wasm.d.ts");
  for (const file of ["node/oncall_wasm.js", "web/oncall_wasm.js", "web/oncall_wasm_bg.wasm"]) {
    assert.ok(readdirSync(path.join(pkgDir, path.dirname(file))).includes(path.basename(file)), file);
  }
  // One module serves both builds: the Node glue reads the web build's .wasm.
  assert.ok(!readdirSync(path.join(pkgDir, "node")).includes("oncall_wasm_bg.wasm"), "a second copy of the .wasm");
  assert.match(readFileSync(path.join(pkgDir, "node", "oncall_wasm.js"), "utf8"), /join\(__dirname, "\.\.", "web", "oncall_wasm_bg\.wasm"\)/);
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.deepEqual(manifest.files, ["web/", "node/", "README.md", "payments.json"]);
});

test("npm would publish one .wasm, the glue, the types and the README", () => {
  const [report] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkgDir, encoding: "utf8" }));
  const files = report.files.map((f) => f.path).sort();
  assert.deepEqual(files.filter((f) => f.endsWith(".wasm")), ["web/oncall_wasm_bg.wasm"]);
  for (const f of ["package.json", "README.md", "node/oncall_wasm.js", "node/oncall_wasm.d.ts", "web/oncall_wasm.js", "web/oncall_wasm.d.ts"]) {
    assert.ok(files.includes(f), `${f} is not in the package: ${files}`);
  }
  assert.equal(report.name, "oncall-wasm");
});

test("Node resolves the package by name, with require and with import", () => {
  const dir = scratchProject();
  const script = `
    const { OnCall } = require("oncall-wasm");
    const text = require("fs").readFileSync("payments.json", "utf8");
    const who = new OnCall(text).whoIsOnCall("payments-primary", "2026-11-10T10:00:00Z", { flat: true });
    console.log(who.onCallRecipients.join(","));`;
  assert.equal(execFileSync("node", ["-e", script], { cwd: dir, encoding: "utf8" }).trim(), "alice@example.com");
  const esm = `
    import { OnCall, check } from "oncall-wasm";
    import { readFileSync } from "node:fs";
    const text = readFileSync("payments.json", "utf8");
    if (!check(text).valid) throw new Error("invalid");
    console.log(new OnCall(text).whoIsOnCall("payments-secondary", "2026-11-10T10:00:00Z").onCallParticipants[0].name);`;
  const out = execFileSync("node", ["--input-type=module", "-e", esm], { cwd: dir, encoding: "utf8" });
  assert.equal(out.trim(), "carol@example.com");
});

test("the web build (ES module) gives the same answers once initialised", async () => {
  const web = await import(pathToFileURL(path.join(pkgDir, "web", "oncall_wasm.js")).href);
  web.initSync({ module: readFileSync(path.join(pkgDir, "web", "oncall_wasm_bg.wasm")) });
  const a = new web.OnCall(exampleText);
  const b = new pkg.OnCall(exampleText);
  for (const at of ["2026-11-10T10:00:00Z", "2026-11-28T12:00:00Z"]) {
    assert.deepStrictEqual(a.whoIsOnCall("payments-primary", at), b.whoIsOnCall("payments-primary", at));
    assert.deepStrictEqual(a.nextOnCall("payments-secondary", at), b.nextOnCall("payments-secondary", at));
  }
  assert.deepStrictEqual(
    a.timeline("payments-primary", "2026-11-09", "2026-11-16"),
    b.timeline("payments-primary", "2026-11-09", "2026-11-16"),
  );
});

/** Declarations without comments. */
function declarations(file) {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
}

test("the .d.ts files have no `any`", () => {
  for (const dir of ["web", "node"]) {
    for (const file of readdirSync(path.join(pkgDir, dir)).filter((f) => f.endsWith(".d.ts"))) {
      const text = declarations(path.join(pkgDir, dir, file));
      const hits = text.split("\n").filter((line) => /\bany\b/.test(line));
      assert.deepStrictEqual(hits, [], `${dir}/${file}`);
    }
  }
});

test("every public method and function has typed arguments and results", () => {
  const text = declarations(path.join(pkgDir, "web", "oncall_wasm.d.ts"));
  const cls = text.slice(text.indexOf("export class OnCall"));
  for (const [name, ret] of [
    ["check", "CheckResult"],
    ["diffFrom", "ScheduleDiff"],
    ["escalate", "EscalationTimeline"],
    ["handoffs", "Handoffs"],
    ["instant", "IsoInstant"],
    ["nextOnCall", "NextOnCallAnswer"],
    ["onCallSources", "OnCallSource[]"],
    ["schedules", "ScheduleInfo[]"],
    ["timeline", "Timeline"],
    ["whoIsOnCall", "OnCallAnswer"],
  ]) {
    assert.match(cls, new RegExp(`\\n\\s*${name}\\([^)]*\\): ${ret.replace(/[[\]]/g, "\\$&")};`), name);
  }
  assert.match(text, /export function check\(config: string \| ConfigDocument\): CheckResult;/);
  for (const iface of [
    "OnCallAnswer",
    "FlatOnCallAnswer",
    "NextOnCallAnswer",
    "FlatNextOnCallAnswer",
    "Timeline",
    "TimelineLayer",
    "TimelineRotation",
    "Period",
    "Segment",
    "Participant",
    "Parent",
    "Handoffs",
    "Handoff",
    "CheckResult",
    "Problem",
    "OnCallError",
    "ConfigDocument",
    "RosterChange",
    "EscalationTimeline",
    "EscalationNotification",
    "Unreached",
    "LogEntry",
    "AlertState",
    "RoutingDecision",
    "AlertDocument",
    "ScheduleDiff",
    "ScheduleChange",
    "ShiftSource",
    "OnCallSource",
    "TimeOffChange",
    "AwayPeriod",
    "TimeOffDocument",
    "HolidayCalendarDocument",
  ]) {
    assert.match(text, new RegExp(`export interface ${iface} `), iface);
  }
});

test("a typed consumer compiles with tsc --strict against the package", () => {
  const dir = scratchProject();
  const source = `
import { OnCall, check, type CheckResult, type OnCallAnswer, type FlatOnCallAnswer, type Timeline,
  type NextOnCallAnswer, type FlatNextOnCallAnswer, type Handoffs, type Segment, type OnCallError,
  type EscalationTimeline, type Hop, type ConfigDocument, type RosterChange, type ScheduleDiff,
  type ShiftSource, type Report, type PayLine, type TimeOffChange, type AwayPeriod, type TimeOffPolicy,
  type RotationDocument } from "oncall-wasm";
declare const text: string;
const report: CheckResult = check(text);
const paths: string[] = report.errors.map((p) => p.path);
const oncall = new OnCall(text);
const who: OnCallAnswer = oncall.whoIsOnCall("payments-primary", new Date());
// An empty slot (type "none") has no name, as in Opsgenie's answers.
const names: string[] = who.onCallParticipants.flatMap((p) => (p.name === undefined ? [] : [p.name]));
const flat: FlatOnCallAnswer = oncall.whoIsOnCall("payments-primary", "2026-11-10T10:00:00Z", { flat: true });
const recipients: string[] = flat.onCallRecipients;
const next: NextOnCallAnswer = oncall.nextOnCall("payments-primary");
const at: string | null = next.exactNextOnCallAt;
const nextFlat: FlatNextOnCallAnswer = oncall.nextOnCall("payments-primary", null, { flat: true });
const timeline: Timeline = oncall.timeline("payments-primary", "2026-11-09", new Date(), { expand: ["base"] });
const gaps: Segment[] = timeline.finalSchedule.filter((s) => s.recipients.length === 0);
const sourced: ShiftSource[] = oncall.timeline("payments-primary", "2026-11-09", "2026-11-16", { expand: ["sources"] })
  .finalSchedule.flatMap((s) => s.sources ?? []);
const turns: number[] = sourced.flatMap((s) => (s.origin.type === "rotation" ? [s.origin.turn] : []));
const diff: ScheduleDiff = new OnCall(text).diffFrom(oncall, "payments-primary", "2026-11-09", "2026-11-16");
const netHours: number[] = diff.users.map((u) => u.netSeconds / 3600);
// @ts-expect-error: presence is one of three words
const wrong: ScheduleDiff["presence"] = "maybe";
const handoffs: Handoffs = oncall.handoffs("payments-primary", "off-hours", undefined, 3);
const changed: TimeOffChange[] = timeline.timeOff ?? [];
const away: AwayPeriod[] = timeline.away ?? [];
const policy: TimeOffPolicy | undefined = oncall.onCallSources("payments-primary", "2026-11-10T10:00Z")[0]?.reassigned?.policy;
const holidayDoc: ConfigDocument = { holidayCalendars: [{ name: "de", dates: ["2026-12-25"] }],
  users: [{ username: "a", timeOff: [{ startDate: "2026-12-24", endDate: "2026-12-27", reason: "leave" }], holidays: ["de"] }],
  schedules: [{ name: "s", rotations: [{ type: "daily", startDate: "2026-12-01", participants: ["a"], timeOffPolicy: "cover", holidays: ["de"] }] }] };
// @ts-expect-error: an unknown policy
const bad: RotationDocument = { type: "daily", startDate: "2026-12-01", participants: ["a"], timeOffPolicy: "swap" };
const first: string | undefined = handoffs.handoffs[0]?.at;
const version: number | undefined = handoffs.handoffs[0]?.change;
const change: RosterChange = { effective: "2026-11-11T12:00", rollout: "after-current-shift", participants: ["dee"] };
const doc: ConfigDocument = { schedules: [{ name: "s", rotations: [{ type: "weekly", startDate: "2026-11-02T09:00",
  participants: ["ann", "ben"], changes: [change, { effective: "2026-12-01T00:00", rollout: "immediate", length: 2 }] }] }] };
// @ts-expect-error: an unknown rollout
const badChange: RosterChange = { effective: "2026-11-11T12:00", rollout: "later", length: 2 };
const esc: EscalationTimeline = oncall.escalate({ team: "payments", message: "5xx", at: new Date(), ackAt: "2026-11-10T10:05",
  events: [{ at: "2026-11-10T10:06", action: "add-note", note: "on it" }], seed: 1n });
const sentTo: string[] = esc.notifications.map((n) => n.user);
const hops: Hop[] = esc.notifications[0]?.via ?? [];
const ruleName: string | undefined = esc.routing?.ruleName;
const weekly: Report = oncall.report("payments-primary", "2026-11-09", "2026-11-16");
const lines: PayLine[] = weekly.pay.users.flatMap((u) => u.lines);
const cents: number = weekly.pay.totals[0]?.amountMinor ?? 0;
const spread: number = weekly.fairness.spread.night.stdDev;
const payDoc: ConfigDocument = { payRules: [{ name: "p", currency: "EUR", baseRate: "4.00",
  rates: [{ days: ["sat", "sun"], from: "22:00", to: "07:00", multiplier: 2 }], minimumPerShift: { hours: 2 } }] };
// @ts-expect-error: a weekday is mon … sun
const badDay: ConfigDocument = { payRules: [{ name: "p", currency: "EUR", baseRate: 1, rates: [{ days: ["fr"], rate: 1 }] }] };
// @ts-expect-error: one target only
oncall.escalate({ team: "payments", schedule: "payments-primary", message: "m", at: "now" });
// @ts-expect-error: a message or an alert is needed
oncall.escalate({ team: "payments", at: "now" });
// @ts-expect-error: snooze needs until
oncall.escalate({ team: "payments", message: "m", at: "now", events: [{ at: "now", action: "snooze" }] });
try { new OnCall("{}"); } catch (e) { const problems = (e as OnCallError).problems; void problems; }
// @ts-expect-error: an unknown layer name
oncall.timeline("payments-primary", "2026-11-09", "2026-11-16", { expand: ["everything"] });
// @ts-expect-error: instants are strings or Dates
oncall.whoIsOnCall("payments-primary", 12);
// @ts-expect-error: the nested answer has no onCallRecipients
oncall.whoIsOnCall("payments-primary").onCallRecipients;
oncall[Symbol.dispose]();
void [paths, names, recipients, at, nextFlat, gaps, first, version, doc, badChange, sentTo, hops, ruleName, turns,
  netHours, wrong, lines, cents, spread, payDoc, badDay, changed, away, policy, holidayDoc, bad];
`;
  writeFileSync(path.join(dir, "consumer.ts"), source);
  const tsc = path.join(wasmDir, "node_modules", ".bin", "tsc");
  // Never skipLibCheck: the package's own .d.ts are checked too. ES2022's default lib has no
  // Symbol.dispose (esnext.disposable): the declarations must compile without it.
  const base = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext"];
  const targets = [["--target", "es2022"], ["--target", "esnext"], ["--target", "es2022", "--lib", "esnext,dom"]];
  for (const target of targets) {
    for (const conditions of [[], ["--customConditions", "browser"]]) {
      try {
        execFileSync(tsc, [...base, ...target, ...conditions, "consumer.ts"], { cwd: dir, encoding: "utf8" });
      } catch (e) {
        assert.fail(`tsc ${[...target, ...conditions].join(" ")} failed:\n${e.stdout}${e.stderr}`);
      }
    }
  }
});
