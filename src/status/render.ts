/**
 * `status`'s text form, in the manner of `datadog-agent status`: a block per instance with
 * headings and aligned `key: value` lines, counts only (`--json` has the detail); and the exit
 * status: 0 when every instance is healthy, 1 when one is not, 3 when no process answered.
 */
import type { Attempt } from './client';
import type { CounterSet, InstanceStatus, StatusReply } from './protocol';

export const EXIT_HEALTHY = 0;
export const EXIT_UNHEALTHY = 1;
export const EXIT_NO_PROCESS = 3;

export function exitCodeOf(reply: StatusReply): number {
  return reply.instances.every((i) => i.kafka.healthy) ? EXIT_HEALTHY : EXIT_UNHEALTHY;
}

/** Rows as columns padded to their widest cell (the last column unpadded), each line indented. */
export function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

/** `key: value` lines with the values aligned. */
function fields(pairs: readonly (readonly [string, string])[], indent: string): string[] {
  return table(
    pairs.map(([k, v]) => [`${k}:`, v]),
    indent,
  );
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = d > 0 ? [`${d}d`, `${h}h`, `${m}m`] : h > 0 ? [`${h}h`, `${m}m`, `${s % 60}s`] : m > 0 ? [`${m}m`, `${s % 60}s`] : [`${s}s`];
  return parts.join(' ');
}

const n = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(v));
/** ` (null 3, non_numeric 2)`: the reasons that occurred, or nothing. */
const byReason = (r: Record<string, number>) => {
  const parts = Object.entries(r)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
};

function counterRows(total: CounterSet, minute: CounterSet): string[][] {
  const rows: string[][] = [];
  const row = (label: string, a: number, b: number) => rows.push([label, String(a), String(b)]);
  const byKey = (a: Record<string, number>, b: Record<string, number>) => {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) row(`  ${k}`, a[k] ?? 0, b[k] ?? 0);
  };
  row('messages consumed', total.messages_consumed, minute.messages_consumed);
  row('messages rejected', total.messages_rejected, minute.messages_rejected);
  byKey(total.rejected_by_reason, minute.rejected_by_reason);
  row('values sent', total.values_sent, minute.values_sent);
  row('values dropped', total.values_dropped, minute.values_dropped);
  byKey(total.dropped_by_reason, minute.dropped_by_reason);
  row('dead-lettered', total.dead_lettered, minute.dead_lettered);
  row('offset commits', total.commits, minute.commits);
  row('commit errors', total.commit_errors, minute.commit_errors);
  const errors = (c: CounterSet) => Object.values(c.errors).reduce((x, y) => x + y, 0);
  row('errors', errors(total), errors(minute));
  byKey(total.errors, minute.errors);
  return rows;
}

/** The health's cause ({key, message, since, ...}) as "message (key) since TIME"; anything else as it is. */
function describeCause(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  const c = cause as { key?: unknown; message?: unknown; since?: unknown } | null;
  if (c && typeof c.message === 'string') return `${c.message}${typeof c.key === 'string' ? ` (${c.key})` : ''}${typeof c.since === 'string' ? ` since ${c.since}` : ''}`;
  return JSON.stringify(cause);
}

export function renderInstance(i: InstanceStatus): string[] {
  const out = [i.name, '='.repeat(i.name.length), '', '  Kafka'];
  const kafka: [string, string][] = [
    ['state', i.kafka.state],
    ['health', i.kafka.healthy ? 'OK' : `NOT OK: ${i.kafka.message ?? 'unknown'}`],
  ];
  if (i.kafka.cause !== undefined) kafka.push(['cause', describeCause(i.kafka.cause)]);
  if (i.kafka.last_error) kafka.push(['last error', `${i.kafka.last_error.code} at ${i.kafka.last_error.at}`]);
  kafka.push(['topic', i.topic], ['consumer group', i.consumer_group], ['brokers', i.brokers.join(', ')]);
  out.push(...fields(kafka, '    '), '');
  if (i.partitions === null) out.push('  Partitions: none yet (not in the consumer group)');
  else {
    out.push(`  Partitions: ${i.partitions.length} owned`);
    if (i.partitions.length > 0) {
      out.push(...table([['partition', 'lag (messages)', 'lag (seconds)'], ...i.partitions.map((p) => [String(p.partition), n(p.lag_messages), n(p.lag_seconds)])], '    '));
    }
  }
  out.push('');
  const newest = i.newest_message ? `${i.newest_message.time} (${i.newest_message.age_seconds} s ago)` : 'none yet';
  out.push(...fields([['Newest message', newest]], '  '), '');
  const minute = i.counters.last_minute;
  out.push('  Counters');
  out.push(...table([['', 'since start', `last ${minute.window_seconds} s`], ...counterRows(i.counters.since_start, minute)], '    '), '');
  out.push('  DogStatsD');
  out.push(
    ...fields(
      [
        ['target', i.dogstatsd.target],
        ['datagrams sent', String(i.dogstatsd.datagrams_sent)],
        ['send errors', String(i.dogstatsd.send_errors)],
      ],
      '    ',
    ),
    '',
  );
  const drift = i.monitoring.drift;
  const health = i.monitoring.field_health;
  const rows: Array<[string, string]> = drift.enabled
    ? [
        ['drift series tracked', n(drift.series_tracked)],
        ['drift values untracked', String(drift.values_untracked)],
      ]
    : [['drift', 'disabled']];
  if (health?.enabled === true)
    rows.push(['fields with missing values', n(health.series_reporting)], ['invalid values', `${health.invalid_values}${byReason(health.invalid_by_reason)}`]);
  else if (health !== undefined) rows.push(['field health', 'disabled']);
  const fair = i.monitoring.fairness;
  if (fair?.enabled === true)
    rows.push(
      ['fairness checks', String(fair.checks)],
      ['fairness groups reporting', n(fair.groups_reporting)],
      ['disparate impact outside 0.8-1.25', n(fair.outside_four_fifths)],
      ['executions left out of checks', `${fair.executions_skipped}${byReason(fair.skipped_by_reason)}`],
    );
  out.push('  Model monitoring');
  out.push(...fields(rows, '    '));
  return out;
}

export function renderStatus(reply: StatusReply, socketPath: string): string {
  const title = 'algorithmia-insights status';
  const head = [title, '='.repeat(title.length), ''];
  head.push(
    ...fields(
      [
        ['pid', String(reply.pid)],
        ['up', `${duration(reply.uptime_seconds)} (since ${reply.started_at})`],
        ['config', reply.config_file],
        ['socket', socketPath],
      ],
      '  ',
    ),
    '',
  );
  const blocks = reply.instances.map((i) => renderInstance(i).join('\n'));
  return `${[head.join('\n'), ...blocks].join('\n')}\n`;
}

export function renderNoProcess(configFile: string, attempts: readonly Attempt[]): string {
  const lines = [`No running algorithmia-insights process answered for ${configFile}. Looked at:`];
  lines.push(...table(attempts.map((a) => [a.path, a.outcome]), '  '));
  lines.push('Is the check running with this configuration (systemctl status algorithmia-insights)? Run `status` as its user or root.');
  return `${lines.join('\n')}\n`;
}
