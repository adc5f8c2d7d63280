/**
 * Where chunks are encoded: inline on the calling thread, or in a worker thread.
 *
 * Decoding JSON, mapping and formatting take about two thirds of the CPU per message; kafkajs's
 * fetch decoding and the socket sends take the rest and must stay on the main thread (kafkajs
 * owns its connection, unix-dgram is not loadable in a worker). With the encoder in a worker,
 * the two halves run on two cores: the main thread fetches and sends while the worker encodes
 * (see the README's Performance section).
 *
 * A chunk crosses as one transferred buffer (values back to back) plus their lengths, and its
 * datagrams come back the same way: nothing is serialised or copied per message. A worker that
 * dies fails the chunks in flight (their partitions are paused and sent again, as for a failed
 * send) and is started again on the next chunk, with fresh cardinality windows.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger';
import { datagramViews } from '../sink/datagramPacker';
import { asInsightsError, InsightsError } from '../errors';
import { WORKER_YOUNG_GENERATION_MB } from '../tunables';
import type { ChunkEncoder, EncodedChunk, EncoderSetup } from './chunkEncoder';

export interface ChunkEncoding {
  /** True when encode() works beside the caller's thread (worth starting early). */
  readonly parallel: boolean;
  encode(values: ReadonlyArray<Buffer | null>, nowMs: number): Promise<EncodedChunk>;
  /** The chunk's datagrams were sent (or given up): their memory may be reused, and they must not be read again. */
  release(chunk: EncodedChunk): void;
  close(): Promise<void>;
}

/** The one buffer behind a chunk's datagrams (DatagramPacker.take), if any. */
export function datagramBuffer(chunk: EncodedChunk): ArrayBuffer | undefined {
  return chunk.datagrams.length > 0 ? (chunk.datagrams[0].buffer as ArrayBuffer) : undefined;
}

export class InlineEncoding implements ChunkEncoding {
  readonly parallel = false;
  constructor(private readonly encoder: ChunkEncoder) {}

  encode(values: ReadonlyArray<Buffer | null>, nowMs: number): Promise<EncodedChunk> {
    try {
      return Promise.resolve(this.encoder.encode(values, nowMs));
    } catch (err) {
      return Promise.reject(asInsightsError(err, 'ENCODER_FAILED'));
    }
  }

  release(chunk: EncodedChunk): void {
    const buffer = datagramBuffer(chunk);
    if (buffer) this.encoder.recycle(buffer);
  }

  async close(): Promise<void> {
    /* nothing held */
  }
}

/** Main thread -> worker: a chunk to encode, or a datagram buffer given back. */
export type WorkerRequest = EncodeRequest | { recycle: ArrayBuffer };

export interface EncodeRequest {
  id: number;
  /** The values back to back. */
  bytes: Uint8Array;
  /** Length of each value; -1 for a null value. */
  lengths: Int32Array;
  nowMs: number;
}

/** Worker -> main thread: the chunk, its datagrams as one transferred buffer and their lengths. */
export type EncodeReply =
  | { id: number; chunk: Omit<EncodedChunk, 'datagrams'>; datagramBytes: ArrayBuffer; datagramLengths: Int32Array }
  | { id: number; error: string };

interface Pending {
  resolve(chunk: EncodedChunk): void;
  reject(err: Error): void;
}


export class WorkerEncoding implements ChunkEncoding {
  readonly parallel = true;
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly setup: EncoderSetup,
    private readonly log: Logger,
    private readonly script = join(__dirname, 'encoderWorker.js'),
  ) {}

  encode(values: ReadonlyArray<Buffer | null>, nowMs: number): Promise<EncodedChunk> {
    if (this.closed) return Promise.reject(new InsightsError('ENCODER_FAILED', 'encoder closed'));
    const worker = (this.worker ??= this.start());
    let total = 0;
    for (const v of values) if (v) total += v.length;
    const bytes = new Uint8Array(total);
    const lengths = new Int32Array(values.length);
    let pos = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) {
        lengths[i] = -1;
      } else {
        bytes.set(v, pos);
        pos += v.length;
        lengths[i] = v.length;
      }
    }
    const id = this.nextId++;
    return new Promise<EncodedChunk>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, bytes, lengths, nowMs };
      worker.postMessage(request, [bytes.buffer, lengths.buffer]);
    });
  }

  release(chunk: EncodedChunk): void {
    const buffer = datagramBuffer(chunk);
    // Only to the worker that is running (a respawned one is as happy to allocate).
    if (buffer && this.worker && !this.closed) this.worker.postMessage({ recycle: buffer } satisfies WorkerRequest, [buffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failPending(new InsightsError('ENCODER_FAILED', 'encoder closed'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script, {
      workerData: this.setup,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    // An idle encoder must not keep the process alive; the Kafka connection and timers do.
    worker.unref();
    worker.on('message', (reply: EncodeReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new InsightsError('ENCODER_FAILED', `encoder worker: ${reply.error}`));
      else p.resolve({ ...reply.chunk, datagrams: datagramViews(reply.datagramBytes, reply.datagramLengths) });
    });
    const lost = (cause: Error) => {
      const err = asInsightsError(cause, 'ENCODER_FAILED');
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.closed) this.log.rateLimited('encoder-worker', 'error', 'encoder worker stopped; starting a new one for the next chunk', { error: err.message });
      this.failPending(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new InsightsError('ENCODER_FAILED', `encoder worker exited with code ${code}`)));
    return worker;
  }

  private failPending(err: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }
}
