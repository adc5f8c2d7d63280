/**
 * Where chunks are encoded: inline on the calling thread, or in a worker thread
 * (workerEncoding.ts).
 *
 * Decoding JSON, mapping and formatting take most of the CPU per message; kafkajs's fetch
 * decoding and the socket sends take the rest and must stay on the main thread (kafkajs owns
 * its connection, unix-dgram is not loadable in a worker). With the encoder in a worker, the
 * two halves run on two cores: the main thread fetches and sends while the worker encodes.
 * Model monitoring: the encoder records the observation stream with each chunk, and the
 * encoding feeds it to the signals on the calling thread (monitorFeed.ts), which answer the
 * reports and snapshots asked of the encoding.
 */
import { asInsightsError } from '../errors';
import type { ChunkEncoder, EncodedChunk } from './chunkEncoder';
import type { MonitorReport } from '../monitor';
import type { MonitorFeed } from './monitorFeed';

export interface ChunkEncoding {
  /** True when encode() works beside the caller's thread (worth starting early). */
  readonly parallel: boolean;
  /** `timestamps`: the messages' Kafka timestamps (ms; NaN: none), for model monitoring. */
  encode(values: ReadonlyArray<Buffer | null>, nowMs: number, timestamps?: Float64Array): Promise<EncodedChunk>;
  /** The chunk's datagrams were sent (or given up): their memory may be reused, and they must not be read again. */
  release(chunk: EncodedChunk): void;
  /** Model monitoring's report now (undefined when it is off). */
  monitorReport(nowMs: number): Promise<MonitorReport | undefined>;
  /** The monitoring state, as the state file holds it (undefined when it is off). */
  monitorSnapshot(): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/** The one buffer behind a chunk's datagrams (DatagramPacker.take), if any. */
export function datagramBuffer(chunk: EncodedChunk): ArrayBuffer | undefined {
  return chunk.datagrams.length > 0 ? (chunk.datagrams[0].buffer as ArrayBuffer) : undefined;
}

export class InlineEncoding implements ChunkEncoding {
  readonly parallel = false;
  constructor(
    private readonly encoder: ChunkEncoder,
    private readonly monitor?: MonitorFeed,
  ) {
    monitor?.recycleTo((buffers) => encoder.recycleObservations(buffers));
  }

  encode(values: ReadonlyArray<Buffer | null>, nowMs: number, timestamps?: Float64Array): Promise<EncodedChunk> {
    try {
      const chunk = this.encoder.encode(values, nowMs, timestamps);
      this.monitor?.add(chunk.observations);
      return Promise.resolve(chunk);
    } catch (err) {
      return Promise.reject(asInsightsError(err, 'ENCODER_FAILED'));
    }
  }

  release(chunk: EncodedChunk): void {
    const buffer = datagramBuffer(chunk);
    if (buffer) this.encoder.recycle(buffer);
  }

  async monitorReport(nowMs: number): Promise<MonitorReport | undefined> {
    return this.monitor?.report(nowMs);
  }

  async monitorSnapshot(): Promise<Uint8Array | undefined> {
    return this.monitor?.snapshot();
  }

  async close(): Promise<void> {
    /* nothing held */
  }
}
