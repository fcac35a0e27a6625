// The demo page: no framework, the package's web build used directly.
import init, { OnCall, check } from "../pkg/web/oncall_wasm.js";
// YAML is turned into the same document object by js-yaml (YAML 1.2 core schema, merge keys):
// the package itself reads JSON only, to stay within its size budget (wasm/README.md).
import jsyaml from "../node_modules/js-yaml/dist/js-yaml.mjs";

const $ = (id) => document.getElementById(id);
const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const els = {
  status: byTestId("status"),
  config: $("config"),
  errors: byTestId("errors"),
  errorList: byTestId("error-list"),
  schedule: $("schedule"),
  instant: $("instant"),
  now: $("now"),
  who: byTestId("who"),
  whoWhen: byTestId("who-when"),
  next: byTestId("next"),
  weekLabel: byTestId("week-label"),
  bar: byTestId("week-bar"),
  days: byTestId("week-days"),
  away: byTestId("week-away"),
  legend: byTestId("legend"),
  handoffs: byTestId("handoffs"),
  target: $("target"),
  priority: $("priority"),
  route: byTestId("route"),
  pages: byTestId("pages"),
  compare: $("compare"),
  diffLabel: byTestId("diff-label"),
  diffSummary: byTestId("diff-summary"),
  diffChanges: byTestId("diff-changes"),
  diffUsers: byTestId("diff-users"),
  pay: byTestId("pay"),
  spread: byTestId("spread"),
};

// Paul Tol's "muted" qualitative scheme (nine colours chosen to stay distinct for the common
// forms of colour blindness) and a dark grey; from the 11th person on, the same ten colours come
// back hatched with white, so up to 20 people get 20 distinct swatches. Names are always
// printed beside the colours too.
const TOL_MUTED = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#555555"];
const LIGHT = new Set(["#88CCEE", "#DDCC77", "#44AA99", "#999933"]);
const PALETTE = [
  ...TOL_MUTED,
  ...TOL_MUTED.map((c) => `repeating-linear-gradient(135deg, ${c} 0 6px, #ffffff 6px 9px)`),
];
const colours = new Map();
function colour(user) {
  if (!colours.has(user)) colours.set(user, PALETTE[colours.size % PALETTE.length]);
  return colours.get(user);
}
/** Text colour on a user's swatch: dark on the light colours, white on the others. */
function ink(user) {
  const c = colour(user);
  return LIGHT.has(c) ? "#1d2330" : "#ffffff";
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "style") Object.assign(e.style, v);
    else if (k.startsWith("data-") || k === "title") e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children);
  return e;
}

/** Formats an instant in a zone: "Tue 10 Nov, 11:00". */
function fmt(iso, timeZone, withDate = true) {
  const opts = withDate
    ? { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }
    : { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone };
  return new Intl.DateTimeFormat("en-GB", opts).format(new Date(iso));
}

/** The local calendar date (y, m, d) and ISO weekday (1 = Monday) of an instant in a zone. */
function localDate(date, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric", weekday: "short" })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday) + 1;
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), weekday };
}

/** A naive local date-time string (read by the engine in the schedule's zone). */
function naive(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d));
  return `${t.toISOString().slice(0, 10)}T00:00`;
}

let oncall = null;
let lastText = null;

let warnings = [];

function showProblems(problems, title = "Problems") {
  els.errors.querySelector("h2").textContent = title;
  els.errors.classList.toggle("warnings", title !== "Problems");
  els.errorList.replaceChildren(
    ...problems.map((p) =>
      el("li", { "data-testid": "error" },
        p.path ? el("code", { className: "path", "data-testid": "error-path" }, p.path) : "",
        p.path ? ": " : "",
        el("span", { "data-testid": "error-message" }, p.message)),
    ),
  );
  els.errors.hidden = problems.length === 0;
}

/** Whether the editor holds YAML: anything that does not start like a JSON object. */
function isYaml(text) {
  return !text.trimStart().startsWith("{");
}

