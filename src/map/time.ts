/**
 * Insights `time` is ISO-8601 without a zone and is UTC. Parsed by hand so the host's time
 * zone can never shift it (Date.parse treats a zone-less date-time as local time).
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch, or undefined when `value` is not such a time. */
export function parseInsightsTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  return parsePlain(value) ?? parseIsoTime(value);
}

/** Start of the day last parsed, by its `YYYY-MM-DD`: messages of a stream share their day. */
let lastDay = '';
let lastDayMs = 0;

/**
 * The form Insights writes, `YYYY-MM-DDTHH:MM:SS[.fraction]` without a zone, read by position
 * (per-message cost matters: model drift reads every message's time); anything else, or any
 * out-of-range part, is left to the regular expression.
 */
function parsePlain(v: string): number | undefined {
  const n = v.length;
  if (n < 19 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return undefined;
  const sep = v.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  const h = digits2(v, 11);
  const mi = digits2(v, 14);
  const s = digits2(v, 17);
  if (h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 59) return undefined; // not digits, or out of range: the general parser decides
  let ms = 0;
  if (n > 19) {
    if (v.charCodeAt(19) !== 46 || n === 20) return undefined;
    let scale = 100;
    for (let i = 20; i < n; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      if (i < 23) ms += c * scale;
      scale /= 10;
    }
  }
  const day = v.slice(0, 10);
  if (day !== lastDay) {
    const century = digits2(v, 0);
    const year = digits2(v, 2);
    const mo = digits2(v, 5);
    const d = digits2(v, 8);
    if (century < 0 || year < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
    const t = Date.UTC(century * 100 + year, mo - 1, d);
    // Date.UTC rolls 2026-02-31 over into March; the regular expression path does too, so keep it.
    if (Number.isNaN(t)) return undefined;
    lastDay = day;
    lastDayMs = t;
  }
  return lastDayMs + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Two decimal digits at `i`, or -1. */
function digits2(v: string, i: number): number {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The general form (a zone, a space, any digits): what parsePlain must agree with. */
export function parseIsoTime(value: string): number | undefined {
  const m = ISO.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number.isNaN(t)) return undefined;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}
