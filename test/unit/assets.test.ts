/**
 * The integration's Datadog assets: manifest.json, metadata.csv, the dashboard, the
 * recommended monitors, service_checks.json, README.md and CHANGELOG.md. Each kind is checked
 * against a JSON Schema and Datadog's validator rules (test/unit/assets/), the assets are
 * checked against each other, and against what the check process emits (the telemetry
 * catalogue and the config schema's defaults). Every checker is also run on broken copies, so
 * a rule that could never fail would show.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../../src/config/schema';
import * as catalogue from '../../src/telemetry/catalogue';
import {
  DRIFT_METRICS,
  DRIFT_NAMESPACE,
  DROP_REASONS,
  REJECT_REASONS,
  SERVICE_CHECKS,
  TELEMETRY_METRICS,
  TELEMETRY_PREFIX,
  DURATION_FIELD,
  type TelemetryMetric,
} from '../../src/telemetry/catalogue';
import {
  checkDashboard,
  checkManifest,
  checkMetadata,
  checkMonitor,
  changelogEntryProblems,
  checkReadme,
  checkServiceChecks,
  DISTRIBUTION_PHRASE,
  findKey,
  markdownHeadings,
  metadataTypeFor,
  normalizeMetricName,
  parseMetadata,
  readJson,
  readText,
  ROOT,
  walkWidgets,
  widgetQueries,
  type Dashboard,
  type DashboardContext,
  type Manifest,
  type MetadataRow,
  type Monitor,
  type MonitorContext,
  type ServiceCheckEntry,
  type TagModel,
  type Widget,
} from './assets/checks';
import { csvRecords, parseCsv } from './assets/csv';
import { auditDatagrams, FAIRNESS_NAMESPACE, MONITORING_NAMESPACES, parseDogStatsDLine, QUALITY_NAMESPACE, type DatagramContext } from './assets/datagrams';
import {
  extractMetricQueries,
  extractMetrics,
  isAnomalyQuery,
  messageTagRefs,
  monitorAlertsAt,
  parseAnomalyMonitorQuery,
  parseMetricMonitorQuery,
  parseServiceCheckMonitorQuery,
  timeframeSeconds,
  wrappingFunctions,
} from './assets/queries';
import { CardinalityGuard } from '../../src/map/cardinalityGuard';
import { Mapper } from '../../src/map/mapRecord';
import { formatLine } from '../../src/sink/lineFormat';
import { ForwarderTelemetry } from '../../src/telemetry/forwarderTelemetry';

/* ------------------------------------------------------------------ the assets and what they must agree with */

const clone = <T>(v: T): T => structuredClone(v);

const manifest = readJson<Manifest>('manifest.json');
const integ = manifest.assets.integration;
const PREFIX = integ.metrics.prefix;
const CHECK_METRIC = PREFIX + DURATION_FIELD;
const metadataText = readText(integ.metrics.metadata_path);
const { rows } = parseMetadata(metadataText);
const metadata = new Map<string, MetadataRow>(rows.map((r) => [r.metric_name, r]));
const serviceChecks = readJson<ServiceCheckEntry[]>(integ.service_checks.metadata_path);
const serviceCheckMap = new Map(serviceChecks.map((s) => [s.check, s]));
const readme = readText('README.md');
const dashboards = Object.entries(manifest.assets.dashboards ?? {}).map(([key, path]) => ({ key, path, dash: readJson<Dashboard>(path) }));
const monitors = Object.entries(manifest.assets.monitors ?? {}).map(([key, path]) => ({ key, path, mon: readJson<Monitor>(path) }));

/** Tags on every algorithm metric (request_id and session_id are opt-in and never grouped on). */
const ALGORITHM_TAGS = ['algorithm_name', 'algorithm_version', 'algorithm_owner', 'env'];
/** Tags on every telemetry metric and the service check, besides the catalogue's own (catalogue.ts). */
const TELEMETRY_COMMON_TAGS = ['topic', 'consumer_group', 'env', 'service', 'version'];
const telemetryByName = new Map(Object.values(TELEMETRY_METRICS).map((m) => [m.name as string, m]));
const isMetricSpec = (v: unknown): v is TelemetryMetric =>
  typeof v === 'object' && v !== null && typeof (v as TelemetryMetric).name === 'string' && typeof (v as TelemetryMetric).kind === 'string' && Array.isArray((v as TelemetryMetric).tags);
/**
 * Model monitoring's own metrics (drift, field health, later fairness), whatever export of the
 * catalogue holds them: tagged like the algorithm metrics plus their catalogue tags.
 */
const monitoringByName = new Map<string, TelemetryMetric>(
  Object.values(catalogue as Record<string, unknown>)
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && !Array.isArray(e))
    .flatMap((e) => Object.values(e).filter(isMetricSpec))
    .filter((m) => MONITORING_NAMESPACES.some((ns) => m.name.startsWith(ns)))
    .map((m) => [m.name, m]),
);

/**
 * Field health's metrics as issue 23 names them (types, units, tags besides the algorithm
 * tags): what the catalogue must define and metadata.csv, the dashboard and the monitors use.
 */
const FIELD_HEALTH_METRICS: Array<Omit<TelemetryMetric, 'description'>> = [
  { name: `${QUALITY_NAMESPACE}missing_ratio`, kind: 'gauge', unit: 'fraction', tags: ['field'] },
  { name: `${QUALITY_NAMESPACE}missing_ratio_change`, kind: 'gauge', unit: 'fraction', tags: ['field', 'baseline', 'baseline_version'] },
  { name: `${QUALITY_NAMESPACE}invalid_values`, kind: 'count', unit: 'sample', tags: ['field', 'reason'] },
];
const fieldHealthByName = new Map(FIELD_HEALTH_METRICS.map((m) => [m.name, m]));

/** Fairness's tags besides the algorithm tags (issue 24). */
const FAIRNESS_TAGS = ['check', 'outcome', 'group_field', 'group'];
/**
 * Fairness's metrics as issue 24 names them, with the start of each metadata description, as for
 * field health: what the catalogue must define and metadata.csv, the dashboard and the monitor use.
 */
const FAIRNESS_METRICS: Array<Omit<TelemetryMetric, 'description'> & { starts: string }> = [
  {
    name: `${FAIRNESS_NAMESPACE}positive_rate`,
    kind: 'gauge',
    unit: 'fraction',
    tags: FAIRNESS_TAGS,
    starts: "Share of an algorithm version's executions of a group, in its current window (the last hour), whose outcome was positive.",
  },
  {
    name: `${FAIRNESS_NAMESPACE}executions`,
    kind: 'gauge',
    unit: 'execution',
    tags: FAIRNESS_TAGS,
    starts: 'Executions of an algorithm version by a group in its current window (the last hour), as counted by a fairness check.',
  },
  {
    name: `${FAIRNESS_NAMESPACE}disparate_impact`,
    kind: 'gauge',
    unit: 'fraction',
    tags: FAIRNESS_TAGS,
    starts: "Positive rate of a group divided by the reference group's (demographic parity ratio), per algorithm version and fairness check.",
  },
];
const fairnessByName = new Map(FAIRNESS_METRICS.map((m) => [m.name, m]));
/** The forwarder's own count of executions a fairness check left out (issue 24; a telemetry metric). */
const FAIRNESS_SKIPPED = {
  name: `${TELEMETRY_PREFIX}fairness.executions_skipped`,
  kind: 'count',
  unit: 'execution',
  tags: ['reason'],
  reasons: ['outcome_missing', 'outcome_unusable', 'group_missing'],
  starts: 'Executions left out of a fairness check, by reason.',
} as const;
const serviceCheckByName = new Map(Object.values(SERVICE_CHECKS).map((s) => [s.name as string, s]));

const tags: TagModel = {
  tagsOf(metric) {
    // The catalogue first; the issues' names until the catalogue has them (checked below).
    const t = telemetryByName.get(metric) ?? (metric === FAIRNESS_SKIPPED.name ? FAIRNESS_SKIPPED : undefined);
    if (t) return new Set([...TELEMETRY_COMMON_TAGS, ...t.tags]);
    const d = monitoringByName.get(metric) ?? fieldHealthByName.get(metric) ?? fairnessByName.get(metric);
    if (d) return new Set([...ALGORITHM_TAGS, ...d.tags]);
    return metric.startsWith(PREFIX) ? new Set(ALGORITHM_TAGS) : undefined;
  },
  serviceCheckTags(check) {
    const s = serviceCheckByName.get(check);
    return s ? new Set([...TELEMETRY_COMMON_TAGS, ...s.groups]) : undefined;
  },
};

const dashboardCtx: DashboardContext = {
  metadata,
  serviceChecks: new Set(serviceCheckMap.keys()),
  appUuid: manifest.app_uuid,
  tags,
  requiredTemplateVariables: ['algorithm_name', 'algorithm_version', 'algorithm_owner'],
};
const monitorCtx: MonitorContext = { metadata, serviceChecks: serviceCheckMap, appId: manifest.app_id, integrationName: integ.source_type_name, tags };
const manifestCtx = { root: ROOT, readme, metadataNames: new Set(metadata.keys()), confExample: existsSync(`${ROOT}/conf.yaml.example`) ? readText('conf.yaml.example') : undefined };
const metadataCtx = { prefix: PREFIX, sourceTypeName: integ.source_type_name, checkMetrics: [CHECK_METRIC] };

const FIRST_BLOCK = [
  '```sh',
  'npm ci && npm run demo      # install, start a local Kafka broker, produce sample Insights messages, run the check in dry-run',
  'npm test                    # lint, type-check, unit and integration tests against a real local broker',
  '```',
].join('\n');
const readmeCtx = {
  manifest,
  firstBlock: FIRST_BLOCK,
  requiredH2: ['Overview', 'Setup', 'Data Collected', 'Delivery guarantee', 'Troubleshooting', 'Support'],
  requiredH3: ['Installation', 'Configuration', 'Running as a service', 'Importing the assets', 'Validation', 'Metrics', 'Service Checks', 'Events'],
};

const expectProblem = (problems: string[], pattern: RegExp) => expect(problems.join('\n')).toMatch(pattern);

/* ------------------------------------------------------------------ the helpers themselves */