/** Re-reads the configuration when it changed; returns false when it is invalid. */
function loadConfig() {
  const text = els.config.value;
  if (text === lastText && oncall) return true;
  lastText = text;
  const yaml = isYaml(text);
  // Colours follow the people of the document on screen: a new document starts the palette over.
  colours.clear();
  let doc = text;
  if (yaml) {
    try {
      doc = jsyaml.load(text) ?? {};
    } catch (e) {
      // A YAML syntax error: js-yaml's reason and position (line and column from 1).
      const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : "";
      doc = null;
      oncall?.free();
      oncall = null;
      showProblems([{ path: "", message: `not valid YAML: ${e.reason ?? e.message}${where}` }]);
      els.config.classList.add("invalid");
      els.status.textContent = "The configuration has 1 problem.";
      return false;
    }
  }
  const report = check(doc);
  if (!report.valid) {
    oncall?.free();
    oncall = null;
    showProblems(report.errors);
    els.config.classList.add("invalid");
    els.status.textContent = `The configuration has ${report.errors.length} problem${report.errors.length === 1 ? "" : "s"}.`;
    return false;
  }
  els.config.classList.remove("invalid");
  oncall?.free();
  oncall = new OnCall(doc);
  const schedules = oncall.schedules();
  const selected = els.schedule.value;
  els.schedule.replaceChildren(
    ...schedules.map((s) => el("option", { value: s.name, textContent: `${s.name} (${s.timezone})` })),
  );
  if (schedules.some((s) => s.name === selected)) els.schedule.value = selected;
  // Alert targets: the document's teams (their routing decides), then the selected schedule.
  const target = els.target.value;
  const teams = oncall.teams();
  els.target.replaceChildren(
    ...teams.map((t) => el("option", { value: `team:${t}`, textContent: `team ${t}` })),
    el("option", { value: "schedule:", textContent: "the selected schedule" }),
  );
  if ([...els.target.options].some((o) => o.value === target)) els.target.value = target;
  const n = report.warnings.length;
  const warned = n ? ` ${n} warning${n === 1 ? "" : "s"}.` : "";
  els.status.textContent = `${schedules.length} schedule${schedules.length === 1 ? "" : "s"} loaded from ${yaml ? "YAML" : "JSON"}.${warned}`;
  warnings = report.warnings;
  return true;
}

function participantLabel(p) {
  if (p.type === "user") return p.forwardedFrom ? `${p.name} (forwarded from ${p.forwardedFrom.name})` : p.name;
  const inner = (p.onCallParticipants ?? []).map(participantLabel).join(", ");
  if (p.type === "none") return "nobody";
  return `${p.type} ${p.name}${inner ? `: ${inner}` : ""}`;
}

function render() {
  const loaded = loadConfig();
  // What was last rendered, for tests: "schedule|instant|config length|target|priority" (after
  // loading, which may change the schedule and target choices).
  document.body.dataset.rendered =
    `${els.schedule.value}|${els.instant.value.trim()}|${els.config.value.length}|${els.target.value}|${els.priority.value}`;
  if (!loaded) {
    for (const e of [els.who, els.bar, els.away, els.days, els.legend, els.handoffs, els.pages, els.diffChanges, els.diffUsers, els.pay]) {
      e.replaceChildren();
    }
    els.diffSummary.textContent = els.diffLabel.textContent = els.spread.textContent = "";
    els.route.textContent = "";
    els.next.textContent = "";
    els.whoWhen.textContent = els.weekLabel.textContent = "";
    byTestId("blocked").hidden = false;
    return;
  }
  const name = els.schedule.value;
  const info = oncall.schedules().find((s) => s.name === name);
  if (!info) return;
  const zone = info.timezone;
  byTestId("blocked").hidden = true;
  const instantText = els.instant.value.trim() || "now";
  try {
    const at = instantText === "now" ? new Date() : instantText;
    const who = oncall.whoIsOnCall(name, at, { flat: true });
    const nested = oncall.whoIsOnCall(name, at);
    const atDate = new Date(oncall.instant(name, at));
    els.whoWhen.textContent = `at ${fmt(atDate.toISOString(), zone)} (${zone})`;
    els.who.replaceChildren(
      ...(who.onCallRecipients.length
        ? who.onCallRecipients.map((u) =>
            el("span", { className: "person", "data-testid": "person", style: { background: colour(u), color: ink(u) } }, u))
        : [el("span", { className: "nobody", "data-testid": "person-none" }, "Nobody — this is a gap")]),
    );
    if (nested.onCallParticipants.some((p) => p.type !== "user" || p.forwardedFrom)) {
      els.who.append(el("div", { className: "detail" }, nested.onCallParticipants.map(participantLabel).join("; ")));
    }
    const next = oncall.nextOnCall(name, at, { flat: true });
    els.next.textContent = next.exactNextOnCallAt
      ? `Next change ${fmt(next.exactNextOnCallAt, zone)}: ${next.exactNextOnCallParticipants.join(", ") || "nobody (gap)"}`
      : next.searchedUntil
        ? `No change before ${fmt(next.searchedUntil, zone)} (the search stopped there).`
        : "No change ever: nothing this schedule depends on changes again.";

    renderWeek(name, info, zone, atDate);
    renderHandoffs(name, info, zone, atDate);
    renderPay(name, zone, atDate);
    renderEscalation(name, zone, atDate);
    renderDiff(name, zone, atDate);
    showProblems(warnings, "Warnings");
  } catch (e) {
    showProblems(e.problems?.length ? e.problems : [{ path: "", message: e.message }]);
  }
}

