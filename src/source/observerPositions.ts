/**
 * A dry run's offsets: it observes, it never commits. It reads from a throwaway group, so that it
 * takes no partition from the configured group's members, and starts each partition where the
 * configured group stands (its committed offset; `start_from` where it has none). After that,
 * what the dry run itself printed moves its position on, so that a new member (after a failure
 * or a rebalance) goes on from there instead of printing everything again.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { OffsetSink } from './offsetCommitter';

export class ObserverPositions implements OffsetSink {
  /** Per partition, the next offset to read. */
  private readonly next = new Map<number, string>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    /** The configured consumer group, whose committed offsets are read, never written. */
    private readonly observedGroup: string,
  ) {}

  /**
   * Reads the observed group's committed offsets, for the partitions the dry run has not read
   * from yet. Runs before each new member connects; a failure fails that member (and is retried).
   */
  async load(): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId: this.observedGroup, topics: [this.topic] });
      for (const p of t?.partitions ?? []) {
        if (p.offset !== '-1' && !this.next.has(p.partition)) this.next.set(p.partition, p.offset);
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Where each owned partition starts: absent partitions start at `start_from`. */
  startOffsets(owned: ReadonlySet<number>): Array<{ partition: number; offset: string }> {
    return [...owned].filter((p) => this.next.has(p)).map((partition) => ({ partition, offset: this.next.get(partition) as string }));
  }

  delivered(partition: number, offset: string): void {
    this.next.set(partition, (BigInt(offset) + 1n).toString());
  }

  start(): void {}
  stop(): void {}
  retain(): void {}
  /** Nothing is ever committed. */
  async commit(): Promise<void> {}
  /** Nothing is pending: a dry run leaves no offsets behind. */
  uncommitted(): ReadonlyMap<number, string> {
    return new Map();
  }
}
