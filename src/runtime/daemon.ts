/**
 * The whole process: one InstanceRunner per configured instance, their DogStatsD transports,
 * the optional health endpoint, and an orderly stop.
 */
import type { Writable } from 'node:stream';
import type { ResolvedConfig } from '../config/resolved';
import type { Logger } from '../log/logger';
import { DatagramTransport, DryRunTransport, HotShotsTransport } from '../sink/transport';
import { HealthServer } from './healthServer';
import { InstanceRunner } from './instanceRunner';

export interface DaemonOptions {
  log: Logger;
  /** Write DogStatsD lines here instead of the network. */
  dryRun?: Writable;
  chunkSize?: number;
}

export class Daemon {
  private readonly transports: DatagramTransport[] = [];
  readonly runners: InstanceRunner[] = [];
  private health?: HealthServer;
  private stopped?: Promise<void>;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly opts: DaemonOptions,
  ) {}

  async start(): Promise<void> {
    const { log } = this.opts;
    for (const inst of this.config.instances) {
      const ilog = log.child({ instance: inst.name });
      const transport = this.opts.dryRun
        ? new DryRunTransport(this.opts.dryRun)
        : new HotShotsTransport(inst.dogstatsd, (err) => ilog.rateLimited('dogstatsd-error', 'warn', 'DogStatsD socket error', { error: err.message }));
      this.transports.push(transport);
      const runner = new InstanceRunner(inst, transport, ilog, {
        telemetryIntervalMs: this.config.init.telemetry_interval_seconds * 1000,
        chunkSize: this.opts.chunkSize,
      });
      this.runners.push(runner);
      ilog.info('starting', {
        topic: inst.topic,
        brokers: inst.kafka_connect_str,
        consumer_group: inst.consumer_group,
        security_protocol: inst.security_protocol,
        dogstatsd: transport.description,
        dogstatsd_source: inst.dogstatsd.source,
      });
    }
    await Promise.all(this.runners.map((r) => r.start()));
    const port = this.config.init.health_port;
    if (port !== undefined) {
      this.health = new HealthServer(() => this.runners.map((r) => ({ instance: r.instance.name, ...r.health() })));
      const bound = await this.health.listen(port, this.config.init.health_host);
      log.info('health endpoint listening', { url: `http://${this.config.init.health_host}:${bound}/ready` });
    }
  }

  get healthPort(): number | undefined {
    return this.health?.port;
  }

  /** Graceful stop; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.runners.map((r) => r.stop()));
      await Promise.all(this.transports.map((t) => t.close()));
      await this.health?.close();
    })();
    return this.stopped;
  }
}