function renderWeek(name, info, zone, atDate) {
  const { y, m, d, weekday } = localDate(atDate, zone);
  const from = naive(y, m, d - (weekday - 1));
  const to = naive(y, m, d - (weekday - 1) + 7);
  const timeline = oncall.timeline(name, from, to);
  // Where each answer comes from, for the tooltips: the same window with sources (its segments
  // refine the plain ones: a new turn of the same person starts a new one).
  const sourced = oncall.timeline(name, from, to, { expand: ["sources"] }).finalSchedule;
  const start = Date.parse(timeline.startDate);
  const span = Date.parse(timeline.endDate) - start;
  const pct = (iso) => ((Date.parse(iso) - start) / span) * 100;
  els.weekLabel.textContent = `${fmt(timeline.startDate, zone)} – ${fmt(new Date(Date.parse(timeline.endDate) - 1).toISOString(), zone)}`;

  const users = new Set();
  els.bar.replaceChildren(
    ...timeline.finalSchedule.map((s) => {
      const left = pct(s.startDate);
      const width = pct(s.endDate) - left;
      const gap = s.recipients.length === 0;
      s.recipients.forEach((u) => users.add(u));
      const inside = sourced.filter((g) => g.startDate >= s.startDate && g.endDate <= s.endDate);
      const from = [...new Set(inside.flatMap((g) => (g.sources ?? []).map(sourceLabel)))];
      const title =
        `${fmt(s.startDate, zone)} – ${fmt(s.endDate, zone)}: ${gap ? "gap, nobody on call" : s.recipients.join(", ")}` +
        (from.length ? `\n${from.join("\n")}` : "");
      const seg = el("div", {
        className: gap ? "segment gap" : "segment",
        title,
        "data-testid": "segment",
        "data-recipients": s.recipients.join(","),
        "data-sources": from.join("; "),
        style: { left: `${left}%`, width: `${width}%` },
      });
      if (gap) {
        seg.append(el("span", { className: "label" }, "gap"));
      } else {
        // One stripe per recipient (several people can be on call at once).
        seg.append(...s.recipients.map((u) => el("div", { className: "stripe", style: { background: colour(u) } })));
        if (width > 3) seg.append(el("span", { className: "label" }, s.recipients.map((u) => u.split("@")[0]).join(" + ")));
      }
      return seg;
    }),
  );
  // Roster versions (a rotation's `changes`): a dashed line where a new version's first turn
  // starts, found from the hand-offs, each of which names the change its turn belongs to (read
  // from five weeks before, so that the version in force when the week starts is known).
  for (const rotation of info.rotations) {
    let version;
    for (const h of oncall.handoffs(name, rotation, new Date(start - 35 * 86400e3), 5000).handoffs) {
      const t = Date.parse(h.at);
      if (t >= start + span) break;
      const change = h.change ?? null;
      if (t >= start && version !== undefined && change !== version) {
        els.bar.append(el("div", {
          className: "version",
          "data-testid": "version",
          style: { left: `${pct(h.at)}%` },
          title: `${rotation}: the roster of changes[${change}] from ${fmt(h.at, zone)}`,
        }, el("span", { className: "label" }, `changes[${change}]`)));
      }
      version = change;
    }
  }
  // Shifts that time off changed: outlined, with who took them, the policy and why.
  for (const c of timeline.timeOff ?? []) {
    const left = pct(c.startDate);
    const why = `${c.policy}: ${c.absent.join(", ")} away${c.reason ? `, ${c.reason}` : ""}`;
    els.bar.append(
      el("div", {
        className: "reassigned",
        "data-testid": "reassigned",
        title: `${c.rotation} ${fmt(c.startDate, zone)} – ${fmt(c.endDate, zone)}: ${c.participant ?? "nobody"} (reassigned by time off — ${why})`,
        style: { left: `${left}%`, width: `${pct(c.endDate) - left}%` },
      }),
    );
  }
  // Who is away (time off, holidays) and which rotations are closed for holidays, under the bar.
  els.away.replaceChildren(
    ...(timeline.away ?? []).map((a) => {
      const left = pct(a.startDate);
      const who = a.user ?? `${a.rotation} closed`;
      return el(
        "div",
        {
          className: a.user ? "away-block" : "away-block closed",
          "data-testid": "away",
          title: `${who}: ${fmt(a.startDate, zone)} – ${fmt(a.endDate, zone)}${a.reason ? ` (${a.reason})` : ""}`,
          style: { left: `${left}%`, width: `${pct(a.endDate) - left}%`, ...(a.user ? { background: colour(a.user), color: ink(a.user) } : {}) },
        },
        `${a.user ? a.user.split("@")[0] : who} ${a.reason ?? ""}`.trim(),
      );
    }),
  );
  const marker = pct(atDate.toISOString());
  if (marker >= 0 && marker <= 100) {
    els.bar.append(el("div", { className: "marker", "data-testid": "marker", style: { left: `${marker}%` }, title: "the instant" }));
  }

  // Day ticks: local midnights, from the engine's own window (DST-correct).
  const days = [];
  for (let i = 0; i < 7; i++) {
    const dayStart = oncall.instant(name, naive(y, m, d - (weekday - 1) + i));
    // On a phone a seventh of the bar has room for "Mon 9" only.
    const narrow = window.matchMedia("(max-width: 600px)").matches;
    const format = narrow ? { weekday: "short", day: "numeric", timeZone: zone } : { weekday: "short", day: "numeric", month: "short", timeZone: zone };
    const label = new Intl.DateTimeFormat("en-GB", format).format(new Date(dayStart));
    days.push(el("div", { className: "day", style: { left: `${pct(dayStart)}%`, width: `${100 / 7}%` } }, label));
  }
  els.days.replaceChildren(...days);
  els.legend.replaceChildren(
    ...[...users].sort().map((u) => el("li", {}, el("span", { className: "swatch", style: { background: colour(u) } }), u)),
    el("li", {}, el("span", { className: "swatch gap" }), "gap (nobody on call)"),
    ...((timeline.timeOff ?? []).length ? [el("li", {}, el("span", { className: "swatch away-mark" }), "shift reassigned by time off")] : []),
    ...((timeline.away ?? []).length ? [el("li", {}, "below the bar: who is away, rotations closed for holidays")] : []),
  );
}

