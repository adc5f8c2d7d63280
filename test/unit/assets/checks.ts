/**
 * Checkers for the integration's Datadog assets. Each takes the parsed asset (and what it must
 * agree with) and returns a list of problems, empty when the asset is right; the tests run
 * them on the real files and on broken copies, so every rule is seen to fail.
 *
 * The rules are Datadog's validator rules (ddev's `validate` commands and the manifest
 * validators of datadog_checks_dev), written down in shared/reference/datadog-conventions.md,
 * plus cross-checks between the assets and what the check process emits.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { csvRecords } from './csv';
import {
  extractMetricQueries,
  isPercentile,
  isSpaceAggregator,
  isAnomalyQuery,
  messageTagRefs,
  parseAnomalyMonitorQuery,
  parseMetricMonitorQuery,
  parseServiceCheckMonitorQuery,
  templateVariableRefs,
  timeframeSeconds,
  type MetricQuery,
} from './queries';

export const ROOT = resolve(__dirname, '../../..');
export const rootPath = (...p: string[]): string => join(ROOT, ...p);
export const readText = (rel: string): string => readFileSync(rootPath(rel), 'utf8');
export const readJson = <T = unknown>(rel: string): T => JSON.parse(readText(rel)) as T;

/* ------------------------------------------------------------------ schemas */

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const schema = (name: string): ValidateFunction => ajv.compile(JSON.parse(readFileSync(join(__dirname, 'schemas', name), 'utf8')));
export const SCHEMAS = {
  manifest: schema('manifest.schema.json'),
  metadataRow: schema('metadata_row.schema.json'),
  dashboard: schema('dashboard.schema.json'),
  monitor: schema('monitor.schema.json'),
  serviceChecks: schema('service_checks.schema.json'),
};

const fmt = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`);

export function schemaProblems(validate: ValidateFunction, data: unknown, label: string): string[] {
  return validate(data) ? [] : fmt(validate.errors).map((m) => `${label}: schema: ${m}`);
}

/* ------------------------------------------------------------------ types */

export interface Manifest {
  manifest_version: string;
  app_uuid: string;
  app_id: string;
  tile: { overview: string; configuration: string; support: string; changelog: string; classifier_tags: string[]; media: Array<{ image_url: string }> };
  assets: {
    integration: {
      source_type_name: string;
      source_type_id: number;
      events: { creates_events: boolean };
      metrics: { prefix: string; check: string | string[]; metadata_path: string };
      service_checks: { metadata_path: string };
    };
    dashboards?: Record<string, string>;
    monitors?: Record<string, string>;
    saved_views?: Record<string, string>;
  };
}

export type MetadataRow = Record<
  'metric_name' | 'metric_type' | 'interval' | 'unit_name' | 'per_unit_name' | 'description' | 'orientation' | 'integration' | 'short_name' | 'curated_metric' | 'sample_tags',
  string
>;

export interface ServiceCheckEntry {
  agent_version: string;
  integration: string;
  check: string;
  statuses: string[];
  groups: string[];
  name: string;
  description: string;
}

export interface Monitor {
  version: number;
  created_at: string;
  last_updated_at: string;
  title: string;
  description: string;
  tags: string[];
  definition: {
    name: string;
    type: string;
    query: string;
    message: string;
    tags: string[];
    options: { thresholds: Record<string, number>; notify_no_data?: boolean; threshold_windows?: { trigger_window: string; recovery_window: string } };
  };
}

export interface Widget {
  definition: Record<string, unknown> & { type: string; title?: string; widgets?: Widget[] };
  layout?: { x: number; y: number; width: number; height: number };
}

export interface Dashboard {
  title: string;
  description: string;
  widgets: Widget[];
  template_variables: Array<{ name: string; prefix: string; default: string }>;
  layout_type: string;
  reflow_type?: string;
}

/* ------------------------------------------------------------------ shared rules */

/** The header ddev writes (`--sync`), in its order. */
export const METADATA_HEADER = [
  'metric_name',
  'metric_type',
  'interval',
  'unit_name',
  'per_unit_name',
  'description',
  'orientation',
  'integration',
  'short_name',
  'curated_metric',
  'sample_tags',
] as const;

/** The phrase every row of a metric submitted as a distribution carries (DECISIONS, Assets). */
export const DISTRIBUTION_PHRASE = 'submitted as a distribution; percentiles available when enabled in Datadog';

/** Datadog's backend normalisation of a metric name (ddev's normalize_metric_name). */
export function normalizeMetricName(name: string): string {
  return name
    .replace(/([^a-zA-Z0-9_.]+)|(^[^a-zA-Z]+)/g, '_')
    .replace(/_*\._*/g, '.')
    .replace(/^_+|_+$/g, '');
}

/** metadata.csv's `integration` column: source_type_name lower-cased, other than [a-z0-9-] as `_`. */
export const normalizedIntegration = (sourceTypeName: string): string => sourceTypeName.toLowerCase().replace(/[^a-z0-9-]/g, '_');

/** The metadata.csv row type of what is sent as a DogStatsD type (DECISIONS, Assets). */
export function metadataTypeFor(dogstatsdType: 'distribution' | 'count' | 'gauge'): { metric_type: 'gauge' | 'rate'; per_unit_name?: 'second' } {
  switch (dogstatsdType) {
    case 'distribution':
      return { metric_type: 'gauge' };
    case 'count':
      return { metric_type: 'rate', per_unit_name: 'second' };
    case 'gauge':
      return { metric_type: 'gauge' };
  }
}

export const isDistributionRow = (row: MetadataRow): boolean => row.description.includes(DISTRIBUTION_PHRASE);

/** Markdown H2/H3 titles outside code fences. */
export function markdownHeadings(md: string): Array<{ level: number; title: string }> {
  const out: Array<{ level: number; title: string }> = [];
  let fence = false;
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fence = !fence;
      continue;
    }
    if (fence) continue;
    const m = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) out.push({ level: m[1].length, title: m[2] });
  }
  return out;
}

/** The README log rule of ddev (has_logs): these texts, lower-cased, anywhere in the file. */
export const README_LOG_MARKERS = ['# logs', '# log collection'];

/** Every key path at which `key` occurs in a JSON value. */
export function findKey(value: unknown, key: string, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findKey(v, key, `${path}/${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [...(k === key ? [`${path}/${k}`] : []), ...findKey(v, key, `${path}/${k}`)]);
  }
  return [];
}

