/**
 * `run --dry-run` observes and never takes part (DECISIONS, Operations): each instance reads
 * through a throwaway consumer group of its own, starting where the configured group stands,
 * and commits nothing; no state file, no health port, no status socket.
 */
import type { ResolvedConfig, ResolvedInstance } from './resolved';

/** The throwaway group a dry run of `group` joins. */
export function dryRunGroup(group: string, pid: number): string {
  return `${group}.dry-run.${pid}`;
}

export function dryRunConfig(config: ResolvedConfig, pid: number): ResolvedConfig {
  const instances = config.instances.map(
    (inst): ResolvedInstance => ({
      ...inst,
      consumer_group: dryRunGroup(inst.consumer_group, pid),
      dryRun: { observedGroup: inst.consumer_group },
      drift: { ...inst.drift, stateFile: undefined },
    }),
  );
  return { ...config, init: { ...config.init, health_port: undefined }, instances };
}

/** The first line a dry run writes on standard error: what it reads, and that nothing is committed. */
export function dryRunBanner(config: ResolvedConfig): string {
  const parts = config.instances.map((inst) => {
    const observed = inst.dryRun?.observedGroup ?? inst.consumer_group;
    return (
      `topic ${inst.topic} on ${inst.kafka_connect_str.join(',')} as the throwaway consumer group ${inst.consumer_group}, ` +
      `from the committed offsets of ${observed} (${inst.start_from} where it has none)`
    );
  });
  return `dry run: reading ${parts.join('; ')}. Nothing is committed and no state file is written; DogStatsD lines go to standard output.\n`;
}
