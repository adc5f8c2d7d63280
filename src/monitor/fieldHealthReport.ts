/**
 * What field health reports, every interval (pure; the wall clock is a parameter):
 * - per tracked series of a version reporting now (newest message < 2 h old), the missing
 *   ratio of its current window, and its change against each baseline (the baseline's own
 *   ratio over the baseline's range); a series whose window or baseline holds fewer than
 *   `minSamples` counted executions has no ratio there;
 * - per tracked series, its missing values by reason since the last report (only those > 0).
 * Healthy fields cost nothing: a series' gauges go out while its current or a baseline ratio is
 * at least 0.01, then for 2 h after both fell below it (real values, so that monitors resolve),
 * then no more. A series sends at most 3 gauges (ratio, two changes): never more gauge series
 * than 3 x the tracked series.
 */
import type { Baseline } from '../drift';
import { currentWindow, HOUR_MS, KEEP_MS, previousRange, previousVersion, type Range, REPORT_AGE_MS, trailingRange } from './clock';
import { type FieldHealth, FIELD_COUNTERS, type HealthSeries, type HealthVersion } from './fieldHealth';
import { KIND_EXCLUDED, KIND_VALUE } from './observations';

/** A ratio at or above this is worth a gauge. */
export const MISSING_THRESHOLD = 0.01;
/** How long a series keeps sending after its ratios fell below the threshold. */
export const TAIL_MS = 2 * HOUR_MS;
export const INVALID_REASONS = ['null', 'non_numeric', 'non_finite'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export interface SeriesKey {
  algorithmName: string;
  version: string;
  owner: string;
  field: string;
}

export interface HealthGauge extends SeriesKey {
  metric: 'missing_ratio' | 'missing_ratio_change';
  value: number;
  baseline?: Baseline;
  baselineVersion?: string;
}

export interface InvalidCount extends SeriesKey {
  reason: InvalidReason;
  count: number;
}

export interface HealthReport {
  gauges: HealthGauge[];
  invalid: InvalidCount[];
}

export interface HealthReportOptions {
  baselines: readonly Baseline[];
  minSamples: number;
}

/**
 * The share of counted executions (executions minus the excluded ones) that carried no usable
 * value; undefined under `minSamples` counted executions. Exposed for the tests' tables.
 */
export function missingRatio(executions: number, usable: number, excluded: number, minSamples: number): number | undefined {
  const counted = executions - excluded;
  if (!(counted >= minSamples) || counted <= 0) return undefined;
  return Math.min(1, Math.max(0, (counted - usable) / counted));
}

export function reportHealth(h: FieldHealth, wallNowMs: number, opts: HealthReportOptions): HealthReport {
  h.expire(wallNowMs, KEEP_MS);
  h.inheritAll();
  const out: HealthReport = { gauges: [], invalid: [] };
  const budget = 3 * h.series;
  const trailing = opts.baselines.includes('trailing');
  const previous = opts.baselines.includes('previous_version');
  const counts = new Float64Array(FIELD_COUNTERS);
  const ratioOf = (hv: HealthVersion, s: HealthSeries, r: Range): number | undefined => {
    const executions = hv.executions.gather(r.from, r.to, new Float64Array(1))[0];
    counts.fill(0);
    s.ring.gather(r.from, r.to, counts);
    return missingRatio(executions, counts[KIND_VALUE], counts[KIND_EXCLUDED], opts.minSamples);
  };
  for (const versions of h.byName.values()) {
    for (const hv of versions.values()) {
      const key = { algorithmName: hv.name, version: hv.version, owner: hv.owner };
      for (const [field, s] of hv.fields) {
        for (let r = 0; r < INVALID_REASONS.length; r++) {
          if (s.invalid[r] > 0) out.invalid.push({ ...key, field, reason: INVALID_REASONS[r], count: s.invalid[r] });
          s.invalid[r] = 0;
        }
      }
      if (!(wallNowMs - hv.clock.newest < REPORT_AGE_MS)) continue;
      const win = currentWindow(hv.clock);
      const trail = trailingRange(win.from);
      const prev = previous ? previousVersion(versions.values(), hv) : undefined;
      for (const [field, s] of hv.fields) {
        const current = ratioOf(hv, s, win);
        if (current === undefined) continue;
        const changes: HealthGauge[] = [];
        let above = current >= MISSING_THRESHOLD;
        const change = (baseline: Baseline, ratio: number | undefined, baselineVersion?: string): void => {
          if (ratio === undefined) return;
          above ||= ratio >= MISSING_THRESHOLD;
          const g: HealthGauge = { ...key, field, metric: 'missing_ratio_change', value: current - ratio, baseline };
          if (baselineVersion !== undefined) g.baselineVersion = baselineVersion;
          changes.push(g);
        };
        if (trailing) change('trailing', ratioOf(hv, s, trail));
        const ps = prev?.fields.get(field);
        // Not against a previous version that never had the field.
        if (prev !== undefined && ps !== undefined && ps.everUsable) change('previous_version', ratioOf(prev, ps, previousRange(prev.clock)), prev.version);
        if (above) s.lastAboveMs = wallNowMs;
        if (!(wallNowMs - s.lastAboveMs < TAIL_MS)) continue;
        const gauges = [{ ...key, field, metric: 'missing_ratio' as const, value: current }, ...changes];
        if (out.gauges.length + gauges.length > budget) continue;
        out.gauges.push(...gauges);
      }
    }
  }
  return out;
}
