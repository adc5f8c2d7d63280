/**
 * Consumption of one instance's topic: the consumer member (consumerLoop.ts), the fetch queue
 * between kafkajs and delivery, the partitions owned and rewound, and the offsets committed.
 *
 * The at-least-once rule is kept here: kafkajs's fetch position moves on as soon as a batch is
 * queued, but an offset becomes committable only when its job reports it delivered; a job that
 * fails rewinds its partition to the first message not delivered, and the batches queued
 * behind it are dropped (they are fetched again).
 *
 * It also keeps where each owned partition stands between fetch and hand-off
 * (partitionProgress.ts), which the lag reader sees through `lagView`.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import type { PartitionLagView } from '../telemetry/lag';
import { FETCH_QUEUE_FETCHES } from '../tunables';
import type { BatchJob, PrepareBatch } from './batchContract';
import { ConsumerLoop, type ConsumerListener } from './consumerLoop';
import { FetchQueue } from './fetchQueue';
import { ObserverPositions } from './observerPositions';
import { OffsetCommitter, type OffsetSink } from './offsetCommitter';
import { PartitionProgress, type FetchRecord } from './partitionProgress';
import { PartitionTracker } from './partitions';

/**
 * After a group join, delivered offsets wait this long at most for the join's lag sample before
 * they may be committed, so that the sample shows the backlog as it was at the join.
 */
const JOIN_SAMPLE_WAIT_MS = 2000;

interface QueuedBatch {
  partition: number;
  bytes: number;
  run(): Promise<void>;
}

export class Consumption {
  private readonly loop: ConsumerLoop;
  private readonly queue: FetchQueue<QueuedBatch>;
  private readonly partitions: PartitionTracker;
  private readonly offsets: OffsetSink;
  /** A dry run's positions (it commits nothing); undefined for a real run. */
  private readonly observer?: ObserverPositions;
  private readonly progress = new PartitionProgress();
  /** While the lag sample of the last join is being taken: delivered offsets wait for it, here. */
  private joinSample?: Promise<void>;
  private readonly heldOffsets = new Map<number, string>();
  private stopping = false;
  private handedOff = false;
  /** While a change waits for the batches in hand (between()): new batches wait for it. */
  private gate?: Promise<void>;
  private readonly topic: string;

  constructor(
    kafka: Kafka,
    instance: ResolvedInstance,
    private readonly prepare: PrepareBatch,
    telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    /** Told of the member's life (health); consumption keeps its own state before telling. */
    listener: ConsumerListener,
  ) {
    this.topic = instance.topic;
    this.queue = new FetchQueue(FETCH_QUEUE_FETCHES * instance.max_bytes_per_partition);
    this.partitions = new PartitionTracker(instance.topic, instance.retry_max_ms);
    this.observer = instance.dryRun ? new ObserverPositions(kafka, instance.topic, instance.dryRun.observedGroup) : undefined;
    this.offsets = this.observer ?? new OffsetCommitter(instance.topic, instance.commit_interval_ms, () => this.loop.consumer, telemetry, log);
    const own: ConsumerListener = {
      fetched: () => listener.fetched(),
      joined: (owned, assignment) => {
        // Synchronously, inside kafkajs's join: the seeks land before the member's first fetch.
        const consumer = this.loop.consumer;
        if (this.observer && consumer) {
          for (const { partition, offset } of this.observer.startOffsets(owned)) consumer.seek({ topic: instance.topic, partition, offset });
        }
        this.partitions.assign(owned);
        this.offsets.retain(owned);
        this.queue.discard((job) => !owned.has(job.partition));
        this.holdCommitsFor(this.progress.joined(owned));
        this.log.info('joined consumer group', { group: instance.consumer_group, assignment });
        listener.joined(owned, assignment);
      },
      failed: (err, context) => listener.failed(err, context),
      left: () => {
        this.partitions.assign(new Set());
        this.queue.discard(() => true);
        this.progress.left();
        listener.left();
      },
    };
    const observer = this.observer;
    this.loop = new ConsumerLoop(kafka, instance, log, own, (payload, consumer) => this.onBatch(payload, consumer), observer && (() => observer.load()));
  }

  /** Owned partitions and the timestamps of what is pending and delivered, for the lag in seconds. */
  get lagView(): PartitionLagView {
    return this.progress;
  }

  start(): void {
    this.loop.start();
    this.offsets.start();
  }

