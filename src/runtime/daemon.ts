/**
 * The whole process: one Instance per configured instance, their DogStatsD transports,
 * the optional health endpoint, and an orderly stop.
 */
import type { Writable } from 'node:stream';
import type { ResolvedConfig } from '../config/resolved';
import type { Logger } from '../log/logger';
import { DatagramTransport, DryRunTransport, HotShotsTransport } from '../sink/transport';
import { HealthServer } from './healthServer';
import { Instance } from './instance';
import { StatusServer } from './statusServer';

export interface DaemonOptions {
  log: Logger;
  /** Write DogStatsD lines here instead of the network. */
  dryRun?: Writable;
}

export class Daemon {
  private readonly transports: DatagramTransport[] = [];
  private readonly instances: Instance[] = [];
  private health?: HealthServer;
  private status?: StatusServer;
  private readonly startedAt = Date.now();
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
      this.instances.push(new Instance(inst, transport, ilog, this.config.init.telemetry_interval_seconds * 1000));
      ilog.info('starting', {
        topic: inst.topic,
        brokers: inst.kafka_connect_str,
        consumer_group: inst.consumer_group,
        security_protocol: inst.security_protocol,
        dogstatsd: transport.description,
        dogstatsd_source: inst.dogstatsd.source,
      });
    }
    // Open before the first join, so that `status` also shows a process still connecting. A dry run opens none.
    if (!this.opts.dryRun) {
      this.status = new StatusServer({
        configFile: this.config.file,
        configuredDir: this.config.init.status_socket_dir,
        log,
        reply: () => ({
          version: 1,
          pid: process.pid,
          started_at: new Date(this.startedAt).toISOString(),
          uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
          config_file: this.config.file,
          instances: this.instances.map((i) => i.statusSnapshot()),
        }),
        tick: () => this.instances.forEach((i) => i.statusView.tick()),
      });
      await this.status.open();
    }
    await Promise.all(this.instances.map((i) => i.start()));
    const port = this.config.init.health_port;
    if (port !== undefined) {
      this.health = new HealthServer(() => this.instances.map((i) => ({ instance: i.name, ...i.status() })));
      const bound = await this.health.listen(port, this.config.init.health_host);
      log.info('health endpoint listening', { url: `http://${this.config.init.health_host}:${bound}/ready` });
    }
  }

  /** Graceful stop; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.instances.map((i) => i.stop()));
      await Promise.all(this.transports.map((t) => t.close()));
      await this.health?.close();
      await this.status?.close();
    })();
    return this.stopped;
  }
}
