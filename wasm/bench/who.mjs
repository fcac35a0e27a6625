// Micro-benchmark: whoIsOnCall calls per second through the built Node package.
// Usage: node bench/who.mjs [seconds per case, default 2]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

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
const goal = 500_000;
console.log(`goal ${goal.toLocaleString("en-US")} calls/s: ${rate >= goal ? "met" : "not met"} (${Math.round(rate).toLocaleString("en-US")} calls/s)`);
