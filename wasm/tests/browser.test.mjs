// The demo page in a real browser: Playwright (playwright-core) drives Debian's Chromium headless.
// Needs /usr/bin/chromium and node_modules/playwright-core; scripts/test installs both when
// missing. The screenshot goes to $DEMO_SCREENSHOT (default /work/scratch/demo.png, or the
// system temp dir when /work/scratch does not exist).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import jsyaml from "js-yaml";
import { pkg, wasmDir, exampleText, examplePath } from "./helpers.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOT =
  process.env.DEMO_SCREENSHOT ?? (existsSync("/work/scratch") ? "/work/scratch/demo.png" : path.join(tmpdir(), "oncall-demo.png"));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** A static server for wasm/ on 127.0.0.1 and a free port (what `python3 -m http.server -d wasm` does). */
function serve(root) {
  const server = createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let server;
let browser;
let page;
const consoleErrors = [];

before(async () => {
  server = await serve(wasmDir);
  // A fresh, empty profile each run (Playwright takes the user data dir as an argument here).
  browser = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), "oncall-chromium-")), {
    executablePath: CHROMIUM,
    viewport: { width: 1440, height: 960 },
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/demo/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const INSTANT = "2026-11-10T10:00:00Z";
const SCHEDULE = "payments-primary";
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** Waits until the page has rendered its current inputs (edits re-render after a 150 ms debounce). */
async function rendered() {
  await page.waitForFunction(
    () => {
      const v = (id) => document.querySelector(`[data-testid="${id}"]`).value;
      return (
        document.body.dataset.rendered ===
        `${v("schedule")}|${v("instant").trim()}|${v("config").length}|${v("target")}|${v("priority")}`
      );
    },
    null,
    { timeout: 5_000 },
  );
}

test("the page loads the engine and the example configuration", async () => {
  assert.match(await byTestId("status").textContent(), /^2 schedules loaded from JSON\./);
  assert.equal(await byTestId("config").inputValue(), exampleText);
  assert.deepStrictEqual(
    await byTestId("schedule").locator("option").evaluateAll((os) => os.map((o) => o.value)),
    ["payments-primary", "payments-secondary"],
  );
});

test("who is on call at a fixed instant", async () => {
  await byTestId("schedule").selectOption(SCHEDULE);
  await byTestId("instant").fill(INSTANT);
  await rendered();
  assert.deepStrictEqual(await byTestId("person").allTextContents(), ["alice@example.com"]);
  const next = new pkg.OnCall(exampleText).nextOnCall(SCHEDULE, INSTANT, { flat: true });
  assert.equal(next.exactNextOnCallAt, "2026-11-10T17:00:00Z");
  assert.match(await byTestId("next").textContent(), new RegExp(`^Next change Tue 10 Nov, 18:00: ${next.exactNextOnCallParticipants.join(", ")}$`));
});

test("the week view has one element per segment of the engine's final schedule", async () => {
  // The engine's answer for the same week (Monday to Monday in Europe/Berlin), via the Node package.
  const oncall = new pkg.OnCall(exampleText);
  const timeline = oncall.timeline(SCHEDULE, "2026-11-09T00:00", "2026-11-16T00:00");
  const segments = byTestId("segment");
  assert.equal(await segments.count(), timeline.finalSchedule.length);
  assert.deepStrictEqual(
    await segments.evaluateAll((ss) => ss.map((s) => s.dataset.recipients)),
    timeline.finalSchedule.map((s) => s.recipients.join(",")),
  );
  const gaps = timeline.finalSchedule.filter((s) => s.recipients.length === 0).length;
  assert.equal(await page.locator('[data-testid="segment"].gap').count(), gaps);
  assert.match(await byTestId("week-label").textContent(), /Mon 9 Nov, 00:00 – Sun 15 Nov, 23:59/);
  assert.ok((await byTestId("handoff").count()) > 0);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  oncall.free();
});

test("the pay and fairness table is the engine's report of the week", async () => {
  await byTestId("schedule").selectOption(SCHEDULE);
  await byTestId("instant").fill(INSTANT);
  await rendered();
  const oncall = new pkg.OnCall(exampleText);
  const r = oncall.report(SCHEDULE, "2026-11-09T00:00", "2026-11-16T00:00");
  oncall.free();
  const rows = byTestId("pay-row");
  assert.equal(await rows.count(), r.fairness.users.length);
  const cells = await rows.evaluateAll((rs) => rs.map((row) => [...row.querySelectorAll("td")].map((td) => td.textContent)));
  for (const [i, f] of r.fairness.users.entries()) {
    const paid = r.pay.users.find((u) => u.username === f.username);
    assert.deepStrictEqual(cells[i].slice(0, 2), [f.username, f.onCallHours.toFixed(1)]);
    if (paid) assert.equal(cells[i][6], `${paid.amount} ${paid.currency}`);
  }
  assert.match(await byTestId("spread").textContent(), /^Spread of hours: .* Total pay .*EUR/);
});

test("an alert at the instant pages whom the engine's escalation timeline says", async () => {
  await byTestId("schedule").selectOption(SCHEDULE);
  await byTestId("instant").fill(INSTANT);
  await byTestId("target").selectOption("team:payments");
  await byTestId("priority").selectOption("P3");
  await rendered();
  const oncall = new pkg.OnCall(exampleText);
  const tl = oncall.escalate({ team: "payments", message: "Demo alert", priority: "P3", at: INSTANT });
  assert.ok(tl.notifications.length > 0);
  const rows = byTestId("page");
  assert.equal(await rows.count(), Math.min(12, tl.notifications.length));
  const first = await rows.first().locator("td").allTextContents();
  assert.equal(first[0], "+0:00");
  assert.equal(first[2], tl.notifications[0].user);
  assert.equal(first[3], `${tl.notifications[0].method} ${tl.notifications[0].to}`);
  assert.match(await byTestId("route").textContent(), /^Team payments routes it by rule "default" to escalation payments_escalation/);
  oncall.free();
});

test("gaps are marked in the week view", async () => {
  // payments-secondary starts on Monday 2 November at 09:00 New York time: the hours before are a gap.
  const oncall = new pkg.OnCall(exampleText);
  const timeline = oncall.timeline("payments-secondary", "2026-11-02T00:00", "2026-11-09T00:00");
  oncall.free();
  await byTestId("schedule").selectOption("payments-secondary");
  await byTestId("instant").fill("2026-11-02T10:00:00Z");
  await rendered();
  const gaps = timeline.finalSchedule.filter((s) => s.recipients.length === 0).length;
  assert.ok(gaps > 0);
  assert.equal(await page.locator('[data-testid="segment"].gap').count(), gaps);
  assert.equal(await byTestId("segment").count(), timeline.finalSchedule.length);
  assert.deepStrictEqual(await byTestId("person-none").allTextContents(), ["Nobody — this is a gap"]);
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-gap.png"), fullPage: true });
  await byTestId("schedule").selectOption(SCHEDULE);
  await byTestId("instant").fill(INSTANT);
  await rendered();
});

test("time off and holidays are marked on the week view", async () => {
  const text = readFileSync(path.join(path.dirname(examplePath), "time-off.json"), "utf8");
  const oncall = new pkg.OnCall(text);
  const timeline = oncall.timeline("support", "2026-11-09T00:00", "2026-11-16T00:00");
  oncall.free();
  await byTestId("config").fill(text);
  await rendered();
  await byTestId("schedule").selectOption("support");
  await byTestId("instant").fill("2026-11-10T10:00:00Z");
  await rendered();
  assert.ok(timeline.timeOff.length > 0 && timeline.away.length > 0);
  assert.equal(await byTestId("reassigned").count(), timeline.timeOff.length);
  assert.equal(await byTestId("away").count(), timeline.away.length);
  assert.match(await byTestId("reassigned").first().getAttribute("title"), /carol@example\.com \(reassigned by time off — skip: bob@example\.com away, vacation\)/);
  assert.deepStrictEqual(await byTestId("away").allTextContents(), ["bob vacation", "erin training"]);
  // Christmas week: the business-hours rotation is closed on the 25th and 26th (Berlin).
  await byTestId("instant").fill("2026-12-25T10:00:00Z");
  await rendered();
  assert.ok((await byTestId("away").allTextContents()).includes("business-hours closed holiday"));
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-time-off.png"), fullPage: true });
  await byTestId("config").fill(exampleText);
  await rendered();
  await byTestId("schedule").selectOption(SCHEDULE);
  await byTestId("instant").fill(INSTANT);
  await rendered();
});

test("a broken configuration shows the error with its path, and a fix clears it", async () => {
  const doc = JSON.parse(exampleText);
  doc.schedules[0].rotations[0].length = 0;
  await byTestId("config").fill(JSON.stringify(doc, null, 2));
  await rendered();
  assert.deepStrictEqual(await byTestId("error-path").allTextContents(), ["schedules[0].rotations[0].length"]);
  assert.match(await byTestId("error").first().textContent(), /^schedules\[0\]\.rotations\[0\]\.length: must be at least 1/);
  assert.equal(await byTestId("segment").count(), 0);
  assert.equal(await byTestId("blocked").isVisible(), true);
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-error.png"), fullPage: true });

  await byTestId("config").fill(exampleText);
  await rendered();
  assert.equal(await byTestId("errors").isHidden(), true);
  assert.deepStrictEqual(await byTestId("person").allTextContents(), ["alice@example.com"]);
});

test("a roster change shows where its version starts on the week, and in the hand-offs", async () => {
  // examples/roster-change.json: the new order takes over at ben's hand-off, Monday 2026-11-16
  // 09:00 Berlin (08:00Z).
  const text = readFileSync(path.join(wasmDir, "..", "examples", "roster-change.json"), "utf8");
  await byTestId("config").fill(text);
  await byTestId("instant").fill("2026-11-18T12:00:00Z");
  await rendered();
  assert.deepStrictEqual(await byTestId("person").allTextContents(), ["cy@example.com"]);
  assert.equal(await byTestId("version").count(), 1);
  assert.match(await byTestId("version").getAttribute("title"), /^primary: the roster of changes\[0\] from /);
  assert.match(await byTestId("handoff").first().textContent(), /primary \(changes\[0\]\)/);
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-roster.png"), fullPage: true });
  // The week before it has no boundary.
  await byTestId("instant").fill("2026-11-10T12:00:00Z");
  await rendered();
  assert.equal(await byTestId("version").count(), 0);
  await byTestId("config").fill(exampleText);
  await byTestId("instant").fill(INSTANT);
  await rendered();
  assert.equal(await byTestId("errors").isHidden(), true);
});

test("a bad instant shows the error with its argument", async () => {
  await byTestId("instant").fill("tuesday-ish");
  await rendered();
  assert.deepStrictEqual(await byTestId("error-path").allTextContents(), ["at"]);
  await byTestId("instant").fill(INSTANT);
  await rendered();
  assert.equal(await byTestId("errors").isHidden(), true);
});

test("an alert that reaches a gap shows the missed page and who was not reached", async () => {
  // payments-secondary has nobody on call before Monday 2 November 09:00 New York time.
  await byTestId("schedule").selectOption("payments-secondary");
  await byTestId("instant").fill("2026-11-02T10:00:00Z");
  await byTestId("target").selectOption("schedule:");
  await rendered();
  const oncall = new pkg.OnCall(exampleText);
  const tl = oncall.escalate({ schedule: "payments-secondary", message: "Demo alert", priority: "P3", at: "2026-11-02T10:00:00Z" });
  oncall.free();
  assert.ok(tl.unreached.length > 0, "the engine reports a missed page");
  const missed = byTestId("missed");
  assert.equal(await missed.count(), Math.min(8, tl.unreached.length));
  const cells = await missed.first().locator("td").allTextContents();
  assert.equal(cells[3], "MISSED");
  assert.equal(cells[2], tl.unreached[0].user ?? "nobody");
  assert.ok(cells[4].startsWith(tl.unreached[0].message), `${cells[4]} / ${tl.unreached[0].message}`);
  assert.equal(await missed.first().getAttribute("data-reason"), tl.unreached[0].reason);
  await byTestId("schedule").selectOption(SCHEDULE);
  await byTestId("instant").fill(INSTANT);
  await byTestId("target").selectOption("team:payments");
  await rendered();
});

test("a YAML configuration is read (js-yaml, then the core) and its errors name their paths", async () => {
  const yaml = readFileSync(path.join(wasmDir, "..", "examples", "follow-the-sun.yaml"), "utf8");
  await byTestId("config").fill(yaml);
  await byTestId("instant").fill("2026-11-10T02:00:00Z");
  await rendered();
  assert.match(await byTestId("status").textContent(), /^1 schedule loaded from YAML\./);
  const oncall = new pkg.OnCall(jsyaml.load(yaml));
  const who = oncall.whoIsOnCall("platform", "2026-11-10T02:00:00Z", { flat: true });
  oncall.free();
  assert.deepStrictEqual(await byTestId("person").allTextContents(), who.onCallRecipients);
  assert.deepStrictEqual(who.onCallRecipients, ["yui@example.com"]);
  // A YAML error names its path too.
  await byTestId("config").fill(yaml.replace("timezone: Europe/London ", "timezone: Europe/Londn "));
  await rendered();
  assert.deepStrictEqual(await byTestId("error-path").allTextContents(), ["schedules[0].timezone"]);
  await byTestId("config").fill(exampleText);
  await byTestId("instant").fill(INSTANT);
  await rendered();
});

test("a shift on the week view says where it comes from on hover", async () => {
  const oncall = new pkg.OnCall(exampleText);
  const sourced = oncall.timeline(SCHEDULE, "2026-11-09T00:00", "2026-11-16T00:00", { expand: ["sources"] }).finalSchedule;
  oncall.free();
  const first = sourced.find((s) => s.recipients.length > 0);
  const src = first.sources[0];
  assert.equal(src.origin.type, "rotation");
  const titles = await byTestId("segment").evaluateAll((ss) => ss.map((s) => s.getAttribute("title")));
  const expected = `${src.recipient} ← rotation ${src.origin.rotation}, turn ${src.origin.turn}`;
  assert.ok(titles.some((t) => t.includes(expected)), `no tooltip names ${expected}:\n${titles.join("\n")}`);
  // Gaps have no source.
  const gapSources = await page.locator('[data-testid="segment"].gap').evaluateAll((ss) => ss.map((s) => s.dataset.sources));
  assert.ok(gapSources.every((x) => x === ""));
});

test("a second configuration is compared with the first over the week", async () => {
  const doc = JSON.parse(exampleText);
  const rotation = doc.schedules.find((s) => s.name === SCHEDULE).rotations[0];
  const [a, b, c] = rotation.participants;
  rotation.participants = [b, c, a];
  const other = JSON.stringify(doc, null, 2);
  await byTestId("compare").fill(other);
  await page.waitForFunction(() => /differ in/.test(document.querySelector('[data-testid="diff-summary"]').textContent), null, { timeout: 5_000 });
  const before = new pkg.OnCall(exampleText);
  const after = new pkg.OnCall(other);
  const diff = after.diffFrom(before, SCHEDULE, "2026-11-09T00:00", "2026-11-16T00:00");
  before.free();
  after.free();
  assert.ok(diff.changes.length > 0);
  assert.equal(await byTestId("diff-change").count(), Math.min(diff.changes.length, 20));
  assert.deepStrictEqual(
    await byTestId("diff-user").allTextContents(),
    diff.users.map((u) => `${u.username}: +${(u.gainedSeconds / 3600).toFixed(1).replace(/\.0$/, "")} h, −${(u.lostSeconds / 3600).toFixed(1).replace(/\.0$/, "")} h`),
  );
  // The same configuration: no difference.
  await byTestId("compare").fill(exampleText);
  await page.waitForFunction(() => /^No difference/.test(document.querySelector('[data-testid="diff-summary"]').textContent), null, { timeout: 5_000 });
  assert.equal(await byTestId("diff-change").count(), 0);
  await byTestId("compare").fill("");
  await page.waitForFunction(() => document.querySelector('[data-testid="diff-summary"]').textContent === "", null, { timeout: 5_000 });
});

test("twenty people get twenty distinct colours", async () => {
  const users = Array.from({ length: 20 }, (_, i) => `user${String(i + 1).padStart(2, "0")}@example.com`);
  const doc = { schedules: [{ name: "twenty", timezone: "UTC", rotations: [
    { name: "hourly", type: "hourly", length: 6, startDate: "2026-11-09T00:00:00Z", participants: users }] }] };
  await byTestId("config").fill(JSON.stringify(doc, null, 2));
  await rendered();
  const legend = page.locator('[data-testid="legend"] li:not(:last-child)');
  assert.equal(await legend.count(), 20);
  const swatches = await legend.locator(".swatch").evaluateAll((ss) =>
    ss.map((s) => `${getComputedStyle(s).backgroundColor} ${getComputedStyle(s).backgroundImage}`));
  assert.equal(new Set(swatches).size, 20, swatches.join("\n"));
  await byTestId("config").fill(exampleText);
  await rendered();
});

test("the page fits a phone's width", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  // A resize re-renders (day labels shorten to "Mon 9").
  await page.waitForFunction(() => /^[A-Z][a-z]{2} \d{1,2}$/.test(document.querySelector(".day")?.textContent ?? ""), null, { timeout: 5_000 });
  await rendered();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 390px screen`);
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-phone.png"), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.waitForFunction(() => /^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}$/.test(document.querySelector(".day")?.textContent ?? ""), null, { timeout: 5_000 });
});

test("the page logged no errors", () => {
  assert.deepStrictEqual(consoleErrors, []);
});
