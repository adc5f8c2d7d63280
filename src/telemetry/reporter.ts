/**
 * The telemetry loop of one instance: every interval, the counters since the last report, the
 * consumer lag and the service check, packed into datagrams and sent. A report never throws.
 * A group join sends one at once: the first lag sample of a new assignment shows the backlog
 * as it was before any of it was committed.
 */
import type { Logger } from '../log/logger';
import { DatagramPacker } from '../sink/datagramPacker';
import type { DatagramTransport } from '../sink/transport';
import { CarriedCounts } from './carriedCounts';
import type { ForwarderTelemetry } from './forwarderTelemetry';
import type { HealthState } from './health';
import type { LagReader } from './lag';

/** At stop the lag is read again for at most this long (a stop must stay quick when Kafka is down). */
const FINAL_LAG_WAIT_MS = 500;

export class TelemetryReporter {
  private packer: DatagramPacker;
  private timer?: NodeJS.Timeout;
  private reporting = false;
  /** A group join came while a report ran: report again right after. */
  private again = false;
  private stopped = false;
  private lagRefresh?: Promise<void>;
  private readonly carried = new CarriedCounts();

  constructor(
    private readonly telemetry: ForwarderTelemetry,
    private readonly health: HealthState,
    private readonly lag: LagReader,
    private transport: DatagramTransport,
    maxDatagramBytes: number,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {
    this.packer = new DatagramPacker(maxDatagramBytes, transport.lineSuffix);
    // The lag reader took the join's sample already: send it as it is.
    lag.onJoin(() => {
      if (this.reporting) this.again = true;
      else if (!this.stopped) void this.report(false, 0, false);
    });
  }

  /** Reports go to `transport` from now on (a reload changed the DogStatsD target). */
  useTransport(transport: DatagramTransport, maxDatagramBytes: number): void {
    this.transport = transport;
    this.packer = new DatagramPacker(maxDatagramBytes, transport.lineSuffix);
  }

  start(): void {
    this.timer = setInterval(() => void this.report(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Sends telemetry and (unless this is the final report at shutdown) the service check. The
   * lag fetch runs beside it and is waited for at most `lagWaitMs`: an unreachable broker must
   * not hold back the service check that reports it. `refreshLag` false sends the lag sample
   * the lag reader holds (the one it took at a group join). The final report reads the lag
   * again (within `lagWaitMs`) or sends none.
   */
  async report(final = false, lagWaitMs = Math.min(1000, this.intervalMs / 2), refreshLag = true): Promise<void> {
    if (this.reporting) return;
    this.reporting = true;
    try {
      if (!final) this.health.update();
      // At stop, only lag read after the last commit is sent (or none): see LagReader.finalSample.
      // With Kafka unreachable the read could only time out: no lag then, at once.
      if (final) await this.lag.finalSample(this.health.health().ok ? Math.min(lagWaitMs, FINAL_LAG_WAIT_MS) : 0);
      else if (refreshLag) {
        this.lagRefresh ??= this.lag.refresh().finally(() => (this.lagRefresh = undefined));
        let timer: NodeJS.Timeout | undefined;
        const waited = await Promise.race([this.lagRefresh.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), lagWaitMs)))]);
        clearTimeout(timer);
        if (!waited) this.telemetry.clearLag(); // never report a stale sample
      }
      const h = this.health.health();
      const skipCheck = final || this.health.starting;
      const lines = this.carried.merge(this.telemetry.drainLines(skipCheck ? undefined : { status: h.ok ? 0 : 2, message: h.ok ? undefined : h.message }));
      for (const line of lines) this.packer.add(line);
      const result = await this.transport.send(this.packer.take());
      // Nothing reached the Agent: its counts go with the next report (an outage's own send errors).
      if (result.failed > 0 && result.sent === 0) this.carried.carry(lines);
      if (result.failed > 0) {
        this.telemetry.failure('telemetry', 'SINK_SEND');
        this.log.rateLimited('telemetry-send', 'warn', 'telemetry send failed', { error: result.error?.message });
      }
    } catch (err) {
      this.log.rateLimited('telemetry', 'warn', 'telemetry report failed', { error: (err as Error).message });
    } finally {
      this.reporting = false;
      if (this.again) {
        this.again = false;
        if (!this.stopped) void this.report(false, 0, false);
      }
    }
  }
}
