/**
 * The delivery side of one instance: its DogStatsD transport, the encoder (decode -> map ->
 * pack, with model monitoring), the batch delivery and the monitoring reporter. Everything here
 * may be replaced between batches by a reload (tags, mapping, drift, DogStatsD), while the Kafka
 * side (consumption, lag, health) stays; the monitoring state goes over to the new pipeline.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { ChunkEncoding } from '../encode/chunkEncoding';
import { createEncoding, encoderSetup } from '../encode/encoderSetup';
import type { Logger } from '../log/logger';
import type { DatagramTransport } from '../sink/transport';
import type { BatchJob, DeadLetterWriter, FetchedBatch } from '../source/batchContract';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { BatchDelivery } from './batchDelivery';
import { MonitorReporter } from './monitorReporter';
import { MonitorStateWriter, readMonitorState } from './monitorStateFile';

export interface PipelineParts {
  telemetry: ForwarderTelemetry;
  log: Logger;
  deadLetters?: DeadLetterWriter;
}

export class Pipeline {
  readonly encoding: ChunkEncoding;
  private readonly delivery: BatchDelivery;
  readonly drift?: MonitorReporter;

  /**
   * `driftState`: the monitoring state to go on from (a reload); without it, the state file's,
   * if there is one.
   */
  constructor(
    readonly config: ResolvedInstance,
    readonly transport: DatagramTransport,
    parts: PipelineParts,
    driftState?: Uint8Array,
  ) {
    const { telemetry, log } = parts;
    const setup = encoderSetup(config, { lineSuffix: transport.lineSuffix });
    const stateFile = setup.monitor ? config.drift.stateFile : undefined;
    const state = setup.monitor && !driftState && stateFile ? readMonitorState(stateFile, setup.monitor, log, telemetry) : driftState;
    this.encoding = createEncoding(config, setup, log, setup.monitor ? state : undefined);
    if (setup.monitor) {
      const writer = stateFile ? new MonitorStateWriter(stateFile, log, telemetry) : undefined;
      this.drift = new MonitorReporter(config, this.encoding, transport, telemetry, log, writer);
    }
    this.delivery = new BatchDelivery(this.encoding, transport, telemetry, log, parts.deadLetters, { timestamps: setup.monitor !== undefined });
  }

  prepare(batch: FetchedBatch): BatchJob {
    return this.delivery.prepare(batch);
  }

  /** The monitoring state, to hand to the pipeline that replaces this one. */
  async driftState(): Promise<Uint8Array | undefined> {
    return this.drift ? this.encoding.monitorSnapshot() : undefined;
  }

  /** Stops monitoring reporting (writing the state file) and the encoder; the transport is the caller's. */
  async close(): Promise<void> {
    await this.drift?.stop();
    await this.encoding.close();
  }
}