describe('query extractor', () => {
  it('reads aggregator, metric, scope, grouping and functions', () => {
    expect(extractMetricQueries('count:algorithmia.duration_milliseconds{$env,$algorithm_name} by {algorithm_name}.as_rate()')).toEqual([
      { aggregator: 'count', metric: 'algorithmia.duration_milliseconds', scope: ['$env', '$algorithm_name'], groupBy: ['algorithm_name'], functions: ['as_rate'] },
    ]);
    expect(extractMetricQueries('p95:a.b{*}')[0]).toMatchObject({ aggregator: 'p95', metric: 'a.b', scope: ['*'], groupBy: [] });
    expect(extractMetricQueries('p99.9:a.b{x:y}')[0].aggregator).toBe('p99.9');
    expect(extractMetricQueries('a.b{*}')[0]).toMatchObject({ aggregator: undefined, metric: 'a.b' });
  });

  it('finds every metric of a formula and inside functions', () => {
    expect(extractMetrics('avg:a.b{*} / sum:c.d{x:y} by {h}.as_count() * 100')).toEqual(['a.b', 'c.d']);
    expect(extractMetrics("top(avg:a.b{*} by {h}, 10, 'mean', 'desc')")).toEqual(['a.b']);
    expect(extractMetricQueries('sum:c.d{*}.rollup(sum, 60).as_count()')[0].functions).toEqual(['rollup', 'as_count']);
  });

  it('finds nothing where there is no metric query (deliberate negatives)', () => {
    expect(extractMetrics('query1 + query2')).toEqual([]);
    expect(extractMetrics('avg:{*}')).toEqual([]);
    expect(extractMetrics('by{algorithm_name}')).toEqual([]);
    expect(extractMetrics('tag:integration:algorithmia')).toEqual([]);
    expect(extractMetrics('avg:a.b {*}')).toEqual([]);
  });

  it('parses metric monitor queries and their threshold', () => {
    expect(parseMetricMonitorQuery('avg(last_5m):avg:algorithmia.duration_milliseconds{*} by {algorithm_name} > 10000')).toMatchObject({
      evaluation: 'avg(last_5m)',
      comparator: '>',
      threshold: 10000,
      queries: [{ metric: 'algorithmia.duration_milliseconds', groupBy: ['algorithm_name'] }],
    });
    expect(parseMetricMonitorQuery('change(min(last_15m),last_15m):sum:x.y{*} by {a,b} >= 1.5')).toMatchObject({ threshold: 1.5, comparator: '>=' });
    expect(parseMetricMonitorQuery('avg:x.y{*} > 3')).toBeNull();
    expect(parseMetricMonitorQuery('avg(last_5m):avg:x.y{*}')).toBeNull();
  });

  it('parses anomaly monitor queries, parameters and threshold; a threshold parse refuses them', () => {
    const q = "avg(last_1d):anomalies(sum:x.y{env:prod,team:ml} by {a,b}.as_count(), 'robust', 2.5, direction='below', alert_window='last_1h', interval=120, count_default_zero='false', seasonality='daily') >= 0.75";
    expect(isAnomalyQuery(q)).toBe(true);
    expect(parseAnomalyMonitorQuery(q)).toEqual({
      timeAggregator: 'avg',
      queryWindow: 'last_1d',
      metricQuery: 'sum:x.y{env:prod,team:ml} by {a,b}.as_count()',
      algorithm: 'robust',
      deviations: 2.5,
      params: { direction: 'below', alert_window: 'last_1h', interval: '120', count_default_zero: 'false', seasonality: 'daily' },
      comparator: '>=',
      threshold: 0.75,
      queries: [{ aggregator: 'sum', metric: 'x.y', scope: ['env:prod', 'team:ml'], groupBy: ['a', 'b'], functions: ['as_count'] }],
    });
    // A function around the metric query, no seasonality (basic).
    expect(parseAnomalyMonitorQuery("avg(last_2h):anomalies(ewma_10(avg:x.y{*}), 'basic', 3, direction='both', alert_window='last_15m', interval=60, count_default_zero='true') >= 1")).toMatchObject({
      algorithm: 'basic',
      deviations: 3,
      params: { direction: 'both', alert_window: 'last_15m', interval: '60', count_default_zero: 'true' },
      queries: [{ aggregator: 'avg', metric: 'x.y', scope: ['*'] }],
    });
    expect(parseMetricMonitorQuery(q)).toBeNull();
    expect(isAnomalyQuery('avg(last_5m):avg:x.y{*} > 3')).toBe(false);
    expect(parseAnomalyMonitorQuery("avg(last_1h):anomalies(avg:x.y{*}, 3, direction='both') >= 1")).toBeNull();
    expect(parseAnomalyMonitorQuery("avg(last_1h):anomalies(avg:x.y{*}, 'basic', 3, direction='both')")).toBeNull();
  });

  it('reads timeframes as seconds', () => {
    expect(['last_5m', 'last_30m', 'last_4h', 'last_1d', 'last_2w'].map(timeframeSeconds)).toEqual([300, 1800, 14_400, 86_400, 1_209_600]);
    expect(['last_0m', '30m', 'last_5s', 'last_m'].map(timeframeSeconds)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('parses service check monitor queries', () => {
    expect(parseServiceCheckMonitorQuery('"a.can_connect".over("*").by("topic","consumer_group").last(3).count_by_status()')).toEqual({
      check: 'a.can_connect',
      over: ['*'],
      exclude: [],
      by: ['topic', 'consumer_group'],
      last: 3,
      mode: 'count_by_status',
    });
    expect(parseServiceCheckMonitorQuery('"a.b".last(3).count_by_status()')).toBeNull();
  });

  it('reads {{tag.name}} references of a monitor message', () => {
    expect(messageTagRefs('{{#is_alert}}{{algorithm_name.name}} {{ topic.name }} {{value}}{{/is_alert}}')).toEqual(['algorithm_name', 'topic']);
  });
});

describe('CSV reader', () => {
  it('reads quoted fields with commas and quotes, as Python csv does', () => {
    expect(parseCsv('a,b,c\n1,"x, y","say ""hi"""\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
    ]);
    expect(parseCsv('a,b\r\n1,\r\n')).toEqual([
      ['a', 'b'],
      ['1', ''],
    ]);
  });
  it('reports rows of the wrong width and broken quoting', () => {
    expect(csvRecords('a,b\n1,2,3\n').widthErrors).toEqual(['line 2: 3 fields, the header has 2']);
    expect(() => parseCsv('a\n"open\n')).toThrow(/unterminated/);
    expect(() => parseCsv('a\nx"y"\n')).toThrow(/quote inside/);
  });
  it('normalises metric names as Datadog does', () => {
    expect(normalizeMetricName('<USER-DEFINED>')).toBe('USER_DEFINED');
    expect(normalizeMetricName('algorithmia._x')).toBe('algorithmia.x');
    expect(normalizeMetricName('algorithmia.duration_milliseconds')).toBe('algorithmia.duration_milliseconds');
  });
});

/* ------------------------------------------------------------------ manifest.json */

describe('manifest.json', () => {
  it('passes the schema and the manifest rules', () => {
    expect(checkManifest(manifest, manifestCtx)).toEqual([]);
  });

  it('keeps the frozen facts of the published integration', () => {
    expect(manifest).toMatchObject({
      manifest_version: '2.0.0',
      app_id: 'algorithmia',
      app_uuid: '09ef6f74-1555-4082-a69e-b5cf21ec4512',
      tile: { title: 'Algorithmia', overview: 'README.md#Overview', configuration: 'README.md#Setup', support: 'README.md#Support', changelog: 'CHANGELOG.md' },
      assets: {
        integration: {
          source_type_name: 'Algorithmia',
          source_type_id: 10128,
          events: { creates_events: false },
          metrics: { prefix: 'algorithmia.', check: 'algorithmia.duration_milliseconds', metadata_path: 'metadata.csv' },
          service_checks: { metadata_path: 'assets/service_checks.json' },
        },
        dashboards: { Algorithmia: 'assets/dashboards/algorithmia.json' },
        monitors: { Algorithmia: 'assets/monitors/algorithm_duration.json' },
      },
    });
    expect(manifest.tile.classifier_tags).not.toContain('Category::Log Collection');
  });

  it('lists every monitor and dashboard file there is', () => {
    const listed = (kind: 'monitors' | 'dashboards') => Object.values(manifest.assets[kind] ?? {}).sort();
    expect(listed('monitors')).toEqual(readdirSync(`${ROOT}/assets/monitors`).map((f) => `assets/monitors/${f}`).sort());
    expect(listed('dashboards')).toEqual(readdirSync(`${ROOT}/assets/dashboards`).map((f) => `assets/dashboards/${f}`).sort());
  });

  it('reports broken manifests (deliberate negatives)', () => {
    const m = (f: (x: Manifest) => void, ctx = manifestCtx) => {
      const c = clone(manifest);
      f(c);
      return checkManifest(c, ctx);
    };
    expectProblem(m((c) => (c.tile as unknown as Record<string, string>).description = 'x'.repeat(81)), /description.*must NOT have more than 80/);
    expectProblem(m((c) => c.tile.classifier_tags.push('Category:Metrics')), /classifier_tags/);
    expectProblem(m((c) => (c.assets.monitors = { ...c.assets.monitors, Gone: 'assets/monitors/gone.json' })), /gone\.json, which does not exist/);
    expectProblem(m((c) => (c.tile.changelog = 'CHANGES.md')), /CHANGES\.md, which does not exist/);
    expectProblem(m((c) => (c.tile.support = 'README.md#Help')), /no H2 "Help"/);
    expectProblem(m((c) => (c.assets.integration.metrics.check = 'algorithmia.not_listed')), /not_listed is not in metadata\.csv/);
    expectProblem(m((c) => (c.assets.integration.metrics.prefix = 'algorithmia')), /prefix/);
    expectProblem(m((c) => delete (c as unknown as Record<string, unknown>).app_uuid), /app_uuid/);
    expectProblem(m(() => undefined, { ...manifestCtx, readme: readme + '\n### Logs\n\nx\n' }), /Log Collection/);
    expectProblem(m((c) => c.tile.classifier_tags.push('Category::Log Collection')), /Log Collection/);
    expectProblem(m(() => undefined, { ...manifestCtx, confExample: '## @param logs - list of mappings - optional\n# logs:\n' }), /Log Collection/);
  });
});

/* ------------------------------------------------------------------ metadata.csv */

describe('metadata.csv', () => {
  it("passes the schema and ddev's metadata rules", () => {
    expect(checkMetadata(metadataText, metadataCtx)).toEqual([]);
  });

  it('reports broken rows (deliberate negatives)', () => {
    const header = metadataText.split('\n')[0];
    const row = (cells: string) => checkMetadata(`${metadataText}${cells}\n`, metadataCtx);
    expectProblem(row('<USER-DEFINED>,gauge,,,,User metrics,0,algorithmia,,,'), /not a normalised metric name.*USER_DEFINED/);
    expectProblem(row('algorithmia.a,distribution,,,,d,0,algorithmia,,,'), /metric_type/);
    expectProblem(row('algorithmia.b,gauge,,milliseconds,,d,0,algorithmia,,,'), /unit_name/);
    expectProblem(row('algorithmia.c,gauge,,millisecond,second,d,0,algorithmia,,,'), /must NOT be valid/);
    expectProblem(row('algorithmia.d,gauge,,,,a | b,0,algorithmia,,,'), /description/);
    expectProblem(row('algorithmia.e,gauge,,,,caf\u00e9,0,algorithmia,,,'), /non-ASCII/);
    expectProblem(row('algorithmia.f,gauge,,,,d,2,algorithmia,,,'), /orientation/);
    expectProblem(row('algorithmia.g,gauge,,,,d,0,Algorithmia,,,'), /integration is Algorithmia/);
    expectProblem(row('algorithmia.h,gauge,,,,d,0,algorithmia,,'), /10 fields, the header has 11/);
    expectProblem(row(`algorithmia.i,gauge,,,,${'x'.repeat(401)},0,algorithmia,,,`), /description.*400/);
    expectProblem(row('algorithmia.duration_milliseconds,gauge,,,,d,0,algorithmia,,,'), /duplicate/);
    expectProblem(row('other.j,gauge,,,,d,0,algorithmia,,,'), /lacks the prefix/);
    expectProblem(row('algorithmia.k,rate,,message,,d,0,algorithmia,,,'), /per_unit_name second/);
    expectProblem(row('algorithmia.l,rate,,message,second,d submitted as a distribution,0,algorithmia,,,'), /listed as gauge/);
    expectProblem(checkMetadata(metadataText.replace(header, header.replace(',curated_metric', '')), metadataCtx), /header is/);
    expectProblem(checkMetadata(header + '\n', metadataCtx), /check metric algorithmia\.duration_milliseconds is missing/);
    expectProblem(checkMetadata('', metadataCtx), /empty/);
  });
});

/* ------------------------------------------------------------------ what the check process emits */

describe('metadata.csv and service_checks.json against what the check process emits', () => {
  const defaultType = configSchema.properties.instances.items.properties.default_metric_type.default;

  it('lists the check metric with the type of the default metric type', () => {
    const row = metadata.get(CHECK_METRIC);
    expect(row).toBeDefined();
    expect(defaultType).toBe('distribution');
    expect(row).toMatchObject({ ...metadataTypeFor(defaultType), unit_name: 'millisecond', per_unit_name: '' });
    expect(row?.description).toContain(DISTRIBUTION_PHRASE);
  });

  const documentsAsCatalogue = (m: TelemetryMetric) => {
    const row = metadata.get(m.name);
    expect(row).toBeDefined();
    if (!row) return;
    const want = metadataTypeFor(m.kind);
    expect(row.metric_type).toBe(want.metric_type);
    expect(row.unit_name).toBe(m.unit);
    expect(row.per_unit_name).toBe(want.per_unit_name ?? m.perUnit ?? '');
    expect(row.description.startsWith(m.description.replace(/\.$/, ''))).toBe(true);
    expect(row.description.includes(DISTRIBUTION_PHRASE)).toBe(m.kind === 'distribution');
  };

  it.each(Object.entries(TELEMETRY_METRICS))('documents telemetry metric %s as the catalogue defines it', (_key, m) => documentsAsCatalogue(m));

  it.each(Object.entries(DRIFT_METRICS))('documents drift metric %s as the catalogue defines it', (_key, m) => {
    expect(m.name.startsWith(DRIFT_NAMESPACE)).toBe(true);
    documentsAsCatalogue(m);
  });

  it.each([...monitoringByName.values()].map((m) => [m.name, m] as const))('documents model-monitoring metric %s as the catalogue defines it', (_name, m) => documentsAsCatalogue(m));

  it.each(FIELD_HEALTH_METRICS.map((m) => [m.name, m] as const))("documents field health's %s as issue 23 names it", (name, m) => {
    const row = metadata.get(name);
    expect(row).toBeDefined();
    const want = metadataTypeFor(m.kind);
    expect(row).toMatchObject({ metric_type: want.metric_type, unit_name: m.unit, per_unit_name: want.per_unit_name ?? '', orientation: '-1', integration: 'algorithmia' });
    // Its description names every tag it carries, so a reader can group by them.
    for (const t of [...ALGORITHM_TAGS.filter((x) => x !== 'env'), ...m.tags]) expect({ name, t, described: row?.description.includes(t) }).toEqual({ name, t, described: true });
  });

  // Fails while the catalogue lacks field health's metrics (they are added with the field health code).
  it("the catalogue defines field health's metrics as issue 23 names them", () => {
    const inCatalogue = [...monitoringByName.values()].filter((m) => m.name.startsWith(QUALITY_NAMESPACE));
    expect(inCatalogue.map((m) => m.name).sort()).toEqual(FIELD_HEALTH_METRICS.map((m) => m.name).sort());
    for (const spec of FIELD_HEALTH_METRICS) {
      const m = monitoringByName.get(spec.name);
      expect({ name: spec.name, kind: m?.kind, unit: m?.unit }).toEqual({ name: spec.name, kind: spec.kind, unit: spec.unit });
      expect(m?.tags).toEqual(expect.arrayContaining(spec.tags));
    }
  });

  it.each(FAIRNESS_METRICS.map((m) => [m.name, m] as const))("documents fairness's %s as issue 24 names it", (name, m) => {
    const row = metadata.get(name);
    expect(row).toBeDefined();
    const want = metadataTypeFor(m.kind);
    // Neither side is better: a rate or a ratio far from the reference's either way is the finding.
    expect(row).toMatchObject({ metric_type: want.metric_type, unit_name: m.unit, per_unit_name: want.per_unit_name ?? '', orientation: '0', integration: 'algorithmia' });
    expect({ name, starts: row?.description.startsWith(m.starts) }).toEqual({ name, starts: true });
    for (const t of [...ALGORITHM_TAGS.filter((x) => x !== 'env'), ...m.tags]) expect({ name, t, described: row?.description.includes(t) }).toEqual({ name, t, described: true });
  });

  it("documents the forwarder's count of executions left out of fairness checks, with every reason", () => {
    const row = metadata.get(FAIRNESS_SKIPPED.name);
    expect(row).toBeDefined();
    expect(row).toMatchObject({ ...metadataTypeFor(FAIRNESS_SKIPPED.kind), unit_name: FAIRNESS_SKIPPED.unit, orientation: '-1', integration: 'algorithmia' });
    expect(row?.description.startsWith(FAIRNESS_SKIPPED.starts.replace(/\.$/, ''))).toBe(true);
    for (const r of FAIRNESS_SKIPPED.reasons) expect({ r, described: row?.description.includes(r) }).toEqual({ r, described: true });
  });

  // Fails while the catalogue lacks fairness's metrics (they are added with the fairness code, in parallel).
  it("the catalogue defines fairness's metrics as issue 24 names them", () => {
    const inCatalogue = [...monitoringByName.values()].filter((m) => m.name.startsWith(FAIRNESS_NAMESPACE));
    expect(inCatalogue.map((m) => m.name).sort()).toEqual(FAIRNESS_METRICS.map((m) => m.name).sort());
    for (const spec of FAIRNESS_METRICS) {
      const m = monitoringByName.get(spec.name);
      expect({ name: spec.name, kind: m?.kind, unit: m?.unit }).toEqual({ name: spec.name, kind: spec.kind, unit: spec.unit });
      expect(m?.tags).toEqual(expect.arrayContaining(spec.tags));
    }
    const skipped = telemetryByName.get(FAIRNESS_SKIPPED.name);
    expect({ kind: skipped?.kind, unit: skipped?.unit, tags: skipped?.tags }).toEqual({ kind: FAIRNESS_SKIPPED.kind, unit: FAIRNESS_SKIPPED.unit, tags: [...FAIRNESS_SKIPPED.tags] });
  });

  /** Rows that name no metric the check process emits, or lie outside our namespaces. */
  const unknownRows = (list: MetadataRow[]): string[] => {
    const known = new Set([CHECK_METRIC, ...telemetryByName.keys(), ...monitoringByName.keys()]);
    const ours = (n: string) => n === CHECK_METRIC || n.startsWith(TELEMETRY_PREFIX) || MONITORING_NAMESPACES.some((ns) => n.startsWith(ns));
    return list.map((r) => r.metric_name).filter((n) => !known.has(n) || !ours(n));
  };

  it('lists nothing the check process does not emit (no placeholder, no stale row)', () => {
    expect(unknownRows(rows)).toEqual([]);
    const row = (metric_name: string) => ({ ...rows[0], metric_name });
    // The rows the catalogue knows (a monitoring signal's rows land before its catalogue entries), then four that it cannot.
    const listed = rows.filter((r) => unknownRows([r]).length === 0);
    expect(unknownRows([...listed, row(`${DRIFT_NAMESPACE}ks`), row(`${QUALITY_NAMESPACE}share`), row(`${TELEMETRY_PREFIX}stale`), row(`${PREFIX}risk_score`)])).toEqual([
      `${DRIFT_NAMESPACE}ks`,
      `${QUALITY_NAMESPACE}share`,
      `${TELEMETRY_PREFIX}stale`,
      `${PREFIX}risk_score`,
    ]);
  });

  it('lists exactly the service checks of the catalogue, with their statuses, groups and description', () => {
    expect(serviceChecks.map((s) => s.check).sort()).toEqual([...serviceCheckByName.keys()].sort());
    for (const spec of Object.values(SERVICE_CHECKS)) {
      expect(serviceCheckMap.get(spec.name)).toMatchObject({ integration: integ.source_type_name, statuses: spec.statuses, groups: spec.groups, description: spec.description });
    }
  });
});

/* ------------------------------------------------------------------ service_checks.json */

describe('service_checks.json', () => {
  it("passes the schema and ddev's service-check rules", () => {
    expect(checkServiceChecks(serviceChecks, integ.source_type_name)).toEqual([]);
  });

  it('reports broken entries (deliberate negatives)', () => {
    const bad = (f: (s: ServiceCheckEntry & Record<string, unknown>) => void, extra: ServiceCheckEntry[] = []) => {
      const list = clone(serviceChecks) as Array<ServiceCheckEntry & Record<string, unknown>>;
      f(list[0]);
      return checkServiceChecks([...list, ...extra], integ.source_type_name);
    };
    expectProblem(bad((s) => (s.agent_version = '7.x')), /agent_version/);
    expectProblem(bad((s) => (s.check = 'algorithmia._can_connect')), /check/);
    expectProblem(bad((s) => (s.check = 'algorithmia..can_connect')), /check/);
    expectProblem(bad((s) => (s.statuses = ['fine'])), /statuses/);
    expectProblem(bad((s) => (s.statuses = [])), /statuses/);
    expectProblem(bad((s) => (s.extra = 1)), /additional/);
    expectProblem(bad((s) => (s.integration = 'algorithmia')), /integration algorithmia must be Algorithmia/);
    expectProblem(bad(() => undefined, [clone(serviceChecks[0])]), /not a unique check/);
  });
});

/* ------------------------------------------------------------------ the dashboard */

describe('dashboard', () => {
  const { dash } = dashboards[0];
  const widgets = walkWidgets(dash.widgets);
  const allQueries = widgets.flatMap(({ widget }) => widgetQueries(widget));
  const byTitle = (title: string): Widget => {
    const w = widgets.find((x) => x.widget.definition.title === title);
    if (!w) throw new Error(`no widget "${title}"`);
    return w.widget;
  };

  it('is the one dashboard of the manifest', () => {
    expect(dashboards.map((d) => d.key)).toEqual(['Algorithmia']);
  });

  it('passes the schema and the dashboard rules, and queries only listed metrics', () => {
    expect(checkDashboard(dash, dashboardCtx)).toEqual([]);
    expect(findKey(dash, 'alert_id')).toEqual([]);
    expect('id' in dash).toBe(false);
  });

  it('has the groups and widgets the issue asks for', () => {
    const groups = dash.widgets.map((w) => w.definition.title);
    expect(groups).toEqual(['About Algorithmia', 'Overview', 'Versions', 'Top algorithms', 'Model drift', 'Field health', 'Fairness', 'Forwarder health']);
    const has = (re: RegExp) => expect(allQueries.some((q) => re.test(q))).toBe(true);
    has(/^count:algorithmia\.duration_milliseconds\{[^}]*\} by \{algorithm_name\}\.as_rate\(\)$/);
    has(/^avg:algorithmia\.duration_milliseconds\{[^}]*\} by \{algorithm_name\}$/);
    has(/^p95:algorithmia\.duration_milliseconds\{[^}]*\} by \{algorithm_name\}$/);
    has(/^p99:algorithmia\.duration_milliseconds\{[^}]*\} by \{algorithm_name\}$/);
    has(/^avg:algorithmia\.duration_milliseconds\{[^}]*\} by \{algorithm_name,algorithm_version\}$/);
    has(/^sum:algorithmia\.forwarder\.messages\.consumed\{[^}]*\} by \{topic\}\.as_rate\(\)$/);
    has(/^sum:algorithmia\.forwarder\.messages\.rejected\{[^}]*\} by \{reason\}\.as_rate\(\)$/);
    has(/^max:algorithmia\.forwarder\.consumer_lag_seconds\{[^}]*\}$/);
    has(/^max:algorithmia\.forwarder\.consumer_lag_seconds\{[^}]*\} by \{topic,consumer_group\}$/);
    // Lag is shown in seconds, the largest over partitions and processes (DECISIONS: lag).
    const lagQueries = allQueries.flatMap(extractMetricQueries).filter((q) => q.metric.startsWith(TELEMETRY_METRICS.consumerLag.name));
    expect(lagQueries.map((q) => [q.aggregator, q.metric])).toEqual(lagQueries.map(() => ['max', TELEMETRY_METRICS.consumerLagSeconds.name]));
    expect(byTitle('Kafka connection').definition).toMatchObject({ type: 'check_status', check: SERVICE_CHECKS.canConnect.name });
    expect(byTitle('Algorithmia monitors').definition).toMatchObject({ type: 'manage_status', query: 'tag:integration:algorithmia' });
    expect(widgets.some(({ widget }) => widget.definition.type === 'toplist' && widgetQueries(widget).some((q) => q.startsWith('p95:')))).toBe(true);
  });

  it('has a model drift group: largest scores now, scores over time with the 0.1 and 0.25 marks, a note on reading PSI', () => {
    const inGroup = widgets.filter(({ path }) => path.startsWith('/Model drift')).map(({ widget }) => widget);
    const queries = inGroup.flatMap(widgetQueries);
    const psi = DRIFT_METRICS.psi.name.replace(/\./g, '\\.');
    const top = inGroup.find((w) => w.definition.type === 'toplist');
    expect(top && widgetQueries(top)).toEqual([expect.stringMatching(new RegExp(`^max:${psi}\\{[^}]*\\} by \\{algorithm_name,algorithm_version,field,baseline\\}$`))]);
    const overTime = inGroup.find((w) => w.definition.type === 'timeseries' && widgetQueries(w).some((q) => q.includes(DRIFT_METRICS.psi.name)));
    expect(overTime && widgetQueries(overTime)).toEqual([expect.stringMatching(new RegExp(`^max:${psi}\\{[^}]*\\} by \\{field,?[a-z_,]*\\}$`))]);
    expect((overTime?.definition.markers as Array<{ value: string; display_type: string }>).map((m) => [m.value, m.display_type.split(' ')[0]])).toEqual([
      ['y = 0.1', 'warning'],
      ['y = 0.25', 'error'],
    ]);
    for (const q of queries.flatMap(extractMetricQueries).filter((q) => q.metric === DRIFT_METRICS.psi.name)) expect(q.scope).toEqual(expect.arrayContaining(['$field', '$baseline']));
    expect(dash.template_variables.map((t) => t.name)).toEqual(expect.arrayContaining(['field', 'baseline']));
    const note = inGroup.filter((w) => w.definition.type === 'note').map((w) => w.definition.content as string).join('\n');
    for (const text of ['0.1', '0.25', 'trailing', 'previous_version', 'custom metric', 'drift.enabled: false']) expect(note).toContain(text);
  });

  it('has a field health group: largest missing ratio changes now, missing ratio over time by field, invalid values by field and reason, a note', () => {
    const inGroup = widgets.filter(({ path }) => path.startsWith('/Field health')).map(({ widget }) => widget);
    const re = (metric: string) => metric.replace(/\./g, '\\.');
    const [ratio, change, invalid] = ['missing_ratio', 'missing_ratio_change', 'invalid_values'].map((n) => re(QUALITY_NAMESPACE + n));
    const only = (type: string, metric: string) => inGroup.filter((w) => w.definition.type === type && widgetQueries(w).some((q) => extractMetrics(q).includes(metric.replace(/\\/g, ''))));
    // The largest change now, one bar per algorithm, version, field and baseline.
    const top = only('toplist', change);
    expect(top.flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^max:${change}\\{[^}]*\\} by \\{algorithm_name,algorithm_version,field,baseline\\}$`))]);
    expect((top[0].definition.requests as Array<{ queries: Array<{ aggregator: string }>; formulas: Array<{ limit: { order: string } }> }>)[0]).toMatchObject({ queries: [{ aggregator: 'last' }], formulas: [{ limit: { order: 'desc' } }] });
    // The ratio over time, one line per field (of the version the template variable selects).
    expect(only('timeseries', ratio).flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^max:${ratio}\\{[^}]*\\} by \\{field\\}$`))]);
    // Invalid values by field and reason, as counts.
    expect(only('timeseries', invalid).flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^sum:${invalid}\\{[^}]*\\} by \\{field,reason\\}\\.as_count\\(\\)$`))]);
    // Every field health metric of metadata.csv is on the dashboard, and only in this group.
    const quality = [...metadata.keys()].filter((n) => n.startsWith(QUALITY_NAMESPACE));
    expect(quality.sort()).toEqual(FIELD_HEALTH_METRICS.map((m) => m.name).sort());
    const queried = (ws: Widget[]) => new Set(ws.flatMap(widgetQueries).flatMap(extractMetrics));
    for (const m of quality) expect({ m, shown: queried(inGroup).has(m) }).toEqual({ m, shown: true });
    const elsewhere = widgets.filter(({ path }) => !path.startsWith('/Field health')).map(({ widget }) => widget);
    expect([...queried(elsewhere)].filter((m) => m.startsWith(QUALITY_NAMESPACE))).toEqual([]);
    // Each query follows the template variables of the tags its metric carries ($baseline only where there is a baseline).
    for (const q of inGroup.flatMap(widgetQueries).flatMap(extractMetricQueries)) {
      expect(q.scope).toEqual(expect.arrayContaining(['$field']));
      expect(q.scope.includes('$baseline')).toBe(q.metric === QUALITY_NAMESPACE + 'missing_ratio_change');
    }
    const note = inGroup.filter((w) => w.definition.type === 'note').map((w) => w.definition.content as string).join('\n');
    for (const text of ['absent', 'null', 'non_numeric', 'non_finite', 'trailing', 'previous_version', '0.01', 'custom metric', 'drift.field_health: false']) expect({ text, inNote: note.includes(text) }).toEqual({ text, inNote: true });
  });

  it('has a fairness group: positive rate by group over time, disparate impact now and over time against 0.8 and 1.25, executions by group, a note', () => {
    const inGroup = widgets.filter(({ path }) => path.startsWith('/Fairness')).map(({ widget }) => widget);
    const [rate, ratio, executions] = ['positive_rate', 'disparate_impact', 'executions'].map((n) => FAIRNESS_NAMESPACE + n);
    const re = (metric: string) => metric.replace(/\./g, '\\.');
    const only = (type: string, metric: string) => inGroup.filter((w) => w.definition.type === type && widgetQueries(w).some((q) => extractMetrics(q).includes(metric)));
    // Over time, one line per check and group, for the version the template variables select.
    expect(only('timeseries', rate).flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^avg:${re(rate)}\\{[^}]*\\} by \\{check,group\\}$`))]);
    expect(only('timeseries', executions).flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^sum:${re(executions)}\\{[^}]*\\} by \\{check,group\\}$`))]);
    // The ratio now, one bar per algorithm, version, outcome and group, lowest first, coloured outside 0.8 to 1.25.
    const top = only('toplist', ratio);
    expect(top.flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^avg:${re(ratio)}\\{[^}]*\\} by \\{algorithm_name,algorithm_version,outcome,group\\}$`))]);
    type Formula = { limit: { order: string }; conditional_formats: Array<{ comparator: string; value: number; palette: string }> };
    const request = (top[0].definition.requests as Array<{ queries: Array<{ aggregator: string }>; formulas: Formula[] }>)[0];
    expect(request).toMatchObject({ queries: [{ aggregator: 'last' }], formulas: [{ limit: { order: 'asc' } }] });
    // The colour of a ratio as the widget applies it: the first format whose condition holds.
    const colour = (v: number) => request.formulas[0].conditional_formats.find((f) => ({ '<': v < f.value, '>': v > f.value, '>=': v >= f.value, '<=': v <= f.value })[f.comparator])?.palette;
    expect([0.5, 0.7999, 0.8, 1, 1.25, 1.2501, 3].map(colour)).toEqual(['white_on_red', 'white_on_red', 'white_on_green', 'white_on_green', 'white_on_green', 'white_on_red', 'white_on_red']);
    // The ratio over time with both bounds marked.
    const overTime = only('timeseries', ratio);
    expect(overTime.flatMap(widgetQueries)).toEqual([expect.stringMatching(new RegExp(`^avg:${re(ratio)}\\{[^}]*\\} by \\{check,group\\}$`))]);
    expect((overTime[0].definition.markers as Array<{ value: string; display_type: string }>).map((m) => [m.value, m.display_type.split(' ')[0]])).toEqual([
      ['y = 0.8', 'error'],
      ['y = 1.25', 'error'],
    ]);
    // Executions left out, by reason, as counts (a forwarder metric: filtered by topic and consumer group).
    expect(only('timeseries', FAIRNESS_SKIPPED.name).flatMap(widgetQueries)).toEqual([`sum:${FAIRNESS_SKIPPED.name}{$env,$topic,$consumer_group} by {reason}.as_count()`]);
    // Every fairness metric of metadata.csv is on the dashboard, and only in this group.
    const fairness = [...metadata.keys()].filter((n) => n.startsWith(FAIRNESS_NAMESPACE));
    expect(fairness.sort()).toEqual(FAIRNESS_METRICS.map((m) => m.name).sort());
    const queried = (ws: Widget[]) => new Set(ws.flatMap(widgetQueries).flatMap(extractMetrics));
    for (const m of [...fairness, FAIRNESS_SKIPPED.name]) expect({ m, shown: queried(inGroup).has(m) }).toEqual({ m, shown: true });
    const elsewhere = widgets.filter(({ path }) => !path.startsWith('/Fairness')).map(({ widget }) => widget);
    expect([...queried(elsewhere)].filter((m) => m.startsWith(FAIRNESS_NAMESPACE) || m === FAIRNESS_SKIPPED.name)).toEqual([]);
    // Each fairness query follows the check and group template variables.
    expect(dash.template_variables.map((t) => t.name)).toEqual(expect.arrayContaining(['check', 'group']));
    for (const q of inGroup.flatMap(widgetQueries).flatMap(extractMetricQueries).filter((q) => q.metric.startsWith(FAIRNESS_NAMESPACE)))
      expect(q.scope).toEqual(expect.arrayContaining(['$check', '$group', '$algorithm_name', '$algorithm_version']));
    const note = inGroup.filter((w) => w.definition.type === 'note').map((w) => w.definition.content as string).join('\n');
    for (const text of ['0.8', '1.25', 'four-fifths', 'reference', '`other`', 'min_group_executions', 'ground truth', "Simpson's paradox", 'tag values', 'custom metric', '`fairness`'])
      expect({ text, inNote: note.includes(text) }).toEqual({ text, inNote: true });
  });

  it('explains how to compare versions on your own inference metric, without querying one', () => {
    const notes = widgets.filter(({ path }) => path.startsWith('/Versions')).map(({ widget }) => widget.definition).filter((d) => d.type === 'note');
    expect(notes.map((n) => n.content).join('\n')).toMatch(/[Cc]lone[\s\S]*algorithmia\.risk_score/);
  });

  it('filters every algorithm query by the algorithm template variables', () => {
    for (const q of allQueries.flatMap(extractMetricQueries).filter((q) => !q.metric.startsWith(TELEMETRY_PREFIX))) {
      expect(q.scope).toEqual(expect.arrayContaining(['$algorithm_name', '$algorithm_version', '$algorithm_owner']));
    }
  });

  it('reports broken dashboards (deliberate negatives)', () => {
    const mutate = (f: (d: Dashboard, w: Widget) => void) => {
      const d = clone(dash);
      const overview = d.widgets[1].definition.widgets as Widget[];
      f(d, overview[4]);
      return checkDashboard(d, dashboardCtx);
    };
    const setQuery = (w: Widget, query: string) => (((w.definition.requests as Array<{ queries: Array<{ query: string }> }>)[0].queries[0].query = query));
    const ALG = '{$env,$algorithm_name,$algorithm_version,$algorithm_owner}';
    expectProblem(mutate((_d, w) => setQuery(w, `avg:algorithmia.risk_score${ALG}`)), /algorithmia\.risk_score, which metadata\.csv does not list/);
    expectProblem(mutate((_d, w) => setQuery(w, `avg:algorithmia.duration_milliseconds{$env,$algorithm_name}`)), /ignores \$algorithm_version/);
    expectProblem(mutate((_d, w) => setQuery(w, `avg:algorithmia.duration_milliseconds${ALG} by {request_id}`)), /by request_id, a tag it does not carry/);
    expectProblem(mutate((_d, w) => setQuery(w, `p95:algorithmia.forwarder.consumer_lag{$env,$topic,$consumer_group}`)), /needs a distribution/);
    expectProblem(mutate((_d, w) => setQuery(w, `avg:algorithmia.duration_milliseconds${ALG.replace('$env', '$host')}`)), /\$host, which is not a template variable/);
    expectProblem(mutate((_d, w) => setQuery(w, 'query1 * 2')), /no metric found/);
    expectProblem(mutate((_d, w) => ((w.definition.requests as Array<{ formulas: Array<{ formula: string }> }>)[0].formulas[0].formula = 'query2')), /uses query2/);
    expectProblem(mutate((_d, w) => (w.definition.alert_id = '24564256')), /alert_id|hard-coded monitor id/);
    expectProblem(mutate((d) => ((d as unknown as Record<string, string>).id = '9mh-uxf-chf')), /id/);
    expectProblem(mutate((_d, w) => (w.definition.app_id = '00000000-0000-4000-8000-000000000000')), /not the manifest's app_uuid/);
    expectProblem(mutate((d) => (d.template_variables = d.template_variables.filter((t) => t.name !== 'algorithm_owner'))), /no template variable algorithm_owner/);
    expectProblem(mutate((d) => (d.title = 'Algorithmia - Overview')), /title/);
    expectProblem(mutate((_d, w) => delete w.layout), /no layout/);
    expectProblem(mutate((_d, w) => w.layout && (w.layout.y = 40)), /overflows its group/);
    const health = (d: Dashboard) => d.widgets.find((w) => w.definition.title === 'Forwarder health')?.definition.widgets as Widget[];
    expectProblem(
      mutate((d) => (health(d)[0].definition.check = 'algorithmia.up')),
      /algorithmia\.up is not in service_checks\.json/,
    );
    const driftTop = (d: Dashboard) => (d.widgets.find((w) => w.definition.title === 'Model drift')?.definition.widgets as Widget[]).find((w) => w.definition.type === 'toplist') as Widget;
    expectProblem(mutate((d) => setQuery(driftTop(d), `max:algorithmia.drift.psi${ALG} by {field}`)), /ignores \$field/);
    expectProblem(mutate((d) => setQuery(driftTop(d), `max:algorithmia.drift.psi{$field,$baseline} by {field}`)), /ignores \$algorithm_name/);
    expectProblem(mutate((d) => setQuery(driftTop(d), `max:algorithmia.drift.psi${ALG.replace('}', ',$field,$baseline}')} by {topic}`)), /by topic, a tag it does not carry/);
    const fieldHealth = (d: Dashboard, type: string) => (d.widgets.find((w) => w.definition.title === 'Field health')?.definition.widgets as Widget[]).find((w) => w.definition.type === type) as Widget;
    const Q = QUALITY_NAMESPACE;
    expectProblem(mutate((d) => setQuery(fieldHealth(d, 'toplist'), `max:${Q}missing_ratio_change${ALG.replace('}', ',$field}')} by {field}`)), /ignores \$baseline/);
    expectProblem(mutate((d) => setQuery(fieldHealth(d, 'toplist'), `max:${Q}missing_ratio${ALG.replace('}', ',$field}')} by {field,baseline}`)), /by baseline, a tag it does not carry/);
    expectProblem(mutate((d) => setQuery(fieldHealth(d, 'toplist'), `max:${Q}missing_share${ALG.replace('}', ',$field}')} by {field}`)), /missing_share, which metadata\.csv does not list/);
    expectProblem(mutate((d) => setQuery(fieldHealth(d, 'timeseries'), `max:${Q}missing_ratio${ALG} by {field}`)), /ignores \$field/);
    expectProblem(mutate((d) => setQuery(fieldHealth(d, 'timeseries'), `max:${Q}missing_ratio${ALG.replace('}', ',$field}')} by {field}.as_count()`)), /as_count\(\) on algorithmia\.quality\.missing_ratio, which is a gauge/);
    expectProblem(mutate((d) => setQuery(fieldHealth(d, 'timeseries'), `p95:${Q}missing_ratio${ALG.replace('}', ',$field}')} by {field}`)), /needs a distribution/);
  });
});

