/**
 * What fairness reports, every interval (pure; the wall clock is a parameter): per version
 * reporting now (newest message < 2 h old) x check x group, over the version's current window,
 * the group's positive rate and executions, once the group has `min_group_executions`; and
 * for every group but the reference, its disparate impact (its rate over the reference's) once
 * both have rates and the reference's is not 0. Groups under the minimum send nothing.
 */
import { currentWindow, KEEP_MS, REPORT_AGE_MS } from './clock';
import { type Fairness, SKIP_REASONS, type SkipReason } from './fairness';

export interface FairnessGauge {
  algorithmName: string;
  version: string;
  owner: string;
  check: string;
  outcome: string;
  groupField: string;
  /** The listed value as text, or `other`. */
  group: string;
  metric: 'positive_rate' | 'executions' | 'disparate_impact';
  value: number;
}

export interface FairnessReport {
  gauges: FairnessGauge[];
  /** Executions left out of a check since the last report, by reason (only those > 0). */
  skipped: Array<{ reason: SkipReason; count: number }>;
}

/** Positives / executions; undefined under `min` executions. */
export function positiveRate(positives: number, executions: number, min: number): number | undefined {
  if (!(executions >= min) || executions <= 0) return undefined;
  return positives / executions;
}

/** A group's rate over the reference's; undefined without both rates, or while the reference's is 0. */
export function disparateImpact(rate: number | undefined, referenceRate: number | undefined): number | undefined {
  if (rate === undefined || referenceRate === undefined || !(referenceRate > 0)) return undefined;
  return rate / referenceRate;
}

export function reportFairness(f: Fairness, wallNowMs: number): FairnessReport {
  f.expire(wallNowMs, KEEP_MS);
  const out: FairnessReport = { gauges: [], skipped: [] };
  SKIP_REASONS.forEach((reason, i) => {
    if (f.skipped[i] > 0) out.skipped.push({ reason, count: f.skipped[i] });
    f.skipped[i] = 0;
  });
  for (const versions of f.byName.values()) {
    for (const fv of versions.values()) {
      if (!(wallNowMs - fv.clock.newest < REPORT_AGE_MS)) continue;
      const win = currentWindow(fv.clock);
      for (const cc of f.checksOf(fv.name)) {
        const ring = fv.checks.get(cc.fingerprint);
        if (ring === undefined) continue;
        const counts = ring.gather(win.from, win.to, new Float64Array(cc.width));
        const min = cc.check.minGroupExecutions;
        const rates = Array.from({ length: cc.other + 1 }, (_, g) => positiveRate(counts[2 * g + 1], counts[2 * g], min));
        const base = { algorithmName: fv.name, version: fv.version, owner: fv.owner, check: cc.check.name, outcome: cc.check.outcome, groupField: cc.check.groupField };
        for (let g = 0; g <= cc.other; g++) {
          const rate = rates[g];
          if (rate === undefined) continue;
          const group = cc.groupName(g);
          out.gauges.push({ ...base, group, metric: 'positive_rate', value: rate }, { ...base, group, metric: 'executions', value: counts[2 * g] });
          const di = g === cc.reference ? undefined : disparateImpact(rate, rates[cc.reference]);
          if (di !== undefined) out.gauges.push({ ...base, group, metric: 'disparate_impact', value: di });
        }
      }
    }
  }
  return out;
}
