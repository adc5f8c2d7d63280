/**
 * Kafka message bytes -> an Insights record, or the reason the whole message is rejected.
 * One UTF-8 decode and one JSON.parse per message; the NaN/Infinity repair pass runs only when
 * the first parse fails. This is the reference decoder: the encoder tries the byte scanner
 * (scanMessage.ts) first, which returns exactly what this would, and comes here whenever the
 * scanner gives up (so every reject and its reason come from here).
 */
import type { RejectReason } from './rejectReasons';

export type InsightsRecord = Record<string, unknown> & { algorithm_name: string };

export type DecodeResult =
  | {
      ok: true;
      record: InsightsRecord;
      /** Top-level keys whose value was a bare NaN/Infinity token, now null (dropped as non_finite). */
      nonFinite?: ReadonlySet<string>;
    }
  | { ok: false; reason: RejectReason; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeMessage(value: Buffer | null, maxBytes: number): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'invalid_json', detail: 'empty message' };
  if (value.length > maxBytes) {
    return { ok: false, reason: 'too_large', detail: `${value.length} bytes > max_message_bytes ${maxBytes}` };
  }
  const text = utf8.decode(value);
  let parsed: unknown;
  let nonFinite: ReadonlySet<string> | undefined;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const repaired = replaceNonFiniteTokens(text);
    if (repaired === undefined) return { ok: false, reason: 'invalid_json', detail: (err as Error).message };
    try {
      parsed = JSON.parse(repaired.text);
    } catch {
      return { ok: false, reason: 'invalid_json', detail: (err as Error).message };
    }
    nonFinite = repaired.topLevelKeys;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'not_object', detail: `JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}` };
  }
  const name = (parsed as Record<string, unknown>).algorithm_name;
  if (typeof name !== 'string' || name.length === 0) {
    return { ok: false, reason: 'missing_field', detail: 'algorithm_name is missing or not a non-empty string' };
  }
  return nonFinite ? { ok: true, record: parsed as InsightsRecord, nonFinite } : { ok: true, record: parsed as InsightsRecord };
}

const TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * Python's json module writes float NaN and infinities as the bare tokens NaN, Infinity and
 * -Infinity. Replaces those tokens outside strings with null (as DECISIONS prescribes) and
 * reports which top-level keys held one, so that those values count as non_finite rather than
 * non_numeric. Returns undefined when there was nothing to replace (the text is simply not JSON).
 * A token in key position becomes `null` there, which keeps the text invalid: as it should be.
 */
export function replaceNonFiniteTokens(text: string): { text: string; topLevelKeys: Set<string> } | undefined {
  let out = '';
  let last = 0;
  let replaced = false;
  let depth = 0;
  let expectKey = false; // at depth 1 of a top-level object, the next string is a key
  let keyStart = -1;
  let currentKey: string | undefined;
  const topLevelKeys = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1 && expectKey && keyStart < 0) {
        keyStart = start;
        try {
          currentKey = JSON.parse(text.slice(start, i + 1)) as string;
        } catch {
          currentKey = undefined;
        }
        expectKey = false;
      }
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1 && c === 0x7b) expectKey = true;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      continue;
    }
    if (c === 0x2c /* , */) {
      if (depth === 1) {
        expectKey = true;
        keyStart = -1;
      }
      continue;
    }
    if (c !== 0x2d /* - */ && c !== 0x49 /* I */ && c !== 0x4e /* N */) continue;
    for (const token of TOKENS) {
      if (text.startsWith(token, i) && !isIdentChar(text.charCodeAt(i + token.length)) && !isIdentChar(text.charCodeAt(i - 1))) {
        out += text.slice(last, i) + 'null';
        if (depth === 1 && !expectKey && currentKey !== undefined) topLevelKeys.add(currentKey);
        i += token.length - 1;
        last = i + 1;
        replaced = true;
        break;
      }
    }
  }
  return replaced ? { text: out + text.slice(last), topLevelKeys } : undefined;
}

function isIdentChar(c: number): boolean {
  // NaN-like tokens glued to letters, digits or dots are not the bare tokens
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f;
}
