/**
 * Small parsers for the Datadog query strings found in dashboards and monitors: enough to
 * know which metrics a query reads, with which space aggregator, scope, grouping and
 * functions, and which threshold a monitor compares against.
 */

export interface MetricQuery {
  /** Space aggregator before the metric (`avg`, `sum`, `count`, `p95`, ...), if any. */
  aggregator?: string;
  metric: string;
  /** The `{...}` scope split on commas (`*`, `$env`, `topic:insights`, ...). */
  scope: string[];
  /** The tag keys of `by {...}`. */
  groupBy: string[];
  /** Functions chained after the query, e.g. `as_rate`, `as_count`, `rollup`. */
  functions: string[];
}

const AGGREGATORS = new Set(['avg', 'sum', 'min', 'max', 'count']);
const PERCENTILE = /^p([0-9]{1,2}(\.[0-9]+)?|100)$/;
export const isSpaceAggregator = (a: string): boolean => AGGREGATORS.has(a) || PERCENTILE.test(a);
export const isPercentile = (a: string | undefined): boolean => a !== undefined && PERCENTILE.test(a);

// aggregator:metric{scope} [by {tags}] [.fn(...)...]. A metric name is directly followed by `{`.
const METRIC_QUERY =
  /(?:\b([a-z][a-z0-9.]*):)?([A-Za-z][A-Za-z0-9_.]*)\{([^{}]*)\}(?:\s*by\s*\{([^{}]*)\})?((?:\.[a-z_]+\([^()]*\))*)/g;
const KEYWORDS = new Set(['by']);

const splitList = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

/** Every metric query inside a query string (formulas may hold several, functions may wrap them). */
export function extractMetricQueries(query: string): MetricQuery[] {
  const out: MetricQuery[] = [];
  for (const m of query.matchAll(METRIC_QUERY)) {
    const [, aggregator, metric, scope, groupBy, fns] = m;
    if (KEYWORDS.has(metric)) continue;
    out.push({
      aggregator,
      metric,
      scope: splitList(scope),
      groupBy: splitList(groupBy),
      functions: [...(fns ?? '').matchAll(/\.([a-z_]+)\(/g)].map((f) => f[1]),
    });
  }
  return out;
}

/** Just the metric names. */
export const extractMetrics = (query: string): string[] => extractMetricQueries(query).map((q) => q.metric);

/** `$name` template variable references in a scope or tag list. */
export const templateVariableRefs = (items: string[]): string[] =>
  items.flatMap((s) => [...s.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));

export interface MetricMonitorQuery {
  /** `avg(last_5m)`, `change(min(last_15m),last_15m)`, ... */
  evaluation: string;
  body: string;
  comparator: '>' | '>=' | '<' | '<=' | '==' | '!=';
  threshold: number;
  queries: MetricQuery[];
}

const MONITOR_QUERY =
  /^((?:avg|min|max|sum|last|percentile\(p[0-9]+\))\(last_[0-9]+[mhdw]\)|(?:change|pct_change)\((?:avg|min|max|sum|last)\(last_[0-9]+[mhdw]\),\s*last_[0-9]+[mhdw]\)):(.+?)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?)$/;

/** A metric monitor query (`query alert`), or null when it does not have that shape. */
export function parseMetricMonitorQuery(query: string): MetricMonitorQuery | null {
  // An anomaly query has the same outer shape but other rules (parseAnomalyMonitorQuery).
  if (isAnomalyQuery(query)) return null;
  const m = MONITOR_QUERY.exec(query.trim());
  if (!m) return null;
  return {
    evaluation: m[1],
    body: m[2],
    comparator: m[3] as MetricMonitorQuery['comparator'],
    threshold: Number(m[4]),
    queries: extractMetricQueries(m[2]),
  };
}

export interface ServiceCheckMonitorQuery {
  check: string;
  over: string[];
  by: string[];
  exclude: string[];
  last: number;
  mode: 'count_by_status' | 'pct_by_status';
}

const QUOTED_LIST = '((?:"[^"]*"\\s*,?\\s*)+)';
const SERVICE_CHECK_QUERY = new RegExp(
  `^"([^"]+)"\\.over\\(${QUOTED_LIST}\\)(?:\\.exclude\\(${QUOTED_LIST}\\))?(?:\\.by\\(${QUOTED_LIST}\\))?\\.last\\(([0-9]+)\\)\\.(count_by_status|pct_by_status)\\(\\)$`,
);
const quoted = (s: string | undefined): string[] => [...(s ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1]);

/** A service check monitor query, or null when it does not have that shape. */
export function parseServiceCheckMonitorQuery(query: string): ServiceCheckMonitorQuery | null {
  const m = SERVICE_CHECK_QUERY.exec(query.trim());
  if (!m) return null;
  return {
    check: m[1],
    over: quoted(m[2]),
    exclude: quoted(m[3]),
    by: quoted(m[4]),
    last: Number(m[5]),
    mode: m[6] as ServiceCheckMonitorQuery['mode'],
  };
}