  /**
   * Stops fetching, finishes the batches in hand and commits them; then leaves the group.
   * `bound` limits each step that waits on Kafka (unreachable brokers must not hold a stop).
   */
  async stop(bound: (p: Promise<unknown>, what: string) => Promise<void>): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.loop.halt();
    this.partitions.stop();
    this.offsets.stop();
    await this.queue.idle();
    this.handedOff = true;
    // The join's lag sample is moot now: what was held back for it may be committed at once.
    this.joinSample = undefined;
    this.releaseHeldOffsets();
    await bound(this.offsets.commit(true), 'the last offset commit');
    const uncommitted = this.uncommitted();
    if (Object.keys(uncommitted).length > 0) {
      this.log.warn('the last offset commit did not complete: the messages up to these offsets were sent and will be sent again after a restart', { topic: this.topic, uncommitted });
    }
    this.loop.release();
    // A member still connecting has nothing to leave: neither step may hold the stop.
    await bound(Promise.all([this.loop.disconnect(), this.loop.ended()]), 'leaving the consumer group');
  }

  /**
   * Runs `change` between batches: new batches wait (kafkajs's fetch loop with them, as when the
   * queue is full) until every queued batch was delivered and `change` is done.
   */
  async between(change: () => Promise<void>): Promise<void> {
    while (this.gate) await this.gate;
    let open = () => {};
    this.gate = new Promise<void>((r) => (open = r));
    try {
      await this.queue.idle();
      await change();
    } finally {
      this.gate = undefined;
      open();
    }
  }

  /** Every fetched batch was handed off (set during stop, once the queue is idle). */
  get drained(): boolean {
    return this.handedOff;
  }

  /** Per partition, the last offset sent and not committed (read again after a restart). */
  uncommitted(): Record<number, string> {
    const out: Record<number, string> = {};
    for (const [partition, next] of this.offsets.uncommitted()) out[partition] = (BigInt(next) - 1n).toString();
    for (const [partition, offset] of this.heldOffsets) out[partition] = offset;
    return out;
  }

  /**
   * kafkajs's eachBatch: queue the batch's job and return, so that kafkajs fetches the next
   * batch while this one is delivered. The fetch position moves on now (resolveOffset); what
   * gets committed follows the job's deliveries.
   */
  private async onBatch(payload: EachBatchPayload, consumer: Consumer): Promise<void> {
    while (this.gate) await this.gate;
    const { batch } = payload;
    if (this.stopping || batch.messages.length === 0 || payload.isStale()) return;
    payload.resolveOffset(batch.messages[batch.messages.length - 1].offset);
    const job = this.prepare({ topic: batch.topic, partition: batch.partition, messages: batch.messages });
    const stale = this.partitions.staleness(batch.partition, consumer, () => this.loop.consumer);
    const record = this.progress.fetched(batch.partition, batch.messages);
    await this.queue.push({ partition: job.partition, bytes: job.bytes, run: () => this.runJob(job, record, consumer, stale) });
  }

  private async runJob(job: BatchJob, record: FetchRecord, consumer: Consumer, stale: () => boolean): Promise<void> {
    try {
      if (stale()) return;
      const outcome = await job.run({
        isStale: stale,
        delivered: (offset) => {
          if (stale()) return;
          this.progress.delivered(record, offset);
          if (this.joinSample) this.heldOffsets.set(job.partition, offset);
          else this.offsets.delivered(job.partition, offset);
        },
      });
      if (!outcome.ok && !stale()) {
        const from = outcome.lastResolved !== undefined ? (BigInt(outcome.lastResolved) + 1n).toString() : job.firstOffset;
        this.queue.discard((queued) => queued.partition === job.partition);
        this.progress.rewound(record);
        this.partitions.rewind(consumer, job.partition, from);
      } else if (outcome.ok) {
        this.partitions.delivered();
      }
    } finally {
      this.progress.finished(record);
    }
    await this.offsets.commit(this.stopping);
  }

  /** Delivered offsets wait for `sample` (at most JOIN_SAMPLE_WAIT_MS) before they become committable. */
  private holdCommitsFor(sample: Promise<void>): void {
    let timer: NodeJS.Timeout | undefined;
    const gate: Promise<void> = Promise.race([sample, new Promise<void>((r) => (timer = setTimeout(r, JOIN_SAMPLE_WAIT_MS)))]).then(() => {
      clearTimeout(timer);
      if (this.joinSample !== gate) return; // a later join holds them now (or the stop took them)
      this.joinSample = undefined;
      this.releaseHeldOffsets();
    });
    this.joinSample = gate;
  }

  private releaseHeldOffsets(): void {
    for (const [partition, offset] of this.heldOffsets) if (this.partitions.owns(partition)) this.offsets.delivered(partition, offset);
    this.heldOffsets.clear();
  }
}
