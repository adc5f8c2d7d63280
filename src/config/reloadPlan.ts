/**
 * What a reload (SIGHUP) does with each instance: instances are matched by topic, consumer group
 * and brokers; a matched instance whose Kafka settings changed is restarted (drain, commit,
 * leave, join); other changes apply between batches; the rest stop or start. Pure.
 */
import type { InitConfig, ResolvedInstance } from './resolved';

/**
 * Settings that the delivery side alone reads (mapping, tags, drift, DogStatsD): they apply
 * between batches. Any other change (every Kafka setting, and any setting added later unless it
 * is listed here) restarts the instance.
 */
const APPLIED_BETWEEN_BATCHES: ReadonlySet<string> = new Set([
  'index',
  'name',
  'dogstatsd',
  'metricTags',
  'telemetryTags',
  'prefix',
  'default_metric_type',
  'metric_types',
  'tag_request_id',
  'tag_session_id',
  'use_message_time',
  'max_message_bytes',
  'metric_allowlist',
  'metric_denylist',
  'cardinality',
  'drift',
  'worker_thread',
]);

/** init_config settings a reload applies; the others need a restart of the process. */
const INIT_APPLIED: ReadonlySet<string> = new Set(['shutdown_timeout_seconds']);

export type InstanceChange = 'unchanged' | 'apply' | 'restart';

export interface ReloadPlan<T> {
  /** Matched instances: the running one, its next settings, and what changes. */
  matched: Array<{ running: T; next: ResolvedInstance; change: InstanceChange; keys: string[] }>;
  /** Running instances with no match in the new file: drained and stopped. */
  removed: T[];
  /** New instances: started. */
  added: ResolvedInstance[];
  /** init_config keys that changed and apply only at the next start of the process. */
  initNeedsRestart: string[];
}

export function instanceKey(i: ResolvedInstance): string {
  return JSON.stringify([i.topic, i.consumer_group, [...i.kafka_connect_str].sort()]);
}

/** The keys whose values differ between `a` and `b` (compared as JSON values). */
export function changedKeys(a: object, b: object): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  return [...keys].filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k])).sort();
}

export function planReload<T>(running: ReadonlyArray<{ handle: T; settings: ResolvedInstance }>, initNow: InitConfig, next: { init: InitConfig; instances: ResolvedInstance[] }): ReloadPlan<T> {
  const byKey = new Map<string, ResolvedInstance>();
  for (const n of next.instances) if (!byKey.has(instanceKey(n))) byKey.set(instanceKey(n), n);
  const plan: ReloadPlan<T> = { matched: [], removed: [], added: [], initNeedsRestart: [] };
  const taken = new Set<ResolvedInstance>();
  for (const r of running) {
    const n = byKey.get(instanceKey(r.settings));
    if (!n || taken.has(n)) {
      plan.removed.push(r.handle);
      continue;
    }
    taken.add(n);
    const keys = changedKeys(r.settings, n);
    const change: InstanceChange = keys.length === 0 ? 'unchanged' : keys.every((k) => APPLIED_BETWEEN_BATCHES.has(k)) ? 'apply' : 'restart';
    plan.matched.push({ running: r.handle, next: n, change, keys });
  }
  plan.added = next.instances.filter((n) => !taken.has(n));
  plan.initNeedsRestart = changedKeys(initNow, next.init).filter((k) => !INIT_APPLIED.has(k));
  return plan;
}
