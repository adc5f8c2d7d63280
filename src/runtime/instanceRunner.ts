/**
 * One configured instance: a kafkajs consumer-group member on the Insights topic feeding the
 * batch processor, plus its telemetry loop (counters, consumer lag, service check).
 *
 * Failure policy (DECISIONS): never exit for Kafka trouble. Connect/auth failures and consumer
 * crashes that kafkajs does not restart itself are retried here with capped backoff, logged
 * once per state change, and reported as a CRITICAL service check.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import { formatTag } from '../map/sanitize';
import { DatagramPacker } from '../sink/datagramPacker';
import type { DatagramTransport } from '../sink/transport';
import { createKafka } from '../source/kafkaClient';
import { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { Backoff, InterruptibleSleep } from './backoff';
import { BatchProcessor, DeadLetter, PreparedBatch } from './batchProcessor';
import { createChunkEncoder, type EncoderSetup } from './chunkEncoder';
import { type ChunkEncoding, InlineEncoding, WorkerEncoding } from './chunkEncoding';
import { BatchPipeline } from './batchPipeline';

export const REJECT_REASON_HEADER = 'x-insights-reject-reason';

export interface InstanceRunnerOptions {
  telemetryIntervalMs: number;
  /** Messages per send chunk (tests and the benchmark tune it). */
  chunkSize?: number;
}

export interface InstanceHealth {
  ok: boolean;
  message?: string;
  lastFetchAt?: number;
}

export class InstanceRunner {
  readonly telemetry: ForwarderTelemetry;
  private readonly kafka: Kafka;
  private readonly processor: BatchProcessor;
  private readonly encoding: ChunkEncoding;
  private readonly sleeper = new InterruptibleSleep();
  private readonly reconnectBackoff: Backoff;
  private readonly sinkBackoff: Backoff;
  private readonly telemetryPacker: DatagramPacker;
  private consumer?: Consumer;
  private admin?: Admin;
  private producer?: Producer;
  private loop?: Promise<void>;
  private telemetryTimer?: NodeJS.Timeout;
  private stopping = false;
  /** Fetched batches waiting to be sent, so that kafkajs fetches the next while they are. */
  private readonly pipeline: BatchPipeline;
  /** Partitions this member owns since the last group join. */
  private assigned = new Set<number>();
  /** Per partition, how often a failed batch rewound it: the batches queued before are stale. */
  private readonly rewinds = new Map<number, number>();
  private commitTimer?: NodeJS.Timeout;
  private committing?: Promise<void>;
  private readonly pendingCommits = new Map<number, string>();
  private lastCommitAt = 0;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private lastFetchAt?: number;
  private lastError?: string;
  private lastErrorAt = 0;
  private healthy?: boolean;
  private joined = false;
  private startedAt = 0;
  /** Wakes the consume loop's wait when stop() is called. */
  private onStop: Array<() => void> = [];
  private reporting = false;
  private lagRefresh?: Promise<void>;

