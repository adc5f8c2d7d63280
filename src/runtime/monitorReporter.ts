/**
 * Model monitoring reporting of one instance: every `drift.interval_seconds`, the report of its
 * signals (monitorLines.ts: `algorithmia.drift.psi`, `algorithmia.quality.*`); the series
 * numbers go to the forwarder's telemetry. With a state file, the state is written every few
 * minutes and at stop.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { ChunkEncoding } from '../encode/chunkEncoding';
import { asInsightsError } from '../errors';
import type { Logger } from '../log/logger';
import { DatagramPacker } from '../sink/datagramPacker';
import type { DatagramTransport } from '../sink/transport';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { DRIFT_SNAPSHOT_INTERVAL_MS } from '../tunables';
import { driftLine, healthGaugeLine, invalidValuesLine } from './monitorLines';
import type { MonitorStateWriter } from './monitorStateFile';

export { driftLine };

export class MonitorReporter {
  private readonly packer: DatagramPacker;
  private timers: NodeJS.Timeout[] = [];
  private reporting = false;

  constructor(
    private readonly instance: ResolvedInstance,
    private readonly encoding: ChunkEncoding,
    private readonly transport: DatagramTransport,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    private readonly state?: MonitorStateWriter,
  ) {
    this.packer = new DatagramPacker(instance.dogstatsd.maxDatagramBytes, transport.lineSuffix);
  }

  start(): void {
    this.timers.push(setInterval(() => void this.report(), this.instance.drift.intervalMs));
    if (this.state) this.timers.push(setInterval(() => void this.save(), DRIFT_SNAPSHOT_INTERVAL_MS));
  }

  /** Reports the signals of now; never throws. */
  async report(): Promise<void> {
    if (this.reporting) return;
    this.reporting = true;
    try {
      const report = await this.encoding.monitorReport(Date.now());
      if (!report) return;
      this.telemetry.drift(report.trackedSeries, report.untracked);
      const tags = this.instance.metricTags;
      const lines = report.scores.map((score) => driftLine(score, tags));
      if (report.health) {
        for (const g of report.health.gauges) lines.push(healthGaugeLine(g, tags));
        for (const c of report.health.invalid) lines.push(invalidValuesLine(c, tags));
      }
      for (const line of lines) if (!this.packer.add(line)) this.telemetry.dropped('too_long');
      const result = await this.transport.send(this.packer.take());
      if (result.failed > 0) throw result.error ?? new Error(`${result.failed} model monitoring datagrams failed`);
    } catch (err) {
      const failure = asInsightsError(err, 'DRIFT_REPORT_FAILED');
      this.telemetry.failure('drift', failure.code);
      this.log.rateLimited('drift-report', 'warn', 'drift report failed; the next one follows', { error: failure.message });
    } finally {
      this.reporting = false;
    }
  }

  /** Writes a snapshot to the state file, if there is one; never throws. */
  async save(): Promise<void> {
    if (!this.state) return;
    const snapshot = await this.encoding.monitorSnapshot().catch((err: Error) => {
      this.log.rateLimited('drift-snapshot', 'warn', 'drift snapshot failed', { error: err.message });
      return undefined;
    });
    if (snapshot) await this.state.write(snapshot);
  }

  /** Stops reporting and writes the last snapshot (before the encoder closes). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.save();
  }
}
