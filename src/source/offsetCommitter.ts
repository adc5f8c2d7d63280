/**
 * Offsets on their way to Kafka. A partition's offset becomes pending only when delivery
 * reports its messages handed off (the at-least-once rule: see runtime/batchDelivery.ts), and
 * is committed every time (`commit_interval_ms: 0`), when the interval has passed, on the
 * interval timer (a topic gone quiet still gets its last offsets committed), or when forced
 * at shutdown. One commit at a time; a failed one is counted and its offsets stay pending.
 */
import type { Consumer } from 'kafkajs';
import { asInsightsError } from '../errors';
import type { Logger } from '../log/logger';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';

/** Where delivered offsets go: committed (OffsetCommitter), or only remembered (a dry run's ObserverPositions). */
export interface OffsetSink {
  start(): void;
  stop(): void;
  /** Every message of `partition` up to `offset` was handed off. */
  delivered(partition: number, offset: string): void;
  /** Keeps only the offsets of partitions this member owns. */
  retain(owned: ReadonlySet<number>): void;
  commit(force: boolean): Promise<void>;
  /** Per partition, the next offset to read that was delivered and not committed yet. */
  uncommitted(): ReadonlyMap<number, string>;
}

export class OffsetCommitter implements OffsetSink {
  /** Per partition, the next offset to read (Kafka's committed offset convention). */
  private readonly pending = new Map<number, string>();
  private committing?: Promise<void>;
  private lastCommitAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly topic: string,
    private readonly intervalMs: number,
    private readonly consumer: () => Consumer | undefined,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.intervalMs > 0) this.timer = setInterval(() => void this.commit(false), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Every message of `partition` up to `offset` was handed off. */
  delivered(partition: number, offset: string): void {
    this.pending.set(partition, (BigInt(offset) + 1n).toString());
  }

  /** Offsets of partitions this member no longer owns are not ours to commit (their new owner re-reads from the last commit). */
  retain(owned: ReadonlySet<number>): void {
    for (const p of [...this.pending.keys()]) if (!owned.has(p)) this.pending.delete(p);
  }

  uncommitted(): ReadonlyMap<number, string> {
    return this.pending;
  }

  async commit(force: boolean): Promise<void> {
    while (this.committing) await this.committing;
    const consumer = this.consumer();
    if (!consumer || this.pending.size === 0) return;
    if (!force && this.intervalMs > 0 && Date.now() - this.lastCommitAt < this.intervalMs) return;
    const offsets = [...this.pending].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
    this.committing = (async () => {
      try {
        await consumer.commitOffsets(offsets);
        for (const { partition, offset } of offsets) if (this.pending.get(partition) === offset) this.pending.delete(partition);
        this.lastCommitAt = Date.now();
        this.telemetry.committed();
      } catch (err) {
        const failure = asInsightsError(err, 'COMMIT_FAILED');
        this.telemetry.commitFailed();
        this.telemetry.failure('commit', failure.code);
        this.log.rateLimited('commit-failed', 'warn', 'offset commit failed; will retry', { error: failure.message });
      }
    })();
    try {
      await this.committing;
    } finally {
      this.committing = undefined;
    }
  }
}
