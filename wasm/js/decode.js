
// ---------------------------------------------------------------------------------------------
// oncall-wasm: the decoder of answers (wasm/js/decode.js, appended to the generated glue by
// wasm/scripts/build). The Rust side (wasm/src/encode.rs) writes an answer as u32 tokens,
// `payload << 4 | tag`, and UTF-8 bytes; this builds the same plain objects `JSON.parse` of the
// command's JSON would. It also puts a fast path in front of `OnCall.prototype.whoIsOnCall` for
// the common arguments (a schedule name, an ISO string, a `Date` or nothing, `{flat}`): the
// schedule's index is cached, the instant crosses as a number or a string, and an answer the
// answer index holds comes back as an id whose decoded object is cached (one call and a Map
// lookup); anything else takes the general method, so answers and errors are the same. Every
// whoIsOnCall answer is deeply frozen (cached ones are shared between calls).

let __oncall_buffer = null;
let __oncall_u32 = null;
let __oncall_u8 = null;
let __oncall_view = null;
const __oncall_utf8 = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
let __oncall_w = 0;
let __oncall_b = 0;
let __oncall_table = undefined;

/** The value encoded at address `tokens` of `memory` (wasm/src/encode.rs `encode`); `table`
 * holds the interned strings. */
function __oncall_decode(memory, tokens, table) {
  if (memory.buffer !== __oncall_buffer) {
    __oncall_buffer = memory.buffer;
    __oncall_u32 = new Uint32Array(__oncall_buffer);
    __oncall_u8 = new Uint8Array(__oncall_buffer);
    __oncall_view = new DataView(__oncall_buffer);
  }
  __oncall_w = tokens >>> 2;
  __oncall_b = __oncall_u32[__oncall_w++];
  __oncall_table = table;
  const value = __oncall_value(__oncall_u32[__oncall_w++]);
  __oncall_table = undefined;
  return value;
}

