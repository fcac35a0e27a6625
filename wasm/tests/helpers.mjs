// Shared by the tests: the built package, the example configuration, and the native `oncall`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const wasmDir = fileURLToPath(new URL("..", import.meta.url));
export const rootDir = path.resolve(wasmDir, "..");
export const pkgDir = path.join(wasmDir, "pkg");
export const examplePath = path.join(rootDir, "examples", "payments.json");
export const exampleText = readFileSync(examplePath, "utf8");

/** The Node (CommonJS) build of the package. */
export const pkg = createRequire(import.meta.url)(path.join(pkgDir, "node", "oncall_wasm.js"));

/** The native `oncall` binary: $ONCALL_BIN, else the debug build under $CARGO_TARGET_DIR or target/. */
export function nativeBin() {
  if (process.env.ONCALL_BIN) return process.env.ONCALL_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(rootDir, "target");
  const bin = path.join(targetDir, "debug", "oncall");
  if (!existsSync(bin)) {
    execFileSync("cargo", ["build", "-q", "-p", "oncall"], { cwd: rootDir, stdio: "inherit" });
  }
  return bin;
}

/** Runs the native command; `{status, json, stderr}` (json is the parsed stdout, or null). */
export function native(args) {
  const r = spawnSync(nativeBin(), args, { cwd: rootDir, encoding: "utf8" });
  if (r.error) throw r.error;
  let json = null;
  if (r.stdout.trim() !== "") json = JSON.parse(r.stdout);
  return { status: r.status, json, stderr: r.stderr.trimEnd() };
}

/** The native command's JSON answer; fails the test when it exits non-zero. */
export function nativeJson(args) {
  const r = native([...args, "--format", "json"]);
  if (r.status !== 0) throw new Error(`oncall ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.json;
}
