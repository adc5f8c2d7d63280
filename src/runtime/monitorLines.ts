/**
 * The DogStatsD lines of model monitoring's report: drift scores, field health and fairness,
 * never stamped (they are current values), tagged like the algorithm metrics plus `field` (and
 * `baseline`, `baseline_version`, `reason` where they apply); fairness's with `check`,
 * `outcome`, `group_field` and `group` instead of `field`.
 */
import type { DriftScore } from '../drift';
import { formatTag } from '../map/sanitize';
import type { FairnessGauge, HealthGauge, InvalidCount } from '../monitor';
import { formatLine } from '../sink/lineFormat';
import { DRIFT_METRICS, FAIRNESS_METRICS, QUALITY_METRICS } from '../telemetry/catalogue';

function tagsOf(s: { algorithmName: string; version: string; owner: string; field: string }, extra: Array<string | undefined>, staticTags: readonly string[]): string {
  return [formatTag('algorithm_name', s.algorithmName), formatTag('algorithm_version', s.version), formatTag('algorithm_owner', s.owner), formatTag('field', s.field), ...extra, ...staticTags]
    .filter((t): t is string => t !== undefined)
    .join(',');
}

const baselineTags = (baseline: string | undefined, baselineVersion: string | undefined) => [
  baseline === undefined ? undefined : formatTag('baseline', baseline),
  baselineVersion === undefined ? undefined : formatTag('baseline_version', baselineVersion),
];

/** The DogStatsD line of one drift score. */
export function driftLine(score: DriftScore, staticTags: readonly string[]): string {
  return formatLine(DRIFT_METRICS.psi.name, score.psi, 'gauge', tagsOf(score, baselineTags(score.baseline, score.baselineVersion), staticTags));
}

/** `algorithmia.quality.missing_ratio` or `missing_ratio_change`. */
export function healthGaugeLine(g: HealthGauge, staticTags: readonly string[]): string {
  const name = g.metric === 'missing_ratio' ? QUALITY_METRICS.missingRatio.name : QUALITY_METRICS.missingRatioChange.name;
  return formatLine(name, g.value, 'gauge', tagsOf(g, baselineTags(g.baseline, g.baselineVersion), staticTags));
}

/** `algorithmia.quality.invalid_values`, by reason. */
export function invalidValuesLine(c: InvalidCount, staticTags: readonly string[]): string {
  return formatLine(QUALITY_METRICS.invalidValues.name, c.count, 'count', tagsOf(c, [formatTag('reason', c.reason)], staticTags));
}

const FAIRNESS_NAME: Readonly<Record<FairnessGauge['metric'], string>> = {
  positive_rate: FAIRNESS_METRICS.positiveRate.name,
  executions: FAIRNESS_METRICS.executions.name,
  disparate_impact: FAIRNESS_METRICS.disparateImpact.name,
};

/** `algorithmia.fairness.*`: the group is a listed value or `other`, never a free-form string. */
export function fairnessLine(g: FairnessGauge, staticTags: readonly string[]): string {
  const tags = [
    formatTag('algorithm_name', g.algorithmName),
    formatTag('algorithm_version', g.version),
    formatTag('algorithm_owner', g.owner),
    formatTag('check', g.check),
    formatTag('outcome', g.outcome),
    formatTag('group_field', g.groupField),
    formatTag('group', g.group),
    ...staticTags,
  ];
  return formatLine(FAIRNESS_NAME[g.metric], g.value, 'gauge', tags.filter((t): t is string => t !== undefined).join(','));
}