/* ------------------------------------------------------------------ manifest */

export interface ManifestContext {
  root: string;
  readme: string;
  metadataNames: ReadonlySet<string>;
  /** conf.yaml.example, when there is one: ddev's log rule reads it too. */
  confExample?: string;
}

export function checkManifest(manifest: Manifest, ctx: ManifestContext): string[] {
  const p = schemaProblems(SCHEMAS.manifest, manifest, 'manifest.json');
  if (p.length) return p;
  const exists = (rel: string) => existsSync(join(ctx.root, rel)) && statSync(join(ctx.root, rel)).isFile();
  const integ = manifest.assets.integration;

  const paths: Array<[string, string]> = [
    ['tile.changelog', manifest.tile.changelog],
    ['assets.integration.metrics.metadata_path', integ.metrics.metadata_path],
    ['assets.integration.service_checks.metadata_path', integ.service_checks.metadata_path],
    ...(['dashboards', 'monitors', 'saved_views'] as const).flatMap((kind) =>
      Object.entries(manifest.assets[kind] ?? {}).map(([k, v]): [string, string] => [`assets.${kind}.${k}`, v]),
    ),
    ...manifest.tile.media.map((m, i): [string, string] => [`tile.media[${i}]`, m.image_url]),
  ];
  for (const [where, rel] of paths) if (!exists(rel)) p.push(`manifest.json: ${where} names ${rel}, which does not exist`);
  for (const m of manifest.tile.media) if (exists(m.image_url) && statSync(join(ctx.root, m.image_url)).size >= 1_000_000) p.push(`manifest.json: ${m.image_url} is 1 MB or more`);

  // Tile anchors point at README H2 sections.
  const h2 = new Set(markdownHeadings(ctx.readme).filter((h) => h.level === 2).map((h) => h.title));
  for (const key of ['overview', 'configuration', 'support'] as const) {
    const anchor = manifest.tile[key].split('#')[1];
    if (!h2.has(anchor)) p.push(`manifest.json: tile.${key} points at README.md#${anchor}, but README.md has no H2 "${anchor}"`);
  }

  // The metric to check is in metadata.csv.
  const checks = Array.isArray(integ.metrics.check) ? integ.metrics.check : [integ.metrics.check];
  for (const c of checks) if (!ctx.metadataNames.has(c)) p.push(`manifest.json: metrics.check ${c} is not in metadata.csv`);
  for (const c of checks) if (!c.startsWith(integ.metrics.prefix)) p.push(`manifest.json: metrics.check ${c} lacks the prefix ${integ.metrics.prefix}`);

  // ddev's log rule: a Logs section requires the category, and the category requires logs.
  const hasLogs = README_LOG_MARKERS.some((m) => ctx.readme.toLowerCase().includes(m)) || (ctx.confExample ?? '').includes('# logs:');
  const hasLogTag = manifest.tile.classifier_tags.includes('Category::Log Collection');
  if (hasLogs !== hasLogTag) p.push(`manifest.json: README/conf.yaml.example ${hasLogs ? 'have' : 'have no'} log section but the tile ${hasLogTag ? 'has' : 'lacks'} Category::Log Collection`);

  // metadata.csv exists iff the manifest names it.
  if (!integ.metrics.metadata_path && exists('metadata.csv')) p.push('manifest.json: metadata.csv exists but the manifest does not name it');
  return p;
}

