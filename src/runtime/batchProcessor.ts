/**
 * One fetched batch of one partition: decode -> map -> pack -> send, chunk by chunk. A chunk's
 * offsets are resolved only after every datagram carrying its metrics (and every dead letter)
 * was handed off without error; a failed chunk stops the batch so that it is fetched again.
 */
import type { MetricType } from '../config/schema';
import { decodeMessage } from '../decode/decodeMessage';
import type { Logger } from '../log/logger';
import type { GuardedTag, Mapper, PointSink } from '../map/mapRecord';
import { DatagramPacker } from '../sink/datagramPacker';
import { formatLine } from '../sink/lineFormat';
import { SeriesPacker } from '../sink/seriesPacker';
import type { DatagramTransport } from '../sink/transport';
import type { DropReason, RejectReason } from '../telemetry/catalogue';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';

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

export interface BatchProcessorOptions {
  maxMessageBytes: number;
  maxDatagramBytes: number;
  /** DogStatsD 1.1 value packing (`name:v1:v2|d|#tags`); off: one line per value. */
  packValues?: boolean;
  /** Messages per chunk: bounds memory and the work re-sent after a failed send. */
  chunkSize?: number;
  now?: () => number;
}

export class BatchProcessor implements PointSink {
  private readonly packer: DatagramPacker;
  private readonly series?: SeriesPacker;
  private readonly chunkSize: number;
  private readonly now: () => number;
  /** Stamped counts/gauges of one series and second, merged before sending (the Agent won't). */
  private readonly stamped = new Map<string, { line: (v: number) => string; value: number }>();
  private emittedInChunk = 0;

  constructor(
    private readonly mapper: Mapper,
    private readonly transport: DatagramTransport,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    private readonly opts: BatchProcessorOptions,
    private readonly deadLetters?: DeadLetterWriter,
  ) {
    this.packer = new DatagramPacker(opts.maxDatagramBytes, transport.lineSuffix);
    if (opts.packValues ?? true) this.series = new SeriesPacker();
    this.chunkSize = opts.chunkSize ?? 2000;
    this.now = opts.now ?? Date.now;
  }

  // PointSink: called by the mapper for each value
  point(name: string, value: number, type: MetricType, tags: string, timestampSec: number | undefined): void {
    if (timestampSec !== undefined) {
      const key = `${name}|${type}|${tags}|${timestampSec}`;
      const prev = this.stamped.get(key);
      if (prev) prev.value = type === 'count' ? prev.value + value : value;
      else this.stamped.set(key, { line: (v) => formatLine(name, v, type, tags, timestampSec), value });
      this.emittedInChunk++;
      return;
    }
    if (this.series) {
      this.series.add(name, value, type, tags);
      this.emittedInChunk++;
    } else if (this.packer.add(formatLine(name, value, type, tags))) this.emittedInChunk++;
    else this.telemetry.dropped('too_long');
  }

  drop(reason: DropReason): void {
    this.telemetry.dropped(reason);
  }

  overflow(tag: GuardedTag): void {
    this.telemetry.tagOverflow(tag);
  }

  async process(topic: string, partition: number, messages: readonly BatchMessage[], control: BatchControl): Promise<BatchOutcome> {
    const started = performance.now();
    let processed = 0;
    let lastResolved: string | undefined;
    for (let start = 0; start < messages.length; start += this.chunkSize) {
      if (control.isStale()) break;
      const chunk = messages.slice(start, start + this.chunkSize);
      const letters: DeadLetter[] = [];
      const now = this.now();
      for (const message of chunk) {
        const decoded = decodeMessage(message.value, this.opts.maxMessageBytes);
        if (!decoded.ok) {
          this.telemetry.rejected(decoded.reason);
          this.log.rateLimited(`reject:${decoded.reason}`, 'warn', 'message rejected', {
            reason: decoded.reason,
            detail: decoded.detail,
            topic,
            partition,
            offset: message.offset,
          });
          if (this.deadLetters) letters.push({ reason: decoded.reason, message, topic, partition });
          continue;
        }
        this.mapper.map(decoded.record, now, this, decoded.nonFinite);
      }
      const failure = await this.flushChunk(letters);
      if (failure) {
        this.telemetry.batchDuration(performance.now() - started);
        return { ok: false, lastResolved, processed, error: failure };
      }
      // Counted once the chunk is handed off: a re-sent chunk is counted again, as it is sent again.
      this.telemetry.consumed(partition, chunk.length);
      processed += chunk.length;
      lastResolved = chunk[chunk.length - 1].offset;
      control.resolveOffset(lastResolved);
      await control.heartbeat();
    }
    this.telemetry.batchDuration(performance.now() - started);
    return { ok: true, lastResolved, processed };
  }

  /** Sends everything the chunk produced; returns the first error, or undefined when all was handed off. */
  private async flushChunk(letters: DeadLetter[]): Promise<Error | undefined> {
    let refused = 0;
    for (const entry of this.stamped.values()) {
      if (!this.packer.add(entry.line(entry.value))) refused++;
    }
    this.stamped.clear();
    if (this.series) refused += this.series.drain(this.packer.maxBytes, this.packer.suffixBytes, (line, bytes) => this.packer.add(line, bytes));
    if (refused > 0) this.telemetry.dropped('too_long', refused);
    const datagrams = this.packer.take();
    const emitted = this.emittedInChunk - refused;
    this.emittedInChunk = 0;
    const result = await this.transport.send(datagrams);
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
    this.telemetry.emitted(emitted);
    return undefined;
  }
}
