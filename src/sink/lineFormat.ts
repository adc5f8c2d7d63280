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
 * The text of a finite number that parses back to exactly the same double. Number-to-string
 * (shortest round trip) is the costliest step per value; model scores and durations mostly
 * have few decimals, and for those the digits of an integer are cheaper. When
 * k / 1e6 === x, the decimal k * 10^-6 rounds to x (IEEE division rounds the exact quotient
 * to nearest, as does parsing), so the text is exact. Anything else: String(x).
 */
export function formatValue(x: number): string {
  if (Number.isInteger(x)) return String(x);
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
      let digits = String(frac + FAST_SCALE); // "1dddddd": six digits with leading zeros
      let end = digits.length;
      while (digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
      digits = digits.slice(1, end);
      return `${k < 0 ? '-' : ''}${whole}.${digits}`;
    }
  }
  return String(x);
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