/** Where one participant comes from, for people: "ann ← rotation day, turn 3". */
function sourceLabel(src) {
  const o = src.origin;
  let label;
  if (o.type === "rotation") label = `rotation ${o.rotation}, turn ${o.turn}`;
  else if (o.type === "override") label = `override ${o.override}${o.rotation ? ` (rotation ${o.rotation}, turn ${o.turn})` : " (whole schedule)"}`;
  else if (o.type === "time-off") {
    const entry = o.holiday ? `, holiday ${o.holiday}` : o.timeOff !== undefined ? `, time off ${o.timeOff + 1}` : "";
    label = `rotation ${o.rotation}, turn ${o.turn}, time off ${o.policy} (${o.absent.join(", ")} absent${entry}${o.reason ? `: ${o.reason}` : ""})`;
  } else label = o.type;
  const fwd = (src.forwarded ?? []).map((f) => `, forwarded from ${f.from} (forwarding rule ${f.rule + 1})`).join("");
  return `${src.recipient} ← ${label}${fwd}`;
}

let compareText = null;
let compareWith = null;

/** The week of the selected schedule compared with the configuration in the "compare" box. */
function renderDiff(name, zone, atDate) {
  const text = els.compare.value;
  const clear = (summary) => {
    els.diffChanges.replaceChildren();
    els.diffUsers.replaceChildren();
    els.diffSummary.textContent = summary;
    els.diffLabel.textContent = "";
    els.diffChanges.closest("table").hidden = true;
  };
  if (!text.trim()) {
    compareWith?.free();
    compareWith = null;
    compareText = null;
    return clear("");
  }
  if (text !== compareText) {
    compareText = text;
    compareWith?.free();
    compareWith = null;
    let doc = text;
    try {
      if (isYaml(text)) doc = jsyaml.load(text) ?? {};
    } catch (e) {
      return clear(`The configuration to compare with is not valid YAML: ${e.reason ?? e.message}`);
    }
    const report = check(doc);
    if (!report.valid) {
      const p = report.errors[0];
      return clear(`The configuration to compare with has ${report.errors.length} problem(s): ${p.path ? `${p.path}: ` : ""}${p.message}`);
    }
    compareWith = new OnCall(doc);
  }
  const { y, m, d, weekday } = localDate(atDate, zone);
  const from = naive(y, m, d - (weekday - 1));
  const to = naive(y, m, d - (weekday - 1) + 7);
  // The box holds the configuration after the change: it is NEW, the editor OLD.
  const diff = compareWith.diffFrom(oncall, name, from, to);
  els.diffLabel.textContent = `${name}, ${fmt(diff.startDate, zone)} – ${fmt(new Date(Date.parse(diff.endDate) - 1).toISOString(), zone)}`;
  const presence = { "old-only": " The other configuration has no such schedule.", "new-only": " Only the other configuration has this schedule." }[diff.presence] ?? "";
  const hours = (s) => (s / 3600).toFixed(1).replace(/\.0$/, "");
  els.diffSummary.textContent = diff.changes.length
    ? `${hours(diff.changedSeconds)} h differ in ${diff.changes.length} interval${diff.changes.length === 1 ? "" : "s"}.${presence}`
    : `No difference in the final schedule this week.${presence}`;
  const who = (list) => (list.length ? list.join(", ") : "nobody (gap)");
  els.diffChanges.closest("table").hidden = diff.changes.length === 0;
  els.diffChanges.replaceChildren(
    ...diff.changes.slice(0, 20).map((c) =>
      el("tr", { "data-testid": "diff-change" },
        el("td", {}, fmt(c.startDate, zone)),
        el("td", {}, fmt(c.endDate, zone)),
        el("td", {}, who(c.old)),
        el("td", {}, who(c.new)))),
  );
  els.diffUsers.replaceChildren(
    ...diff.users.map((u) =>
      el("li", { "data-testid": "diff-user" },
        el("span", { className: "swatch", style: { background: colour(u.username) } }),
        `${u.username}: +${hours(u.gainedSeconds)} h, −${hours(u.lostSeconds)} h`)),
  );
}

