/**
 * DogStatsD protocol 1.1 value packing: the values of one series (name, type, tags) within a
 * chunk go out as one line `name:v1:v2:...|d|#tags` (the Agent counts them exactly as separate
 * lines). Insights messages repeat the same few series over and over, so this saves most of
 * the bytes, datagrams and string work. Lines are split so that each fits a datagram.
 *
 * Lookups are keyed by the tag string and then the name: both come from the mapper's caches as
 * the same string instances each time, so V8's cached string hashes make them cheap.
 */
import type { MetricType } from '../config/schema';
import { type DatagramPacker, utf8Length } from './datagramPacker';
import { MAX_VALUE_BYTES, TYPE_CODES, writeValue } from './lineFormat';

interface Series {
  name: string;
  type: MetricType;
  tags: string;
  /** Numbers, formatted at drain time. */
  values: number[];
}

export class SeriesPacker {
  private byTags = new Map<string, Map<string, Series>>();
  private size = 0;
  private line = Buffer.allocUnsafe(4096);

  /** The series map of the last tags: the values of one message all share its tags. */
  private lastTags: string | undefined;
  private lastByName: Map<string, Series> | undefined;

  add(name: string, value: number, type: MetricType, tags: string): void {
    let byName = tags === this.lastTags ? this.lastByName : this.byTags.get(tags);
    if (!byName) {
      byName = new Map();
      this.byTags.set(tags, byName);
    }
    this.lastTags = tags;
    this.lastByName = byName;
    const series = byName.get(name);
    // A field configured with another type in the same chunk cannot share the series.
    if (series && series.type === type) series.values.push(value);
    else if (!series) byName.set(name, { name, type, tags, values: [value] });
    else {
      const key = `${name}\u0000${type}`;
      const other = byName.get(key);
      if (other) other.values.push(value);
      else byName.set(key, { name, type, tags, values: [value] });
    }
    this.size++;
  }

  get values(): number {
    return this.size;
  }

  /**
   * Writes every series as packed lines into `packer`, each line fitting one datagram, then
   * starts over. Values are written as bytes straight into the line; returns the number of
   * values refused (a line that cannot fit even with one value).
   */
  drain(packer: DatagramPacker): number {
    let refused = 0;
    const max = packer.maxBytes - packer.suffixBytes;
    for (const byName of this.byTags.values()) {
      for (const s of byName.values()) {
        const tail = Buffer.from(`|${TYPE_CODES[s.type]}${s.tags ? `|#${s.tags}` : ''}`);
        const nameBytes = utf8Length(s.name);
        let line = this.lineBuffer(nameBytes + 1 + MAX_VALUE_BYTES);
        line.write(s.name, 0);
        let used = nameBytes;
        let inLine = 0;
        const values = s.values;
        for (let i = 0; i < values.length; i++) {
          if (used + 1 + MAX_VALUE_BYTES > line.length) line = this.lineBuffer(2 * (used + 1 + MAX_VALUE_BYTES), used);
          line[used] = 0x3a; // :
          const end = writeValue(line, used + 1, values[i]);
          if (inLine > 0 && end + tail.length > max) {
            // the line is full without this value: send it, and start the next with the value
            if (!packer.addBytes(line, used, tail)) refused += inLine;
            line.copyWithin(nameBytes, used, end);
            used = nameBytes + (end - used);
            inLine = 1;
          } else {
            used = end;
            inLine++;
          }
        }
        if (inLine > 0 && !packer.addBytes(line, used, tail)) refused += inLine;
      }
    }
    this.byTags = new Map();
    this.lastTags = undefined;
    this.lastByName = undefined;
    this.size = 0;
    return refused;
  }

  /** The scratch buffer for one line, at least `bytes` long (keeping its first `keep` bytes). */
  private lineBuffer(bytes: number, keep = 0): Buffer {
    if (this.line.length < bytes) {
      const bigger = Buffer.allocUnsafe(Math.max(bytes, 2 * this.line.length));
      this.line.copy(bigger, 0, 0, keep);
      this.line = bigger;
    }
    return this.line;
  }
}
