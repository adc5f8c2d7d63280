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
import { utf8Length } from './datagramPacker';
import { formatValue, TYPE_CODES } from './lineFormat';

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

  add(name: string, value: number, type: MetricType, tags: string): void {
    let byName = this.byTags.get(tags);
    if (!byName) {
      byName = new Map();
      this.byTags.set(tags, byName);
    }
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
   * Emits every series as packed lines of at most `maxLineBytes` (counting `suffixBytes` that
   * the datagram packer appends to each line), then starts over. `emit` gets each line with its
   * byte length (without the suffix) and returns false when the line does not fit even with one
   * value; the number of values refused is returned.
   */
  drain(maxLineBytes: number, suffixBytes: number, emit: (line: string, bytes: number) => boolean): number {
    let refused = 0;
    for (const byName of this.byTags.values()) {
      for (const s of byName.values()) {
        const tail = `|${TYPE_CODES[s.type]}${s.tags ? `|#${s.tags}` : ''}`;
        const fixed = utf8Length(s.name) + utf8Length(tail);
        const values = s.values;
        let joined = formatValue(values[0]); // numbers format as ASCII
        for (let i = 1; i < values.length; i++) joined += ':' + formatValue(values[i]);
        if (fixed + 1 + joined.length + suffixBytes <= maxLineBytes) {
          // the common case: the whole series fits one line
          if (!emit(`${s.name}:${joined}${tail}`, fixed + 1 + joined.length)) refused += s.values.length;
          continue;
        }
        let line = s.name;
        let bytes = fixed;
        let inLine = 0;
        for (const n of s.values) {
          const v = formatValue(n);
          const add = v.length + 1; // ':' + the number
          if (inLine > 0 && bytes + add + suffixBytes > maxLineBytes) {
            if (!emit(line + tail, bytes)) refused += inLine;
            line = s.name;
            bytes = fixed;
            inLine = 0;
          }
          line += ':' + v;
          bytes += add;
          inLine++;
        }
        if (inLine > 0 && !emit(line + tail, bytes)) refused += inLine;
      }
    }
    this.byTags = new Map();
    this.size = 0;
    return refused;
  }
}
