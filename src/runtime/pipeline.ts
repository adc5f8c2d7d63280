/**
 * The delivery side of one instance: its DogStatsD transport, the encoder (decode -> map ->
 * pack, with the drift tracker), the batch delivery and the drift reporter. Everything here may
 * be replaced between batches by a reload (tags, mapping, drift, DogStatsD), while the Kafka side
 * (consumption, lag, health) stays; the drift state goes over to the new pipeline.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { ChunkEncoding } from '../encode/chunkEncoding';
import { createEncoding, encoderSetup } from '../encode/encoderSetup';
import type { Logger } from '../log/logger';
import type { DatagramTransport } from '../sink/transport';
import type { BatchJob, DeadLetterWriter, FetchedBatch } from '../source/batchContract';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { BatchDelivery } from './batchDelivery';
import { DriftReporter } from './driftReporter';
import { DriftStateWriter, readDriftState } from './driftStateFile';

export interface PipelineParts {
  telemetry: ForwarderTelemetry;
  log: Logger;
  deadLetters?: DeadLetterWriter;
}

export class Pipeline {
  readonly encoding: ChunkEncoding;
  private readonly delivery: BatchDelivery;
  readonly drift?: DriftReporter;

  /**
   * `driftState`: the drift tracker's snapshot to go on from (a reload); without it, the state
   * file's, if there is one.
   */
  constructor(
    readonly config: ResolvedInstance,
    readonly transport: DatagramTransport,
    parts: PipelineParts,
    driftState?: Uint8Array,
  ) {
    const { telemetry, log } = parts;
    const setup = encoderSetup(config, { lineSuffix: transport.lineSuffix });
    const stateFile = setup.drift ? config.drift.stateFile : undefined;
    const state = setup.drift && !driftState && stateFile ? readDriftState(stateFile, setup.drift, log, telemetry) : driftState;
    this.encoding = createEncoding(config, setup, log, setup.drift ? state : undefined);
    if (setup.drift) {
      const writer = stateFile ? new DriftStateWriter(stateFile, log, telemetry) : undefined;
      this.drift = new DriftReporter(config, this.encoding, transport, telemetry, log, writer);
    }
    this.delivery = new BatchDelivery(this.encoding, transport, telemetry, log, parts.deadLetters, { timestamps: setup.drift !== undefined });
  }

  prepare(batch: FetchedBatch): BatchJob {
    return this.delivery.prepare(batch);
  }

  /** The drift tracker's state, to hand to the pipeline that replaces this one. */
  async driftState(): Promise<Uint8Array | undefined> {
    return this.drift ? this.encoding.driftSnapshot() : undefined;
  }

  /** Stops drift reporting (writing the state file) and the encoder; the transport is the caller's. */
  async close(): Promise<void> {
    await this.drift?.stop();
    await this.encoding.close();
  }
}