  constructor(
    readonly instance: ResolvedInstance,
    private readonly transport: DatagramTransport,
    private readonly log: Logger,
    private readonly opts: InstanceRunnerOptions,
  ) {
    const telemetryTags = [
      formatTag('topic', instance.topic),
      formatTag('consumer_group', instance.consumer_group),
      ...instance.telemetryTags,
    ].filter((t): t is string => t !== undefined);
    this.telemetry = new ForwarderTelemetry(telemetryTags.join(','));
    this.kafka = createKafka(instance, log);
    this.reconnectBackoff = new Backoff(500, instance.retry_max_ms);
    this.sinkBackoff = new Backoff(100, instance.retry_max_ms);
    this.telemetryPacker = new DatagramPacker(instance.dogstatsd.maxDatagramBytes, transport.lineSuffix);
    this.pipeline = new BatchPipeline(PIPELINE_FETCHES * instance.max_bytes_per_partition);
    const setup: EncoderSetup = {
      mapping: {
        prefix: instance.prefix,
        defaultType: instance.default_metric_type,
        types: instance.metric_types,
        tagRequestId: instance.tag_request_id,
        tagSessionId: instance.tag_session_id,
        useMessageTime: instance.use_message_time,
        allow: instance.metric_allowlist,
        deny: instance.metric_denylist,
        staticTags: instance.metricTags,
        maxAgeSeconds: 3600,
      },
      limits: {
        maxAlgorithms: instance.cardinality.max_algorithms,
        maxNamesPerAlgorithm: instance.cardinality.max_metric_names_per_algorithm,
        maxVersionsPerAlgorithm: instance.cardinality.max_versions_per_algorithm,
        windowMs: instance.cardinality.window_seconds * 1000,
      },
      encoder: {
        maxMessageBytes: instance.max_message_bytes,
        maxDatagramBytes: instance.dogstatsd.maxDatagramBytes,
        lineSuffix: transport.lineSuffix,
        packValues: instance.dogstatsd.packValues,
      },
    };
    // Built here either way: a bad regex or prefix fails at start, not in the worker.
    const inline = createChunkEncoder(setup);
    this.encoding = instance.worker_thread ? new WorkerEncoding(setup, log) : new InlineEncoding(inline);
    this.processor = new BatchProcessor(
      this.encoding,
      transport,
      this.telemetry,
      log,
      { chunkSize: opts.chunkSize },
      instance.dead_letter_topic ? (letters) => this.writeDeadLetters(letters) : undefined,
    );
  }

