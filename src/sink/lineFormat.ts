/** DogStatsD line syntax: `name:value|type|#tags[|T<unix seconds>][|c:<container id>]`. */
import type { MetricType } from '../config/schema';

export const TYPE_CODES: Readonly<Record<MetricType, string>> = {
  gauge: 'g',
  count: 'c',
  histogram: 'h',
  distribution: 'd',
};

/** Values whose decimals fit in this many places take the fast path of formatValue. */
const FAST_SCALE = 1e6;
/** Below 2^53 every integer is exact, so k / FAST_SCALE is one correctly rounded division. */
const FAST_LIMIT = 2 ** 53;

/**
 * Writes the text of a finite number at `pos` of `buf` (at most MAX_VALUE_BYTES bytes) and
 * returns the position after it; the text parses back to exactly the same double.
 * Number-to-string (shortest round trip) is the costliest step per value, and the encoder
 * writes values straight into datagram bytes; model scores and durations mostly have few
 * decimals, and for those the digits of integers are cheaper. When k / 1e6 === x, the decimal
 * k * 10^-6 rounds to x (IEEE division rounds the exact quotient to nearest, as does parsing),
 * so the text is exact. Anything else: the characters of String(x).
 */
export function writeValue(buf: Uint8Array, pos: number, x: number): number {
  if (Number.isInteger(x)) {
    if (x <= MAX_SAFE && x >= -MAX_SAFE) {
      if (x < 0) {
        buf[pos++] = 45; // -
        x = -x;
      }
      return writeDigits(buf, pos, x, 0);
    }
    return writeText(buf, pos, String(x)); // String(2 ** 60) is 1152921504606847000, not the exact integer
  }
  const scaled = x * FAST_SCALE;
  if (scaled > -FAST_LIMIT && scaled < FAST_LIMIT) {
    const k = Math.round(scaled);
    if (k / FAST_SCALE === x) {
      const a = k < 0 ? -k : k;
      let whole = Math.floor(a / FAST_SCALE);
      let frac = a - whole * FAST_SCALE;
      if (frac < 0) {
        // a / 1e6 rounded up to the next integer
        whole--;
        frac += FAST_SCALE;
      }
      if (k < 0) buf[pos++] = 45;
      pos = writeDigits(buf, pos, whole, 0);
      buf[pos++] = 46; // .
      // six digits with leading zeros, trailing zeros dropped (frac > 0: x is not an integer)
      let digits = 6;
      while (frac % 10 === 0) {
        frac /= 10;
        digits--;
      }
      return writeDigits(buf, pos, frac, digits);
    }
  }
  return writeText(buf, pos, String(x));
}

/** The longest text writeValue writes (String(-Number.MIN_VALUE) is "-5e-324"; 17 digits, sign, point, exponent). */
export const MAX_VALUE_BYTES = 32;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The decimal digits of a non-negative integer below 2^53, left-padded with zeros to `width`. */
function writeDigits(buf: Uint8Array, pos: number, n: number, width: number): number {
  let len = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
  if (len < width) len = width;
  for (let i = pos + len - 1; i >= pos; i--) {
    const q = Math.floor(n / 10);
    buf[i] = 48 + (n - q * 10);
    n = q;
  }
  return pos + len;
}

function writeText(buf: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

const scratch = Buffer.alloc(MAX_VALUE_BYTES);

/** writeValue as a string (telemetry, stamped and unpacked lines). */
export function formatValue(x: number): string {
  return scratch.toString('latin1', 0, writeValue(scratch, 0, x));
}

export function formatLine(name: string, value: number, type: MetricType, tags: string, timestampSec?: number): string {
  let line = `${name}:${formatValue(value)}|${TYPE_CODES[type]}`;
  if (tags.length > 0) line += `|#${tags}`;
  if (timestampSec !== undefined) line += `|T${timestampSec}`;
  return line;
}

/** A service check: `_sc|name|status|d:ts|#tags|m:message`; the message must come last. */
export function formatServiceCheck(name: string, status: 0 | 1 | 2 | 3, tags: string, message?: string, timestampSec?: number): string {
  let line = `_sc|${name}|${status}`;
  if (timestampSec !== undefined) line += `|d:${timestampSec}`;
  if (tags.length > 0) line += `|#${tags}`;
  // The message is free text from errors: keep it on one line and out of the field syntax.
  if (message) line += `|m:${message.replace(/[\r\n|]+/g, ' ').replace(/m:/g, 'm_').slice(0, 500)}`;
  return line;
}
