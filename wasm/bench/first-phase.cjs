// One phase of a fresh process's first answer, for instruction counts under callgrind:
//   valgrind --tool=callgrind --smc-check=all --collect-atstart=no \
//     '--toggle-collect=v8::internal::JsonParseInternalizer::Internalize(*' node wasm/bench/first-phase.cjs
// The phase runs inside a JSON.parse reviver, which V8 calls from C++
// (v8::internal::JsonParseInternalizer::Internalize), so callgrind counts that phase only (and a
// JSON.parse of "0"). callgrind_annotate --inclusive=yes then shows how much of it is V8 compiling
// WebAssembly functions the first time they run (v8::internal::Runtime_WasmCompileLazy) and JS
// functions (v8::internal::Runtime_CompileLazy). Instruction counts are stable on a shared machine.
// PHASE: require | new | first (default: the first whoIsOnCall); ONCALL_PKG: the Node glue.
const path = require("path");
const phase = process.env.PHASE || "first";
const inside = (f) => {
  let r;
  JSON.parse("0", () => ((r = f()), 0));
  return r;
};
const glue = process.env.ONCALL_PKG || path.join(__dirname, "..", "pkg", "node", "oncall_wasm.js");
const load = () => require(glue);
const { OnCall } = phase === "require" ? inside(load) : load();
const text = require("fs").readFileSync(path.join(__dirname, "..", "..", "examples", "payments.json"), "utf8");
const make = () => new OnCall(text);
const oncall = phase === "new" ? inside(make) : make();
const ask = () => oncall.whoIsOnCall("payments-primary", "2026-11-10T10:00:00Z");
const who = phase === "first" ? inside(ask) : ask();
if (!who.onCallParticipants) throw new Error("no answer");
