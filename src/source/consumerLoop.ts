/**
 * One kafkajs consumer-group member at a time on the Insights topic, kept alive.
 *
 * Failure policy (DECISIONS): never exit for Kafka trouble. Connect and authentication
 * failures, and crashes that kafkajs does not restart itself (CRASH with `restart: false`),
 * end this member; the loop waits a capped, jittered backoff and starts a new one.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ResolvedInstance } from '../config/resolved';
import { InsightsError, kafkaError } from '../errors';
import type { Logger } from '../log/logger';
import { PARTITIONS_CONCURRENTLY, RECONNECT_BACKOFF_BASE_MS } from '../tunables';
import { Backoff, InterruptibleSleep } from './backoff';

export interface ConsumerListener {
  /** A fetch from the brokers succeeded. */
  fetched(): void;
  /** This member joined the group and owns these partitions of the topic. */
  joined(owned: ReadonlySet<number>, assignment: unknown): void;
  /** The member failed (connect, authentication, crash); it is replaced after a backoff. */
  failed(err: InsightsError, context: string): void;
  /** The member is gone (failed or stopping): it owns nothing any more. */
  left(): void;
}

export type BatchHandler = (payload: EachBatchPayload, consumer: Consumer) => Promise<void>;

export class ConsumerLoop {
  private member?: Consumer;
  private loop?: Promise<void>;
  private stopping = false;
  private readonly backoff: Backoff;
  private readonly sleeper = new InterruptibleSleep();
  /** Wakes the loop's wait on a running member when stop() is called. */
  private onStop: Array<() => void> = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly instance: ResolvedInstance,
    private readonly log: Logger,
    private readonly listener: ConsumerListener,
    private readonly eachBatch: BatchHandler,
    /** Runs before each new member connects; a failure fails that member (a dry run reads where to start here). */
    private readonly beforeConnect?: () => Promise<void>,
  ) {
    this.backoff = new Backoff(RECONNECT_BACKOFF_BASE_MS, instance.retry_max_ms);
  }

  /** The member running now, if any. */
  get consumer(): Consumer | undefined {
    return this.member;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** No new member from now on (a reconnect backoff in progress ends). */
  halt(): void {
    this.stopping = true;
    this.sleeper.wake();
  }

  /** The running member is let go (disconnect it with `disconnect`); implies halt(). */
  release(): void {
    this.halt();
    for (const f of this.onStop.splice(0)) f();
  }

  /** Leaves the group (committing nothing: that is the caller's, before). */
  async disconnect(): Promise<void> {
    await this.member?.disconnect().catch((err: Error) => this.log.warn('consumer disconnect failed', { error: err.message }));
  }

  /** Resolves when the loop has ended (after release()). */
  ended(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const consumer = this.createMember();
      let crashed: (err: Error) => void = () => undefined;
      const crash = new Promise<Error>((resolve) => (crashed = resolve));
      consumer.on(consumer.events.FETCH, () => {
        this.backoff.reset();
        this.listener.fetched();
      });
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const owned = new Set(e.payload.memberAssignment[this.instance.topic] ?? []);
        this.listener.joined(owned, e.payload.memberAssignment);
      });
      consumer.on(consumer.events.CRASH, (e) => {
        const restarts = e.payload.restart;
        this.listener.failed(restarts ? kafkaError(e.payload.error) : new InsightsError('CONSUMER_CRASH', e.payload.error.message, { retriable: true, cause: e.payload.error }), 'consumer crashed');
        if (!restarts) crashed(e.payload.error);
      });
      try {
        await this.beforeConnect?.();
        await consumer.connect();
        await consumer.subscribe({ topic: this.instance.topic, fromBeginning: this.instance.start_from === 'earliest' });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
          eachBatch: (payload) => this.eachBatch(payload, consumer),
        });
        const stopped = new Promise<undefined>((resolve) => this.onStop.push(() => resolve(undefined)));
        const err = await Promise.race([crash, stopped]);
        if (err) this.log.warn('consumer stopped by kafkajs; restarting it', { error: err.message });
      } catch (err) {
        this.listener.failed(kafkaError(err), 'cannot consume');
      }
      if (this.stopping) break;
      // Batches the old member fetched are not committed: the next member reads them again.
      this.listener.left();
      await consumer.disconnect().catch(() => undefined);
      await this.sleeper.sleep(this.backoff.next());
    }
    this.listener.left();
  }

  private createMember(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.instance.consumer_group,
      sessionTimeout: this.instance.session_timeout_ms,
      rebalanceTimeout: this.instance.rebalance_timeout_ms,
      heartbeatInterval: this.instance.heartbeat_interval_ms,
      maxBytesPerPartition: this.instance.max_bytes_per_partition,
      maxWaitTimeInMs: this.instance.max_wait_ms,
      allowAutoTopicCreation: false,
    });
    this.member = consumer;
    return consumer;
  }
}
