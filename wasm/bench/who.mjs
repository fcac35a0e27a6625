// Micro-benchmark: whoIsOnCall calls per second through the built Node package, against the
// native figure measured in the same run (benches/examples/who_baseline.rs: the query loop of
// criterion's `who/realistic` on the same configuration and instants, built in release and run
// right before the Node loop), and the first answer: require + new OnCall + the first
// whoIsOnCall in a fresh `node` process (median of 7 processes).
// Usage: node bench/who.mjs [seconds per case, default 2]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const { OnCall } = createRequire(import.meta.url)("../pkg/node/oncall_wasm.js");
const oncall = new OnCall(readFileSync(new URL("../../examples/payments.json", import.meta.url), "utf8"));
const seconds = Number(process.argv[2] ?? 2);
const base = Date.parse("2026-11-02T00:00:00Z");
// 1 000 instants spread over four weeks, as strings and as Dates (built before timing).
const iso = Array.from({ length: 1000 }, (_, i) => new Date(base + i * 2_419_200).toISOString());
const dates = iso.map((s) => new Date(s));

function run(name, call) {
  for (let i = 0; i < 20_000; i++) call(i % 1000); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) call(i);
    n += 1000;
    now = process.hrtime.bigint();
  }
  const perSec = n / (Number(now - start) / 1e9);
  console.log(`${name.padEnd(44)} ${Math.round(perSec).toLocaleString("en-US").padStart(10)} calls/s  ${(1e6 / perSec).toFixed(2)} µs/call`);
  return perSec;
}

console.log(`node ${process.version}, ${seconds} s per case, schedule payments-primary`);
const rate = run("whoIsOnCall(schedule, isoString)", (i) => oncall.whoIsOnCall("payments-primary", iso[i]));
run("whoIsOnCall(schedule, Date)", (i) => oncall.whoIsOnCall("payments-primary", dates[i]));
run("whoIsOnCall(schedule, isoString, {flat: true})", (i) => oncall.whoIsOnCall("payments-primary", iso[i], { flat: true }));
run("whoIsOnCall(payments-secondary, isoString)", (i) => oncall.whoIsOnCall("payments-secondary", iso[i]));

// The native benchmark's configuration and instants (benches/src/lib.rs `instants_2026`).
const realistic = new OnCall(readFileSync(new URL("../../benches/data/realistic.json", import.meta.url), "utf8"));
const year0 = 1_767_225_600, yearS = 365 * 86_400;
const instants2026 = Array.from({ length: 256 }, (_, i) => new Date((year0 + ((i * 7_919_311) % yearS)) * 1000));
const ms2026 = Array.from({ length: 1000 }, (_, i) => instants2026[i % 256]);
const isoNative = ms2026.map((d) => d.toISOString());
const wasmDate = run("realistic: whoIsOnCall(schedule, Date)", (i) => realistic.whoIsOnCall("realistic", ms2026[i]));
const wasmIso = run("realistic: whoIsOnCall(schedule, isoString)", (i) => realistic.whoIsOnCall("realistic", isoNative[i]));

// The native baseline, in this run: the same configuration, instants and query loop.
const root = fileURLToPath(new URL("../..", import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ?? `${root}/target`;
const build = spawnSync("cargo", ["build", "--release", "-q", "-p", "oncall-benches", "--example", "who_baseline"], { cwd: root, encoding: "utf8" });
if (build.status !== 0) throw new Error(`cargo build --example who_baseline failed: ${build.stderr}`);
const baseline = spawnSync(`${targetDir}/release/examples/who_baseline`, [String(seconds)], { cwd: root, encoding: "utf8" });
if (baseline.status !== 0) throw new Error(`who_baseline failed: ${baseline.stderr}`);
const native = JSON.parse(baseline.stdout);
const ratio = (perSec, ns) => ((1e9 / perSec) / ns).toFixed(2);
console.log(`native who/realistic (benches/examples/who_baseline, median of 11 batches, this run): on_call ${native.on_call_ns.toFixed(1)} ns/call, on_call_ref ${native.on_call_ref_ns.toFixed(1)} ns/call`);
console.log(`wasm/native (on_call): Date ${ratio(wasmDate, native.on_call_ns)}×, isoString ${ratio(wasmIso, native.on_call_ns)}×; (on_call_ref): Date ${ratio(wasmDate, native.on_call_ref_ns)}×, isoString ${ratio(wasmIso, native.on_call_ref_ns)}×`);

// The first answer, in fresh processes.
const first = `const t0 = performance.now();
const { OnCall } = require(${JSON.stringify(fileURLToPath(new URL("../pkg/node/oncall_wasm.js", import.meta.url)))});
const text = require("fs").readFileSync(${JSON.stringify(fileURLToPath(new URL("../../examples/payments.json", import.meta.url)))}, "utf8");
const t1 = performance.now();
const oncall = new OnCall(text);
const t2 = performance.now();
const who = oncall.whoIsOnCall("payments-primary", "2026-11-10T10:00:00Z");
const t3 = performance.now();
if (!who.onCallParticipants) throw new Error("no answer");
console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));`;
const runs = Array.from({ length: 7 }, () => {
  const r = spawnSync(process.execPath, ["-e", first], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
});
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const part = (i) => median(runs.map((r) => r[i])).toFixed(2);
const firstWho = median(runs.map((r) => r[2]));
console.log(`first answer (fresh node, median of 7): require ${part(0)} ms, new OnCall ${part(1)} ms, first whoIsOnCall ${firstWho.toFixed(2)} ms (goal ≤ 2 ms: ${firstWho <= 2 ? "met" : "not met"}), together ${median(runs.map((r) => r[0] + r[1] + r[2])).toFixed(2)} ms`);

const goal = 3_000_000;
const verdict = (perSec) => `${perSec >= goal ? "met" : "not met"} (${Math.round(perSec).toLocaleString("en-US")} calls/s, ${(1e9 / perSec).toFixed(0)} ns)`;
console.log(`goal ${goal.toLocaleString("en-US")} calls/s (≤ 300 ns): Date ${verdict(wasmDate)}, isoString ${verdict(wasmIso)}`);
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${new Date().toISOString().slice(0, 16)} UTC`);
