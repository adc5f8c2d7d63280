/**
 * One configured instance, wired together: consumption of its topic (source/), delivery of
 * each batch through the encoder to DogStatsD (batchDelivery.ts), and its telemetry (counters,
 * lag, service check, health) and model drift. This file only connects the parts; each keeps
 * its own job.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import { formatTag } from '../map/sanitize';
import type { DatagramTransport } from '../sink/transport';
import { causeOf } from '../kafkaCauses';
import type { DeadLetter } from '../source/batchContract';
import { Consumption } from '../source/consumption';
import { DeadLetterProducer } from '../source/deadLetters';
import { createKafka } from '../source/kafkaClient';
import { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { HealthState, type InstanceHealth } from '../telemetry/health';
import { LagReader } from '../telemetry/lag';
import { TelemetryReporter } from '../telemetry/reporter';
import { FIRST_LAG_WAIT_MS, STOP_STEP_FLOOR_MS, STOP_STEP_MS } from '../tunables';
import { InstanceStatusView } from './instanceStatus';
import { Pipeline } from './pipeline';
import type { InstanceStatus } from '../status/protocol';

/** Makes an instance's DogStatsD transport (the daemon's: dry run or the network). */
export type TransportFactory = (config: ResolvedInstance) => DatagramTransport;

function telemetryTagsOf(config: ResolvedInstance): string {
  const tags = [formatTag('topic', config.topic), formatTag('consumer_group', config.consumer_group), ...config.telemetryTags];
  return tags.filter((t): t is string => t !== undefined).join(',');
}

export class Instance {
  private readonly telemetry: ForwarderTelemetry;
  private readonly health: HealthState;
  private readonly reporter: TelemetryReporter;
  private readonly lag: LagReader;
  private readonly consumption: Consumption;
  private readonly deadLetters?: DeadLetterProducer;
  private pipeline: Pipeline;
  private stopping = false;
  /** What `algorithmia-insights status` shows of this instance. */
  readonly statusView: InstanceStatusView;
  /** The drift tracker's state at stop, for an instance that replaces this one (reload). */
  finalDriftState?: Uint8Array;

  /** `driftState`: the tracker's state to go on from (a reload restarting this instance). */
  constructor(
    private config: ResolvedInstance,
    private readonly makeTransport: TransportFactory,
    private readonly log: Logger,
    telemetryIntervalMs: number,
    driftState?: Uint8Array,
  ) {
    this.telemetry = new ForwarderTelemetry(telemetryTagsOf(config));
    const kafka = createKafka(config, log, { attemptFailed: (cause) => this.health.connectFailed(cause) });
    this.health = new HealthState(config.topic, log, telemetryIntervalMs, config.max_wait_ms);
    this.lag = new LagReader(kafka, config.topic, config.consumer_group, this.telemetry, log);
    const transport = makeTransport(config);
    this.reporter = new TelemetryReporter(this.telemetry, this.health, this.lag, transport, config.dogstatsd.maxDatagramBytes, telemetryIntervalMs, log);
    const deadLetters = config.dead_letter_topic ? new DeadLetterProducer(kafka, config.dead_letter_topic) : undefined;
    this.deadLetters = deadLetters;
    this.pipeline = new Pipeline(config, transport, this.pipelineParts(), driftState);
    this.consumption = new Consumption(kafka, config, (batch) => this.pipeline.prepare(batch), this.telemetry, log, {
      fetched: () => this.health.fetched(),
      joined: () => this.health.joinedGroup(),
      failed: (err) => {
        this.telemetry.failure('consume', err.code);
        this.health.failed(causeOf(err, { topic: config.topic, group: config.consumer_group }));
      },
      left: () => this.health.leftGroup(),
    });
    // Lag is reported for the partitions this member owns, from the group join on; a dry run's
    // throwaway group has no lag worth reporting (and must not look like the configured group's).
    if (!config.dryRun) this.lag.follow(this.consumption.lagView);
    this.statusView = new InstanceStatusView({
      config: () => this.config,
      dogstatsdTarget: () => this.pipeline.transport.description,
      driftEnabled: () => this.pipeline.drift?.psi === true,
      fieldHealth: () => this.pipeline.drift?.fieldHealthStatus(),
      fairness: () => this.pipeline.drift?.fairnessStatus(),
      telemetry: this.telemetry,
      health: () => this.health.health(),
      lagView: this.consumption.lagView,
      stopping: () => this.stopping,
    });
  }

