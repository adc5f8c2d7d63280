/**
 * Delivery of one fetched batch: encode (decode -> map -> pack) -> send, chunk by chunk. A
 * chunk's offsets are reported delivered only after every datagram carrying its metrics (and
 * every dead letter) was handed off without error; a failed chunk ends the job, so that the
 * batch is fetched again from the first message not delivered.
 */
import type { EncodedChunk } from '../encode/chunkEncoder';
import type { ChunkEncoding } from '../encode/chunkEncoding';
import { asInsightsError, InsightsError } from '../errors';
import type { Logger } from '../log/logger';
import type { DatagramTransport } from '../sink/transport';
import type { BatchJob, BatchMessage, BatchOutcome, DeadLetter, DeadLetterWriter, FetchedBatch, JobControl } from '../source/batchContract';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { CHUNK_MESSAGES } from '../tunables';

interface Chunk {
  offsets: readonly string[];
  /** Kafka timestamp (ms) of its last message, for `status`'s newest message time. */
  lastTimestamp: number;
  /** Kept while needed: for inline encoding, and for dead letters. */
  messages?: readonly BatchMessage[];
  encoded?: Promise<EncodedChunk>;
}

export interface BatchDeliveryOptions {
  /** Messages per chunk (tests make it small). */
  chunkSize?: number;
  now?: () => number;
  /** Hand the encoder each message's Kafka timestamp (model drift's message time). */
  timestamps?: boolean;
}

export class BatchDelivery {
  private readonly chunkSize: number;
  private readonly now: () => number;
  private readonly timestamps: boolean;

  constructor(
    private readonly encoding: ChunkEncoding,
    private readonly transport: DatagramTransport,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    private readonly deadLetters?: DeadLetterWriter,
    opts: BatchDeliveryOptions = {},
  ) {
    this.chunkSize = opts.chunkSize ?? CHUNK_MESSAGES;
    this.now = opts.now ?? Date.now;
    this.timestamps = opts.timestamps ?? false;
  }

  /**
   * Splits a batch into chunks. With a parallel encoding (a worker thread) every chunk is sent
   * to be encoded right away, so that the encoder works on this batch while the batches ahead
   * of it are sent and kafkajs fetches the next ones; inline, each chunk is encoded when its
   * turn comes. The job keeps no reference to kafkajs's batch.
   */
  prepare(batch: FetchedBatch): BatchJob {
    const { topic, partition, messages } = batch;
    const chunks: Chunk[] = [];
    let bytes = 0;
    for (const m of messages) bytes += m.value ? m.value.length : 0;
    for (let start = 0; start < messages.length; start += this.chunkSize) {
      const part = messages.slice(start, start + this.chunkSize);
      chunks.push({ offsets: part.map((m) => m.offset), lastTimestamp: Number(part[part.length - 1].timestamp), messages: part });
    }
    if (this.encoding.parallel) {
      for (const c of chunks) {
        this.encoded(c);
        // The values are in the encoder now. Letting go of kafkajs's message objects here, not
        // when the batch's turn comes, spares the young-generation GC copying them meanwhile.
        if (!this.deadLetters) c.messages = undefined;
      }
    }
    const firstOffset = messages.length > 0 ? messages[0].offset : '0';
    return { topic, partition, firstOffset, bytes, run: (control) => this.run(topic, partition, chunks, control) };
  }

  private async run(topic: string, partition: number, chunks: readonly Chunk[], control: JobControl): Promise<BatchOutcome> {
    const started = performance.now();
    let processed = 0;
    let lastResolved: string | undefined;
    for (const chunk of chunks) {
      if (control.isStale()) break;
      const failure = await this.deliverChunk(topic, partition, chunk, this.encoded(chunk));
      if (failure) {
        this.telemetry.batchDuration(performance.now() - started);
        return { ok: false, lastResolved, processed, error: failure };
      }
      // Counted once the chunk is handed off: a re-sent chunk is counted again, as it is sent again.
      this.telemetry.consumed(partition, chunk.offsets.length);
      this.telemetry.handedOff(chunk.lastTimestamp);
      processed += chunk.offsets.length;
      lastResolved = chunk.offsets[chunk.offsets.length - 1];
      control.delivered(lastResolved);
    }
    this.telemetry.batchDuration(performance.now() - started);
    return { ok: true, lastResolved, processed };
  }

  private encoded(chunk: Chunk): Promise<EncodedChunk> {
    if (!chunk.encoded) {
      const messages = chunk.messages ?? [];
      const timestamps = this.timestamps ? Float64Array.from(messages, (m) => (m.timestamp === undefined ? NaN : Number(m.timestamp))) : undefined;
      chunk.encoded = this.encoding.encode(
        messages.map((m) => m.value),
        this.now(),
        timestamps,
      );
      // Marked handled: a batch abandoned after a failure never awaits its later chunks.
      chunk.encoded.catch(() => undefined);
    }
    return chunk.encoded;
  }

  /** Sends everything the chunk produced; returns the failure, or undefined when all was handed off. */
  private async deliverChunk(topic: string, partition: number, chunk: Chunk, pending: Promise<EncodedChunk>): Promise<InsightsError | undefined> {
    let encoded: EncodedChunk;
    try {
      encoded = await pending;
    } catch (err) {
      const failure = asInsightsError(err, 'ENCODER_FAILED');
      this.telemetry.failure('encode', failure.code);
      this.log.rateLimited('encode-failed', 'warn', 'encoding a chunk failed; offsets held back, the batch will be processed again', { error: failure.message, code: failure.code });
      return failure;
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
      const failure = new InsightsError('SINK_SEND', result.error?.message ?? `${result.failed} datagrams failed`, { retriable: true, cause: result.error });
      this.telemetry.failure('send', failure.code);
      this.log.rateLimited('send-failed', 'warn', 'DogStatsD send failed; offsets held back, the batch will be sent again', {
        failed: result.failed,
        sent: result.sent,
        error: result.error?.message,
        target: this.transport.description,
      });
      return failure;
    }
    if (letters.length > 0 && this.deadLetters) {
      try {
        await this.deadLetters(letters);
        this.telemetry.deadLettered(letters.length);
      } catch (err) {
        const failure = asInsightsError(err, 'DEAD_LETTER_FAILED');
        this.telemetry.failure('dead_letter', failure.code);
        this.log.rateLimited('dlq-failed', 'warn', 'dead-letter produce failed; offsets held back', { error: failure.message });
        return failure;
      }
    }
    this.telemetry.emitted(encoded.emitted);
    return undefined;
  }
}
