/**
 * Reading JSON tokens straight from bytes, for the byte scanner (scanMessage.ts): plain and
 * escaped strings, numbers (exactly as JSON.parse rounds them), white space. Each reader
 * reports where its token ended through a ByteCursor, so that nothing is allocated per token.
 */

/** Where the last token ended (`pos`), and the hash of the last plain string read (`hash`). */
export interface ByteCursor {
  pos: number;
  hash: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Powers of ten that are exact doubles: m / 10^k with m < 2^53 is then correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * From just after an opening quote: a string of printable ASCII without escapes. Sets `pos` to
 * the closing quote and `hash` to a hash of the content; false if the string is anything else.
 */
export function readPlainString(cur: ByteCursor, b: Buffer, i: number, end: number): boolean {
  let h = 0x811c9dc5;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0x22) {
      cur.pos = i;
      cur.hash = h & 0x3fffffff;
      return true;
    }
    if (c === 0x5c || c < 0x20 || c >= 0x80) return false;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return false;
}

/** From just after an opening quote: any valid JSON string (its text is not needed). */
export function skipString(cur: ByteCursor, b: Buffer, i: number, end: number): boolean {
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0x22) {
      cur.pos = i;
      return true;
    }
    if (c < 0x20) return false; // JSON.parse refuses raw control characters
    if (c === 0x5c) {
      if (++i >= end) return false;
      const e = b[i];
      if (e === 0x75 /* u */) {
        if (i + 4 >= end || !isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4])) return false;
        i += 4;
      } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return false;
    }
    // Bytes >= 0x80 are left as they are: the UTF-8 decoder never joins an ASCII byte to them.
  }
  return false;
}

/**
 * A JSON number at `i`; sets `pos` just past it. Exact: digits are summed as an integer below
 * 2^53 and scaled by one exact power of ten (one correctly rounded operation, as JSON.parse
 * rounds); longer numbers are converted from their text by Number(), as JSON.parse does.
 * NaN (which no JSON number is): not a JSON number.
 */
export function readNumber(cur: ByteCursor, b: Buffer, i: number, end: number): number {
  const start = i;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  if (i >= end) return NaN;
  let mantissa = 0;
  let c = b[i];
  if (c === 0x30) i++;
  else if (c >= 0x31 && c <= 0x39) {
    for (; i < end && (c = b[i]) >= 0x30 && c <= 0x39; i++) mantissa = mantissa * 10 + (c - 0x30);
  } else return NaN;
  let scale = 0;
  if (i < end && b[i] === 0x2e /* . */) {
    i++;
    const first = i;
    for (; i < end && (c = b[i]) >= 0x30 && c <= 0x39; i++) mantissa = mantissa * 10 + (c - 0x30);
    if (i === first) return NaN;
    scale = i - first;
  }
  let exponent = 0;
  if (i < end && (b[i] === 0x65 || b[i] === 0x45) /* e E */) {
    i++;
    const expNegative = i < end && b[i] === 0x2d;
    if (expNegative || (i < end && b[i] === 0x2b)) i++;
    const first = i;
    for (; i < end && (c = b[i]) >= 0x30 && c <= 0x39; i++) if (exponent < 100_000) exponent = exponent * 10 + (c - 0x30);
    if (i === first) return NaN;
    if (expNegative) exponent = -exponent;
  }
  cur.pos = i;
  const power = exponent - scale;
  let value: number;
  if (mantissa <= MAX_SAFE && power >= -22 && power <= 22) {
    value = power === 0 ? mantissa : power > 0 ? mantissa * POW10[power] : mantissa / POW10[-power];
    return negative ? -value : value;
  }
  return Number(b.toString('latin1', start, i));
}

/** True when `b[i, end)` starts with `text` and a closing quote. */
export function isStringAt(b: Buffer, i: number, end: number, text: Uint8Array): boolean {
  const length = text.length;
  if (i + length >= end || b[i + length] !== 0x22) return false;
  for (let k = 0; k < length; k++) if (b[i + k] !== text[k]) return false;
  return true;
}

export function skipSpace(b: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
  }
  return i;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
