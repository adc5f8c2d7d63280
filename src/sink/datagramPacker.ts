/**
 * Packs lines into datagrams no larger than the transport allows (newline-separated, as the
 * Agent reads them). A line that cannot fit even alone is refused (the caller counts it
 * as `too_long`); nothing is ever cut.
 */
export class DatagramPacker {
  private readonly datagrams: string[] = [];
  private current = '';
  private currentBytes = 0;
  lines = 0;

  /** Bytes of the suffix appended to every line. */
  readonly suffixBytes: number;

  constructor(
    readonly maxBytes: number,
    /** Appended to every line, e.g. `|c:<container id>` with origin detection. */
    private readonly lineSuffix = '',
  ) {
    this.suffixBytes = Buffer.byteLength(lineSuffix);
  }

  /**
   * Adds a line; false when the line alone exceeds maxBytes (it was not added). `lineBytes`,
   * when the caller knows it, is the line's UTF-8 length without the suffix.
   */
  add(line: string, lineBytes?: number): boolean {
    const text = this.lineSuffix ? line + this.lineSuffix : line;
    // Byte length: ASCII lines (the common case) need no encoding pass.
    const bytes = lineBytes !== undefined ? lineBytes + this.suffixBytes : utf8Length(text);
    if (bytes > this.maxBytes) return false;
    if (this.currentBytes === 0) {
      this.current = text;
      this.currentBytes = bytes;
    } else if (this.currentBytes + 1 + bytes <= this.maxBytes) {
      this.current += '\n' + text;
      this.currentBytes += 1 + bytes;
    } else {
      this.datagrams.push(this.current);
      this.current = text;
      this.currentBytes = bytes;
    }
    this.lines++;
    return true;
  }

  get pendingBytes(): number {
    return this.currentBytes;
  }

  /** Returns every datagram built so far and starts over. */
  take(): string[] {
    if (this.currentBytes > 0) this.datagrams.push(this.current);
    const out = this.datagrams.splice(0);
    this.current = '';
    this.currentBytes = 0;
    this.lines = 0;
    return out;
  }
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 length of a string; ASCII strings (the common case) need no encoding pass. */
export function utf8Length(s: string): number {
  return NON_ASCII.test(s) ? Buffer.byteLength(s) : s.length;
}