/* ------------------------------------------------------------------ the monitors */

describe('recommended monitors', () => {
  const byPath = (p: string): Monitor => {
    const m = monitors.find((x) => x.path === p);
    if (!m) throw new Error(`no monitor ${p}`);
    return m.mon;
  };

  it.each(monitors.map((m) => [m.path, m] as const))('%s passes the schema and the monitor rules', (_p, { path, mon }) => {
    expect(checkMonitor(mon, path, monitorCtx)).toEqual([]);
  });

  it('keeps the facts of the original duration monitor and fixes its typo', () => {
    const mon = byPath('assets/monitors/algorithm_duration.json');
    expect(mon).toMatchObject({ title: 'Excessive Algorithm Runtime', created_at: '2020-10-26', definition: { name: '[Algorithmia] Excessive Algorithm Runtime', type: 'query alert' } });
    expect(mon.definition.options.thresholds).toEqual({ critical: 10000, warning: 5000 });
    expect(parseMetricMonitorQuery(mon.definition.query)?.queries.map((q) => q.metric)).toEqual([CHECK_METRIC]);
    expect(JSON.stringify(mon)).not.toMatch(/more that/);
    expect(mon.description).toMatch(/more than 10 seconds/);
  });

  it('watches the forwarder: lag in seconds high, messages rejected, service check critical or silent', () => {
    const metricOf = (p: string) => parseMetricMonitorQuery(byPath(p).definition.query)?.queries.map((q) => q.metric);
    const lag = byPath('assets/monitors/forwarder_consumer_lag.json');
    expect(parseMetricMonitorQuery(lag.definition.query)?.queries).toEqual([
      expect.objectContaining({ aggregator: 'max', metric: TELEMETRY_METRICS.consumerLagSeconds.name, groupBy: ['topic', 'consumer_group'] }),
    ]);
    expect(lag.definition.options.thresholds).toEqual({ critical: 300, warning: 60 });
    expect(metricOf('assets/monitors/forwarder_messages_rejected.json')).toEqual([TELEMETRY_METRICS.messagesRejected.name]);
    expect(byPath('assets/monitors/forwarder_messages_rejected.json').definition.query).toMatch(/\.as_count\(\) > /);
    const sc = byPath('assets/monitors/forwarder_can_connect.json');
    expect(sc.definition.type).toBe('service check');
    expect(parseServiceCheckMonitorQuery(sc.definition.query)?.check).toBe(SERVICE_CHECKS.canConnect.name);
    expect(sc.definition.options).toMatchObject({ notify_no_data: true, no_data_timeframe: expect.any(Number) });
  });

  it('watches model drift: the largest PSI of a version, field and baseline over 15 minutes, 0.25 critical and 0.1 warning', () => {
    const mon = byPath('assets/monitors/inference_drift.json');
    expect(mon.definition.name).toBe('[Algorithmia] Inference drift');
    const q = parseMetricMonitorQuery(mon.definition.query);
    expect(q).toMatchObject({ evaluation: 'max(last_15m)', comparator: '>', threshold: 0.25 });
    expect(q?.queries).toEqual([expect.objectContaining({ aggregator: 'max', metric: DRIFT_METRICS.psi.name, groupBy: ['algorithm_name', 'algorithm_version', 'field', 'baseline'] })]);
    expect(mon.definition.options).toMatchObject({ thresholds: { critical: 0.25, warning: 0.1 }, notify_no_data: false });
    expect([...new Set(messageTagRefs(mon.definition.message))].sort()).toEqual(['algorithm_name', 'algorithm_version', 'baseline', 'field']);
    expect(mon.definition.message).toMatch(/Model drift/);
  });

  it('watches missing inference values: the largest change of the missing ratio of a version, field and baseline over 15 minutes, 0.1 critical and 0.05 warning', () => {
    const mon = byPath('assets/monitors/inference_missing_values.json');
    expect(mon.definition.name).toBe('[Algorithmia] Missing inference values');
    const q = parseMetricMonitorQuery(mon.definition.query);
    expect(q).toMatchObject({ evaluation: 'max(last_15m)', comparator: '>', threshold: 0.1 });
    expect(q?.queries).toEqual([
      expect.objectContaining({ aggregator: 'max', metric: `${QUALITY_NAMESPACE}missing_ratio_change`, groupBy: ['algorithm_name', 'algorithm_version', 'field', 'baseline'] }),
    ]);
    // Healthy fields send nothing (issue 23): no data is not an alert.
    expect(mon.definition.options).toMatchObject({ thresholds: { critical: 0.1, warning: 0.05 }, notify_no_data: false });
    expect([...new Set(messageTagRefs(mon.definition.message))].sort()).toEqual(['algorithm_name', 'algorithm_version', 'baseline', 'field']);
    for (const text of ['absent', 'null', 'trailing', 'previous_version', 'Field health']) expect(mon.definition.message).toContain(text);
  });

  it('watches disparate impact: both sides of 0.8 to 1.25 in one monitor, by algorithm, version, check and group, sustained for 30 minutes', () => {
    const mon = byPath('assets/monitors/fairness_disparate_impact.json');
    expect(mon.definition.name).toBe('[Algorithmia] Disparate impact');
    const q = parseMetricMonitorQuery(mon.definition.query);
    // min over the window with >: every point of the last 30 minutes is outside the band, so one noisy report does not page.
    expect(q).toMatchObject({ evaluation: 'min(last_30m)', comparator: '>' });
    expect(q?.queries).toEqual([
      { aggregator: 'avg', metric: `${FAIRNESS_NAMESPACE}disparate_impact`, scope: ['*'], groupBy: ['algorithm_name', 'algorithm_version', 'check', 'group'], functions: [] },
    ]);
    expect(wrappingFunctions(q?.body ?? '')).toEqual(['abs', 'log10']);
    // The monitor's own arithmetic against the rule itself: a ratio below 0.8 or above 1.25 alerts, the bounds do not.
    const ratios = [0.1, 0.5, 0.79, 0.7999, 0.79999, 0.8, 0.80001, 0.9, 1, 1.1, 1.2499, 1.25, 1.25001, 1.2501, 1.3, 2, 10];
    expect(ratios.map((r) => [r, monitorAlertsAt(mon.definition.query, r)])).toEqual(ratios.map((r) => [r, r < 0.8 || r > 1.25]));
    // Healthy or small groups send no ratio (issue 24): no data is not an alert.
    expect(mon.definition.options).toMatchObject({ thresholds: { critical: q?.threshold }, notify_no_data: false });
    expect(Object.keys(mon.definition.options.thresholds)).toEqual(['critical']);
    expect([...new Set(messageTagRefs(mon.definition.message))].sort()).toEqual(['algorithm_name', 'algorithm_version', 'check', 'group']);
    for (const text of ['0.8', '1.25', 'four-fifths', 'reference', 'min_group_executions', 'ground truth', "Simpson's paradox", 'Fairness']) expect({ text, inMessage: mon.definition.message.includes(text) }).toEqual({ text, inMessage: true });
  });

  it('evaluates the arithmetic around a monitor query, and refuses other shapes (deliberate negatives)', () => {
    const mon = byPath('assets/monitors/fairness_disparate_impact.json');
    const alertsAt = (query: string) => [0.5, 0.8, 1, 1.25, 2].map((r) => monitorAlertsAt(query, r));
    expect(alertsAt(mon.definition.query)).toEqual([true, false, false, false, true]);
    // One side only: the low ratio no longer alerts.
    expect(alertsAt(mon.definition.query.replace(/^min\(last_30m\):abs\((.*)\) >/, 'min(last_30m):$1 >'))).toEqual([false, false, false, false, true]);
    // The rounded threshold 0.0969 alerts at exactly 0.8 and 1.25.
    expect(alertsAt(mon.definition.query.replace(/> [0-9.]+$/, '> 0.0969'))).toEqual([true, true, false, true, true]);
    // log2 instead of log10: the band becomes 0.935 to 1.07.
    expect(monitorAlertsAt(mon.definition.query.replace('log10(', 'log2('), 0.9)).toBe(true);
    expect(monitorAlertsAt(mon.definition.query, 0.9)).toBe(false);
    expect(wrappingFunctions('abs(log10(avg:a.b{*} by {c}))')).toEqual(['abs', 'log10']);
    expect(wrappingFunctions('avg:a.b{*}')).toEqual([]);
    expect(wrappingFunctions('abs(avg:a.b{*} - avg:c.d{*})')).toBeNull();
    expect(wrappingFunctions('exp(avg:a.b{*})')).toBeNull();
    expect(wrappingFunctions('abs(avg:a.b{*}) * 2')).toBeNull();
    expect(monitorAlertsAt('avg:a.b{*} > 1', 2)).toBeUndefined();
  });

  it('watches the volume of each algorithm with anomalies(): executions per algorithm (all versions), both directions, a stop counted as 0', () => {
    const mon = byPath('assets/monitors/algorithm_executions_anomaly.json');
    expect(mon.definition.type).toBe('query alert');
    const q = parseAnomalyMonitorQuery(mon.definition.query);
    expect(q).not.toBeNull();
    if (!q) return;
    // The count of duration_milliseconds values is the number of executions.
    expect(q.queries).toEqual([{ aggregator: 'count', metric: CHECK_METRIC, scope: ['*'], groupBy: ['algorithm_name'], functions: ['as_count'] }]);
    expect(metadata.get(CHECK_METRIC)?.description).toContain(DISTRIBUTION_PHRASE);
    // Per algorithm, not per version: a release moves executions from one version to the next.
    expect(q.queries[0].groupBy).not.toContain('algorithm_version');
    // A stop and a flood both alert; a stop is zeros, not missing data.
    expect(q.params).toMatchObject({ direction: 'both', count_default_zero: 'true' });
    expect(['agile', 'robust']).toContain(q.algorithm);
    expect(q.params.seasonality).toBe('weekly');
    expect(q.deviations).toBeGreaterThanOrEqual(2);
    const alertWindow = timeframeSeconds(q.params.alert_window) ?? 0;
    expect(alertWindow).toBeGreaterThanOrEqual(15 * 60);
    expect(mon.definition.options.threshold_windows).toEqual({ trigger_window: q.params.alert_window, recovery_window: q.params.alert_window });
    expect(mon.definition.options.thresholds).toEqual({ critical: q.threshold, critical_recovery: 0 });
    expect(mon.definition.options.notify_no_data).toBe(false);
    expect([...new Set(messageTagRefs(mon.definition.message))]).toEqual(['algorithm_name']);
  });

  it('reports broken anomaly monitors (deliberate negatives)', () => {
    const base = byPath('assets/monitors/algorithm_executions_anomaly.json');
    const bad = (f: (m: Monitor) => void) => {
      const c = clone(base);
      f(c);
      return checkMonitor(c, 'x.json', monitorCtx);
    };
    const query = (from: string | RegExp, to: string) => (m: Monitor) => (m.definition.query = m.definition.query.replace(from, to));
    const options = (m: Monitor) => m.definition.options as Required<Monitor['definition']['options']>;
    expect(bad(() => undefined)).toEqual([]);
    expectProblem(bad(query("'agile'", "'fancy'")), /algorithm fancy is not one of/);
    expectProblem(bad(query(", seasonality='weekly'", '')), /agile needs seasonality/);
    expectProblem(bad(query("'agile'", "'basic'")), /seasonality is not a parameter of basic/);
    expectProblem(bad(query("seasonality='weekly'", "seasonality='monthly'")), /needs seasonality/);
    expectProblem(bad(query("seasonality='weekly'", "seasonality='hourly', timezone='europe/paris'")), /timezone/);
    expectProblem(bad(query("direction='both'", "direction='sideways'")), /direction must be one of/);
    expectProblem(bad(query("count_default_zero='true'", "count_default_zero='yes'")), /count_default_zero/);
    expectProblem(bad(query("interval=300", 'interval=600')), /interval 600 s is more than a fifth of alert_window last_30m/);
    expectProblem(bad(query("interval=300", 'interval=0')), /interval must be a positive number/);
    expectProblem(bad(query("interval=300", "interval=300, bounds='x'")), /unknown parameter bounds/);
    expectProblem(bad(query('avg(last_4h)', 'avg(last_15m)')), /query window last_15m is shorter than alert_window last_30m/);
    expectProblem(bad(query('avg(last_4h)', 'max(last_4h)')), /Datadog writes avg/);
    expectProblem(bad(query(', 3, ', ', 0, ')), /deviations/);
    expectProblem(bad(query('>= 1', '> 1')), /comparator must be >=/);
    expectProblem(bad(query('>= 1', '>= 0.9')), /query threshold 0\.9 differs from options\.thresholds\.critical 1/);
    expectProblem(bad((m) => (query('>= 1', '>= 2')(m), (m.definition.options.thresholds.critical = 2))), /threshold 2 is not a fraction/);
    expectProblem(bad(query("'agile', 3,", '3,')), /cannot parse the anomaly monitor query/);
    expectProblem(bad((m) => delete (m.definition.options as Record<string, unknown>).threshold_windows), /needs options\.threshold_windows/);
    expectProblem(bad((m) => (options(m).threshold_windows.trigger_window = 'last_1h')), /trigger_window last_1h differs from alert_window last_30m/);
    expectProblem(bad((m) => delete (options(m).threshold_windows as Partial<Record<string, string>>).recovery_window), /recovery_window/);
    expectProblem(bad((m) => (options(m).threshold_windows.recovery_window = '30m')), /recovery_window/);
    expectProblem(
      bad((m) => (query('>= 1', '>= 0.5')(m), (m.definition.options.thresholds.critical = 0.5), (options(m).threshold_windows.recovery_window = 'last_15m'))),
      /recovery_window last_15m is shorter than trigger_window x \(1 - critical\) \+ 1 minute/,
    );
    expectProblem(bad((m) => (m.definition.options.thresholds.critical_recovery = 1)), /critical_recovery 1 is not below critical 1/);
    expectProblem(bad((m) => (m.definition.options.thresholds.warning = 1)), /warning 1 is not below critical 1/);
    expectProblem(bad((m) => (m.definition.options.thresholds.warning_recovery = 0)), /warning_recovery needs a warning above it/);
    expectProblem(bad((m) => (m.definition.options.thresholds.ok = 0)), /thresholds\.ok is not an anomaly monitor threshold/);
    expectProblem(bad((m) => (m.definition.options.thresholds.critical_recovery = -0.5)), /critical_recovery -0\.5 is not a fraction/);
    expectProblem(bad(query('duration_milliseconds', 'risk_score')), /risk_score, which metadata\.csv does not list/);
    expectProblem(bad(query('by {algorithm_name}', 'by {algorithm_name,topic}')), /by topic, a tag it does not carry/);
    expectProblem(bad(query('count:algorithmia.duration_milliseconds', 'count:algorithmia.forwarder.consumer_lag')), /count: needs a distribution/);
    expectProblem(bad((m) => (m.definition.message += ' {{algorithm_version.name}}')), /does not group by algorithm_version/);
    // threshold_windows belong to anomaly monitors only.
    const threshold = clone(byPath('assets/monitors/algorithm_duration.json'));
    threshold.definition.options.threshold_windows = { trigger_window: 'last_5m', recovery_window: 'last_5m' };
    expectProblem(checkMonitor(threshold, 'x.json', monitorCtx), /threshold_windows belong to anomaly monitors only/);
    expectProblem(bad((m) => ((options(m).threshold_windows as Record<string, string>).evaluation_window = 'last_5m')), /additional/);
  });

  it('reports broken monitors (deliberate negatives)', () => {
    const base = byPath('assets/monitors/algorithm_duration.json');
    const scBase = byPath('assets/monitors/forwarder_can_connect.json');
    const bad = (f: (m: Monitor) => void, from = base) => {
      const c = clone(from);
      f(c);
      return checkMonitor(c, 'x.json', monitorCtx);
    };
    expectProblem(bad((m) => (m.definition.options.thresholds.critical = 9000)), /differs from options\.thresholds\.critical/);
    expectProblem(bad((m) => (m.definition.options.thresholds.warning = 20000)), /near side/);
    expectProblem(bad((m) => (m.tags = ['team:ml'])), /integration:algorithmia/);
    expectProblem(bad((m) => (m.definition.name = 'Excessive Algorithm Runtime')), /name/);
    expectProblem(bad((m) => (m.description = 'x'.repeat(300))), /description/);
    expectProblem(bad((m) => (m.title = 'Slow {{algorithm_name.name}}')), /title/);
    expectProblem(bad((m) => ((m.definition as unknown as Record<string, number>).id = 24564256)), /id/);
    expectProblem(bad((m) => (m.last_updated_at = '2019-01-01')), /before created_at/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('duration_milliseconds', 'risk_score'))), /risk_score, which metadata\.csv does not list/);
    expectProblem(bad((m) => (m.definition.message += ' {{topic.name}}')), /does not group by topic/);
    expectProblem(bad((m) => (m.definition.query = 'avg:algorithmia.duration_milliseconds{*} > 10000')), /cannot parse/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('by("topic","consumer_group")', 'by("host")')), scBase), /by host, a tag it does not carry/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('algorithmia.can_connect', 'algorithmia.up')), scBase), /not in service_checks\.json/);
    expectProblem(bad((m) => (m.definition.options.thresholds.critical = 5), scBase), /exceeds last\(3\)/);
    expectProblem(bad((m) => delete (m.definition.options as Record<string, unknown>).no_data_timeframe, scBase), /no_data_timeframe/);
    const driftBase = byPath('assets/monitors/inference_drift.json');
    expectProblem(bad((m) => (m.definition.message += ' {{baseline_version.name}}'), driftBase), /does not group by baseline_version/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('> 0.25', '> 0.3')), driftBase), /differs from options\.thresholds\.critical/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('field,baseline', 'field,baseline,topic')), driftBase), /by topic, a tag it does not carry/);
    const missingBase = byPath('assets/monitors/inference_missing_values.json');
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('> 0.1', '> 0.2')), missingBase), /differs from options\.thresholds\.critical/);
    expectProblem(bad((m) => (m.definition.options.thresholds.warning = 0.2), missingBase), /near side/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('field,baseline', 'field,baseline,reason')), missingBase), /by reason, a tag it does not carry/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('missing_ratio_change', 'missing_share')), missingBase), /missing_share, which metadata\.csv does not list/);
    expectProblem(bad((m) => (m.definition.message += ' {{reason.name}}'), missingBase), /does not group by reason/);
    const fairnessBase = byPath('assets/monitors/fairness_disparate_impact.json');
    expect(bad(() => undefined, fairnessBase)).toEqual([]);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace(/> [0-9.]+$/, '> 0.0969')), fairnessBase), /differs from options\.thresholds\.critical/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('check,group', 'check,group,reason')), fairnessBase), /by reason, a tag it does not carry/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace('disparate_impact', 'equal_opportunity')), fairnessBase), /equal_opportunity, which metadata\.csv does not list/);
    expectProblem(bad((m) => (m.definition.query = m.definition.query.replace(' by {algorithm_name,algorithm_version,check,group}', ' by {algorithm_name,algorithm_version}')), fairnessBase), /does not group by check/);
    expectProblem(bad((m) => (m.definition.options.thresholds.warning = 0.2), fairnessBase), /near side/);
  });
});

