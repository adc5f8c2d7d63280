/**
 * One fetched batch of one partition: encode (decode -> map -> pack) -> send, chunk by chunk. A chunk's
 * offsets are resolved only after every datagram carrying its metrics (and every dead letter)
 * was handed off without error; a failed chunk stops the batch so that it is fetched again.
 */
import type { Logger } from '../log/logger';
import type { DatagramTransport } from '../sink/transport';
import type { RejectReason } from '../telemetry/catalogue';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import type { EncodedChunk } from './chunkEncoder';
import type { ChunkEncoding } from './chunkEncoding';

export interface BatchMessage {
  offset: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: Record<string, unknown>;
  timestamp?: string;
}

export interface DeadLetter {
  reason: RejectReason;
  message: BatchMessage;
  topic: string;
  partition: number;
}

/** Sends rejected messages elsewhere; resolves only when the broker acknowledged them. */
export type DeadLetterWriter = (letters: DeadLetter[]) => Promise<void>;

export interface BatchControl {
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** True when the batch must be abandoned (rebalance/seek): stop without resolving more. */
  isStale(): boolean;
}

export interface BatchOutcome {
  ok: boolean;
  /** Last offset resolved by this call, if any. */
  lastResolved?: string;
  processed: number;
  error?: Error;
}

interface PreparedChunk {
  offsets: readonly string[];
  /** Kept while needed: for inline encoding, and for dead letters. */
  messages?: readonly BatchMessage[];
  encoded?: Promise<EncodedChunk>;
}

/** A batch split into chunks, possibly already on its way through the encoder. */
export interface PreparedBatch {
  topic: string;
  partition: number;
  chunks: readonly PreparedChunk[];
}

export interface BatchProcessorOptions {
  /** Messages per chunk: bounds memory and the work re-sent after a failed send. */
  chunkSize?: number;
  now?: () => number;
}

export class BatchProcessor {
  private readonly chunkSize: number;
  private readonly now: () => number;

  constructor(
    private readonly encoding: ChunkEncoding,
    private readonly transport: DatagramTransport,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    opts: BatchProcessorOptions = {},
    private readonly deadLetters?: DeadLetterWriter,
  ) {
    this.chunkSize = opts.chunkSize ?? 2000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Splits a batch into chunks. With a parallel encoding (a worker thread) every chunk is sent
   * to be encoded right away, so that the encoder works on this batch while the batches ahead
   * of it are sent and kafkajs fetches the next ones; inline, each chunk is encoded when its
   * turn comes.
   */
  prepare(topic: string, partition: number, messages: readonly BatchMessage[]): PreparedBatch {
    const chunks: PreparedChunk[] = [];
    for (let start = 0; start < messages.length; start += this.chunkSize) {
      const part = messages.slice(start, start + this.chunkSize);
      chunks.push({ offsets: part.map((m) => m.offset), messages: part });
    }
    if (this.encoding.parallel) {
      for (const c of chunks) {
        this.encoded(c);
        // The values are in the encoder now. Letting go of kafkajs's message objects here, not
        // when the batch's turn comes, spares the young-generation GC copying them meanwhile.
        if (!this.deadLetters) c.messages = undefined;
      }
    }
    return { topic, partition, chunks };
  }

  async process(topic: string, partition: number, messages: readonly BatchMessage[], control: BatchControl): Promise<BatchOutcome> {
    return this.processPrepared(this.prepare(topic, partition, messages), control);
  }

  async processPrepared(batch: PreparedBatch, control: BatchControl): Promise<BatchOutcome> {
    const started = performance.now();
    let processed = 0;
    let lastResolved: string | undefined;
    for (const chunk of batch.chunks) {
      if (control.isStale()) break;
      const failure = await this.flushChunk(batch.topic, batch.partition, chunk, this.encoded(chunk));
      if (failure) {
        this.telemetry.batchDuration(performance.now() - started);
        return { ok: false, lastResolved, processed, error: failure };
      }
      // Counted once the chunk is handed off: a re-sent chunk is counted again, as it is sent again.
      this.telemetry.consumed(batch.partition, chunk.offsets.length);
      processed += chunk.offsets.length;
      lastResolved = chunk.offsets[chunk.offsets.length - 1];
      control.resolveOffset(lastResolved);
      await control.heartbeat();
    }
    this.telemetry.batchDuration(performance.now() - started);
    return { ok: true, lastResolved, processed };
  }

  private encoded(chunk: PreparedChunk): Promise<EncodedChunk> {
    if (!chunk.encoded) {
      chunk.encoded = this.encoding.encode(
        (chunk.messages ?? []).map((m) => m.value),
        this.now(),
      );
      // Marked handled: a batch abandoned after a failure never awaits its later chunks.
      chunk.encoded.catch(() => undefined);
    }
    return chunk.encoded;
  }

  /** Sends everything the chunk produced; returns the first error, or undefined when all was handed off. */
  private async flushChunk(topic: string, partition: number, chunk: PreparedChunk, pending: Promise<EncodedChunk>): Promise<Error | undefined> {
    let encoded: EncodedChunk;
    try {
      encoded = await pending;
    } catch (err) {
      this.log.rateLimited('encode-failed', 'warn', 'encoding a chunk failed; offsets held back, the batch will be processed again', { error: (err as Error).message });
      return err as Error;
    }
    const letters: DeadLetter[] = [];
    for (const r of encoded.rejected) {
      this.telemetry.rejected(r.reason);
      this.log.rateLimited(`reject:${r.reason}`, 'warn', 'message rejected', { reason: r.reason, detail: r.detail, topic, partition, offset: chunk.offsets[r.index] });
      const message = chunk.messages?.[r.index];
      if (this.deadLetters && message) letters.push({ reason: r.reason, message, topic, partition });
    }
    for (const [reason, n] of encoded.dropped) this.telemetry.dropped(reason, n);
    for (const [tag, n] of encoded.overflow) this.telemetry.tagOverflow(tag, n);
    const result = await this.transport.send(encoded.datagrams);
    this.encoding.release(encoded); // the transport copied what it sent: the buffer can be reused
    this.telemetry.datagrams(result.sent, result.failed);
    if (result.failed > 0) {
      this.log.rateLimited('send-failed', 'warn', 'DogStatsD send failed; offsets held back, the batch will be sent again', {
        failed: result.failed,
        sent: result.sent,
        error: result.error?.message,
        target: this.transport.description,
      });
      return result.error ?? new Error(`${result.failed} datagrams failed`);
    }
    if (letters.length > 0 && this.deadLetters) {
      try {
        await this.deadLetters(letters);
        this.telemetry.deadLettered(letters.length);
      } catch (err) {
        this.log.rateLimited('dlq-failed', 'warn', 'dead-letter produce failed; offsets held back', { error: (err as Error).message });
        return err as Error;
      }
    }
    this.telemetry.emitted(encoded.emitted);
    return undefined;
  }
}
