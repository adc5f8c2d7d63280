/**
 * A checked raw config -> ResolvedConfig: instance names, the DogStatsD target and the tags after
 * the DD_* environment (env > conf.yaml > schema default), the secrets read, and paths made
 * absolute against the config file's folder. Nothing here validates: load.ts calls it only when
 * no problem was found.
 */
import type { RawConfig, RawInstance } from './schema';
import type { DogStatsDTarget, DriftSettings, FairnessCheckSettings, InitConfig, ResolvedConfig, ResolvedInstance, TlsFiles } from './resolved';
import { metricTagsFor, resolveDogStatsDTarget, telemetryTagsFor, type DogStatsDEnv, type DogStatsDSettings, type EnvTags } from './env';
import type { Json } from './issues';
import { resolveConfigPath } from './secrets';
import { connectList } from './connectStr';

/** What resolution needs besides the raw config: the environment read and the secrets of each instance. */
export interface Resolution {
  /** The config file: names the config and anchors relative paths. */
  file: string;
  /** The instances as written (before schema defaults), for settings whose source matters. */
  givenInstances: readonly Json[];
  denv: DogStatsDEnv;
  envTags: EnvTags;
  secrets: readonly { saslPassword?: string; tlsFiles?: TlsFiles }[];
}

/** The `drift` section of a schema-valid instance (ajv applied the schema defaults: no default is written here). */
export function resolveDrift(d: RawInstance['drift'], file: string): DriftSettings {
  const out: DriftSettings = {
    enabled: d.enabled,
    fieldHealth: d.field_health,
    intervalMs: d.interval_seconds * 1000,
    baselines: [...d.baselines],
    minSamples: d.min_samples,
    maxSeries: d.max_series,
  };
  if (d.state_file !== undefined) out.stateFile = resolveConfigPath(file, d.state_file);
  return out;
}

/** The `fairness` checks of a schema-valid instance (rules.ts has checked them). */
export function resolveFairness(checks: RawInstance['fairness']): FairnessCheckSettings[] {
  return (checks ?? []).map((c) => {
    const out: FairnessCheckSettings = {
      name: c.name,
      outcome: c.outcome,
      positive: c.positive_below === undefined ? 'above' : 'below',
      threshold: c.positive_below ?? c.positive_above ?? 0.5,
      groupField: c.group_field,
      groups: [...c.groups],
      referenceGroup: c.reference_group,
      minGroupExecutions: c.min_group_executions,
    };
    if (c.algorithms !== undefined) out.algorithms = [...c.algorithms];
    return out;
  });
}

export function resolveConfig(cfg: RawConfig, r: Resolution): ResolvedConfig {
  const topicCount = new Map<string, number>();
  for (const inst of cfg.instances) topicCount.set(inst.topic, (topicCount.get(inst.topic) ?? 0) + 1);

  const instances: ResolvedInstance[] = cfg.instances.map((inst, i) => {
    const { dogstatsd: _dogstatsd, tags, drift, fairness, ...rest } = inst;
    const target: DogStatsDTarget = resolveDogStatsDTarget((r.givenInstances[i]?.dogstatsd ?? {}) as DogStatsDSettings, r.denv);
    const metricTags = metricTagsFor(r.envTags, tags);
    return {
      ...rest,
      kafka_connect_str: connectList(inst.kafka_connect_str),
      index: i,
      name: (topicCount.get(inst.topic) ?? 0) > 1 ? `${inst.topic}#${i}` : inst.topic,
      ...r.secrets[i],
      dogstatsd: target,
      drift: resolveDrift(drift, r.file),
      fairness: resolveFairness(fairness),
      metricTags,
      telemetryTags: telemetryTagsFor(r.envTags, metricTags),
    };
  });
  return { file: r.file, init: cfg.init_config as InitConfig, instances };
}