/** Tag keys a monitor message refers to as `{{key.name}}`. */
export const messageTagRefs = (message: string): string[] =>
  [...message.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\.name\s*\}\}/g)].map((m) => m[1]);

/* ------------------------------------------------------------------ anomaly monitors */

/** `last_30m` and the like as seconds, or undefined when it is not such a timeframe. */
export function timeframeSeconds(frame: string): number | undefined {
  const m = /^last_([1-9][0-9]*)([mhdw])$/.exec(frame);
  if (!m) return undefined;
  return Number(m[1]) * { m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 'm' | 'h' | 'd' | 'w'];
}

export interface AnomalyMonitorQuery {
  /** The time aggregation before the colon (Datadog writes `avg`). */
  timeAggregator: string;
  /** `last_4h`: how much history the notification graphs show. */
  queryWindow: string;
  /** The metric query the bands are computed for. */
  metricQuery: string;
  algorithm: string;
  deviations: number;
  /** Named parameters (`direction`, `alert_window`, `interval`, `count_default_zero`, `seasonality`, ...), quotes removed. */
  params: Record<string, string>;
  comparator: MetricMonitorQuery['comparator'];
  threshold: number;
  queries: MetricQuery[];
}

// avg(<query_window>):anomalies(<metric_query>, '<algorithm>', <deviations>, name=value, ...) >= <threshold>
// The metric query may hold commas (scopes, groupings); the algorithm is the one quoted word that
// follows a comma directly (parameter values follow `=`).
const ANOMALY_QUERY =
  /^([a-z]+)\((last_[0-9]+[mhdw])\):anomalies\((.+),\s*'([a-z_]+)',\s*([0-9]+(?:\.[0-9]+)?)((?:\s*,\s*[a-z_]+\s*=\s*(?:'[^']*'|[0-9]+))*)\s*\)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?)$/;

/** True when a monitor query uses Datadog's anomalies() function. */
export const isAnomalyQuery = (query: string): boolean => /^[a-z]+\([^)]*\):\s*anomalies\(/.test(query.trim());

/** An anomaly monitor query, or null when it does not have the documented shape. */
export function parseAnomalyMonitorQuery(query: string): AnomalyMonitorQuery | null {
  const m = ANOMALY_QUERY.exec(query.trim());
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[6].matchAll(/([a-z_]+)\s*=\s*(?:'([^']*)'|([0-9]+))/g)) params[p[1]] = p[2] ?? p[3];
  return {
    timeAggregator: m[1],
    queryWindow: m[2],
    metricQuery: m[3].trim(),
    algorithm: m[4],
    deviations: Number(m[5]),
    params,
    comparator: m[7] as MetricMonitorQuery['comparator'],
    threshold: Number(m[8]),
    queries: extractMetricQueries(m[3]),
  };
}

/* ------------------------------------------------------------------ arithmetic around a monitor's metric query */

/** Datadog's one-argument arithmetic functions (docs: Dashboards > Functions > Arithmetic), as the monitor evaluates them. */
const ARITHMETIC: Record<string, (x: number) => number> = { abs: Math.abs, log10: Math.log10, log2: Math.log2 };

/**
 * The functions a monitor body wraps around its one metric query, outermost first
 * (`abs(log10(avg:x{*} by {a}))` gives ['abs', 'log10']), or null when the body is anything else.
 */
export function wrappingFunctions(body: string): string[] | null {
  const fns: string[] = [];
  let rest = body.trim();
  for (;;) {
    const m = /^([a-z0-9_]+)\((.*)\)$/.exec(rest);
    if (!m || !(m[1] in ARITHMETIC)) break;
    fns.push(m[1]);
    rest = m[2].trim();
  }
  const inner = extractMetricQueries(rest);
  if (inner.length !== 1) return null;
  const q = inner[0];
  // The rest must be exactly that one metric query, nothing around it.
  const exact = `${q.aggregator ? q.aggregator + ':' : ''}${q.metric}{${q.scope.join(',')}}${q.groupBy.length ? ` by {${q.groupBy.join(',')}}` : ''}`;
  return rest.replace(/\s+/g, ' ') === exact || rest.startsWith(exact + '.') ? fns : null;
}

const COMPARE: Record<MetricMonitorQuery['comparator'], (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/**
 * Whether a metric monitor alerts when its metric query reads `value` over the whole window
 * (the functions applied as Datadog does, then compared with the threshold); undefined when
 * the query is not a metric query wrapped in arithmetic functions.
 */
export function monitorAlertsAt(query: string, value: number): boolean | undefined {
  const q = parseMetricMonitorQuery(query);
  const fns = q && wrappingFunctions(q.body);
  if (!q || !fns) return undefined;
  const x = fns.reduceRight((v, f) => ARITHMETIC[f](v), value);
  return COMPARE[q.comparator](x, q.threshold);
}
