/**
 * Drift state memory of 1,000 busy series: 50 algorithms x 2 versions x 10 continuous fields,
 * 26 hours of data in time order at --per-minute values per series per minute (default 300, so
 * that every slot sketch (1,500 values) and hour sketch (18,000) is past its capacity and
 * compacting). Prints the tracker's memory (heap used plus external memory after gc, minus the
 * same before; typed arrays count as external), the peak RSS, the snapshot size, and the sketches' items by kind (slot, hour).
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/driftMemory.js [--per-minute 300] [--hours 26]
 *
 * --hours 3 gives a version 3 hours old (short trailing references).
 */
import { DriftTracker } from '../src/drift';
import { Weighted } from '../src/drift/sketch';
import type { Series } from '../src/drift/state';
import { WINDOW_SLOTS } from '../src/drift/time';
import { mulberry32 } from '../test/harness/hostileCorpus';

declare const gc: (() => void) | undefined;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ALGOS = 50;
const VERSIONS = 2;
const FIELDS = 10;
const PER_MINUTE = arg('per-minute', 300);
const HOURS = arg('hours', 26);
const T0 = Date.UTC(2026, 0, 1);

const rand = mulberry32(1);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const kinds: Array<() => number> = [() => gauss(), () => 0.5 + 0.1 * gauss(), () => 1000 + gauss(), () => Math.exp(gauss()), () => -50 + 5 * gauss()];
const POOL = 1 << 18;
const pools = Array.from({ length: FIELDS }, (_, f) => Float64Array.from({ length: POOL }, kinds[f % kinds.length]));
const fields = Array.from({ length: FIELDS }, (_, i) => `field_${i}`);
const names = Array.from({ length: ALGOS }, (_, i) => `algorithm_${i}`);
const versions = Array.from({ length: VERSIONS }, (_, i) => `1.${i}.0`);

function memory(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

if (typeof gc !== 'function') console.log('run with node --expose-gc for the memory figures');
const before = memory();
const tracker = new DriftTracker();
const row = new Float64Array(FIELDS);
let p = 0;
const start = process.hrtime.bigint();
for (let minute = 0; minute < HOURS * 60; minute++) {
  for (let k = 0; k < PER_MINUTE; k++) {
    const t = T0 + minute * 60_000 + Math.floor((k * 60_000) / PER_MINUTE);
    for (let a = 0; a < ALGOS; a++) {
      for (let v = 0; v < VERSIONS; v++) {
        p = (p + 1) & (POOL - 1);
        for (let f = 0; f < FIELDS; f++) row[f] = pools[f][(p + f * 977) & (POOL - 1)];
        tracker.observeMessage(names[a], versions[v], 'owner', t, fields, row);
      }
    }
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const after = memory();
const snap = tracker.snapshot();
const scores = tracker.report(T0 + HOURS * 3_600_000);

// Items held, by kind of entry (through the private map: a bench, not an API).
const byName = (tracker as unknown as { byName: Map<string, Map<string, { fields: Map<string, Series> }>> }).byName;
const items = { slot: 0, hour: 0, slots: 0, hours: 0 };
const w = new Weighted();
for (const vs of byName.values()) {
  for (const state of vs.values()) {
    for (const s of state.fields.values()) {
      s.sketches.forEach((sk, i) => {
        if (sk === undefined || sk.n === 0) return;
        w.clear();
        sk.gather(w);
        if (i < WINDOW_SLOTS) {
          items.slot += w.len;
          items.slots++;
        } else {
          items.hour += w.len;
          items.hours++;
        }
      });
    }
  }
}
const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);
console.log(`series ${tracker.trackedSeries}, ${HOURS} h at ${PER_MINUTE} values per series per minute, filled in ${seconds.toFixed(0)} s; ${scores.length} scores`);
console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
console.log(`tracker memory (heap used + external, after gc): ${mb(after - before)} MB; snapshot ${mb(snap.length)} MB`);
console.log(`items: slot sketches ${items.slots} holding ${items.slot} (${(items.slot / items.slots).toFixed(0)} each), hour sketches ${items.hours} holding ${items.hour} (${(items.hour / items.hours).toFixed(0)} each)`);