/* ------------------------------------------------------------------ metadata.csv */

export interface MetadataContext {
  prefix: string;
  sourceTypeName: string;
  checkMetrics: string[];
}

export function parseMetadata(text: string): { header: string[]; rows: MetadataRow[]; problems: string[] } {
  const problems: string[] = [];
  if (text.trim().length === 0) return { header: [], rows: [], problems: ['metadata.csv: empty (it needs the header at least)'] };
  const { header, records, widthErrors } = csvRecords(text);
  problems.push(...widthErrors.map((e) => `metadata.csv: ${e}`));
  return { header, rows: records as MetadataRow[], problems };
}

export function checkMetadata(text: string, ctx: MetadataContext): string[] {
  const { header, rows, problems: p } = parseMetadata(text);
  if (JSON.stringify(header) !== JSON.stringify(METADATA_HEADER)) p.push(`metadata.csv: header is ${header.join(',')}, expected ${METADATA_HEADER.join(',')}`);
  if ([...text].some((c) => c.charCodeAt(0) > 0x7f)) p.push('metadata.csv: non-ASCII characters');
  const seen = new Set<string>();
  const integration = normalizedIntegration(ctx.sourceTypeName);
  rows.forEach((row, i) => {
    const where = `metadata.csv line ${i + 2} (${row.metric_name})`;
    p.push(...schemaProblems(SCHEMAS.metadataRow, row, where));
    if (seen.has(row.metric_name)) p.push(`${where}: duplicate metric_name`);
    seen.add(row.metric_name);
    if (normalizeMetricName(row.metric_name) !== row.metric_name) p.push(`${where}: not a normalised metric name (${normalizeMetricName(row.metric_name)})`);
    if (!row.metric_name.startsWith(ctx.prefix)) p.push(`${where}: lacks the prefix ${ctx.prefix}`);
    if (row.integration !== integration) p.push(`${where}: integration is ${row.integration}, expected ${integration}`);
    if (row.metric_type === 'rate' && row.per_unit_name !== 'second') p.push(`${where}: a rate needs per_unit_name second`);
    if (row.description.includes('submitted as a distribution') && (!isDistributionRow(row) || row.metric_type !== 'gauge'))
      p.push(`${where}: a distribution is listed as gauge and says "${DISTRIBUTION_PHRASE}"`);
  });
  for (const c of ctx.checkMetrics) if (!seen.has(c)) p.push(`metadata.csv: the check metric ${c} is missing`);
  return p;
}

/* ------------------------------------------------------------------ service_checks.json */

