/**
 * Audits DogStatsD lines as the check process really sent them (for example the `lines` of a
 * test/harness DogStatsDListener after a run) against metadata.csv and service_checks.json:
 * every metric of ours that was emitted is listed with the type its DogStatsD type maps to,
 * every service check sent is listed with a status it declares, and no event is sent.
 *
 * Names under the prefix that are neither the check metric, nor telemetry, nor model monitoring
 * (drift, field health, fairness) are the algorithms' own fields (`algorithmia.risk_score`): they
 * are user-defined and not listed, by decision.
 */
import { DRIFT_NAMESPACE } from '../../../src/telemetry/catalogue';
import { metadataTypeFor, type MetadataRow, type ServiceCheckEntry } from './checks';

/** Field health's namespace (issue 23), reserved like the drift one (DECISIONS, Model monitoring part 2). */
export const QUALITY_NAMESPACE = 'algorithmia.quality.';
/** Fairness's namespace (issue 24), reserved already. */
export const FAIRNESS_NAMESPACE = 'algorithmia.fairness.';
/** Model monitoring's namespaces: every metric in them is ours and must be listed, whatever the prefix. */
export const MONITORING_NAMESPACES = [DRIFT_NAMESPACE, QUALITY_NAMESPACE, FAIRNESS_NAMESPACE] as const;

export interface DatagramContext {
  prefix: string;
  telemetryPrefix: string;
  /** Other namespaces of our own whose every metric must be listed; default: model monitoring's (MONITORING_NAMESPACES). */
  ownPrefixes?: readonly string[];
  /** Metrics that must be listed although they are message fields (the check metric). */
  listedFields: ReadonlySet<string>;
  metadata: ReadonlyMap<string, MetadataRow>;
  serviceChecks: ReadonlyMap<string, ServiceCheckEntry>;
}

export interface ParsedLine {
  kind: 'metric' | 'service_check' | 'event';
  name: string;
  type?: string;
  status?: number;
  tags: string[];
}

const TYPES: Record<string, 'distribution' | 'count' | 'gauge' | 'histogram' | 'timing' | 'set'> = {
  d: 'distribution',
  c: 'count',
  g: 'gauge',
  h: 'histogram',
  ms: 'timing',
  s: 'set',
};
const STATUS_NAMES = ['ok', 'warning', 'critical', 'unknown'];

export function parseDogStatsDLine(line: string): ParsedLine | null {
  if (line.startsWith('_e{')) return { kind: 'event', name: line, tags: [] };
  const fields = line.split('|');
  const tagsOf = (fs: string[]) => fs.filter((f) => f.startsWith('#')).flatMap((f) => f.slice(1).split(','));
  if (fields[0] === '_sc') {
    if (fields.length < 3 || !/^[0-3]$/.test(fields[2])) return null;
    // The message (`m:`) comes last and may hold anything but a newline.
    const end = fields.findIndex((f, i) => i > 2 && f.startsWith('m:'));
    return { kind: 'service_check', name: fields[1], status: Number(fields[2]), tags: tagsOf(end < 0 ? fields.slice(3) : fields.slice(3, end)) };
  }
  const m = /^([^:|]+):([^|]+)$/.exec(fields[0]);
  if (!m || fields.length < 2 || !(fields[1] in TYPES)) return null;
  return { kind: 'metric', name: m[1], type: TYPES[fields[1]], tags: tagsOf(fields.slice(2)) };
}

export function auditDatagrams(lines: readonly string[], ctx: DatagramContext): string[] {
  const problems = new Set<string>();
  for (const line of lines) {
    const l = parseDogStatsDLine(line);
    if (!l) {
      problems.add(`unparseable DogStatsD line: ${line}`);
      continue;
    }
    if (l.kind === 'event') {
      problems.add(`an event was sent, but the manifest says creates_events is false: ${line}`);
      continue;
    }
    if (l.kind === 'service_check') {
      const sc = ctx.serviceChecks.get(l.name);
      if (!sc) problems.add(`service check ${l.name} is not in service_checks.json`);
      else if (!sc.statuses.includes(STATUS_NAMES[l.status ?? 3])) problems.add(`service check ${l.name} sent status ${STATUS_NAMES[l.status ?? 3]}, not declared`);
      continue;
    }
    // The model-monitoring namespaces stay `algorithmia.drift.` (and so on) whatever the prefix is.
    const own = [ctx.telemetryPrefix, ...(ctx.ownPrefixes ?? MONITORING_NAMESPACES)].some((p) => l.name.startsWith(p));
    if (!own && !l.name.startsWith(ctx.prefix)) continue; // datadog.dogstatsd.client.* and other clients' own metrics
    const listed = own || ctx.listedFields.has(l.name);
    const row = ctx.metadata.get(l.name);
    if (!row) {
      if (listed) problems.add(`${l.name} was emitted but metadata.csv does not list it`);
      continue;
    }
    if (l.type !== 'distribution' && l.type !== 'count' && l.type !== 'gauge') {
      problems.add(`${l.name} was emitted as a ${l.type}, which metadata.csv cannot describe as one row`);
      continue;
    }
    const want = metadataTypeFor(l.type);
    if (row.metric_type !== want.metric_type || (want.per_unit_name ?? row.per_unit_name) !== row.per_unit_name)
      problems.add(`${l.name} was emitted as a ${l.type} (metadata ${want.metric_type}${want.per_unit_name ? '/' + want.per_unit_name : ''}), metadata.csv says ${row.metric_type}`);
    const documentedAsDistribution = row.description.includes('submitted as a distribution');
    if (l.type === 'distribution' && !documentedAsDistribution) problems.add(`${l.name} is a distribution but its description does not say so`);
    if (l.type !== 'distribution' && documentedAsDistribution) problems.add(`${l.name} was emitted as a ${l.type}, but metadata.csv documents a distribution`);
  }
  return [...problems];
}
