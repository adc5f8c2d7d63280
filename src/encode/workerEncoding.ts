/**
 * Chunks encoded in a worker thread (encoderWorker.ts).
 *
 * A chunk crosses as one transferred buffer (values back to back) plus their lengths and
 * timestamps, and its datagrams come back the same way: nothing is serialised or copied per
 * message. A worker that dies fails the chunks in flight (their partitions are paused and sent
 * again, as for a failed send) and is started again on the next chunk, with fresh cardinality
 * windows. Model monitoring lives on this side (monitorFeed.ts), fed with the observations each chunk
 * brings back, so a worker that dies loses none of it.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { asInsightsError, InsightsError } from '../errors';
import type { Logger } from '../log/logger';
import { datagramViews } from '../sink/datagramPacker';
import { WORKER_YOUNG_GENERATION_MB } from '../tunables';
import { holdAgain } from '../youngGeneration';
import type { EncodedChunk, EncoderSetup } from './chunkEncoder';
import { datagramBuffer, type ChunkEncoding } from './chunkEncoding';
import type { MonitorReport } from '../monitor';
import type { MonitorFeed } from './monitorFeed';
import { noteWorkerMemory, type WorkerMemory } from './workerMemory';

/** What a worker starts from. */
export interface WorkerData {
  setup: EncoderSetup;
}

/** Main thread -> worker: a chunk to encode, or a datagram buffer or applied observations' buffers given back. */
export type WorkerRequest = EncodeRequest | { recycle: ArrayBuffer } | { recycleObservations: ArrayBuffer[] };

export interface EncodeRequest {
  id: number;
  /** The values back to back. */
  bytes: Uint8Array;
  /** Length of each value; -1 for a null value. */
  lengths: Int32Array;
  timestamps?: Float64Array;
  nowMs: number;
}

/** Worker -> main thread: the chunk (its datagrams as one transferred buffer and their lengths), or an error. */
export type WorkerReply =
  | { id: number; chunk: Omit<EncodedChunk, 'datagrams'>; datagramBytes: ArrayBuffer; datagramLengths: Int32Array; memory: WorkerMemory }
  | { id: number; error: string };

interface Pending {
  resolve(reply: WorkerReply): void;
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
    /** Model monitoring, fed with each chunk's observations (absent when it is off). */
    private readonly monitor?: MonitorFeed,
  ) {
    monitor?.recycleTo((buffers) => {
      if (this.worker && !this.closed) this.worker.postMessage({ recycleObservations: buffers } satisfies WorkerRequest, buffers);
    });
  }

  async encode(values: ReadonlyArray<Buffer | null>, nowMs: number, timestamps?: Float64Array): Promise<EncodedChunk> {
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
    const transfer: ArrayBuffer[] = [bytes.buffer, lengths.buffer];
    if (timestamps) transfer.push(timestamps.buffer as ArrayBuffer);
    const reply = await this.request((id) => ({ id, bytes, lengths, timestamps, nowMs }), transfer);
    if (!('chunk' in reply)) throw new InsightsError('ENCODER_FAILED', 'encoder worker: unexpected reply');
    this.monitor?.add(reply.chunk.observations);
    noteWorkerMemory(reply.memory);
    return { ...reply.chunk, datagrams: datagramViews(reply.datagramBytes, reply.datagramLengths) };
  }

  release(chunk: EncodedChunk): void {
    const buffer = datagramBuffer(chunk);
    // Only to the worker that is running (a respawned one is as happy to allocate).
    if (buffer && this.worker && !this.closed) this.worker.postMessage({ recycle: buffer } satisfies WorkerRequest, [buffer]);
  }

  async monitorReport(nowMs: number): Promise<MonitorReport | undefined> {
    return this.monitor?.report(nowMs);
  }

  async monitorSnapshot(): Promise<Uint8Array | undefined> {
    return this.monitor?.snapshot();
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failPending(new InsightsError('ENCODER_FAILED', 'encoder closed'));
    if (worker) await worker.terminate();
  }

  private request(build: (id: number) => WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new InsightsError('ENCODER_FAILED', 'encoder closed'));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(build(id), transfer);
    });
  }

  private start(): Worker {
    const data: WorkerData = { setup: this.setup };
    const worker = new Worker(this.script, {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    // An idle encoder must not keep the process alive; the Kafka connection and timers do.
    worker.unref();
    worker.once('online', holdAgain);
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new InsightsError('ENCODER_FAILED', `encoder worker: ${reply.error}`));
      else p.resolve(reply);
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