export function checkServiceChecks(list: ServiceCheckEntry[], sourceTypeName: string): string[] {
  const p = schemaProblems(SCHEMAS.serviceChecks, list, 'service_checks.json');
  if (p.length) return p;
  const checks = new Set<string>();
  const names = new Set<string>();
  for (const sc of list) {
    if (sc.integration !== sourceTypeName) p.push(`service_checks.json: ${sc.check}: integration ${sc.integration} must be ${sourceTypeName}`);
    if (checks.has(sc.check)) p.push(`service_checks.json: ${sc.check} is not a unique check`);
    if (names.has(sc.name)) p.push(`service_checks.json: ${sc.name} is not a unique name`);
    checks.add(sc.check);
    names.add(sc.name);
  }
  return p;
}

/* ------------------------------------------------------------------ what a metric carries */

/** Tag keys each metric carries, so queries can be checked for template variables and groupings. */
export interface TagModel {
  /** Tag keys of a metric in metadata.csv. */
  tagsOf(metric: string): ReadonlySet<string> | undefined;
  /** Tag keys of a service check. */
  serviceCheckTags(check: string): ReadonlySet<string> | undefined;
}

/* ------------------------------------------------------------------ dashboard */

export interface DashboardContext {
  metadata: ReadonlyMap<string, MetadataRow>;
  serviceChecks: ReadonlySet<string>;
  appUuid: string;
  tags: TagModel;
  /** Template variables the dashboard must offer. */
  requiredTemplateVariables: string[];
}

export interface WidgetQuery {
  widget: string;
  query: string;
}

/** Widgets depth-first, groups included, with a readable path. */
export function walkWidgets(widgets: Widget[], path = ''): Array<{ widget: Widget; path: string }> {
  return widgets.flatMap((w, i) => {
    const here = `${path}/${w.definition.title ?? w.definition.type}[${i}]`;
    return [{ widget: w, path: here }, ...walkWidgets(w.definition.widgets ?? [], here)];
  });
}

/** Every metric query string of a widget (formula requests and legacy `q`). */
export function widgetQueries(w: Widget): string[] {
  const requests = (w.definition.requests ?? []) as Array<{ q?: string; queries?: Array<{ query?: string }> }>;
  return requests.flatMap((r) => [...(r.q ? [r.q] : []), ...(r.queries ?? []).map((q) => q.query ?? '')]);
}

function checkMetricQuery(where: string, q: MetricQuery, ctx: DashboardContext | MonitorContext, templateVariables?: Map<string, string>): string[] {
  const p: string[] = [];
  const row = ctx.metadata.get(q.metric);
  if (!row) return [`${where}: queries ${q.metric}, which metadata.csv does not list`];
  const distribution = isDistributionRow(row);
  if (q.aggregator !== undefined && !isSpaceAggregator(q.aggregator)) p.push(`${where}: ${q.aggregator} is not a space aggregator`);
  if ((isPercentile(q.aggregator) || q.aggregator === 'count') && !distribution) p.push(`${where}: ${q.aggregator}: needs a distribution, ${q.metric} is not one`);
  if ((q.functions.includes('as_rate') || q.functions.includes('as_count')) && !distribution && row.metric_type !== 'rate' && row.metric_type !== 'count')
    p.push(`${where}: .as_rate()/.as_count() on ${q.metric}, which is a ${row.metric_type}`);
  const carried = ctx.tags.tagsOf(q.metric) ?? new Set<string>();
  for (const g of q.groupBy) if (!carried.has(g)) p.push(`${where}: groups ${q.metric} by ${g}, a tag it does not carry`);
  if (templateVariables) {
    const refs = templateVariableRefs(q.scope);
    for (const r of refs) if (!templateVariables.has(r)) p.push(`${where}: uses $${r}, which is not a template variable`);
    for (const [name, prefix] of templateVariables)
      if (carried.has(prefix) && !refs.includes(name)) p.push(`${where}: ${q.metric} carries ${prefix} but its query ignores $${name}`);
  }
  return p;
}

