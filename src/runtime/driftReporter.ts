/**
 * Model drift reporting of one instance: every `drift.interval_seconds`, the drift scores of
 * the encoder's tracker as `algorithmia.drift.psi` gauges (never stamped: they are current
 * values), tagged like the algorithm metrics plus `field`, `baseline` and `baseline_version`;
 * the tracker's own numbers go to the forwarder's telemetry. With a state file, a snapshot is
 * written every few minutes and at stop.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { DriftScore } from '../drift';
import type { ChunkEncoding } from '../encode/chunkEncoding';
import { asInsightsError } from '../errors';
import type { Logger } from '../log/logger';
import { formatTag } from '../map/sanitize';
import { DatagramPacker } from '../sink/datagramPacker';
import { formatLine } from '../sink/lineFormat';
import type { DatagramTransport } from '../sink/transport';
import { DRIFT_METRICS } from '../telemetry/catalogue';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import { DRIFT_SNAPSHOT_INTERVAL_MS } from '../tunables';
import type { DriftStateWriter } from './driftStateFile';

/** The DogStatsD line of one score. */
export function driftLine(score: DriftScore, staticTags: readonly string[]): string {
  const tags = [
    formatTag('algorithm_name', score.algorithmName),
    formatTag('algorithm_version', score.version),
    formatTag('algorithm_owner', score.owner),
    formatTag('field', score.field),
    formatTag('baseline', score.baseline),
    score.baselineVersion === undefined ? undefined : formatTag('baseline_version', score.baselineVersion),
    ...staticTags,
  ].filter((t): t is string => t !== undefined);
  return formatLine(DRIFT_METRICS.psi.name, score.psi, 'gauge', tags.join(','));
}

export class DriftReporter {
  private readonly packer: DatagramPacker;
  private timers: NodeJS.Timeout[] = [];
  private reporting = false;

  constructor(
    private readonly instance: ResolvedInstance,
    private readonly encoding: ChunkEncoding,
    private readonly transport: DatagramTransport,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    private readonly state?: DriftStateWriter,
  ) {
    this.packer = new DatagramPacker(instance.dogstatsd.maxDatagramBytes, transport.lineSuffix);
  }

  start(): void {
    this.timers.push(setInterval(() => void this.report(), this.instance.drift.intervalMs));
    if (this.state) this.timers.push(setInterval(() => void this.save(), DRIFT_SNAPSHOT_INTERVAL_MS));
  }

  /** Reports the scores of now; never throws. */
  async report(): Promise<void> {
    if (this.reporting) return;
    this.reporting = true;
    try {
      const report = await this.encoding.driftReport(Date.now());
      if (!report) return;
      this.telemetry.drift(report.trackedSeries, report.untracked);
      for (const score of report.scores) if (!this.packer.add(driftLine(score, this.instance.metricTags))) this.telemetry.dropped('too_long');
      const result = await this.transport.send(this.packer.take());
      if (result.failed > 0) throw result.error ?? new Error(`${result.failed} drift datagrams failed`);
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
    const snapshot = await this.encoding.driftSnapshot().catch((err: Error) => {
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
