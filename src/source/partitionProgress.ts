/**
 * Where each owned partition stands between fetch and hand-off, for the consumer lag in seconds:
 * the Kafka timestamp of the oldest message fetched and not yet handed off (delivered), and of
 * the last message handed off. Read by telemetry/lag.ts through `PartitionLagView`.
 *
 * Cheap by design: no work per message. A fetched batch leaves a few (offset, timestamp) marks,
 * at its first and last message and at each chunk boundary (every CHUNK_MESSAGES messages, where
 * delivery reports progress); a delivered offset or the first message after it is then always
 * a mark. Should the chunks be cut elsewhere, the nearest mark before the offset stands in (an
 * older message of the same batch: the age errs on the high side, by at most one chunk).
 * "Oldest" is by offset: the first message not handed off.
 */
import type { PartitionLagView } from '../telemetry/lag';
import { CHUNK_MESSAGES } from '../tunables';
import type { BatchMessage } from './batchContract';

interface Mark {
  offset: bigint;
  ts: number;
}

/** One fetched batch, queued as a job. */
export interface FetchRecord {
  readonly partition: number;
  readonly marks: readonly Mark[];
  readonly lastOffset: bigint;
  /** First offset not handed off yet. */
  next: bigint;
}

interface PartitionState {
  /** Records of queued and running jobs, in offset order. */
  records: FetchRecord[];
  /** The first message not handed off of a job that failed or was abandoned (fetched again later). */
  held?: Mark;
  lastDelivered?: number;
}

/** The timestamp of the nearest mark at or before `offset`. */
function tsAt(marks: readonly Mark[], offset: bigint): number {
  let ts = marks[0].ts;
  for (const m of marks) {
    if (m.offset > offset) break;
    ts = m.ts;
  }
  return ts;
}

export class PartitionProgress implements PartitionLagView {
  private ownedNow?: ReadonlySet<number>;
  private readonly parts = new Map<number, PartitionState>();
  private readonly joinListeners: Array<() => Promise<void> | void> = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly chunk: number = CHUNK_MESSAGES,
  ) {}

  /* ---------------------------------------------------------------- consumption's side */

  /** A new assignment: partitions no longer owned are forgotten; listeners are told. Settles when they are done. */
  joined(owned: ReadonlySet<number>): Promise<void> {
    this.ownedNow = owned;
    for (const p of [...this.parts.keys()]) if (!owned.has(p)) this.parts.delete(p);
    const done = this.joinListeners.map((l) => Promise.resolve().then(l));
    return Promise.allSettled(done).then(() => undefined);
  }

  /** The member is gone: nothing is owned until the next join. */
  left(): void {
    this.ownedNow = new Set();
    this.parts.clear();
  }

  /** A fetched batch was queued. Messages without a timestamp count from now (when they were fetched). */
  fetched(partition: number, messages: readonly BatchMessage[]): FetchRecord {
    const fetchedAt = this.now();
    const mark = (i: number): Mark => {
      const ts = Number(messages[i].timestamp);
      return { offset: BigInt(messages[i].offset), ts: Number.isFinite(ts) && ts > 0 ? ts : fetchedAt };
    };
    const n = messages.length;
    const marks: Mark[] = [mark(0)];
    for (let i = this.chunk; i < n; i += this.chunk) marks.push(mark(i - 1), mark(i));
    if (n > 1) marks.push(mark(n - 1));
    const record: FetchRecord = { partition, marks, lastOffset: marks[marks.length - 1].offset, next: marks[0].offset };
    if (this.ownedNow?.has(partition)) this.state(partition).records.push(record); // else its job is stale
    return record;
  }

  /** Every message of the record up to `offset` was handed off. */
  delivered(record: FetchRecord, offset: string): void {
    const s = this.parts.get(record.partition);
    if (!s) return;
    const o = BigInt(offset);
    record.next = o + 1n;
    s.lastDelivered = tsAt(record.marks, o);
    if (s.held && o >= s.held.offset) s.held = undefined;
    if (o >= record.lastOffset) this.remove(s, record);
  }

  /** The record's job ended (delivered, abandoned or discarded): it holds nothing any more. */
  finished(record: FetchRecord): void {
    const s = this.parts.get(record.partition);
    if (s) this.remove(s, record);
  }

  /**
   * The job of `record` failed and its partition is fetched again from its first message not
   * handed off: that message stays the oldest pending until it is handed off; the partition's
   * other records are dropped with their jobs.
   */
  rewound(record: FetchRecord): void {
    const s = this.parts.get(record.partition);
    if (!s) return;
    if (record.next <= record.lastOffset && !(s.held && s.held.offset <= record.next)) s.held = { offset: record.next, ts: tsAt(record.marks, record.next) };
    s.records = [];
  }

  /* ---------------------------------------------------------------- the lag reader's side */

  owned(): ReadonlySet<number> | undefined {
    return this.ownedNow;
  }

  oldestPendingTimestamp(partition: number): number | undefined {
    const s = this.parts.get(partition);
    if (!s) return undefined;
    if (s.held) return s.held.ts;
    const first = s.records[0];
    return first === undefined ? undefined : tsAt(first.marks, first.next);
  }

  lastDeliveredTimestamp(partition: number): number | undefined {
    return this.parts.get(partition)?.lastDelivered;
  }

  onJoin(listener: () => Promise<void> | void): void {
    this.joinListeners.push(listener);
  }

  private state(partition: number): PartitionState {
    let s = this.parts.get(partition);
    if (!s) {
      s = { records: [] };
      this.parts.set(partition, s);
    }
    return s;
  }

  private remove(s: PartitionState, record: FetchRecord): void {
    const i = s.records.indexOf(record);
    if (i >= 0) s.records.splice(i, 1);
  }
}
