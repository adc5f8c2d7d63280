/**
 * Where chunks are encoded: inline on the calling thread, or in a worker thread
 * (workerEncoding.ts).
 *
 * Decoding JSON, mapping and formatting take most of the CPU per message; kafkajs's fetch
 * decoding and the socket sends take the rest and must stay on the main thread (kafkajs owns
 * its connection, unix-dgram is not loadable in a worker). With the encoder in a worker, the
 * two halves run on two cores: the main thread fetches and sends while the worker encodes.
 * Model drift: the encoder records what the mapping emits with each chunk, and the encoding
 * feeds it to the drift tracker on the calling thread (driftFeed.ts), which answers the
 * reports and snapshots asked of the encoding.
 */
import { asInsightsError } from '../errors';
import type { ChunkEncoder, EncodedChunk } from './chunkEncoder';
import type { DriftFeed, DriftReport } from './driftFeed';

export interface ChunkEncoding {
  /** True when encode() works beside the caller's thread (worth starting early). */
  readonly parallel: boolean;
  /** `timestamps`: the messages' Kafka timestamps (ms; NaN: none), for model drift. */
  encode(values: ReadonlyArray<Buffer | null>, nowMs: number, timestamps?: Float64Array): Promise<EncodedChunk>;
  /** The chunk's datagrams were sent (or given up): their memory may be reused, and they must not be read again. */
  release(chunk: EncodedChunk): void;
  /** Drift scores to report now (undefined when drift is off). */
  driftReport(nowMs: number): Promise<DriftReport | undefined>;
  /** A snapshot of the drift state (undefined when drift is off). */
  driftSnapshot(): Promise<Uint8Array | undefined>;
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
    private readonly drift?: DriftFeed,
  ) {
    drift?.recycleTo((buffers) => encoder.recycleDrift(buffers));
  }

  encode(values: ReadonlyArray<Buffer | null>, nowMs: number, timestamps?: Float64Array): Promise<EncodedChunk> {
    try {
      const chunk = this.encoder.encode(values, nowMs, timestamps);
      this.drift?.add(chunk.drift);
      return Promise.resolve(chunk);
    } catch (err) {
      return Promise.reject(asInsightsError(err, 'ENCODER_FAILED'));
    }
  }

  release(chunk: EncodedChunk): void {
    const buffer = datagramBuffer(chunk);
    if (buffer) this.encoder.recycle(buffer);
  }

  async driftReport(nowMs: number): Promise<DriftReport | undefined> {
    return this.drift?.report(nowMs);
  }

  async driftSnapshot(): Promise<Uint8Array | undefined> {
    return this.drift?.snapshot();
  }

  async close(): Promise<void> {
    /* nothing held */
  }
}