// The week's report: per person hours, nights, weekends, holidays and shifts (the fairness
// view, zero-hour participants included) and the pay by the document's payRules, totals exact
// strings from the engine (never recomputed here).
function renderPay(name, zone, atDate) {
  const { y, m, d, weekday } = localDate(atDate, zone);
  const r = oncall.report(name, naive(y, m, d - (weekday - 1)), naive(y, m, d - (weekday - 1) + 7));
  const paid = new Map(r.pay.users.map((u) => [u.username, u]));
  const unpaid = new Set(r.pay.unpaid.map((u) => u.username));
  const h = (x) => x.toFixed(1);
  els.pay.replaceChildren(
    ...r.fairness.users.map((f) => {
      const p = paid.get(f.username);
      const pay = p ? `${p.amount} ${p.currency}` : unpaid.has(f.username) ? "no pay rule" : "–";
      const title = p ? p.lines.map((l) => `${l.band}: ${l.hours} h × ${l.rate} = ${l.amount}`).join("\n") : "";
      return el("tr", { "data-testid": "pay-row" },
        el("td", {}, el("span", { className: "swatch", style: { background: colour(f.username) } }), f.username),
        el("td", {}, h(f.onCallHours)), el("td", {}, h(f.nightHours)), el("td", {}, h(f.weekendHours)),
        el("td", {}, h(f.holidayHours)), el("td", {}, String(f.shifts)), el("td", { title }, pay));
    }),
  );
  const s = r.fairness.spread;
  const totals = r.pay.totals.map((t) => `${t.amount} ${t.currency}`).join(" + ");
  els.spread.textContent = `Spread of hours: ${h(s.onCall.range)} h (max − min), σ ${h(s.onCall.stdDev)} h; ` +
    `nights σ ${h(s.night.stdDev)} h, weekends σ ${h(s.weekend.stdDev)} h.` + (totals ? ` Total pay ${totals}.` : "");
}

