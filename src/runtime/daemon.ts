/**
 * The whole process: one Instance per configured instance (each with its DogStatsD transport),
 * the optional health endpoint, reloads (SIGHUP) and an orderly stop.
 */
import type { Writable } from 'node:stream';
import { planReload } from '../config/reloadPlan';
import type { ResolvedConfig, ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import { DryRunTransport, HotShotsTransport } from '../sink/transport';
import { HealthServer } from './healthServer';
import { Instance, type TransportFactory } from './instance';

export interface DaemonOptions {
  log: Logger;
  /** Write DogStatsD lines here instead of the network. */
  dryRun?: Writable;
}

export class Daemon {
  private instances: Instance[] = [];
  private health?: HealthServer;
  private stopped?: Promise<void>;
  /** One reload at a time; a SIGHUP during one waits for it. */
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private config: ResolvedConfig,
    private readonly opts: DaemonOptions,
  ) {}

  private readonly makeTransport: TransportFactory = (inst) => {
    const ilog = this.opts.log.child({ instance: inst.name });
    return this.opts.dryRun
      ? new DryRunTransport(this.opts.dryRun)
      : new HotShotsTransport(inst.dogstatsd, (err) => ilog.rateLimited('dogstatsd-error', 'warn', 'DogStatsD socket error', { error: err.message }));
  };

  private create(inst: ResolvedInstance, driftState?: Uint8Array): Instance {
    const ilog = this.opts.log.child({ instance: inst.name });
    const instance = new Instance(inst, this.makeTransport, ilog, this.config.init.telemetry_interval_seconds * 1000, driftState);
    ilog.info('starting', {
      topic: inst.topic,
      brokers: inst.kafka_connect_str,
      consumer_group: inst.consumer_group,
      security_protocol: inst.security_protocol,
      dogstatsd: instance.transportDescription,
      dogstatsd_source: inst.dogstatsd.source,
    });
    return instance;
  }

  /** Starts every instance; a reload signalled meanwhile waits for the start. */
  start(): Promise<void> {
    const started = this.startAll();
    this.reloading = started.catch(() => undefined);
    return started;
  }

  private async startAll(): Promise<void> {
    const { log } = this.opts;
    this.instances = this.config.instances.map((inst) => this.create(inst));
    await Promise.all(this.instances.map((i) => i.start()));
    const port = this.config.init.health_port;
    if (port !== undefined) {
      this.health = new HealthServer(() => this.instances.map((i) => ({ instance: i.name, ...i.status() })));
      const bound = await this.health.listen(port, this.config.init.health_host);
      log.info('health endpoint listening', { url: `http://${this.config.init.health_host}:${bound}/ready` });
    }
  }

  /** The settings in force (a reload replaces them). */
  get settings(): ResolvedConfig {
    return this.config;
  }

  /**
   * Applies a new configuration (SIGHUP): matched instances go on (changes between batches) or
   * restart (Kafka settings changed) with their monitoring state; removed ones drain and stop;
   * new ones start. Never throws: a failure is logged and the rest goes on.
   */
  reload(next: ResolvedConfig): Promise<void> {
    this.reloading = this.reloading.then(() => this.applyReload(next));
    return this.reloading;
  }

  private async applyReload(next: ResolvedConfig): Promise<void> {
    if (this.stopped) return;
    const { log } = this.opts;
    const plan = planReload(
      this.instances.map((i) => ({ handle: i, settings: i.settings })),
      this.config.init,
      next,
    );
    const kept: Instance[] = [];
    const step = async (what: string, instance: string, f: () => Promise<void>) => {
      try {
        await f();
      } catch (err) {
        log.error(`reload: ${what} failed`, { instance, error: (err as Error).message });
      }
    };
    await Promise.all([
      ...plan.removed.map((i) =>
        step('stopping a removed instance', i.name, async () => {
          log.info('reload: instance removed from the configuration; draining and stopping it', { instance: i.name });
          await i.stop();
        }),
      ),
      ...plan.matched.map(({ running, next: n, change, keys }) =>
        step(`${change} of an instance`, running.name, async () => {
          if (change === 'unchanged') {
            kept.push(running);
          } else if (change === 'apply') {
            log.info('reload: applying changed settings between batches', { instance: running.name, changed: keys });
            await running.apply(n);
            kept.push(running);
          } else {
            log.info('reload: Kafka settings changed; restarting the instance (drain, commit, leave, join)', { instance: running.name, changed: keys });
            await running.stop();
            const replacement = this.create(n, running.finalDriftState);
            kept.push(replacement);
            await replacement.start();
          }
        }),
      ),
      ...plan.added.map((n) =>
        step('starting a new instance', n.name, async () => {
          const instance = this.create(n);
          kept.push(instance);
          await instance.start();
        }),
      ),
    ]);
    this.instances = kept;
    if (plan.initNeedsRestart.length > 0) log.warn('reload: these init_config settings apply at the next restart of the process', { keys: plan.initNeedsRestart });
    this.config = { ...next, init: { ...this.config.init, shutdown_timeout_seconds: next.init.shutdown_timeout_seconds } };
    log.info('configuration reloaded', { file: next.file, instances: this.instances.map((i) => i.name), added: plan.added.length, removed: plan.removed.length });
  }

  /**
   * For a stop that ran out of time: the instances whose fetched work was not all handed off
   * (exit 1), and per instance what was sent and not committed (read again after a restart).
   */
  stopState(): { undone: string[]; uncommitted: Record<string, Record<number, string>> } {
    const undone: string[] = [];
    const uncommitted: Record<string, Record<number, string>> = {};
    for (const i of this.instances) {
      const s = i.stopState();
      if (!s.drained) undone.push(i.name);
      if (Object.keys(s.uncommitted).length > 0) uncommitted[i.name] = s.uncommitted;
    }
    return { undone, uncommitted };
  }

  /** Graceful stop (after any reload in progress); idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.reloading;
      await Promise.all(this.instances.map((i) => i.stop()));
      await this.health?.close();
    })();
    return this.stopped;
  }
}