export function checkDashboard(dash: Dashboard, ctx: DashboardContext): string[] {
  const p = schemaProblems(SCHEMAS.dashboard, dash, 'dashboard');
  if (p.length) return p;
  for (const at of findKey(dash, 'alert_id')) p.push(`dashboard: hard-coded monitor id at ${at}`);
  if ('id' in dash) p.push('dashboard: carries its own id');
  for (const at of findKey(dash, 'app_id')) {
    const v = at.split('/').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], dash);
    if (v !== ctx.appUuid) p.push(`dashboard: ${at} is ${String(v)}, not the manifest's app_uuid`);
  }
  const tv = new Map(dash.template_variables.map((t) => [t.name, t.prefix]));
  for (const name of ctx.requiredTemplateVariables) if (!tv.has(name)) p.push(`dashboard: no template variable ${name}`);
  for (const [name, prefix] of tv) if (name !== prefix) p.push(`dashboard: template variable ${name} filters ${prefix}; name it after its tag`);

  const all = walkWidgets(dash.widgets);
  let queries = 0;
  for (const { widget: w, path } of all) {
    const d = w.definition;
    if (dash.reflow_type === 'fixed' && !w.layout) p.push(`dashboard ${path}: no layout in a fixed-reflow dashboard`);
    if (w.layout && w.layout.x + w.layout.width > 12) p.push(`dashboard ${path}: wider than 12 columns`);
    for (const child of d.widgets ?? []) {
      if (w.layout && child.layout && child.layout.y + child.layout.height > w.layout.height - 1) p.push(`dashboard ${path}: ${child.definition.title ?? child.definition.type} overflows its group`);
    }
    for (const query of widgetQueries(w)) {
      queries++;
      const parsed = extractMetricQueries(query);
      if (parsed.length === 0) p.push(`dashboard ${path}: no metric found in query ${query}`);
      for (const q of parsed) p.push(...checkMetricQuery(`dashboard ${path}`, q, ctx, tv));
    }
    const requests = (d.requests ?? []) as Array<{ queries?: Array<{ name: string }>; formulas?: Array<{ formula: string }> }>;
    for (const r of requests) {
      const names = new Set((r.queries ?? []).map((q) => q.name));
      const used = new Set((r.formulas ?? []).flatMap((f) => [...f.formula.matchAll(/\bquery[0-9]+\b/g)].map((m) => m[0])));
      for (const u of used) if (!names.has(u)) p.push(`dashboard ${path}: formula uses ${u}, which the request does not define`);
      for (const n of names) if (!used.has(n)) p.push(`dashboard ${path}: query ${n} is not used by any formula`);
    }
    if (d.type === 'check_status') {
      const check = d.check as string;
      if (!ctx.serviceChecks.has(check)) p.push(`dashboard ${path}: check ${check} is not in service_checks.json`);
      const refs = templateVariableRefs((d.tags as string[]) ?? []);
      for (const r of refs) if (!tv.has(r)) p.push(`dashboard ${path}: uses $${r}, which is not a template variable`);
      const carried = ctx.tags.serviceCheckTags(check) ?? new Set<string>();
      for (const [name, prefix] of tv) if (carried.has(prefix) && !refs.includes(name)) p.push(`dashboard ${path}: ${check} carries ${prefix} but the widget ignores $${name}`);
    }
  }
  if (queries === 0) p.push('dashboard: no metric query at all');
  return p;
}

/* ------------------------------------------------------------------ monitors */

export interface MonitorContext {
  metadata: ReadonlyMap<string, MetadataRow>;
  serviceChecks: ReadonlyMap<string, ServiceCheckEntry>;
  appId: string;
  integrationName: string;
  tags: TagModel;
}

