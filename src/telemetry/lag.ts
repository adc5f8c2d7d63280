/**
 * Consumer lag of the partitions this process owns, from the group join on: in messages (high
 * watermark minus committed offset, read with an admin client) and in seconds (the age of the
 * oldest message fetched and not yet handed off, from consumption's view). A partition that
 * moved to another member stops being reported here.
 */
import type { Admin, Kafka } from 'kafkajs';
import { kafkaError } from '../kafkaCauses';
import type { Logger } from '../log/logger';
import type { ForwarderTelemetry } from './forwarderTelemetry';

/** What the lag reader sees of consumption (source/partitionProgress.ts implements it). */
export interface PartitionLagView {
  /** The partitions owned now; undefined until the first group join (lag is reported from then on). */
  owned(): ReadonlySet<number> | undefined;
  /** Kafka timestamp (ms) of the first message of `partition` fetched and not yet handed off. */
  oldestPendingTimestamp(partition: number): number | undefined;
  /** Kafka timestamp (ms) of the last message of `partition` handed off since it was assigned. */
  lastDeliveredTimestamp(partition: number): number | undefined;
  /**
   * `listener` runs after every group join (a new assignment). Consumption holds the offsets it
   * delivers back from commits until the promise it returns settles (bounded): the join's lag
   * sample sees the backlog as it was.
   */
  onJoin(listener: () => Promise<void> | void): void;
}

export interface LagSecondsInput {
  /** Messages lag of the partition (high watermark minus committed offset). */
  lag: number;
  /** Kafka timestamp (ms) of the oldest message fetched and not yet handed off. */
  oldestPending?: number;
  /** Kafka timestamp (ms) of the last message handed off. */
  lastDelivered?: number;
  now: number;
}

/**
 * Lag in seconds: the age of the oldest message pending; with none pending and a lag above 0,
 * the age of the last message handed off; 0 when caught up. Undefined when it cannot be known
 * (a lag but nothing fetched or handed off yet since the partition was assigned).
 */
export function lagSeconds({ lag, oldestPending, lastDelivered, now }: LagSecondsInput): number | undefined {
  const age = (ts: number) => Math.max(0, Math.round(now - ts)) / 1000;
  if (oldestPending !== undefined) return age(oldestPending);
  if (lag <= 0) return 0;
  return lastDelivered === undefined ? undefined : age(lastDelivered);
}

export class LagReader {
  private admin?: Admin;
  private view?: PartitionLagView;
  private readonly joinListeners: Array<() => void> = [];
  /** The partitions of the last sample taken (the stop's sample reads them again). */
  private sampled?: ReadonlySet<number>;
  /** Set once the stop's sample gave up: nothing is sampled after it. */
  private closing = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly group: string,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reads owned partitions and timestamps from consumption; without it, no lag is reported. At
   * each group join it takes a sample at once, then tells its listeners (the reporter sends it).
   */
  follow(view: PartitionLagView): void {
    this.view = view;
    view.onJoin(async () => {
      await this.refresh();
      for (const l of this.joinListeners) l();
    });
  }

  /** `listener` runs once the sample of a group join was taken. */
  onJoin(listener: () => void): void {
    this.joinListeners.push(listener);
  }

  /** Replaces the telemetry's lag samples; on failure there are none (never a stale sample). */
  async refresh(): Promise<void> {
    const owned = this.view?.owned();
    if (!owned || owned.size === 0) {
      this.telemetry.clearLag();
      return;
    }
    await this.sample(owned, true);
  }

  /**
   * At stop, after the last commit: the lag of the partitions last sampled, read again within
   * `waitMs`, or none. A sample held since the group join would show a backlog long gone.
   */
  async finalSample(waitMs: number): Promise<void> {
    const partitions = this.sampled;
    this.telemetry.clearLag();
    if (waitMs <= 0) this.closing = true; // a read in flight must not refill the samples
    if (!this.admin || !partitions || partitions.size === 0 || waitMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const read = this.sample(partitions, false).then(() => true);
    const done = await Promise.race([read, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
    clearTimeout(timer);
    if (!done) {
      this.closing = true; // a late answer must not refill the samples
      this.telemetry.clearLag();
    }
  }

  /** Lag of `partitions` (only those still owned when `ownedOnly`) into the telemetry. */
  private async sample(partitions: ReadonlySet<number>, ownedOnly: boolean): Promise<void> {
    try {
      if (!this.admin) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      const [ends, committed] = await Promise.all([
        this.admin.fetchTopicOffsets(this.topic),
        this.admin.fetchOffsets({ groupId: this.group, topics: [this.topic] }),
      ]);
      if (this.closing) return;
      const committedByPartition = new Map<number, string>();
      for (const t of committed) for (const p of t.partitions) committedByPartition.set(p.partition, p.offset);
      this.telemetry.clearLag();
      const view = this.view;
      const ownedNow = ownedOnly ? view?.owned() : partitions;
      if (!view || !ownedNow) return;
      const now = this.now();
      const sampled = new Set<number>();
      for (const p of ends) {
        if (!ownedNow.has(p.partition)) continue;
        const c = committedByPartition.get(p.partition);
        const from = c !== undefined && c !== '-1' ? BigInt(c) : BigInt(p.low);
        const big = BigInt(p.high) - from;
        const lag = Number(big < 0n ? 0n : big);
        this.telemetry.setLag(p.partition, lag);
        sampled.add(p.partition);
        const seconds = lagSeconds({ lag, oldestPending: view.oldestPendingTimestamp(p.partition), lastDelivered: view.lastDeliveredTimestamp(p.partition), now });
        if (seconds !== undefined) this.telemetry.setLagSeconds(p.partition, seconds);
      }
      this.sampled = sampled;
    } catch (err) {
      const failure = kafkaError(err);
      this.telemetry.failure('lag', 'LAG_UNAVAILABLE');
      this.log.rateLimited('lag-failed', 'debug', 'consumer lag unavailable', { error: failure.message, code: failure.code });
      this.telemetry.clearLag();
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
