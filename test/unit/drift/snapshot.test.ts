import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftTracker, SNAPSHOT_FORMAT } from '../../../src/drift';
import { crc32 } from '../../../src/drift/bytes';
import { HOUR_K, SLOT_K } from '../../../src/drift/state';
import { WINDOW_SLOTS } from '../../../src/drift/time';
import { HOUR, MIN, T0, feed, mulberry32, normal } from './helpers';

const NOW = T0 + 30 * HOUR;

/** Two versions, several fields: continuous (KLL mode), booleans and small integers (exact mode). */
function busyTracker(): DriftTracker {
  const t = new DriftTracker({ minSamples: 100 });
  const rand = mulberry32(42);
  for (const [v, from] of [['v1', NOW - 28 * HOUR], ['v2', NOW - 26 * HOUR]] as const) {
    feed(t, v, 'score', from, NOW, 20_000, normal(rand, v === 'v1' ? 0 : 0.3, 1));
    feed(t, v, 'flag', from, NOW, 5_000, () => (rand() < 0.2 ? 1 : 0));
    feed(t, v, 'class', from, NOW - 3 * MIN, 5_000, () => Math.floor(rand() * 5));
  }
  return t;
}

describe('snapshot', () => {
  test('restore gives the same report, and the same state after more data', () => {
    const t = busyTracker();
    const bytes = t.snapshot();
    const r = DriftTracker.restore(bytes, { minSamples: 100 });
    if (!r.ok) throw new Error(r.reason);
    const scores = t.report(NOW);
    expect(scores.length).toBe(9); // v1: 3 trailing; v2: 3 trailing + 3 previous_version
    expect(r.tracker.report(NOW)).toEqual(scores);
    expect(r.tracker.trackedSeries).toBe(t.trackedSeries);
    for (const tr of [t, r.tracker]) feed(tr, 'v2', 'score', NOW, NOW + 30 * MIN, 5_000, normal(mulberry32(7), 1, 1));
    expect(r.tracker.report(NOW + 30 * MIN)).toEqual(t.report(NOW + 30 * MIN));
    expect(r.tracker.snapshot()).toEqual(t.snapshot());
  });

  test('a busy series (its sketches sampling) round-trips, and goes on the same after more data', () => {
    const t = new DriftTracker({ minSamples: 100 });
    const rand = mulberry32(3);
    feed(t, 'v1', 'score', NOW - 25 * HOUR, NOW - 24 * HOUR, 300_000, normal(rand, 0, 1));
    feed(t, 'v1', 'score', NOW - 5 * MIN, NOW, 300_001, normal(rand, 0.2, 1));
    const r = DriftTracker.restore(t.snapshot(), { minSamples: 100 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.tracker.report(NOW)).toEqual(t.report(NOW));
    for (const tr of [t, r.tracker]) feed(tr, 'v1', 'score', NOW, NOW + 5 * MIN, 100_003, normal(mulberry32(8), 1, 1));
    expect(Buffer.from(r.tracker.snapshot()).equals(Buffer.from(t.snapshot()))).toBe(true);
    expect(r.tracker.report(NOW + 5 * MIN)).toEqual(t.report(NOW + 5 * MIN));
  });

  test('hours at both resolutions (a young version\'s hours at SLOT_K, older ones shrunk to HOUR_K) round-trip', () => {
    const t = new DriftTracker({ minSamples: 100 });
    const rand = mulberry32(12);
    feed(t, 'v1', 'score', NOW - 20 * HOUR, NOW, 200_000, normal(rand, 0, 1));
    feed(t, 'v2', 'score', NOW - 2 * HOUR, NOW, 50_000, normal(rand, 0, 1));
    const ks = (tr: DriftTracker, v: string): Set<number> => {
      const s = (tr as unknown as { byName: Map<string, Map<string, { fields: Map<string, { sketches: Array<{ k: number } | undefined> }> }>> }).byName.get('algo')?.get(v)?.fields.get('score');
      return new Set(s?.sketches.slice(WINDOW_SLOTS).flatMap((sk) => (sk ? [sk.k] : [])));
    };
    expect(ks(t, 'v1')).toEqual(new Set([HOUR_K])); // 19 past hours, each a small share
    expect(ks(t, 'v2')).toEqual(new Set([SLOT_K])); // one past hour: the whole reference
    const r = DriftTracker.restore(t.snapshot(), { minSamples: 100 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.tracker.report(NOW)).toEqual(t.report(NOW));
    for (const tr of [t, r.tracker]) feed(tr, 'v2', 'score', NOW, NOW + 2 * HOUR, 50_000, normal(mulberry32(8), 1, 1));
    expect(Buffer.from(r.tracker.snapshot()).equals(Buffer.from(t.snapshot()))).toBe(true);
  });

  test('a state file of the previous release (1.0.0, every hour at HOUR_K) still loads and scores the same', () => {
    // Written by 1.0.0: 'score' (continuous, shifted in its last 45 minutes) and 'flag' (90% ones) over 4 hours up to NOW.
    const bytes = new Uint8Array(readFileSync(join(__dirname, 'fixtures', 'drift-state-1.0.0.bin')));
    const r = DriftTracker.restore(bytes, { minSamples: 100 });
    if (!r.ok) throw new Error(r.reason);
    const scores = r.tracker.report(NOW);
    // 1.0.0 reported these from the same bytes (the continuous score is unchanged; 'flag' is now binned by value).
    expect(scores.find((s) => s.field === 'score')?.psi).toBe(0.23969355778313034);
    expect(scores.find((s) => s.field === 'flag')?.psi).toBeGreaterThanOrEqual(0);
    expect(Buffer.from(r.tracker.snapshot()).equals(Buffer.from(bytes))).toBe(true);
  });

  test('an empty tracker round-trips', () => {
    const r = DriftTracker.restore(new DriftTracker().snapshot());
    expect(r.ok && r.tracker.trackedSeries).toBe(0);
  });

  const small = (): Uint8Array => {
    const t = new DriftTracker();
    feed(t, 'v1', 'x', NOW - HOUR, NOW, 40, normal(mulberry32(1), 0, 1));
    feed(t, 'v1', 'y', NOW - HOUR, NOW, 10, () => 1);
    return t.snapshot();
  };

  test('every truncation is reported as truncated', () => {
    const bytes = small();
    for (let n = 0; n < bytes.length; n++) expect(DriftTracker.restore(bytes.subarray(0, n))).toEqual({ ok: false, reason: 'truncated' });
  });

  test('every flipped byte is detected, never thrown', () => {
    const bytes = small();
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const b = bytes.slice();
        b[i] ^= mask;
        const r = DriftTracker.restore(b);
        expect(r.ok).toBe(false);
      }
    }
  });

  test('unknown format version', () => {
    const b = small().slice();
    new DataView(b.buffer).setUint32(4, SNAPSHOT_FORMAT + 1, true);
    expect(DriftTracker.restore(b)).toEqual({ ok: false, reason: 'unknown_version' });
  });

  test.each<[string, Uint8Array]>([
    ['garbage JSON', Buffer.from('{"version":1,"series":[]}')],
    ['random bytes', Uint8Array.from({ length: 200 }, (_, i) => (i * 7919 + 13) & 0xff)],
    ['trailing bytes', Uint8Array.from([...small(), 0])],
  ])('%s is corrupt', (_label, bytes) => {
    expect(DriftTracker.restore(bytes)).toEqual({ ok: false, reason: 'corrupt' });
  });

  test('random inputs never throw', () => {
    const rand = mulberry32(99);
    const valid = small();
    for (let i = 0; i < 2000; i++) {
      const b = i % 2 ? Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)) : valid.slice();
      if (i % 2 === 0) for (let j = 0; j < 3; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const r = DriftTracker.restore(b);
      expect(r.ok).toBe(false);
    }
  });

  test('a changed payload with a matching checksum is validated, never thrown', () => {
    const valid = small();
    const rand = mulberry32(5);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const b = valid.slice();
      b[16 + Math.floor(rand() * (b.length - 16))] = Math.floor(rand() * 256);
      new DataView(b.buffer).setUint32(12, crc32(b, 16), true);
      const r = DriftTracker.restore(b);
      if (!r.ok) {
        expect(r.reason === 'corrupt' || r.reason === 'truncated').toBe(true);
        rejected++;
      } else r.tracker.report(NOW);
    }
    expect(rejected).toBeGreaterThan(100);
  });
});