function renderHandoffs(name, info, zone, atDate) {
  const rows = [];
  for (const rotation of info.rotations) {
    for (const h of oncall.handoffs(name, rotation, atDate, 5).handoffs) rows.push({ rotation, ...h });
  }
  rows.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  els.handoffs.replaceChildren(
    ...rows.slice(0, 8).map((r) =>
      el("tr", { "data-testid": "handoff" },
        el("td", {}, fmt(r.at, zone)),
        el("td", {}, r.change === undefined ? r.rotation : `${r.rotation} (changes[${r.change}])`),
        el("td", {}, el("span", { className: "swatch", style: { background: colour(r.participant.name) } }), participantLabel(r.participant))),
    ),
  );
}

/** "+0:05" after the alert's creation. */
function after(iso, created) {
  const minutes = Math.round((Date.parse(iso) - Date.parse(created)) / 60000);
  return `+${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Why a notification was sent: the chain from the routing rule to the rule that paged. */
function why(hops) {
  return hops
    .map((h) => {
      if (h.type === "routing") return h.ruleName ? `routing "${h.ruleName}"` : `team ${h.team}`;
      if (h.type === "escalation") return `${h.name} rule ${h.ruleIndex + 1}${h.cycle ? `, repeat ${h.cycle}` : ""}`;
      if (h.type === "event") return `${h.action}`;
      return `${h.type} ${h.name} (${h.notifyType})`;
    })
    .join(" → ");
}

/** Who gets paged, when and how, if an alert is created at the instant (nobody acknowledges). */
function renderEscalation(name, zone, atDate) {
  const [kind, team] = els.target.value.split(":");
  const target = kind === "team" ? { team } : { schedule: name };
  const tl = oncall.escalate({ ...target, message: "Demo alert", priority: els.priority.value, at: atDate });
  const created = atDate.toISOString();
  const r = tl.routing;
  els.route.textContent = r
    ? `Team ${r.team} routes it by ${r.ruleName ? `rule "${r.ruleName}"` : r.fallback ?? "its default"} to ${r.notify.type}${r.notify.name ? ` ${r.notify.name}` : ""}; nobody acknowledges.`
    : `An alert for ${tl.target.type} ${tl.target.name}; nobody acknowledges.`;
  const rows = tl.notifications.slice(0, 12).map((n) =>
    el("tr", { "data-testid": "page" },
      el("td", {}, after(n.at, created)),
      el("td", {}, fmt(n.at, zone)),
      el("td", {}, el("span", { className: "swatch", style: { background: colour(n.user) } }), n.user,
        n.forwardedFrom ? ` (for ${n.forwardedFrom})` : ""),
      el("td", {}, `${n.method} ${n.to}`),
      el("td", { className: "why" }, why(n.via))));
  if (tl.notifications.length > 12) rows.push(el("tr", {}, el("td", { colSpan: 5 }, `… ${tl.notifications.length - 12} more`)));
  // What did not happen: a schedule with nobody on call, a user whose rules all stay quiet…
  // (the command's MISSED lines).
  const missed = tl.unreached.slice(0, 8).map((u) =>
    el("tr", { className: "missed", "data-testid": "missed", "data-reason": u.reason },
      el("td", {}, after(u.at, created)),
      el("td", {}, fmt(u.at, zone)),
      el("td", {}, ...(u.user ? [el("span", { className: "swatch", style: { background: colour(u.user) } }), u.user] : ["nobody"])),
      el("td", {}, el("strong", {}, "MISSED")),
      el("td", { className: "why" }, `${u.message}${u.via?.length ? ` (${why(u.via)})` : ""}`)));
  if (tl.unreached.length > 8) missed.push(el("tr", {}, el("td", { colSpan: 5 }, `… ${tl.unreached.length - 8} more missed`)));
  if (rows.length === 0) rows.push(el("tr", { "data-testid": "page-none" }, el("td", { colSpan: 5 }, "Nobody is paged.")));
  els.pages.replaceChildren(...rows, ...missed);
}

let timer = 0;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(render, 150);
}

async function main() {
  await init();
  const [text] = await Promise.all([fetch("../pkg/payments.json").then((r) => r.text())]);
  els.config.value = text;
  els.instant.value = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  els.config.addEventListener("input", schedule);
  els.instant.addEventListener("input", schedule);
  els.compare.addEventListener("input", schedule);
  els.schedule.addEventListener("change", render);
  els.target.addEventListener("change", render);
  els.priority.addEventListener("change", render);
  window.addEventListener("resize", schedule);
  els.now.addEventListener("click", () => {
    els.instant.value = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    render();
  });
  render();
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  els.status.textContent = `Cannot start: ${e.message}`;
});
