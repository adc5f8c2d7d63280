/**
 * Packs lines into datagrams no larger than the transport allows (newline-separated, as the
 * Agent reads them). A line that cannot fit even alone is refused (the caller counts it
 * as `too_long`); nothing is ever cut.
 *
 * Datagrams are bytes from end to end: lines are written into one buffer (the encoder writes
 * its packed values straight into it with addBytes), and take() hands out the datagrams as
 * views of that buffer, back to back from its start. That buffer is the packer's no longer: the
 * encoder thread transfers it to the main thread whole, and the socket sends the views, so no
 * datagram ever becomes a string or is copied on the way.
 */
export class DatagramPacker {
  private arena: Buffer;
  /** Start of the datagram being filled, and the end of what is written. */
  private start = 0;
  private used = 0;
  private readonly lengths: number[] = [];
  /** Buffers of sent datagrams, given back for reuse (recycle). */
  private readonly spare: ArrayBuffer[] = [];

  /** Bytes of the suffix appended to every line. */
  readonly suffixBytes: number;
  private readonly suffix: Buffer;

  constructor(
    readonly maxBytes: number,
    /** Appended to every line, e.g. `|c:<container id>` with origin detection. */
    lineSuffix = '',
  ) {
    this.suffix = Buffer.from(lineSuffix);
    this.suffixBytes = this.suffix.length;
    this.arena = newArena(4 * maxBytes);
  }

  /** Adds a line; false when the line alone exceeds maxBytes (it was not added). */
  add(line: string): boolean {
    if (!this.place(utf8Length(line))) return false;
    this.used += this.arena.write(line, this.used);
    this.endLine();
    return true;
  }

  /** Adds the line `head[0, headBytes)` + `tail`; false when it cannot fit alone. */
  addBytes(head: Uint8Array, headBytes: number, tail: Uint8Array): boolean {
    if (!this.place(headBytes + tail.length)) return false;
    this.arena.set(headBytes === head.length ? head : head.subarray(0, headBytes), this.used);
    this.used += headBytes;
    this.arena.set(tail, this.used);
    this.used += tail.length;
    this.endLine();
    return true;
  }

  /** Makes room for a line of `bytes` (plus the suffix and a newline): a new datagram if needed, or false. */
  private place(bytes: number): boolean {
    const total = bytes + this.suffixBytes;
    if (total > this.maxBytes) return false;
    if (this.used > this.start && this.used - this.start + 1 + total > this.maxBytes) this.endDatagram();
    if (this.used + 1 + total > this.arena.length) this.grow(this.used + 1 + total);
    if (this.used > this.start) this.arena[this.used++] = 0x0a; // \n
    return true;
  }

  private endLine(): void {
    if (this.suffixBytes > 0) {
      this.arena.set(this.suffix, this.used);
      this.used += this.suffixBytes;
    }
  }

  private endDatagram(): void {
    this.lengths.push(this.used - this.start);
    this.start = this.used;
  }

  private grow(needed: number): void {
    const bigger = newArena(Math.max(needed, 2 * this.arena.length));
    this.arena.copy(bigger, 0, 0, this.used);
    this.arena = bigger;
  }

  /**
   * Takes back the buffer of datagrams that were sent (none of its views is used any more):
   * without it, each chunk's buffer waits for a full GC to be freed, tens of MB at a time.
   */
  recycle(buffer: ArrayBuffer): void {
    if (this.spare.length < MAX_SPARE && buffer.byteLength >= 4 * this.maxBytes) this.spare.push(buffer);
  }

  private nextArena(bytes: number): Buffer {
    const spare = this.spare.pop();
    return spare !== undefined && spare.byteLength >= bytes ? Buffer.from(spare) : newArena(bytes);
  }

  /**
   * Every datagram built so far, as views back to back from the start of one buffer of their
   * own (transferable); the packer starts over in a new buffer.
   */
  take(): Buffer[] {
    if (this.used > this.start) this.endDatagram();
    const out = datagramViews(this.arena.buffer as ArrayBuffer, this.lengths);
    // `start` is now the end of the last datagram: the next chunk is likely as big
    if (this.start > 0) this.arena = this.nextArena(Math.max(4 * this.maxBytes, this.start));
    this.lengths.length = 0;
    this.start = this.used = 0;
    return out;
  }
}

/** Chunks in flight at once are few (the pipeline holds about four fetches). */
const MAX_SPARE = 3;

/** A buffer with an ArrayBuffer of its own (never a slice of Node's pool), so it can be transferred. */
function newArena(bytes: number): Buffer {
  return Buffer.allocUnsafeSlow(bytes);
}

/** Views of `bytes` with the given lengths, back to back from its start (the inverse of take()). */
export function datagramViews(bytes: ArrayBuffer, lengths: ArrayLike<number>): Buffer[] {
  const out: Buffer[] = new Array<Buffer>(lengths.length);
  let pos = 0;
  for (let i = 0; i < lengths.length; i++) {
    out[i] = Buffer.from(bytes, pos, lengths[i]);
    pos += lengths[i];
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 length of a string; ASCII strings (the common case) need no encoding pass. */
export function utf8Length(s: string): number {
  return NON_ASCII.test(s) ? Buffer.byteLength(s) : s.length;
}
