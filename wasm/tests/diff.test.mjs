// `diffFrom` and `timeline(…, {expand: ["sources"]})` give the native command's answers
// (`oncall diff --format json`, `oncall timeline --expand sources --format json`), and a gap
// policy of an escalation works through `escalate`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pkg, exampleText, examplePath, nativeJson } from "./helpers.mjs";

const { OnCall } = pkg;
const dir = mkdtempSync(path.join(tmpdir(), "oncall-wasm-diff-"));

function changed() {
  const doc = JSON.parse(exampleText);
  const rotation = doc.schedules.find((s) => s.name === "payments-primary").rotations[0];
  const [a, b, c] = rotation.participants;
  rotation.participants = [b, c, a];
  const file = path.join(dir, "changed.json");
  writeFileSync(file, JSON.stringify(doc));
  return { doc, file };
}

test("diffFrom equals oncall diff", () => {
  const { doc, file } = changed();
  const [from, to] = ["2026-11-09T00:00", "2026-11-30T00:00"];
  const before = new OnCall(exampleText);
  const after = new OnCall(doc);
  const diff = after.diffFrom(before, "payments-primary", from, to);
  assert.deepStrictEqual(diff, nativeJson(["diff", examplePath, file, "--schedule", "payments-primary", "--from", from, "--to", to]));
  assert.ok(diff.changes.length > 0);
  // Reversed: the same intervals, gained and lost swapped.
  const back = before.diffFrom(after, "payments-primary", from, to);
  assert.deepStrictEqual(back.changes.map((c) => [c.startDate, c.endDate, c.gained, c.lost]), diff.changes.map((c) => [c.startDate, c.endDate, c.lost, c.gained]));
  assert.equal(after.diffFrom(after, "payments-primary", from, to).changes.length, 0);
  assert.throws(() => after.diffFrom(before, "nope", from, to), /^Error: schedule: /);
  before.free();
  after.free();
});

test("timeline sources equal oncall timeline --expand sources", () => {
  const oncall = new OnCall(exampleText);
  const [from, to] = ["2026-11-09T00:00", "2026-11-16T00:00"];
  const tl = oncall.timeline("payments-primary", from, to, { expand: ["sources"] });
  const native = nativeJson(["timeline", examplePath, "--schedule", "payments-primary", "--from", from, "--to", to, "--expand", "sources"]);
  assert.deepStrictEqual(tl, native);
  assert.ok(tl.finalSchedule.filter((s) => s.recipients.length).every((s) => s.sources.length > 0));
  assert.ok(!("sources" in oncall.timeline("payments-primary", from, to).finalSchedule[0]));
  oncall.free();
});

test("an escalation's onGap policy works through escalate", () => {
  const doc = {
    users: [{ username: "ann" }, { username: "bob" }],
    schedules: [{ name: "days", rotations: [{ name: "day", type: "daily", startDate: "2026-11-01T09:00:00Z", participants: ["ann"],
      timeRestriction: { type: "time-of-day", restriction: { startHour: 9, endHour: 17 } } }] }],
    escalations: [{ name: "esc", onGap: "fallback", gapFallback: { type: "user", username: "bob" },
      rules: [{ delay: { timeAmount: 0 }, recipient: { type: "schedule", name: "days" } }] }],
  };
  const oncall = new OnCall(doc);
  const tl = oncall.escalate({ escalation: "esc", message: "disk full", at: "2026-11-10T20:00:00Z" });
  assert.deepStrictEqual(tl.notifications.map((n) => n.user), ["bob"]);
  assert.deepStrictEqual(tl.notifications[0].via.at(-1), { type: "gap-fallback", schedule: "days" });
  assert.ok(tl.log.some((l) => l.kind === "gap-policy"));
  oncall.free();
});