export function checkMonitor(mon: Monitor, file: string, ctx: MonitorContext): string[] {
  const p = schemaProblems(SCHEMAS.monitor, mon, file);
  if (p.length) return p;
  const d = mon.definition;
  for (const at of [...findKey(mon, 'id'), ...findKey(mon, 'alert_id')]) p.push(`${file}: carries an id at ${at}`);
  if (mon.created_at > mon.last_updated_at) p.push(`${file}: last_updated_at is before created_at`);
  const tag = `integration:${ctx.appId}`;
  if (!mon.tags.includes(tag) || !d.tags.includes(tag)) p.push(`${file}: tags must include ${tag}`);
  if (!d.name.includes(`[${ctx.integrationName}]`)) p.push(`${file}: name must contain [${ctx.integrationName}]`);
  if (mon.description.trim() === mon.title.trim()) p.push(`${file}: description repeats the title`);
  const t = d.options.thresholds;
  let groups: string[] = [];

  if (d.type === 'query alert' && isAnomalyQuery(d.query)) {
    const q = parseAnomalyMonitorQuery(d.query);
    if (!q) return [...p, `${file}: cannot parse the anomaly monitor query ${d.query}`];
    p.push(...anomalyProblems(file, q, d.options));
    if (q.queries.length === 0) p.push(`${file}: no metric found in ${q.metricQuery}`);
    for (const mq of q.queries) p.push(...checkMetricQuery(file, mq, ctx));
    groups = q.queries.flatMap((mq) => mq.groupBy);
  } else if (d.type === 'query alert') {
    if (d.options.threshold_windows) p.push(`${file}: threshold_windows belong to anomaly monitors only`);
    const q = parseMetricMonitorQuery(d.query);
    if (!q) return [...p, `${file}: cannot parse the metric monitor query ${d.query}`];
    if (q.threshold !== t.critical) p.push(`${file}: query threshold ${q.threshold} differs from options.thresholds.critical ${t.critical}`);
    if (t.warning !== undefined) {
      const above = q.comparator === '>' || q.comparator === '>=';
      const below = q.comparator === '<' || q.comparator === '<=';
      if ((above && !(t.warning < t.critical)) || (below && !(t.warning > t.critical))) p.push(`${file}: warning ${t.warning} is not on the near side of critical ${t.critical} for ${q.comparator}`);
    }
    if (q.queries.length === 0) p.push(`${file}: no metric found in ${d.query}`);
    for (const mq of q.queries) p.push(...checkMetricQuery(file, mq, ctx));
    groups = q.queries.flatMap((mq) => mq.groupBy);
  } else {
    const q = parseServiceCheckMonitorQuery(d.query);
    if (!q) return [...p, `${file}: cannot parse the service check monitor query ${d.query}`];
    const sc = ctx.serviceChecks.get(q.check);
    if (!sc) p.push(`${file}: service check ${q.check} is not in service_checks.json`);
    const carried = ctx.tags.serviceCheckTags(q.check) ?? new Set<string>();
    for (const g of q.by) if (!carried.has(g)) p.push(`${file}: groups ${q.check} by ${g}, a tag it does not carry`);
    for (const [k, v] of Object.entries(t)) if (q.mode === 'count_by_status' && v > q.last) p.push(`${file}: threshold ${k}=${v} exceeds last(${q.last})`);
    groups = q.by;
  }
  for (const ref of messageTagRefs(d.message)) if (!groups.includes(ref)) p.push(`${file}: message uses {{${ref}.name}} but the query does not group by ${ref}`);
  return p;
}

const ANOMALY_ALGORITHMS = ['basic', 'agile', 'robust'];
const ANOMALY_DIRECTIONS = ['above', 'below', 'both'];
const SEASONALITIES = ['hourly', 'daily', 'weekly'];
const ANOMALY_PARAMS = new Set(['direction', 'alert_window', 'interval', 'count_default_zero', 'seasonality', 'timezone']);
const ANOMALY_THRESHOLDS = new Set(['critical', 'critical_recovery', 'warning', 'warning_recovery']);

/**
 * The rules of Datadog's anomaly monitor API (docs: Monitors > Anomaly > API): the query's
 * parameters, thresholds as fractions of anomalous points, and `threshold_windows`, whose
 * trigger window is the query's alert window.
 */