  private pipelineParts() {
    const deadLetters = this.deadLetters;
    return { telemetry: this.telemetry, log: this.log, deadLetters: deadLetters && ((letters: DeadLetter[]) => deadLetters.write(letters)) };
  }

  /** Where its DogStatsD lines go, for the log. */
  get transportDescription(): string {
    return this.pipeline.transport.description;
  }

  /** The settings this instance runs with now. */
  get settings(): ResolvedInstance {
    return this.config;
  }

  /**
   * A reload whose Kafka settings are unchanged (reload.ts decides): tags, mapping, drift and
   * DogStatsD apply between batches. The batches queued are delivered as they were prepared;
   * the next ones go through a new pipeline, which goes on from the old one's drift state.
   */
  async apply(next: ResolvedInstance): Promise<void> {
    if (this.stopping) return;
    await this.consumption.between(async () => {
      const old = this.pipeline;
      const driftState = await old.driftState();
      const transport = sameTarget(old.config, next) ? old.transport : this.makeTransport(next);
      await old.close();
      this.pipeline = new Pipeline(next, transport, this.pipelineParts(), driftState);
      this.config = next;
      this.telemetry.retag(telemetryTagsOf(next));
      if (transport !== old.transport) {
        this.reporter.useTransport(transport, next.dogstatsd.maxDatagramBytes);
        await old.transport.close();
      }
      this.pipeline.drift?.start();
    });
  }

  get name(): string {
    return this.config.name;
  }

  /**
   * Reports once before consuming (the service check, and drift scores restored from the
   * state file); then consumes and reports every interval. Lag comes with the group join.
   */
  async start(): Promise<void> {
    this.health.started();
    await this.reporter.report(false, FIRST_LAG_WAIT_MS);
    if (this.stopping) return;
    // Scores restored from the state file are reported at once, before any new message.
    await this.pipeline.drift?.report();
    this.consumption.start();
    this.reporter.start();
    this.pipeline.drift?.start();
  }

  /** During a stop: whether every fetched batch was handed off, and what was sent but not committed. */
  stopState(): { drained: boolean; uncommitted: Record<number, string> } {
    return { drained: this.consumption.drained, uncommitted: this.consumption.uncommitted() };
  }

  status(): InstanceHealth {
    return this.health.health();
  }

  statusSnapshot(): InstanceStatus {
    return this.statusView.snapshot();
  }

  /** Stop fetching, finish the batches in hand, commit, leave the group, report, let go. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.health.stopped();
    this.reporter.stop();
    // With Kafka unreachable, a commit, leaving the group or a connect in progress can take the
    // whole request timeout: together they get STOP_STEP_MS from the first of them on, and what
    // was not committed is read again.
    let deadline: number | undefined;
    const bound = (p: Promise<unknown>, what: string) => {
      deadline ??= Date.now() + STOP_STEP_MS;
      const ms = Math.max(STOP_STEP_FLOOR_MS, deadline - Date.now());
      return withTimeout(p, ms, () => this.log.warn(`${what} did not finish within ${ms} ms; going on`));
    };
    await this.consumption.stop(bound);
    this.finalDriftState = await this.pipeline.driftState().catch(() => undefined);
    await this.pipeline.drift?.stop();
    // The last lag read shares the stop's Kafka budget (none left: no lag sent).
    await this.reporter.report(true, deadline === undefined ? STOP_STEP_MS : Math.max(0, deadline - Date.now()));
    await bound(Promise.all([this.lag.close(), this.deadLetters?.close()]), 'admin/producer disconnect');
    await this.pipeline.close();
    await this.pipeline.transport.close();
  }
}

/** Whether two settings send to the same DogStatsD target the same way (the transport can stay). */
function sameTarget(a: ResolvedInstance, b: ResolvedInstance): boolean {
  return JSON.stringify(a.dogstatsd) === JSON.stringify(b.dogstatsd);
}

async function withTimeout(p: Promise<unknown>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([p.then(() => false, () => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms)))]);
  clearTimeout(timer);
  if (timedOut) onTimeout();
}
