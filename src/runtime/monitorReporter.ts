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
import { driftLine, fairnessLine, healthGaugeLine, invalidValuesLine } from './monitorLines';
import type { MonitorStateWriter } from './monitorStateFile';
import type { FairnessStatus, FieldHealthStatus } from '../status/protocol';
import type { FairnessReport, HealthReport } from '../monitor';

/** Series listed in `status --json`. */
const STATUS_FIELDS = 50;

export { driftLine };

export class MonitorReporter {
  private readonly packer: DatagramPacker;
  private timers: NodeJS.Timeout[] = [];
  private reporting = false;
  private readonly health: FieldHealthStatus;
  private readonly fairness: FairnessStatus;

  constructor(
    private readonly instance: ResolvedInstance,
    private readonly encoding: ChunkEncoding,
    private readonly transport: DatagramTransport,
    private readonly telemetry: ForwarderTelemetry,
    private readonly log: Logger,
    private readonly state?: MonitorStateWriter,
  ) {
    this.packer = new DatagramPacker(instance.dogstatsd.maxDatagramBytes, transport.lineSuffix);
    this.fairness = { enabled: instance.fairness.length > 0, checks: instance.fairness.length, groups_reporting: null, outside_four_fifths: null, executions_skipped: 0, skipped_by_reason: {}, groups: [] };
    this.health = { enabled: instance.drift.fieldHealth, series_tracked: null, series_reporting: null, invalid_values: 0, invalid_by_reason: {}, fields: [] };
  }

  /** PSI scores on (`drift.enabled`). */
  get psi(): boolean {
    return this.instance.drift.enabled;
  }

  /** Field health as `status` shows it (from the last report). */
  fieldHealthStatus(): FieldHealthStatus {
    return this.health;
  }

  /** Fairness as `status` shows it (from the last report). */
  fairnessStatus(): FairnessStatus {
    return this.fairness;
  }

  private noteFairness(report: FairnessReport): void {
    const f = this.fairness;
    for (const s of report.skipped) {
      f.executions_skipped += s.count;
      f.skipped_by_reason[s.reason] = (f.skipped_by_reason[s.reason] ?? 0) + s.count;
    }
    const byKey = new Map<string, FairnessStatus['groups'][number]>();
    let outside = 0;
    for (const g of report.gauges) {
      const key = JSON.stringify([g.algorithmName, g.version, g.check, g.group]);
      let e = byKey.get(key);
      if (e === undefined) byKey.set(key, (e = { algorithm_name: g.algorithmName, algorithm_version: g.version, check: g.check, group: g.group, positive_rate: NaN, executions: 0 }));
      if (g.metric === 'positive_rate') e.positive_rate = g.value;
      else if (g.metric === 'executions') e.executions = g.value;
      else {
        e.disparate_impact = g.value;
        if (g.value < 0.8 || g.value > 1.25) outside++;
      }
    }
    const far = (e: FairnessStatus['groups'][number]): number => (e.disparate_impact === undefined ? 0 : Math.abs(Math.log(e.disparate_impact)));
    f.groups_reporting = byKey.size;
    f.outside_four_fifths = outside;
    f.groups = [...byKey.values()].sort((a, b) => far(b) - far(a)).slice(0, STATUS_FIELDS);
  }

  private noteHealth(report: HealthReport, trackedSeries: number): void {
    const h = this.health;
    h.series_tracked = trackedSeries;
    for (const c of report.invalid) {
      h.invalid_values += c.count;
      h.invalid_by_reason[c.reason] = (h.invalid_by_reason[c.reason] ?? 0) + c.count;
    }
    const fields: FieldHealthStatus['fields'] = [];
    const byKey = new Map<string, FieldHealthStatus['fields'][number]>();
    for (const g of report.gauges) {
      const key = JSON.stringify([g.algorithmName, g.version, g.field]);
      let f = byKey.get(key);
      if (f === undefined) {
        f = { algorithm_name: g.algorithmName, algorithm_version: g.version, field: g.field, missing_ratio: NaN, changes: [] };
        byKey.set(key, f);
        fields.push(f);
      }
      if (g.metric === 'missing_ratio') f.missing_ratio = g.value;
      else f.changes.push({ baseline: g.baseline ?? '', ...(g.baselineVersion === undefined ? {} : { baseline_version: g.baselineVersion }), change: g.value });
    }
    h.series_reporting = fields.length;
    h.fields = fields.sort((a, b) => b.missing_ratio - a.missing_ratio).slice(0, STATUS_FIELDS);
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
        this.noteHealth(report.health, report.trackedSeries);
        for (const g of report.health.gauges) lines.push(healthGaugeLine(g, tags));
        for (const c of report.health.invalid) lines.push(invalidValuesLine(c, tags));
      }
      if (report.fairness) {
        this.noteFairness(report.fairness);
        for (const g of report.fairness.gauges) lines.push(fairnessLine(g, tags));
        for (const s of report.fairness.skipped) this.telemetry.fairnessSkips(s.reason, s.count);
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
