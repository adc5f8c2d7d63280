/**
 * The forwarder's own counts that a telemetry report could not hand off at all (the Agent's
 * socket missing or congested): carried to the next report and summed with its counts, so that
 * the send errors of an Agent outage are seen once it is back. Gauges (lag, series tracked) and
 * the service check are current values and are not carried. A report that reached the Agent in
 * part is not carried (its counts would be counted twice). Pure.
 */

/** Distinct count series carried at most (the forwarder's count series are far fewer). */
export const MAX_CARRIED_SERIES = 1000;

/** `name:value|c|...` -> [the line without its value, value]; undefined for anything else. */
function countOf(line: string): [string, number] | undefined {
  const colon = line.indexOf(':');
  const bar = line.indexOf('|', colon);
  if (colon <= 0 || bar < 0 || !line.startsWith('|c', bar) || (line.length > bar + 2 && line[bar + 2] !== '|')) return undefined;
  const value = Number(line.slice(colon + 1, bar));
  return Number.isFinite(value) ? [line.slice(0, colon) + '\u0000' + line.slice(bar), value] : undefined;
}

export class CarriedCounts {
  private readonly sums = new Map<string, number>();

  /** The count lines of a report whose every datagram failed. */
  carry(lines: readonly string[]): void {
    for (const line of lines) {
      const c = countOf(line);
      if (c === undefined) continue;
      const [key, value] = c;
      const sum = this.sums.get(key);
      if (sum !== undefined) this.sums.set(key, sum + value);
      else if (this.sums.size < MAX_CARRIED_SERIES) this.sums.set(key, value);
    }
  }

  /**
   * `lines` with the carried counts added: a carried series the report also has is summed into
   * its line, the others are appended. The carried counts are then gone (carry them again if this
   * report fails too).
   */
  merge(lines: readonly string[]): string[] {
    if (this.sums.size === 0) return [...lines];
    const out = lines.map((line) => {
      const c = countOf(line);
      const carried = c && this.sums.get(c[0]);
      if (!c || carried === undefined) return line;
      this.sums.delete(c[0]);
      const [name, rest] = c[0].split('\u0000');
      return `${name}:${c[1] + carried}${rest}`;
    });
    for (const [key, value] of this.sums) {
      const [name, rest] = key.split('\u0000');
      out.push(`${name}:${value}${rest}`);
    }
    this.sums.clear();
    return out;
  }

  get size(): number {
    return this.sums.size;
  }
}
