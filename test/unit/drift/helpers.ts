/** Seeded generators for the drift tests. */
import { DriftTracker, psiExactDiscrete, type DriftOptions } from '../../../src/drift';
import { mulberry32 } from '../../harness/hostileCorpus';

/** The one seeded PRNG of the tests (shared with the hostile corpus and the generator). */
export { mulberry32 };

export const MIN = 60_000;
export const HOUR = 3_600_000;
/** 2026-01-01T00:00:00Z, an hour (and slot) boundary. */
export const T0 = Date.UTC(2026, 0, 1);

export function normal(rand: () => number, mean: number, sd: number): () => number {
  return () => {
    const u = 1 - rand();
    const v = rand();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function tracker(opts: Partial<DriftOptions> = {}): DriftTracker {
  return new DriftTracker({ minSamples: 1, ...opts });
}

/** Observes `count` values from gen, spread evenly over [fromMs, toMs). Returns the values. */
export function feed(t: DriftTracker, version: string, field: string, fromMs: number, toMs: number, count: number, gen: () => number, name = 'algo'): number[] {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = gen();
    values.push(v);
    t.observe(name, version, 'owner', fromMs + Math.floor(((toMs - fromMs) * i) / count), field, v);
  }
  return values;
}

/** The accuracy bound of every score: within 0.02 + 10% of the exact PSI. */
export const allowed = (exact: number): number => 0.02 + 0.1 * exact;

/**
 * The one check of a reported score against the exact PSI of the raw values it stands for
 * (psiExactDiscrete: by value at most 16 distinct values, else deciles, as psiExact). Returns
 * the exact PSI and a line for the accuracy table.
 */
export function expectNearExact(label: string, psi: number, ref: ArrayLike<number>, cur: ArrayLike<number>): { exact: number; line: string } {
  const exact = psiExactDiscrete(ref, cur);
  const line = `${label}: exact ${exact.toFixed(4)} sketch ${psi.toFixed(4)} diff ${(psi - exact).toFixed(4)} allowed ${allowed(exact).toFixed(4)}`;
  expect(Math.abs(psi - exact)).toBeLessThanOrEqual(allowed(exact));
  return { exact, line };
}
