/**
 * The partitions this member owns, and the rewinds of those whose delivery failed. A queued
 * job is stale, and abandoned, once its partition moved to another member, was rewound after
 * it was queued, or the consumer that fetched it was replaced.
 */
import type { Consumer } from 'kafkajs';
import { SEND_RETRY_BACKOFF_BASE_MS } from '../tunables';
import { Backoff } from './backoff';

export class PartitionTracker {
  private owned: ReadonlySet<number> = new Set();
  /** Per partition, how often a failed batch rewound it: the batches queued before are stale. */
  private readonly rewinds = new Map<number, number>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly backoff: Backoff;
  private stopped = false;

  constructor(
    private readonly topic: string,
    retryMaxMs: number,
  ) {
    this.backoff = new Backoff(SEND_RETRY_BACKOFF_BASE_MS, retryMaxMs);
  }

  /** The assignment of the last group join (empty once the consumer is gone). */
  assign(owned: ReadonlySet<number>): void {
    this.owned = owned;
  }

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  /** A test for staleness, taken when a job is queued. */
  staleness(partition: number, fetchedBy: Consumer, current: () => Consumer | undefined): () => boolean {
    const rewind = this.rewinds.get(partition) ?? 0;
    return () => fetchedBy !== current() || !this.owned.has(partition) || (this.rewinds.get(partition) ?? 0) !== rewind;
  }

  /**
   * Holds a partition where its last delivered message left it: pause, seek back to `from`
   * (kafkajs fetches it again), and resume after a backoff that grows while failures repeat.
   */
  rewind(consumer: Consumer, partition: number, from: string): void {
    this.rewinds.set(partition, (this.rewinds.get(partition) ?? 0) + 1);
    consumer.pause([{ topic: this.topic, partitions: [partition] }]);
    consumer.seek({ topic: this.topic, partition, offset: from });
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      if (!this.stopped) consumer.resume([{ topic: this.topic, partitions: [partition] }]);
    }, this.backoff.next());
    this.resumeTimers.add(timer);
  }

  /** A batch was delivered whole: the next failure starts from the shortest delay again. */
  delivered(): void {
    this.backoff.reset();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.resumeTimers) clearTimeout(t);
    this.resumeTimers.clear();
  }
}
