/** Insights `time` (zone-less, UTC): the positional fast path agrees with the general parser everywhere. */
import { parseInsightsTime, parseIsoTime } from '../../src/map/time';
import { mulberry32 } from '../harness/hostileCorpus';

describe('parseInsightsTime', () => {
  it.each<[string, number | undefined]>([
    ['2021-02-20T00:21:54.867231', Date.UTC(2021, 1, 20, 0, 21, 54, 867)],
    ['2026-11-30T23:59:59', Date.UTC(2026, 10, 30, 23, 59, 59)],
    ['2026-11-30 12:00:00.5', Date.UTC(2026, 10, 30, 12, 0, 0, 500)],
    ['2026-11-30T12:00:00Z', Date.UTC(2026, 10, 30, 12, 0, 0)],
    ['2026-11-30T12:00:00+01:00', Date.UTC(2026, 10, 30, 11, 0, 0)],
    ['2026-11-30T12:00', undefined],
    ['2026-11-30T12:00:00.', undefined],
    ['yesterday', undefined],
  ])('%s', (text, expected) => {
    expect(parseInsightsTime(text)).toBe(expected);
  });

  it('gives what the general parser gives, on 20,000 near-valid strings', () => {
    const random = mulberry32(7);
    const alphabet = '0123456789-:T .Z+ab';
    const base = ['2026-11-30T12:34:56', '2026-02-29T23:59:59.999999', '1999-12-31 00:00:00.1', '0050-01-01T00:00:00', '2026-13-01T24:60:60'];
    let parsed = 0;
    for (let i = 0; i < 20_000; i++) {
      const chars = [...base[i % base.length]];
      const edits = Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) chars[Math.floor(random() * chars.length)] = alphabet[Math.floor(random() * alphabet.length)];
      if (random() < 0.2) chars.push(...'.123'.slice(0, 1 + Math.floor(random() * 4)));
      const text = chars.join('');
      const got = parseInsightsTime(text);
      expect([text, got]).toEqual([text, parseIsoTime(text)]);
      if (got !== undefined) parsed++;
    }
    expect(parsed).toBeGreaterThan(5000);
  });
});
