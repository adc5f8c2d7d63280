/**
 * Drift accuracy on short trailing references, over many seeds: a busy version whose trailing
 * reference holds only the last 1, 2, 5 or 24 hours (or one 5-minute slot) before its current
 * window, fed in time order as a stream is, scored by the tracker against psiExact of the same
 * raw values. Prints, per case and span, the largest |reported - exact| and the largest share of
 * the bound (0.02 + 10% of exact) used.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/driftShortRef.js [--seeds 20] [--per-hour 60000] [--current 50000]
 */
import { DriftTracker, psiExact } from '../src/drift';
import { mulberry32 } from '../test/harness/hostileCorpus';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SEEDS = arg('seeds', 20);
const PER_HOUR = arg('per-hour', 60_000);
const CURRENT = arg('current', 50_000);
const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

type Gen = (rand: () => number) => () => number;
const normal =
  (m: number, s: number): Gen =>
  (rand) =>
  () =>
    m + s * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const logn = (m: number, s: number): Gen => (rand) => {
  const g = normal(m, s)(rand);
  return () => Math.exp(g());
};
const cases: Array<[string, Gen, Gen]> = [
  ['normal stable', normal(0, 1), normal(0, 1)],
  ['normal shifted', normal(0, 1), normal(0.7, 1)],
  ['lognormal stable', logn(0, 1), logn(0, 1)],
  ['lognormal shifted', logn(0, 1), logn(0.7, 1)],
  ['risk_score-like stable', normal(0.3, 0.08), normal(0.3, 0.08)],
  ['income-like shifted', logn(10, 0.5), logn(10.35, 0.5)],
];
/** Reference spans: whole hours before the window, or one 5-minute slot. */
const spans: Array<[string, number]> = [
  ['1 slot', 5 * MIN],
  ['1 h', HOUR],
  ['2 h', 2 * HOUR],
  ['5 h', 5 * HOUR],
  ['24 h', 24 * HOUR],
];

/** One run: reference over [H - span, H), current window [H, H + 1 h); newest at H + 1 h - 1. */
function run(refGen: () => number, curGen: () => number, span: number): { psi: number; exact: number } {
  const t = new DriftTracker({ minSamples: 1, baselines: ['trailing'] });
  const H = T0 + 30 * HOUR;
  const nRef = span < HOUR ? PER_HOUR : Math.round((PER_HOUR * span) / HOUR);
  const ref = new Float64Array(nRef);
  for (let i = 0; i < nRef; i++) {
    ref[i] = refGen();
    t.observe('algo', 'v', 'o', H - span + Math.floor((span * i) / nRef), 'x', ref[i]);
  }
  const cur = new Float64Array(CURRENT);
  for (let i = 0; i < CURRENT; i++) {
    cur[i] = curGen();
    t.observe('algo', 'v', 'o', H + Math.floor((HOUR * i) / CURRENT), 'x', cur[i]);
  }
  const scores = t.report(H + HOUR);
  if (scores.length !== 1) throw new Error(`expected one score, got ${scores.length}`);
  return { psi: scores[0].psi, exact: psiExact(ref, cur) };
}

console.log(`seeds ${SEEDS}, reference ${PER_HOUR} values per hour (one slot: ${PER_HOUR}), current ${CURRENT}`);
console.log('case | span | exact (mean) | max |reported - exact| | max share of bound | mean signed error');
let worstShare = 0;
for (const [label, refG, curG] of cases) {
  for (const [spanLabel, span] of spans) {
    let maxErr = 0;
    let maxShare = 0;
    let sumExact = 0;
    let sumErr = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rand = mulberry32(seed * 7919 + label.length * 31 + span / MIN);
      const { psi, exact } = run(refG(rand), curG(rand), span);
      const err = psi - exact;
      maxErr = Math.max(maxErr, Math.abs(err));
      maxShare = Math.max(maxShare, Math.abs(err) / (0.02 + 0.1 * exact));
      sumExact += exact;
      sumErr += err;
    }
    worstShare = Math.max(worstShare, maxShare);
    console.log(`${label} | ${spanLabel} | ${(sumExact / SEEDS).toFixed(4)} | ${maxErr.toFixed(4)} | ${maxShare.toFixed(2)} | ${(sumErr / SEEDS).toFixed(4)}`);
  }
}
console.log(`worst share of the bound: ${worstShare.toFixed(2)} (over 1: a score outside 0.02 + 10% of exact)`);
