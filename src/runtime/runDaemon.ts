/**
 * `run`: the daemon and its signals. SIGTERM and SIGINT stop (drain, flush, commit; a second
 * SIGINT exits at once); SIGHUP reloads the config file. Exit codes: 0 a clean stop (everything
 * fetched was handed off), 1 a stop that left fetched work undone or failed.
 */
import { dryRunBanner, dryRunConfig } from '../config/dryRun';
import { loadConfig } from '../config/load';
import type { ResolvedConfig } from '../config/resolved';
import { ConfigError } from '../errors';
import type { Logger } from '../log/logger';
import { YOUNG_SEMI_SPACE_MB } from '../tunables';
import type { YoungGenerationCap } from '../youngGeneration';
import { Daemon } from './daemon';
import { MemoryPeaks } from './memoryPeaks';

export interface RunOptions {
  dryRun: boolean;
  log: Logger;
  youngGeneration: YoungGenerationCap;
}

export async function runDaemon(config: ResolvedConfig, { dryRun, log, youngGeneration }: RunOptions): Promise<number> {
  if (dryRun) {
    config = dryRunConfig(config, process.pid);
    process.stderr.write(dryRunBanner(config));
  }
  log.info('young generation capped', { how: youngGeneration, semi_space_mb: YOUNG_SEMI_SPACE_MB });
  // The largest sizes, reported at stop: facts for operators and for the memory test.
  const peaks = new MemoryPeaks();
  const daemon = new Daemon(config, { log, dryRun: dryRun ? process.stdout : undefined });
  let stopping = false;
  const exitCode = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn('second signal: exiting without waiting', { signal });
        process.exit(130);
      }
      stopping = true;
      const timeoutMs = daemon.settings.init.shutdown_timeout_seconds * 1000;
      log.info('stopping: finishing the batch in hand, flushing and committing', { signal, timeout_ms: timeoutMs });
      const timer = setTimeout(() => {
        // Exit 1 only for fetched work left undone; Kafka goodbyes that did not finish cost
        // nothing but messages sent again (at-least-once).
        const { undone, uncommitted } = daemon.stopState();
        if (undone.length > 0) {
          log.error('stop did not finish in time: fetched messages were not all sent; exiting (they will be read again on restart)', { timeout_ms: timeoutMs, instances: undone, uncommitted });
          resolve(1);
        } else {
          log.warn('stop did not finish talking to Kafka in time; everything fetched was sent: exiting (messages up to the uncommitted offsets will be sent again after a restart)', { timeout_ms: timeoutMs, uncommitted });
          resolve(0);
        }
      }, timeoutMs);
      timer.unref();
      daemon.stop().then(
        () => {
          clearTimeout(timer);
          log.info('stopped', peaks.stop());
          resolve(0);
        },
        (err: Error) => {
          clearTimeout(timer);
          log.error('stop failed', { error: err.message });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  process.on('SIGHUP', () => {
    if (stopping) return;
    const next = reread(config.file, log);
    if (next) void daemon.reload(dryRun ? dryRunConfig(next, process.pid) : next);
  });
  await daemon.start();
  return exitCode;
}

/**
 * The config file read again for a reload; undefined (logged with every problem) when it is
 * invalid, and the running configuration goes on. The environment is the process's own, as at
 * start: `DD_*` and `*_env` values cannot have changed; `*_file` secrets are read again.
 */
function reread(file: string, log: Logger): ResolvedConfig | undefined {
  log.info('SIGHUP: reloading the configuration', { file });
  try {
    return loadConfig(file);
  } catch (err) {
    const issues = err instanceof ConfigError ? err.issues : [(err as Error).message];
    log.error('reload refused: the configuration file is invalid; the running configuration goes on', { file, problems: issues });
    return undefined;
  }
}
