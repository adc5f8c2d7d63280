/**
 * A bounded queue between kafkajs's fetch loop and the delivery of batches.
 *
 * kafkajs fetches, hands every batch of the fetch to eachBatch, waits for all of them, and only
 * then fetches again: with one broker, fetching and sending strictly alternate and the process
 * sits idle while the broker answers.
 * With this queue, eachBatch returns as soon as the batch is queued, kafkajs fetches the next
 * one while the queue is worked off, and `push` waits only while more than `maxQueuedBytes`
 * are queued: the backpressure that keeps memory bounded for a backlog of any size.
 *
 * Jobs run one at a time, in the order they were pushed (so per partition in offset order).
 */
export interface QueuedJob {
  partition: number;
  /** Message bytes held by the job (what the bound counts). */
  bytes: number;
  run(): Promise<void>;
}

export class FetchQueue<J extends QueuedJob = QueuedJob> {
  private readonly queue: J[] = [];
  private queuedBytes = 0;
  private worker?: Promise<void>;
  private spaceWaiters: Array<() => void> = [];

  constructor(private readonly maxQueuedBytes: number) {}

  /** Queues a job and starts the worker; resolves once the queue is back within its bound. */
  async push(job: J): Promise<void> {
    this.queue.push(job);
    this.queuedBytes += job.bytes;
    this.worker ??= this.work();
    while (this.queuedBytes > this.maxQueuedBytes && this.queue.length > 0) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /** Removes the queued (not yet started) jobs that match; returns how many. */
  discard(match: (job: J) => boolean): number {
    let removed = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (match(this.queue[i])) {
        this.queuedBytes -= this.queue[i].bytes;
        this.queue.splice(i, 1);
        removed++;
      }
    }
    if (removed > 0) this.wakeWaiters();
    return removed;
  }

  /** Resolves when every queued job has run (jobs pushed meanwhile included). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  private async work(): Promise<void> {
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        this.queuedBytes -= job.bytes;
        this.wakeWaiters();
        // A job reports its own failures: one that throws must not stop the jobs behind it.
        await job.run().catch(() => undefined);
      }
    } finally {
      this.worker = undefined;
    }
  }

  private wakeWaiters(): void {
    if (this.spaceWaiters.length === 0) return;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }
}
