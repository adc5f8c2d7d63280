/**
 * Packs lines into datagrams no larger than the transport allows (newline-separated, as the
 * Agent reads them). A line that cannot fit even alone is refused (the caller counts it
 * as `too_long`); nothing is ever cut.
 *
 * Datagrams are assembled as bytes and become one string each when done: the encoder writes
 * its packed lines straight into them (addBytes), so a value never becomes a string of its own.
 */
export class DatagramPacker {
  private readonly datagrams: string[] = [];
  private readonly current: Buffer;
  private used = 0;
  /** Whether `current` holds only ASCII (then latin1 makes its string, the cheapest way). */
  private ascii = true;
  lines = 0;

  /** Bytes of the suffix appended to every line. */
  readonly suffixBytes: number;
  private readonly suffix: Buffer;
  private readonly suffixAscii: boolean;

  constructor(
    readonly maxBytes: number,
    /** Appended to every line, e.g. `|c:<container id>` with origin detection. */
    lineSuffix = '',
  ) {
    this.suffix = Buffer.from(lineSuffix);
    this.suffixBytes = this.suffix.length;
    this.suffixAscii = this.suffixBytes === lineSuffix.length;
    this.current = Buffer.allocUnsafe(maxBytes);
  }

  /**
   * Adds a line; false when the line alone exceeds maxBytes (it was not added). `lineBytes`,
   * when the caller knows it, is the line's UTF-8 length without the suffix.
   */
  add(line: string, lineBytes?: number): boolean {
    const bytes = lineBytes ?? utf8Length(line);
    if (!this.place(bytes)) return false;
    this.used += this.current.write(line, this.used);
    if (bytes !== line.length) this.ascii = false;
    this.endLine();
    return true;
  }

  /**
   * Adds the line `head[0, headBytes)` + `tail`; false when it cannot fit alone. `ascii`: both
   * parts are ASCII.
   */
  addBytes(head: Uint8Array, headBytes: number, tail: Uint8Array, ascii: boolean): boolean {
    if (!this.place(headBytes + tail.length)) return false;
    this.current.set(headBytes === head.length ? head : head.subarray(0, headBytes), this.used);
    this.used += headBytes;
    this.current.set(tail, this.used);
    this.used += tail.length;
    if (!ascii) this.ascii = false;
    this.endLine();
    return true;
  }

  /** Makes room for a line of `bytes` (plus the suffix): a new datagram if needed, or false. */
  private place(bytes: number): boolean {
    const total = bytes + this.suffixBytes;
    if (total > this.maxBytes) return false;
    if (this.used > 0) {
      if (this.used + 1 + total > this.maxBytes) this.flush();
      else this.current[this.used++] = 0x0a; // \n
    }
    return true;
  }

  private endLine(): void {
    if (this.suffixBytes > 0) {
      this.current.set(this.suffix, this.used);
      this.used += this.suffixBytes;
      if (!this.suffixAscii) this.ascii = false;
    }
    this.lines++;
  }

  private flush(): void {
    this.datagrams.push(this.current.toString(this.ascii ? 'latin1' : 'utf8', 0, this.used));
    this.used = 0;
    this.ascii = true;
  }

  get pendingBytes(): number {
    return this.used;
  }

  /** Returns every datagram built so far and starts over. */
  take(): string[] {
    if (this.used > 0) this.flush();
    const out = this.datagrams.splice(0);
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
