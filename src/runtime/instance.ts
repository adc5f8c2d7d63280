/**
 * One configured instance, wired together: consumption of its topic (source/), delivery of
 * each batch through the encoder to DogStatsD (batchDelivery.ts), and its telemetry (counters,
 * lag, service check, health) and model drift. This file only connects the parts; each keeps
 * its own job.
 */
import type { ResolvedInstance } from '../config/resolved';
import { createEncoding, encoderSetup } from '../encode/encoderSetup';
import type { ChunkEncoding } from '../encode/chunkEncoding';
import type { Logger } from '../log/logger';
import { formatTag } from '../map/sanitize';
import type { DatagramTransport } from '../sink/transport';
import { Consumption } from '../source/consumption';
import { DeadLetterProducer } from '../source/deadLetters';
import { createKafka } from '../source/kafkaClient';
import { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { HealthState, type InstanceHealth } from '../telemetry/health';
import { LagReader } from '../telemetry/lag';
import { TelemetryReporter } from '../telemetry/reporter';
import { FIRST_LAG_WAIT_MS, STOP_STEP_MS } from '../tunables';
import { BatchDelivery } from './batchDelivery';
import { DriftReporter } from './driftReporter';
import { DriftStateWriter, readDriftState } from './driftStateFile';
import { InstanceStatusView } from './instanceStatus';
import type { InstanceStatus } from '../status/protocol';

export class Instance {
  private readonly telemetry: ForwarderTelemetry;
  private readonly health: HealthState;
  private readonly reporter: TelemetryReporter;
  private readonly lag: LagReader;
  private readonly encoding: ChunkEncoding;
  private readonly consumption: Consumption;
  private readonly deadLetters?: DeadLetterProducer;
  private readonly drift?: DriftReporter;
  private stopping = false;
  /** What `algorithmia-insights status` shows of this instance. */
  readonly statusView: InstanceStatusView;

  constructor(
    readonly config: ResolvedInstance,
    transport: DatagramTransport,
    private readonly log: Logger,
    telemetryIntervalMs: number,
  ) {
    const telemetryTags = [formatTag('topic', config.topic), formatTag('consumer_group', config.consumer_group), ...config.telemetryTags];
    this.telemetry = new ForwarderTelemetry(telemetryTags.filter((t): t is string => t !== undefined).join(','));
    const kafka = createKafka(config, log);
    this.health = new HealthState(config.topic, log, telemetryIntervalMs, config.max_wait_ms);
    this.lag = new LagReader(kafka, config.topic, config.consumer_group, this.telemetry, log);
    this.reporter = new TelemetryReporter(this.telemetry, this.health, this.lag, transport, config.dogstatsd.maxDatagramBytes, telemetryIntervalMs, log);
    const setup = encoderSetup(config, { lineSuffix: transport.lineSuffix });
    const stateFile = setup.drift ? config.drift.stateFile : undefined;
    const driftState = setup.drift && stateFile ? readDriftState(stateFile, setup.drift, log, this.telemetry) : undefined;
    this.encoding = createEncoding(config, setup, log, driftState);
    if (setup.drift) {
      const writer = stateFile ? new DriftStateWriter(stateFile, log, this.telemetry) : undefined;
      this.drift = new DriftReporter(config, this.encoding, transport, this.telemetry, log, writer);
    }
    const deadLetters = config.dead_letter_topic ? new DeadLetterProducer(kafka, config.dead_letter_topic) : undefined;
    this.deadLetters = deadLetters;
    const delivery = new BatchDelivery(this.encoding, transport, this.telemetry, log, deadLetters && ((letters) => deadLetters.write(letters)), {
      timestamps: setup.drift !== undefined,
    });
    this.consumption = new Consumption(kafka, config, (batch) => delivery.prepare(batch), this.telemetry, log, {
      fetched: () => this.health.fetched(),
      joined: () => this.health.joinedGroup(),
      failed: (err, context) => {
        this.telemetry.failure('consume', err.code);
        this.health.failed(`${context}: ${err.message}`);
      },
      left: () => this.health.leftGroup(),
    });
    // Lag is reported for the partitions this member owns, from the group join on.
    this.lag.follow(this.consumption.lagView);
    this.statusView = new InstanceStatusView({
      config,
      dogstatsdTarget: transport.description,
      telemetry: this.telemetry,
      health: () => this.health.health(),
      lagView: this.consumption.lagView,
      stopping: () => this.stopping,
      driftEnabled: setup.drift !== undefined,
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
    await this.drift?.report();
    this.consumption.start();
    this.reporter.start();
    this.drift?.start();
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
    // With Kafka unreachable, leaving the group or a connect in progress can take the whole
    // request timeout: there is nothing to commit then, so do not wait for it.
    const bound = (p: Promise<unknown>, what: string) => withTimeout(p, STOP_STEP_MS, () => this.log.warn(`${what} did not finish within ${STOP_STEP_MS} ms; going on`));
    await this.consumption.stop(bound);
    await this.drift?.stop();
    await this.reporter.report(true);
    await bound(Promise.all([this.lag.close(), this.deadLetters?.close()]), 'admin/producer disconnect');
    await this.encoding.close();
  }
}

async function withTimeout(p: Promise<unknown>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([p.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms)))]);
  clearTimeout(timer);
  if (timedOut) onTimeout();
}
