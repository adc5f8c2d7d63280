/** Values of a metric from received DogStatsD lines, packed (`name:v1:v2|d|...`) or not. */
export function metricValues(lines: readonly string[], name: string): number[] {
  const head = `${name}:`;
  const out: number[] = [];
  for (const l of lines) {
    if (!l.startsWith(head)) continue;
    const bar = l.indexOf('|');
    for (const v of l.slice(head.length, bar).split(':')) out.push(Number(v));
  }
  return out;
}

/** Number of values in metric lines, each packed value counted. */
export function valueCount(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) {
    const bar = l.indexOf('|');
    const colon = l.indexOf(':');
    if (bar > colon && colon > 0) n += l.slice(colon + 1, bar).split(':').length;
  }
  return n;
}
