/**
 * Kafka message bytes -> an Insights record, or the reason the whole message is rejected.
 * One UTF-8 decode and one JSON.parse per message; the NaN/Infinity repair pass runs only when
 * the first parse fails.
 */
import type { RejectReason } from '../telemetry/catalogue';

export type InsightsRecord = Record<string, unknown> & { algorithm_name: string };

export type DecodeResult =
  | { ok: true; record: InsightsRecord }
  | { ok: false; reason: RejectReason; detail: string };

/**
 * Stands in for a bare NaN/Infinity token of Python's json module. A string that JSON text
 * cannot contain unescaped (it starts with NUL), so it cannot collide with a real string value.
 */
export const NON_FINITE_MARKER = '\u0000aik:non-finite';
const MARKER_JSON = JSON.stringify(NON_FINITE_MARKER);

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeMessage(value: Buffer | null, maxBytes: number): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'invalid_json', detail: 'empty message' };
  if (value.length > maxBytes) {
    return { ok: false, reason: 'too_large', detail: `${value.length} bytes > max_message_bytes ${maxBytes}` };
  }
  const text = utf8.decode(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const repaired = replaceNonFiniteTokens(text);
    if (repaired === undefined) return { ok: false, reason: 'invalid_json', detail: (err as Error).message };
    try {
      parsed = JSON.parse(repaired);
    } catch {
      return { ok: false, reason: 'invalid_json', detail: (err as Error).message };
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'not_object', detail: `JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}` };
  }
  const name = (parsed as Record<string, unknown>).algorithm_name;
  if (typeof name !== 'string' || name.length === 0) {
    return { ok: false, reason: 'missing_field', detail: 'algorithm_name is missing or not a non-empty string' };
  }
  return { ok: true, record: parsed as InsightsRecord };
}

const TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * Replaces the bare tokens NaN, Infinity and -Infinity outside strings with a marker string.
 * Returns undefined when there was nothing to replace (the text is simply not JSON).
 */
export function replaceNonFiniteTokens(text: string): string | undefined {
  let out = '';
  let last = 0;
  let inString = false;
  let replaced = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x2d /* - */ && c !== 0x49 /* I */ && c !== 0x4e /* N */) continue;
    for (const token of TOKENS) {
      if (text.startsWith(token, i) && !isIdentChar(text.charCodeAt(i + token.length)) && !isIdentChar(text.charCodeAt(i - 1))) {
        out += text.slice(last, i) + MARKER_JSON;
        i += token.length - 1;
        last = i + 1;
        replaced = true;
        break;
      }
    }
  }
  return replaced ? out + text.slice(last) : undefined;
}

function isIdentChar(c: number): boolean {
  // NaN-like tokens glued to letters, digits or dots are not the bare tokens
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f;
}