function __oncall_string(token) {
  if ((token & 15) === 5) return __oncall_table[token >>> 4];
  const n = token >>> 4;
  const start = __oncall_b;
  __oncall_b += n;
  if (n <= 32) {
    let s = "";
    for (let i = start; i < start + n; i++) {
      const c = __oncall_u8[i];
      if (c > 127) return __oncall_utf8.decode(__oncall_u8.subarray(start, start + n));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return __oncall_utf8.decode(__oncall_u8.subarray(start, start + n));
}

function __oncall_value(token) {
  switch (token & 15) {
    case 0:
      return null;
    case 1:
      return false;
    case 2:
      return true;
    case 3:
      return token >>> 4;
    case 4: {
      const value = __oncall_view.getFloat64(__oncall_w * 4, true);
      __oncall_w += 2;
      return value;
    }
    case 5:
    case 6:
      return __oncall_string(token);
    case 7: {
      const list = [];
      for (let t = __oncall_u32[__oncall_w++]; t !== 9; t = __oncall_u32[__oncall_w++]) list.push(__oncall_value(t));
      return list;
    }
    case 8: {
      const object = {};
      for (let t = __oncall_u32[__oncall_w++]; t !== 9; t = __oncall_u32[__oncall_w++]) {
        const key = __oncall_string(t);
        const value = __oncall_value(__oncall_u32[__oncall_w++]);
        if (key === "__proto__") {
          Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
        } else {
          object[key] = value;
        }
      }
      return object;
    }
    default:
      throw new Error(`oncall-wasm: bad answer token ${token}`);
  }
}

let __oncall_memory = null;
const __oncall_state = Symbol("oncall-wasm");
const __oncall_whoIsOnCall = OnCall.prototype.whoIsOnCall;

OnCall.prototype.whoIsOnCall = function whoIsOnCall(schedule, at, options) {
  let flat = false;
  if (options !== undefined && options !== null) {
    const f = typeof options === "object" ? options.flat : 0;
    if (f === true) flat = true;
    else if (f !== false && f !== undefined && f !== null) return __oncall_freeze(__oncall_whoIsOnCall.call(this, schedule, at, options));
  }
  let state = this[__oncall_state];
  if (state === undefined) {
    state = this[__oncall_state] = { schedules: new Map(), answers: [], table: this.__strings() };
  }
  let index = state.schedules.get(schedule);
  if (index === undefined) {
    if (typeof schedule !== "string") return __oncall_freeze(__oncall_whoIsOnCall.call(this, schedule, at, options));
    index = this.__scheduleIndex(schedule);
    if (index < 0) return __oncall_freeze(__oncall_whoIsOnCall.call(this, schedule, at, options));
    state.schedules.set(schedule, index);
  }
  let ms;
  if (typeof at === "string") ms = __oncall_instantMs(at);
  else if (at instanceof Date) ms = at.getTime();
  else if (at === undefined || at === null) ms = Date.now();
  else return __oncall_freeze(__oncall_whoIsOnCall.call(this, schedule, at, options));
  let tokens = ms === undefined ? this.__whoText(index, at, flat, true) : this.__whoAt(index, ms, flat, true);
  // The module's memory, from the generated glue's exports (`wasm`; scripts/build checks the
  // binding): no call across the boundary, nothing more for V8 to compile on the first call.
  if (__oncall_memory === null) __oncall_memory = wasm.memory;
  if ((tokens & 1) === 0) return __oncall_freeze(__oncall_decode(__oncall_memory, tokens, state.table));
  // An answer of the answer index, by id (wasm/src/lib.rs `who`): decoded once per schedule and
  // `flat`, frozen (deeply), and returned again whenever the same answer is.
  const slot = index * 2 + (flat ? 1 : 0);
  const cache = state.answers[slot] ?? (state.answers[slot] = new Map());
  let answer = cache.get(tokens);
  if (answer === undefined) {
    const encoded = ms === undefined ? this.__whoText(index, at, flat, false) : this.__whoAt(index, ms, flat, false);
    answer = __oncall_freeze(__oncall_decode(__oncall_memory, encoded, state.table));
    cache.set(tokens, answer);
  }
  return answer;
};

/**
 * The instant an RFC 3339 text with an offset names, in epoch milliseconds, read exactly as the
 * core's reader does (`oncall_core::time::parse_ts`, its `parse_fast`):
 * `YYYY-MM-DD(T|t| )HH:MM[:SS[.f+]](Z|z|±HH:MM)`, offsets at most ±23:59, a fraction of a second
 * ignored (the core reads whole seconds), a real calendar date (leap years), and the result inside
 * the engine's range 1900-01-01 to 2200-01-01 (exclusive). `undefined` for everything else —
 * naive local times (read in the schedule's zone), `now`, surrounding spaces, out-of-range offsets
 * or instants, anything malformed — which the caller hands to the core's reader as text, so the
 * accepted set, the answers and the errors stay the core's. Reading the text here lets an ISO
 * string cross the boundary as a number, as a `Date` does (about half the cost of a call).
 */
function __oncall_instantMs(s) {
  const n = s.length;
  if (n < 17 || n > 64) return undefined;
  const t = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || (t !== 84 && t !== 116 && t !== 32)) return undefined;
  const century = __oncall_two(s, 0), yy2 = __oncall_two(s, 2);
  const mo = __oncall_two(s, 5), day = __oncall_two(s, 8), h = __oncall_two(s, 11), mi = __oncall_two(s, 14);
  if (century < 0 || yy2 < 0 || mo < 1 || mo > 12 || day < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined;
  const y = century * 100 + yy2;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (day > (mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31)) return undefined;
  let i = 16, sec = 0;
  if (s.charCodeAt(i) === 58) {
    sec = __oncall_two(s, i + 1);
    if (sec < 0 || sec > 59) return undefined;
    i += 3;
    if (s.charCodeAt(i) === 46) {
      i += 1;
      if (__oncall_digit(s, i) < 0) return undefined;
      while (__oncall_digit(s, i) >= 0) i += 1;
    }
  }
  let offset;
  const c = s.charCodeAt(i);
  if ((c === 90 || c === 122) && i + 1 === n) offset = 0;
  else if ((c === 43 || c === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = __oncall_two(s, i + 1), om = __oncall_two(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offset = c === 45 ? -(oh * 3600 + om * 60) : oh * 3600 + om * 60;
  } else return undefined;
  // Days since 1970-01-01 in the proleptic Gregorian calendar (days_from_civil).
  const ys = mo <= 2 ? y - 1 : y;
  const era = Math.floor(ys / 400);
  const yoe = ys - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
  const secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
  // The engine's range (oncall_core::time::MIN_INSTANT..MAX_INSTANT): outside it, the core's
  // message.
  if (secs < -2_208_988_800 || secs >= 7_258_118_400) return undefined;
  return secs * 1000;
}

/** The value of the ASCII digit at `s[i]`, or -1 (also past the end). */
function __oncall_digit(s, i) {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The value of the two ASCII digits at `s[i..i + 2]`, or -1. */
function __oncall_two(s, i) {
  const a = s.charCodeAt(i) - 48, b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

// For the parity tests (tests/instant.test.mjs): not part of the typed API.
Object.defineProperty(OnCall, "__instantMs", { value: __oncall_instantMs });

/** `value` and everything it holds, frozen: a cached answer cannot be changed by a caller. */
function __oncall_freeze(value) {
  if (typeof value === "object" && value !== null) {
    for (const key of Object.keys(value)) __oncall_freeze(value[key]);
    Object.freeze(value);
  }
  return value;
}
