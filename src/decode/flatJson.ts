/**
 * A fast path for the common Insights message: one flat JSON object whose values are plain
 * strings, numbers, booleans or null. It parses such text in one pass and keeps each number's
 * source text, so the number need not be formatted again for the DogStatsD line (formatting
 * floats back to text was the largest single cost of the pipeline).
 *
 * Anything outside that subset (nesting, escapes, a `__proto__` key, NaN tokens, any syntax
 * error) returns undefined and the caller uses JSON.parse, which stays the one judge of what is
 * valid JSON. For text it accepts, the result equals JSON.parse's (a differential test checks).
 */
export interface FlatJson {
  record: Record<string, unknown>;
  /** Source text of each top-level number value, by key. */
  numberTexts: Record<string, string>;
}

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  Minus = 0x2d,
  Plus = 0x2b,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  LowerE = 0x65,
  UpperE = 0x45,
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= C.Zero && c <= C.Nine;
}

/** End index (exclusive) of a JSON string starting at the quote `i`, or -1 when it needs the slow path. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === C.Quote) return j + 1;
    if (c === C.Backslash || c < 0x20) return -1; // escapes: JSON.parse decodes them; controls: invalid
  }
  return -1;
}

/** End index (exclusive) of a JSON number starting at `i` (strict grammar), or -1. */
function numberEnd(text: string, i: number): number {
  let j = i;
  if (text.charCodeAt(j) === C.Minus) j++;
  const first = text.charCodeAt(j);
  if (first === C.Zero) j++;
  else if (first > C.Zero && first <= C.Nine) while (isDigit(text.charCodeAt(j))) j++;
  else return -1;
  if (text.charCodeAt(j) === C.Dot) {
    j++;
    if (!isDigit(text.charCodeAt(j))) return -1;
    while (isDigit(text.charCodeAt(j))) j++;
  }
  const e = text.charCodeAt(j);
  if (e === C.LowerE || e === C.UpperE) {
    j++;
    const sign = text.charCodeAt(j);
    if (sign === C.Plus || sign === C.Minus) j++;
    if (!isDigit(text.charCodeAt(j))) return -1;
    while (isDigit(text.charCodeAt(j))) j++;
  }
  return j;
}

export function parseFlatJson(text: string): FlatJson | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isWs(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== C.OpenBrace) return undefined;
  i++;
  while (i < n && isWs(text.charCodeAt(i))) i++;
  const record: Record<string, unknown> = {};
  const numberTexts: Record<string, string> = Object.create(null) as Record<string, string>;
  if (text.charCodeAt(i) === C.CloseBrace) {
    i++;
  } else {
    for (;;) {
      if (text.charCodeAt(i) !== C.Quote) return undefined;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0) return undefined;
      const key = text.slice(i + 1, keyEnd - 1);
      if (key === '__proto__') return undefined; // JSON.parse makes it an own property; leave that to it
      i = keyEnd;
      while (i < n && isWs(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== C.Colon) return undefined;
      i++;
      while (i < n && isWs(text.charCodeAt(i))) i++;
      const c = text.charCodeAt(i);
      if (c === C.Quote) {
        const end = stringEnd(text, i);
        if (end < 0) return undefined;
        record[key] = text.slice(i + 1, end - 1);
        if (numberTexts[key] !== undefined) delete numberTexts[key]; // a duplicate key: the last value wins
        i = end;
      } else if (c === C.Minus || isDigit(c)) {
        const end = numberEnd(text, i);
        if (end < 0) return undefined;
        const raw = text.slice(i, end);
        record[key] = Number(raw);
        numberTexts[key] = raw;
        i = end;
      } else if (text.startsWith('true', i)) {
        record[key] = true;
        if (numberTexts[key] !== undefined) delete numberTexts[key]; // a duplicate key: the last value wins
        i += 4;
      } else if (text.startsWith('false', i)) {
        record[key] = false;
        if (numberTexts[key] !== undefined) delete numberTexts[key]; // a duplicate key: the last value wins
        i += 5;
      } else if (text.startsWith('null', i)) {
        record[key] = null;
        if (numberTexts[key] !== undefined) delete numberTexts[key]; // a duplicate key: the last value wins
        i += 4;
      } else {
        return undefined; // nested values, NaN tokens, anything else
      }
      while (i < n && isWs(text.charCodeAt(i))) i++;
      const sep = text.charCodeAt(i);
      i++;
      if (sep === C.CloseBrace) break;
      if (sep !== C.Comma) return undefined;
      while (i < n && isWs(text.charCodeAt(i))) i++;
    }
  }
  while (i < n && isWs(text.charCodeAt(i))) i++;
  return i === n ? { record, numberTexts } : undefined;
}