/* ------------------------------------------------------------------ README.md */

describe('README.md', () => {
  it('passes the readme rules: ASCII, no Logs section, the sections the tile points at, the two first commands', () => {
    expect(checkReadme(readme, readmeCtx)).toEqual([]);
  });

  it('documents every metric of metadata.csv with its type and unit', () => {
    for (const r of rows) {
      const line = readme.split('\n').find((l) => l.startsWith(`| \`${r.metric_name}\` |`));
      expect({ metric: r.metric_name, line }).toEqual({ metric: r.metric_name, line: expect.any(String) });
      const cells = (line ?? '').split('|').map((c) => c.trim());
      const type = r.description.includes(DISTRIBUTION_PHRASE) ? 'gauge (distribution)' : r.metric_type;
      expect(cells[2]).toBe(type);
      expect(cells[3]).toBe(r.per_unit_name ? `${r.unit_name} per ${r.per_unit_name}` : r.unit_name);
    }
  });

  it('documents the service check, every rejection and drop reason, and every monitor', () => {
    const section = (title: string) => readme.split(/^### /m).find((s) => s.startsWith(title + '\n')) ?? '';
    for (const sc of serviceChecks) expect(section('Service Checks')).toContain(`\`${sc.check}\``);
    for (const r of [...REJECT_REASONS, ...DROP_REASONS]) expect(section('Metrics')).toContain(`\`${r}\``);
    for (const path of Object.values(manifest.assets.monitors ?? {})) expect(readme).toContain(`\`${path.split('/').pop()}\``);
    expect(section('Events')).toMatch(/does not include any events/);
  });

  it('states the settings and commands the check process really has', () => {
    const props = configSchema.properties.instances.items.properties;
    for (const [key, v] of Object.entries(props.dogstatsd.properties)) {
      const env = (v as { 'x-env'?: string })['x-env'];
      if (env) expect(readme).toContain(`| \`${env}\` | \`dogstatsd.${key}\` |`);
    }
    for (const v of ['DD_ENV', 'DD_TAGS', 'DD_SERVICE', 'DD_VERSION']) expect(readme).toContain(`\`${v}\``);
    for (const c of ['run -c FILE', 'validate -c FILE', 'print-config -c FILE', 'run --dry-run']) expect(readme).toContain(`algorithmia-insights ${c}`);
    expect(readme).toContain('/etc/algorithmia-insights/conf.yaml');
    const mentioned = [...readme.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    const instanceKeys = Object.keys(props);
    for (const k of ['tag_request_id', 'tag_session_id', 'metric_types', 'default_metric_type', 'max_message_bytes', 'dead_letter_topic', 'use_message_time', 'prefix'])
      expect({ k, known: instanceKeys.includes(k), mentioned: mentioned.includes(k) }).toEqual({ k, known: true, mentioned: true });
  });

  it('has configuration examples that the config schema accepts', () => {
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(0);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(configSchema);
    for (const b of blocks) {
      const ok = validate(parseYaml(b));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('reports a broken README (deliberate negatives)', () => {
    expectProblem(checkReadme(readme.replace('## Overview', '## Overview \u2014 intro'), readmeCtx), /non-ASCII/);
    expectProblem(checkReadme(readme + '\n## Logs\n\nNone.\n', readmeCtx), /# logs/);
    expectProblem(checkReadme(readme + '\n```sh\n# log collection\n```\n', readmeCtx), /# log collection/);
    expectProblem(checkReadme(readme.replace('## Support', '## Help'), readmeCtx), /no H2 "Support"/);
    expectProblem(checkReadme(readme.replace('npm run demo', 'npm run broker'), readmeCtx), /first code block/);
    expectProblem(checkReadme(readme.replace(/## Overview\n[\s\S]*?(?=## Setup)/, '## Overview\n\n'), readmeCtx), /## Overview has no content/);
    expect(markdownHeadings('# A\n```\n## not a heading\n```\n## B\n')).toEqual([
      { level: 1, title: 'A' },
      { level: 2, title: 'B' },
    ]);
  });
});

/* ------------------------------------------------------------------ CHANGELOG.md */

describe('CHANGELOG.md', () => {
  const changelog = readText(manifest.tile.changelog);
  it("is in Datadog's style, newest first, starting at the package version", () => {
    expect(changelog.startsWith('# CHANGELOG - Algorithmia\n')).toBe(true);
    const entries = [...changelog.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(entries.length).toBeGreaterThan(0);
    expect(changelogEntryProblems(entries, readJson<{ version: string }>('package.json').version)).toEqual([]);
    expect(entries[1]).toBe(`${readJson<{ version: string }>('package.json').version} / 2026-11-25`);
    const sections = [...changelog.matchAll(/^\*\*\*(.+)\*\*\*:$/gm)].map((m) => m[1]);
    expect(sections).toContain('Added');
    for (const s of sections) expect(['Added', 'Fixed', 'Changed', 'Removed', 'Security', 'Deprecated']).toContain(s);
    expect([...changelog].filter((c) => c.charCodeAt(0) > 0x7e)).toEqual([]);
  });
  it('accepts exactly an unreleased entry above the package version, then dated entries (deliberate negatives)', () => {
    const dated = ['1.0.0 / 2026-11-25', '0.9.0 / 2026-10-01'];
    expect(changelogEntryProblems(['1.1.0 / Unreleased', ...dated], '1.0.0')).toEqual([]);
    expect(changelogEntryProblems(['2.0.0 / Unreleased', ...dated], '1.0.0')).toEqual([]);
    expectProblem(changelogEntryProblems(dated, '1.0.0'), /first entry .*Unreleased/);
    expectProblem(changelogEntryProblems(['1.1.0 / unreleased', ...dated], '1.0.0'), /first entry .*Unreleased/);
    expectProblem(changelogEntryProblems(['1.1.0 / TBD', ...dated], '1.0.0'), /first entry .*Unreleased/);
    expectProblem(changelogEntryProblems(['1.0.0 / Unreleased', ...dated], '1.0.0'), /not above the package version/);
    expectProblem(changelogEntryProblems(['1.1.0 / Unreleased', '0.9.0 / 2026-10-01'], '1.0.0'), /followed by "1\.0\.0 \/ <date>"/);
    expectProblem(changelogEntryProblems(['1.1.0 / Unreleased', '1.0.0 / 2026-11-25', '0.9.0 / Unreleased'], '1.0.0'), /0\.9\.0 \/ Unreleased/);
  });
});

/* ------------------------------------------------------------------ datagrams against the metadata */

describe('datagram audit (for lines captured from a real run)', () => {
  /** The mapping stage with the configuration's defaults. */
  const defaultMapper = (): Mapper => {
    const defaults = configSchema.properties.instances.items.properties;
    return new Mapper(
      {
        prefix: defaults.prefix.default,
        defaultType: defaults.default_metric_type.default,
        types: {},
        tagRequestId: false,
        tagSessionId: false,
        useMessageTime: false,
        allow: [],
        deny: [],
        staticTags: [],
        maxAgeSeconds: 3600,
      },
      new CardinalityGuard({ maxAlgorithms: 1000, maxNamesPerAlgorithm: 50, maxVersionsPerAlgorithm: 50, windowMs: 3_600_000 }),
    );
  };
  const ctx: DatagramContext = { prefix: PREFIX, telemetryPrefix: TELEMETRY_PREFIX, listedFields: new Set([CHECK_METRIC]), metadata, serviceChecks: serviceCheckMap };
  const code = { count: 'c', gauge: 'g', distribution: 'd' } as const;
  const good = [
    `${CHECK_METRIC}:8|d|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli`,
    `${PREFIX}risk_score:0.2|d|#algorithm_name:credit_card_approval`,
    'datadog.dogstatsd.client.metrics:3|c|#client:nodejs',
    ...Object.values(TELEMETRY_METRICS).map((m) => `${m.name}:1|${code[m.kind]}|#topic:insights,consumer_group:g`),
    `${DRIFT_METRICS.psi.name}:0.31|g|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,field:risk_score,baseline:trailing`,
    `${QUALITY_NAMESPACE}missing_ratio:0.4|g|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,field:income`,
    `${QUALITY_NAMESPACE}missing_ratio_change:0.38|g|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,field:income,baseline:trailing`,
    `${QUALITY_NAMESPACE}invalid_values:20|c|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,field:income,reason:null`,
    ...FAIRNESS_METRICS.map((m) => `${m.name}:0.3|g|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,check:approval_by_age,outcome:approved,group_field:age_band,group:under_25`),
    `${FAIRNESS_SKIPPED.name}:2|c|#topic:insights,consumer_group:g,reason:group_missing`,
    `_sc|${SERVICE_CHECKS.canConnect.name}|0|#topic:insights,consumer_group:g`,
    `_sc|${SERVICE_CHECKS.canConnect.name}|2|#topic:insights|m:connect ECONNREFUSED 127.0.0.1:9092|#still message`,
  ];

  it('accepts what the check process sends', () => {
    expect(auditDatagrams(good, ctx)).toEqual([]);
    expect(parseDogStatsDLine(good[good.length - 1])).toMatchObject({ kind: 'service_check', status: 2, tags: ['topic:insights'] });
  });

  it('accepts the lines the real telemetry and mapping code produce with the default configuration', () => {
    const telemetry = new ForwarderTelemetry('topic:insights,consumer_group:algorithmia-insights-datadog,service:aik,version:1.0.0');
    telemetry.consumed(0, 3);
    for (const r of REJECT_REASONS) telemetry.rejected(r);
    for (const r of DROP_REASONS) telemetry.dropped(r);
    telemetry.emitted(5);
    telemetry.tagOverflow('algorithm_version');
    telemetry.deadLettered(1);
    telemetry.datagrams(4, 1);
    telemetry.committed();
    telemetry.commitFailed();
    telemetry.batchDuration(12.5);
    telemetry.setLag(0, 42);
    telemetry.setLagSeconds(0, 12.345);
    telemetry.failure('send', 'SINK_SEND');
    telemetry.drift(12, 3);
    telemetry.fairnessSkips('group_missing', 2);
    const lines = [...telemetry.drainLines({ status: 0 }), ...telemetry.drainLines({ status: 2, message: 'connect ECONNREFUSED' })];

    const mapper = defaultMapper();
    // The message as Algorithmia documents it (shared/reference/upstream-assets/insights-sample-message.json).
    const sample = {
      risk_score: 0.2,
      duration_milliseconds: 8,
      algorithm_version: '1.0.6',
      session_id: 'rses-f28bb94a-5556-4aeb-a6d2-89493626bf4f',
      time: '2021-02-20T00:21:54.867231',
      algorithm_name: 'credit_card_approval',
      request_id: 'req-9f5345b4-a1cd-431c-a43a-bd2a06f4a6f4',
      algorithm_owner: 'asli',
      // A user field that would emit into the drift namespace is dropped as reserved.
      'drift.psi': 0.9,
    };
    const drops: string[] = [];
    mapper.map(sample, Date.now(), {
      point: (name, value, type, tagString, ts) => lines.push(formatLine(name, value, type, tagString, ts)),
      drop: (reason) => drops.push(reason),
      overflow: () => undefined,
    });
    expect(drops).toEqual(['reserved']);
    // A drift score as the drift reporter writes it: a gauge, never stamped.
    lines.push(formatLine(DRIFT_METRICS.psi.name, 0.31, 'gauge', 'algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,field:risk_score,baseline:trailing'));
    // Field health as issue 23 defines it: two gauges and a count, with the line format of every report.
    const version = 'algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,field:income';
    for (const m of FIELD_HEALTH_METRICS) {
      const extra = m.tags.includes('reason') ? ',reason:non_numeric' : m.tags.includes('baseline') ? ',baseline:previous_version,baseline_version:1.0.5' : '';
      lines.push(formatLine(m.name, 0.2, m.kind, version + extra));
    }

    // Fairness as issue 24 defines it: three gauges per check and group, and the forwarder's count of executions left out.
    const fairness = 'algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli,check:approval_by_age,outcome:approved,group_field:age_band,group:under_25';
    for (const m of FAIRNESS_METRICS) lines.push(formatLine(m.name, 0.44, m.kind, fairness));
    lines.push(formatLine(FAIRNESS_SKIPPED.name, 3, FAIRNESS_SKIPPED.kind, 'topic:insights,consumer_group:algorithmia-insights-datadog,reason:outcome_missing'));

    const emitted = new Set(lines.map((l) => parseDogStatsDLine(l)?.name));
    for (const m of [...Object.values(TELEMETRY_METRICS), ...Object.values(DRIFT_METRICS), ...FIELD_HEALTH_METRICS, ...FAIRNESS_METRICS, FAIRNESS_SKIPPED]) expect(emitted).toContain(m.name);
    expect(emitted).toContain(CHECK_METRIC);
    expect(emitted).toContain(SERVICE_CHECKS.canConnect.name);
    expect(auditDatagrams(lines, ctx)).toEqual([]);
  });

  // Fails while the mapping does not reserve algorithmia.quality. and algorithmia.fairness. (added with the field health code).
  it('drops user fields that would emit into a model-monitoring namespace as reserved, so every name there is ours', () => {
    const drops: string[] = [];
    const points: string[] = [];
    const message = { algorithm_name: 'credit_card_approval', algorithm_version: '1.0.6', duration_milliseconds: 8, 'drift.psi': 0.9, 'quality.score': 0.7, 'fairness.ratio': 1.1 };
    defaultMapper().map(message, Date.now(), { point: (name) => points.push(name), drop: (reason) => drops.push(reason), overflow: () => undefined });
    expect({ drops, points }).toEqual({ drops: ['reserved', 'reserved', 'reserved'], points: [CHECK_METRIC] });
  });

  it('reports metrics, types and service checks the assets do not document (deliberate negatives)', () => {
    expectProblem(auditDatagrams([`${TELEMETRY_PREFIX}new_counter:1|c`], ctx), /new_counter was emitted but metadata\.csv does not list it/);
    expectProblem(auditDatagrams([`${DRIFT_NAMESPACE}ks:0.1|g`], ctx), /drift\.ks was emitted but metadata\.csv does not list it/);
    expectProblem(auditDatagrams([`${DRIFT_NAMESPACE}ks:0.1|g`], { ...ctx, prefix: 'ml.' }), /drift\.ks was emitted but metadata\.csv does not list it/);
    expectProblem(auditDatagrams([`${QUALITY_NAMESPACE}share:0.1|g`], { ...ctx, prefix: 'ml.' }), /quality\.share was emitted but metadata\.csv does not list it/);
    expectProblem(auditDatagrams([`${FAIRNESS_NAMESPACE}equal_opportunity:0.3|g`], ctx), /fairness\.equal_opportunity was emitted but metadata\.csv does not list it/);
    expectProblem(auditDatagrams([`${FAIRNESS_NAMESPACE}equal_opportunity:0.3|g`], { ...ctx, prefix: 'ml.' }), /fairness\.equal_opportunity was emitted but metadata\.csv does not list it/);
    expectProblem(auditDatagrams([`${FAIRNESS_NAMESPACE}disparate_impact:1.1|c`], ctx), /disparate_impact was emitted as a count/);
    expectProblem(auditDatagrams([`${FAIRNESS_SKIPPED.name}:1|g`], ctx), /executions_skipped was emitted as a gauge/);
    expectProblem(auditDatagrams([`${QUALITY_NAMESPACE}missing_ratio:0.1|c`], ctx), /missing_ratio was emitted as a count/);
    expectProblem(auditDatagrams([`${QUALITY_NAMESPACE}invalid_values:3|g`], ctx), /invalid_values was emitted as a gauge/);
    expectProblem(auditDatagrams([`${DRIFT_METRICS.psi.name}:0.1|d`], ctx), /psi is a distribution but its description does not say so/);
    expectProblem(auditDatagrams([`${TELEMETRY_METRICS.consumerLag.name}:1|c`], ctx), /emitted as a count/);
    expectProblem(auditDatagrams([`${TELEMETRY_METRICS.messagesConsumed.name}:1|g`], ctx), /emitted as a gauge/);
    expectProblem(auditDatagrams([`${CHECK_METRIC}:1|g`], ctx), /distribution/);
    expectProblem(auditDatagrams([`${CHECK_METRIC}:1|h`], ctx), /histogram/);
    expectProblem(auditDatagrams([`_sc|${SERVICE_CHECKS.canConnect.name}|1`], ctx), /status warning, not declared/);
    expectProblem(auditDatagrams(['_sc|algorithmia.up|0'], ctx), /algorithmia\.up is not in service_checks\.json/);
    expectProblem(auditDatagrams(['_e{5,4}:title|text'], ctx), /event/);
    expectProblem(auditDatagrams(['garbage'], ctx), /unparseable/);
  });
});