function anomalyProblems(file: string, q: NonNullable<ReturnType<typeof parseAnomalyMonitorQuery>>, options: Monitor['definition']['options']): string[] {
  const p: string[] = [];
  const at = `${file}: anomalies()`;
  if (q.timeAggregator !== 'avg') p.push(`${at}: the time aggregation is ${q.timeAggregator}, Datadog writes avg(<query_window>)`);
  if (!ANOMALY_ALGORITHMS.includes(q.algorithm)) p.push(`${at}: algorithm ${q.algorithm} is not one of ${ANOMALY_ALGORITHMS.join(', ')}`);
  if (!(q.deviations > 0)) p.push(`${at}: deviations (bounds) must be above 0`);
  for (const k of Object.keys(q.params)) if (!ANOMALY_PARAMS.has(k)) p.push(`${at}: unknown parameter ${k}`);
  const { direction, alert_window: alertWindow, interval, count_default_zero: countDefaultZero, seasonality } = q.params;
  if (!ANOMALY_DIRECTIONS.includes(direction)) p.push(`${at}: direction must be one of ${ANOMALY_DIRECTIONS.join(', ')}`);
  if (countDefaultZero !== 'true' && countDefaultZero !== 'false') p.push(`${at}: count_default_zero must be 'true' or 'false'`);
  // basic has no seasonal model; agile and robust need to know the cycle.
  if (q.algorithm === 'basic' && seasonality !== undefined) p.push(`${at}: seasonality is not a parameter of basic`);
  if (q.algorithm !== 'basic' && !SEASONALITIES.includes(seasonality)) p.push(`${at}: ${q.algorithm} needs seasonality ${SEASONALITIES.join(', ')}`);
  if (q.params.timezone !== undefined && (q.algorithm === 'basic' || seasonality === 'hourly')) p.push(`${at}: timezone (daylight savings) needs agile or robust with daily or weekly seasonality`);
  const alertSeconds = timeframeSeconds(alertWindow ?? '');
  const querySeconds = timeframeSeconds(q.queryWindow);
  if (alertSeconds === undefined) p.push(`${at}: alert_window ${alertWindow ?? '(missing)'} is not a timeframe like last_30m`);
  else {
    if (querySeconds !== undefined && querySeconds < alertSeconds) p.push(`${at}: the query window ${q.queryWindow} is shorter than alert_window ${alertWindow}`);
    const n = Number(interval);
    if (!/^[1-9][0-9]*$/.test(interval ?? '')) p.push(`${at}: interval must be a positive number of seconds`);
    else if (n > alertSeconds / 5) p.push(`${at}: interval ${n} s is more than a fifth of alert_window ${alertWindow}`);
  }
  // The threshold is the fraction of the window's points that are anomalous.
  if (q.comparator !== '>=') p.push(`${at}: the comparator must be >= (a fraction of anomalous points)`);
  if (!(q.threshold > 0 && q.threshold <= 1)) p.push(`${at}: threshold ${q.threshold} is not a fraction in (0, 1]`);
  const t = options.thresholds;
  if (q.threshold !== t.critical) p.push(`${file}: query threshold ${q.threshold} differs from options.thresholds.critical ${t.critical}`);
  for (const [k, v] of Object.entries(t)) {
    if (!ANOMALY_THRESHOLDS.has(k)) p.push(`${file}: thresholds.${k} is not an anomaly monitor threshold`);
    else if (!(v >= 0 && v <= 1)) p.push(`${file}: thresholds.${k} ${v} is not a fraction in [0, 1]`);
  }
  if (t.critical_recovery !== undefined && !(t.critical_recovery < t.critical)) p.push(`${file}: critical_recovery ${t.critical_recovery} is not below critical ${t.critical}`);
  if (t.warning !== undefined && !(t.warning < t.critical)) p.push(`${file}: warning ${t.warning} is not below critical ${t.critical}`);
  if (t.warning_recovery !== undefined && !(t.warning !== undefined && t.warning_recovery < t.warning)) p.push(`${file}: warning_recovery needs a warning above it`);
  const w = options.threshold_windows;
  if (!w) p.push(`${file}: an anomaly monitor needs options.threshold_windows (trigger_window, recovery_window)`);
  else {
    if (w.trigger_window !== alertWindow) p.push(`${file}: threshold_windows.trigger_window ${w.trigger_window} differs from alert_window ${alertWindow ?? '(missing)'}`);
    const trigger = timeframeSeconds(w.trigger_window);
    const recovery = timeframeSeconds(w.recovery_window);
    if (recovery === undefined) p.push(`${file}: threshold_windows.recovery_window ${w.recovery_window} is not a timeframe like last_30m`);
    // Shorter, and one window could both meet the alert condition and the recovery condition.
    else if (trigger !== undefined && recovery < trigger * (1 - t.critical) + 60) p.push(`${file}: recovery_window ${w.recovery_window} is shorter than trigger_window x (1 - critical) + 1 minute`);
  }
  return p;
}

