/**
 * Drift engine state size and observe() cost.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/driftState.js [--continuous]
 *
 * 1,000 series (50 algorithms x 2 versions x 10 fields), 26 hours of data at 20 values per minute
 * per series, in time order, so every slot, hour and window is full. Fields: 6 continuous
 * (normals, N(1000, 1), lognormal, negative), 2 booleans, 2 small integer sets; --continuous
 * makes all 10 continuous (the largest state). Prints the tracker's memory (heap used plus
 * array buffers, after gc, minus the same before building it), the snapshot size, and the cost
 * of observe() (one call per value) and observeMessage() (one call per message).
 */
import { DriftTracker } from '../src/drift';
import { mulberry32 } from '../test/harness/hostileCorpus';

declare const gc: (() => void) | undefined;

const ALGOS = 50;
const VERSIONS = 2;
const FIELDS = 10;
const PER_MINUTE = 20;
const HOURS = 26;
const T0 = Date.UTC(2026, 0, 1);
const continuous = process.argv.includes('--continuous');

const rand = mulberry32(1);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const kinds: Array<() => number> = [
  () => gauss(),
  () => 0.5 + 0.1 * gauss(),
  () => 1000 + gauss(),
  () => Math.exp(gauss()),
  () => -50 + 5 * gauss(),
  () => Math.round(100 * rand()) / 100,
  () => (rand() < 0.3 ? 1 : 0),
  () => (rand() < 0.05 ? 1 : 0),
  () => Math.floor(rand() * 6),
  () => Math.floor(rand() * 3),
];
const POOL = 1 << 18;
const pools = kinds.map((k, i) => Float64Array.from({ length: POOL }, continuous && i >= 6 ? kinds[i % 6] : k));
const fields = Array.from({ length: FIELDS }, (_, i) => `field_${i}`);
const names = Array.from({ length: ALGOS }, (_, i) => `algorithm_${i}`);
const versions = Array.from({ length: VERSIONS }, (_, i) => `1.${i}.0`);

function memory(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function fill(perMessage: boolean): { tracker: DriftTracker; ns: number; values: number } {
  const tracker = new DriftTracker();
  const row = new Float64Array(FIELDS);
  let p = 0;
  let values = 0;
  const start = process.hrtime.bigint();
  for (let minute = 0; minute < HOURS * 60; minute++) {
    for (let k = 0; k < PER_MINUTE; k++) {
      const t = T0 + minute * 60_000 + k * 3_000;
      for (let a = 0; a < ALGOS; a++) {
        for (let v = 0; v < VERSIONS; v++) {
          p = (p + 1) & (POOL - 1);
          if (perMessage) {
            for (let f = 0; f < FIELDS; f++) row[f] = pools[f][(p + f * 977) & (POOL - 1)];
            tracker.observeMessage(names[a], versions[v], 'owner', t, fields, row);
          } else {
            for (let f = 0; f < FIELDS; f++) tracker.observe(names[a], versions[v], 'owner', t, fields[f], pools[f][(p + f * 977) & (POOL - 1)]);
          }
          values += FIELDS;
        }
      }
    }
  }
  const ns = Number(process.hrtime.bigint() - start) / values;
  return { tracker, ns, values };
}

if (typeof gc !== 'function') console.log('run with node --expose-gc for the memory figures');
const before = memory();
const one = fill(false);
const after = memory();
const wall = T0 + HOURS * 3_600_000;
const t0 = process.hrtime.bigint();
const scores = one.tracker.report(wall);
const reportMs = Number(process.hrtime.bigint() - t0) / 1e6;
const t1 = process.hrtime.bigint();
const snap = one.tracker.snapshot();
const snapMs = Number(process.hrtime.bigint() - t1) / 1e6;
const t2 = process.hrtime.bigint();
const restored = DriftTracker.restore(snap);
const restoreMs = Number(process.hrtime.bigint() - t2) / 1e6;
const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);
console.log(`fields: ${continuous ? 'all continuous' : '6 continuous, 2 booleans, 2 small integer sets'}`);
console.log(`series tracked: ${one.tracker.trackedSeries}, values observed: ${one.values}`);
console.log(`tracker memory (heap used + array buffers, after gc): ${mb(after - before)} MB`);
console.log(`snapshot: ${mb(snap.length)} MB, written in ${snapMs.toFixed(0)} ms, restored in ${restoreMs.toFixed(0)} ms (${restored.ok ? 'ok' : restored.reason})`);
console.log(`report(): ${scores.length} scores in ${reportMs.toFixed(0)} ms`);
console.log(`observe(): ${one.ns.toFixed(0)} ns per value (26 h fill, one call per value)`);
const held = one.tracker;
const many = fill(true);
console.log(`observeMessage(): ${many.ns.toFixed(0)} ns per value (one call per message of ${FIELDS} fields)`);
void held;