  /**
   * Reports once before consuming (bounded wait), so that the first lag sample after a restart
   * shows the backlog that built up meanwhile; then consumes and reports every interval.
   */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await this.reportTelemetry(false, 5000);
    if (this.stopping) return;
    this.loop = this.consumeLoop();
    this.telemetryTimer = setInterval(() => void this.reportTelemetry(), this.opts.telemetryIntervalMs);
    // With a commit interval, a topic that goes quiet must still get its last offsets committed.
    if (this.instance.commit_interval_ms > 0) {
      this.commitTimer = setInterval(() => void this.commitPending(false), this.instance.commit_interval_ms);
    }
  }

  /** While first joining the group (and no error yet) the status is unknown: no service check is sent. */
  private get starting(): boolean {
    const graceMs = Math.max(30_000, 3 * this.opts.telemetryIntervalMs);
    return !this.joined && this.lastFetchAt === undefined && this.lastError === undefined && Date.now() - this.startedAt < graceMs;
  }

  health(): InstanceHealth {
    const staleMs = Math.max(3 * this.opts.telemetryIntervalMs, 3 * this.instance.max_wait_ms, 3000);
    if (this.lastError && (!this.lastFetchAt || this.lastErrorAt >= this.lastFetchAt)) return { ok: false, message: this.lastError, lastFetchAt: this.lastFetchAt };
    if (!this.joined || this.lastFetchAt === undefined) return { ok: false, message: this.lastError ?? 'not connected to Kafka yet', lastFetchAt: this.lastFetchAt };
    const age = Date.now() - this.lastFetchAt;
    if (age > staleMs) {
      return { ok: false, message: `no successful fetch from Kafka for ${Math.round(age / 1000)} s${this.lastError ? ` (last error: ${this.lastError})` : ''}`, lastFetchAt: this.lastFetchAt };
    }
    return { ok: true, lastFetchAt: this.lastFetchAt };
  }

  private noteError(err: unknown, context: string): void {
    const message = `${context}: ${(err as Error)?.message ?? String(err)}`;
    this.lastError = message;
    this.lastErrorAt = Date.now();
    this.updateHealthState();
  }

  /** Logs one line per change between healthy and unhealthy. */
  private updateHealthState(): void {
    if (this.stopping || this.starting) return;
    const h = this.health();
    if (h.ok !== this.healthy) {
      this.healthy = h.ok;
      if (h.ok) this.log.info('connected to Kafka and consuming', { topic: this.instance.topic });
      else this.log.error('Kafka unavailable', { topic: this.instance.topic, reason: h.message });
    }
  }

  private async consumeLoop(): Promise<void> {
    while (!this.stopping) {
      const consumer = this.kafka.consumer({
        groupId: this.instance.consumer_group,
        sessionTimeout: this.instance.session_timeout_ms,
        rebalanceTimeout: this.instance.rebalance_timeout_ms,
        heartbeatInterval: this.instance.heartbeat_interval_ms,
        maxBytesPerPartition: this.instance.max_bytes_per_partition,
        maxWaitTimeInMs: this.instance.max_wait_ms,
        allowAutoTopicCreation: false,
      });
      this.consumer = consumer;
      let crashed: (err: Error) => void = () => undefined;
      const crash = new Promise<Error>((resolve) => (crashed = resolve));
      consumer.on(consumer.events.FETCH, () => {
        this.lastFetchAt = Date.now();
        this.reconnectBackoff.reset();
        this.updateHealthState();
      });
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        this.joined = true;
        // Offsets of partitions this member no longer owns are not ours to commit any more
        // (their new owner re-reads from the last commit: at-least-once).
        const owned = new Set(e.payload.memberAssignment[this.instance.topic] ?? []);
        this.assigned = owned;
        for (const p of [...this.pendingCommits.keys()]) if (!owned.has(p)) this.pendingCommits.delete(p);
        this.pipeline.discard((job) => !owned.has(job.partition));
        this.log.info('joined consumer group', { group: this.instance.consumer_group, assignment: e.payload.memberAssignment });
      });
      consumer.on(consumer.events.CRASH, (e) => {
        this.noteError(e.payload.error, 'consumer crashed');
        if (!e.payload.restart) crashed(e.payload.error);
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: this.instance.topic, fromBeginning: this.instance.start_from === 'earliest' });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          // One batch at a time: two in parallel measured no faster (bench, 1M messages) and
          // held more memory. The code allows more (order within a partition is kafkajs's).
          partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
          eachBatch: (payload) => this.onBatch(payload),
        });
        const stopped = new Promise<undefined>((resolve) => this.onStop.push(() => resolve(undefined)));
        const err = await Promise.race([crash, stopped]);
        if (err) this.log.warn('consumer stopped by kafkajs; restarting it', { error: err.message });
      } catch (err) {
        this.noteError(err, 'cannot consume');
      }
      this.joined = false;
      if (this.stopping) break;
      // Batches the old consumer fetched are not committed: the next member reads them again.
      this.assigned = new Set();
      this.pipeline.discard(() => true);
      await consumer.disconnect().catch(() => undefined);
      await this.sleeper.sleep(this.reconnectBackoff.next());
    }
  }

  /**
   * kafkajs's eachBatch: queue the batch and return, so that kafkajs fetches the next one while
   * this one is sent. The fetch position moves on now (kafkajs's resolved offset); what gets
   * committed is tracked apart (pendingCommits), chunk by chunk, once each chunk was handed off.
   * A batch that fails rewinds its partition with a seek (see sendBatch).
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const consumer = this.consumer;
    if (this.stopping || !consumer || batch.messages.length === 0 || payload.isStale()) return;
    let bytes = 0;
    for (const m of batch.messages) bytes += m.value ? m.value.length : 0;
    payload.resolveOffset(batch.messages[batch.messages.length - 1].offset);
    // The job keeps no reference to kafkajs's payload or batch (see BatchProcessor.prepare).
    const { topic, partition } = batch;
    const firstOffset = batch.messages[0].offset;
    const prepared = this.processor.prepare(topic, partition, batch.messages);
    const rewind = this.rewinds.get(partition) ?? 0;
    await this.pipeline.push({ partition, bytes, run: () => this.sendBatch(topic, partition, firstOffset, prepared, consumer, rewind) });
  }

  /** One queued batch: process it, and on a failed send hold its partition back. */
  private async sendBatch(topic: string, partition: number, firstOffset: string, prepared: PreparedBatch, consumer: Consumer, rewind: number): Promise<void> {
    // Abandoned when the partition moved to another member or was rewound, or the consumer was replaced.
    const stale = () => consumer !== this.consumer || !this.assigned.has(partition) || (this.rewinds.get(partition) ?? 0) !== rewind;
    if (stale()) return;
    const outcome = await this.processor.processPrepared(prepared, {
      resolveOffset: (offset) => {
        if (!stale()) this.pendingCommits.set(partition, (BigInt(offset) + 1n).toString());
      },
      // kafkajs heartbeats from its own loop, between the batches it hands to eachBatch.
      heartbeat: () => Promise.resolve(),
      isStale: stale,
    });
    if (!outcome.ok && !stale()) {
      // Hold the partition where the last good chunk left it: drop its queued batches, seek
      // back to the first message not handed off (kafkajs fetches it again), and resume after
      // a backoff.
      const from = outcome.lastResolved !== undefined ? (BigInt(outcome.lastResolved) + 1n).toString() : firstOffset;
      this.pipeline.discard((job) => job.partition === partition);
      this.rewinds.set(partition, rewind + 1);
      consumer.pause([{ topic, partitions: [partition] }]);
      consumer.seek({ topic, partition, offset: from });
      const delay = this.sinkBackoff.next();
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        if (!this.stopping) consumer.resume([{ topic, partitions: [partition] }]);
      }, delay);
      this.resumeTimers.add(timer);
    } else if (outcome.ok) {
      this.sinkBackoff.reset();
    }
    await this.commitPending(this.stopping);
  }

  /**
   * Commits the offsets resolved so far: every time (interval 0), when the interval has
   * passed, or when forced (stopping). One commit at a time; a failure is counted and the
   * offsets stay pending for the next attempt.
   */
  private async commitPending(force: boolean): Promise<void> {
    while (this.committing) await this.committing;
    const consumer = this.consumer;
    if (!consumer || this.pendingCommits.size === 0) return;
    const interval = this.instance.commit_interval_ms;
    if (!force && interval > 0 && Date.now() - this.lastCommitAt < interval) return;
    const offsets = [...this.pendingCommits].map(([partition, offset]) => ({ topic: this.instance.topic, partition, offset }));
    this.committing = (async () => {
      try {
        await consumer.commitOffsets(offsets);
        for (const { partition, offset } of offsets) if (this.pendingCommits.get(partition) === offset) this.pendingCommits.delete(partition);
        this.lastCommitAt = Date.now();
        this.telemetry.committed();
      } catch (err) {
        this.telemetry.commitFailed();
        this.log.rateLimited('commit-failed', 'warn', 'offset commit failed; will retry', { error: (err as Error).message });
      }
    })();
    try {
      await this.committing;
    } finally {
      this.committing = undefined;
    }
  }

  private async writeDeadLetters(letters: DeadLetter[]): Promise<void> {
    const topic = this.instance.dead_letter_topic as string;
    if (!this.producer) {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      await producer.connect();
      this.producer = producer;
    }
    await this.producer.send({
      topic,
      acks: -1,
      messages: letters.map((l) => ({
        key: l.message.key ?? null,
        value: l.message.value,
        headers: {
          [REJECT_REASON_HEADER]: l.reason,
          'x-insights-source-topic': l.topic,
          'x-insights-source-partition': String(l.partition),
          'x-insights-source-offset': l.message.offset,
        },
      })),
    });
  }

  /** Consumer lag per partition: high watermark minus committed offset. */
  private async refreshLag(): Promise<void> {
    try {
      if (!this.admin) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      const [ends, committed] = await Promise.all([
        this.admin.fetchTopicOffsets(this.instance.topic),
        this.admin.fetchOffsets({ groupId: this.instance.consumer_group, topics: [this.instance.topic] }),
      ]);
      const committedByPartition = new Map<number, string>();
      for (const t of committed) for (const p of t.partitions) committedByPartition.set(p.partition, p.offset);
      this.telemetry.clearLag();
      for (const p of ends) {
        const c = committedByPartition.get(p.partition);
        const from = c !== undefined && c !== '-1' ? BigInt(c) : BigInt(p.low);
        const lag = BigInt(p.high) - from;
        this.telemetry.setLag(p.partition, Number(lag < 0n ? 0n : lag));
      }
    } catch (err) {
      this.log.rateLimited('lag-failed', 'debug', 'consumer lag unavailable', { error: (err as Error).message });
      this.telemetry.clearLag();
    }
  }

  /**
   * Sends telemetry and (unless this is the final report at shutdown) the service check; never
   * throws. The lag fetch runs beside it and is waited for at most `lagWaitMs`: an unreachable
   * broker must not hold back the service check that reports it.
   */
  async reportTelemetry(final = false, lagWaitMs = Math.min(1000, this.opts.telemetryIntervalMs / 2)): Promise<void> {
    if (this.reporting) return;
    this.reporting = true;
    try {
      if (!final) {
        this.updateHealthState();
        this.lagRefresh ??= this.refreshLag().finally(() => (this.lagRefresh = undefined));
        let timer: NodeJS.Timeout | undefined;
        const waited = await Promise.race([this.lagRefresh.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), lagWaitMs)))]);
        clearTimeout(timer);
        if (!waited) this.telemetry.clearLag(); // never report a stale sample
      }
      const h = this.health();
      const skipCheck = final || this.starting;
      const lines = this.telemetry.drainLines(skipCheck ? undefined : { status: h.ok ? 0 : 2, message: h.ok ? undefined : h.message });
      for (const line of lines) this.telemetryPacker.add(line);
      const result = await this.transport.send(this.telemetryPacker.take());
      if (result.failed > 0) this.log.rateLimited('telemetry-send', 'warn', 'telemetry send failed', { error: result.error?.message });
    } catch (err) {
      this.log.rateLimited('telemetry', 'warn', 'telemetry report failed', { error: (err as Error).message });
    } finally {
      this.reporting = false;
    }
  }

  /** Stop fetching, finish the batch in hand, commit, disconnect. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.telemetryTimer) clearInterval(this.telemetryTimer);
    for (const t of this.resumeTimers) clearTimeout(t);
    this.resumeTimers.clear();
    this.sleeper.wake();
    if (this.commitTimer) clearInterval(this.commitTimer);
    const consumer = this.consumer;
    // The batches in hand finish (and commit, seeing `stopping`); then whatever is left.
    await this.pipeline.idle();
    await this.commitPending(true);
    for (const f of this.onStop.splice(0)) f();
    // With Kafka unreachable, leaving the group or a connect in progress can take the whole
    // request timeout: there is nothing to commit then, so do not wait for it.
    const bound = (p: Promise<unknown> | undefined, what: string) =>
      withTimeout(p, STOP_STEP_MS, () => this.log.warn(`${what} did not finish within ${STOP_STEP_MS} ms; going on`));
    await bound(consumer?.disconnect().catch((err) => this.log.warn('consumer disconnect failed', { error: (err as Error).message })), 'consumer disconnect');
    await bound(this.loop, 'consumer loop');
    await this.reportTelemetry(true);
    await bound(Promise.all([this.admin?.disconnect().catch(() => undefined), this.producer?.disconnect().catch(() => undefined)]), 'admin/producer disconnect');
    await this.encoding.close();
  }
}

const STOP_STEP_MS = 5000;
const PARTITIONS_CONCURRENTLY = 1;
/** Queue bound, in largest per-partition fetches: enough to send while the next fetch is answered. */
const PIPELINE_FETCHES = 4;

async function withTimeout(p: Promise<unknown> | undefined, ms: number, onTimeout: () => void): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([p.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms)))]);
  clearTimeout(timer);
  if (timedOut) onTimeout();
}