/* ------------------------------------------------------------------ README */

export interface ReadmeContext {
  manifest: Manifest;
  /** The first code block, verbatim, right under the H1. */
  firstBlock: string;
  requiredH2: string[];
  requiredH3: string[];
}

export function checkReadme(md: string, ctx: ReadmeContext): string[] {
  const p: string[] = [];
  md.split('\n').forEach((line, i) => {
    const bad = [...line].filter((c) => c.charCodeAt(0) > 0x7e || (c.charCodeAt(0) < 0x20 && c !== '\t'));
    if (bad.length) p.push(`README.md line ${i + 1}: non-ASCII ${JSON.stringify(bad.join(''))}`);
  });
  const lower = md.toLowerCase();
  for (const m of README_LOG_MARKERS) if (lower.includes(m)) p.push(`README.md: contains "${m}" (Datadog would demand Category::Log Collection)`);
  const heads = markdownHeadings(md);
  if (heads[0]?.level !== 1) p.push('README.md: does not start with an H1');
  const h2 = heads.filter((h) => h.level === 2).map((h) => h.title);
  const h3 = heads.filter((h) => h.level === 3).map((h) => h.title);
  for (const t of ctx.requiredH2) if (!h2.includes(t)) p.push(`README.md: no H2 "${t}"`);
  for (const t of ctx.requiredH3) if (!h3.includes(t)) p.push(`README.md: no H3 "${t}"`);
  for (const key of ['overview', 'configuration', 'support'] as const) {
    const anchor = ctx.manifest.tile[key].split('#')[1];
    if (!h2.includes(anchor)) p.push(`README.md: the tile's ${key} points at the missing H2 "${anchor}"`);
  }
  // Overview and Setup must be followed by content, not directly by another H2.
  for (const t of ['Overview', 'Setup']) {
    const m = new RegExp(`^## ${t}\\s*\\n([\\s\\S]*?)(?=^## |$(?![\\s\\S]))`, 'm').exec(md);
    if (!m || m[1].trim().length === 0) p.push(`README.md: ## ${t} has no content`);
  }
  const first = /^# [^\n]+\n\n(```[a-z]*\n[\s\S]*?\n```)\n/.exec(md);
  if (!first || first[1] !== ctx.firstBlock) p.push('README.md: the first code block under the H1 is not the two commands (demo, test)');
  for (const img of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) p.push(`README.md: image ${img[1]} (none is shipped)`);
  return p;
}

const semver = (v: string): number[] => v.split('.').map(Number);
const above = (a: string, b: string): boolean => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
};

/**
 * The CHANGELOG's "## " entries: first exactly "X.Y.Z / Unreleased" with X.Y.Z above the package
 * version (every open issue adds to it), then the package version's dated entry, then dated ones.
 */
export function changelogEntryProblems(entries: string[], packageVersion: string): string[] {
  const p: string[] = [];
  const first = /^([0-9]+\.[0-9]+\.[0-9]+) \/ Unreleased$/.exec(entries[0] ?? '');
  if (!first) p.push(`CHANGELOG.md: first entry "${entries[0] ?? ''}" is not "X.Y.Z / Unreleased"`);
  else if (!above(first[1], packageVersion)) p.push(`CHANGELOG.md: ${first[1]} is not above the package version ${packageVersion}`);
  if (!(entries[1] ?? '').startsWith(`${packageVersion} / `)) p.push(`CHANGELOG.md: the unreleased entry is not followed by "${packageVersion} / <date>"`);
  for (const e of entries.slice(1))
    if (!/^[0-9]+\.[0-9]+\.[0-9]+ \/ [0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(e)) p.push(`CHANGELOG.md: entry "${e}" is not "X.Y.Z / YYYY-MM-DD"`);
  return p;
}
