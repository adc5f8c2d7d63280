/**
 * The contract between consumption (this folder) and delivery (runtime/batchDelivery.ts): a
 * fetched batch is prepared into one job, which owns its chunks and offsets, runs once and
 * reports one outcome. Consumption decides from it what may be committed and where a
 * partition resumes; delivery decides nothing about Kafka.
 */
import type { RejectReason } from '../decode/rejectReasons';
import type { InsightsError } from '../errors';

export interface BatchMessage {
  offset: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: Record<string, unknown>;
  timestamp?: string;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: readonly BatchMessage[];
}

export interface JobControl {
  /** True when the job must be abandoned (rebalance, rewind, new consumer): stop without delivering more. */
  isStale(): boolean;
  /** Every message up to and including `offset` was handed off: it may be committed. */
  delivered(offset: string): void;
}

export interface BatchOutcome {
  ok: boolean;
  /** Last offset delivered by this run, if any. */
  lastResolved?: string;
  /** Messages delivered by this run. */
  processed: number;
  error?: InsightsError;
}

export interface BatchJob {
  readonly topic: string;
  readonly partition: number;
  /** The first offset of the batch: where the partition resumes when nothing was delivered. */
  readonly firstOffset: string;
  /** Message bytes held (what the fetch queue's bound counts). */
  readonly bytes: number;
  run(control: JobControl): Promise<BatchOutcome>;
}

/** Turns a fetched batch into its job; may start work at once (e.g. encoding in a worker thread). */
export type PrepareBatch = (batch: FetchedBatch) => BatchJob;

/** A rejected message on its way to the dead-letter topic. */
export interface DeadLetter {
  reason: RejectReason;
  message: BatchMessage;
  topic: string;
  partition: number;
}

/** Sends rejected messages elsewhere; resolves only when the broker acknowledged them. */
export type DeadLetterWriter = (letters: DeadLetter[]) => Promise<void>;
