/** Consumer lag per partition (high watermark minus committed offset), read with an admin client. */
import type { Admin, Kafka } from 'kafkajs';
import { kafkaError } from '../errors';
import type { Logger } from '../log/logger';
import type { ForwarderTelemetry } from './forwarderTelemetry';

export class LagReader {
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly group: string,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
  ) {}

  /** Replaces the telemetry's lag samples; on failure there are none (never a stale sample). */
  async refresh(): Promise<void> {
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
