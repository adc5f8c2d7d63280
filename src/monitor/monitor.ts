/**
 * Model monitoring: the signals fed from one observation stream (observations.ts), on one
 * clock, with one state. Signals today: drift (PSI scores, drift/) and field health
 * (fieldHealth.ts). Pure: every time is a parameter.
 *
 * The series cap (max_series) counts every tracked version x field once, whoever brought it
 * in: with field health on, drift tracks a field only once field health tracks it (it tracks
 * every field drift would, and more).
 */
import { type DriftOptions, type DriftScore, DriftTracker } from '../drift';
import { ByteReader, TruncatedError } from '../drift/bytes';
import type { Series } from '../drift/state';
import { CorruptSection, readFieldHealth, writeFieldHealth } from './fieldHealthCodec';
import { FieldHealth, type HealthSeries, type HealthVersion } from './fieldHealth';
import { type HealthReport, reportHealth } from './fieldHealthReport';
import { KIND_EXCLUDED, KIND_VALUE, type Observations } from './observations';
import { Fairness, type FairnessCheck } from './fairness';
import { readFairness, writeFairness } from './fairnessCodec';
import { type FairnessReport, reportFairness } from './fairnessReport';
import { readState, type StateFailure, writeState } from './stateFile';

export interface MonitorOptions extends DriftOptions {
  /** PSI scores (`drift.enabled`). */
  psi: boolean;
  /** `drift.field_health`. */
  fieldHealth: boolean;
  /** Fairness checks (absent or empty: fairness is off). */
  fairness?: readonly FairnessCheck[];
}

export interface MonitorReport {
  /** Drift scores (none when PSI is off). */
  scores: DriftScore[];
  /** Field health (undefined when off). */
  health?: HealthReport;
  /** Fairness (undefined when off). */
  fairness?: FairnessReport;
  trackedSeries: number;
  /** Values not tracked (series cap) since the last report. */
  untracked: number;
}

/** A chunk with more (version x field) pairs than this looks series up in a map. */
const DENSE_CACHE = 1 << 16;
/** Cached: no health series, asked for a value that was not usable / refused even for a usable one. */
const NOT_YET = null;
const REFUSED = false;

export class Monitor {
  readonly drift?: DriftTracker;
  readonly health?: FieldHealth;
  readonly fairness?: Fairness;
  private untracked = 0;

  constructor(
    readonly opts: MonitorOptions,
    restored: { drift?: DriftTracker; health?: FieldHealth; fairness?: Fairness } = {},
  ) {
    if (opts.psi) this.drift = restored.drift ?? new DriftTracker(opts);
    if (opts.fieldHealth) this.health = restored.health ?? new FieldHealth(opts.maxSeries);
    if (opts.fairness !== undefined && opts.fairness.length > 0) this.fairness = restored.fairness ?? new Fairness(opts.fairness);
  }

  get trackedSeries(): number {
    return this.health ? this.health.series : (this.drift?.trackedSeries ?? 0);
  }

  /** Feeds one chunk's observations to every signal, message by message, in their order. */
  apply(o: Observations): void {
    const { drift, health, fairness } = this;
    const fieldCount = o.fields.length;
    // Each (version, field) of the chunk is looked up once; a chunk of many versions and many
    // names (hostile input) gets a map, not a huge sparse array.
    const size = (o.versions.length / 3) * fieldCount;
    const dense = size <= DENSE_CACHE;
    const driftCache = dense ? new Array<Series | null | undefined>(size) : new Map<number, Series | null>();
    const healthCache = dense ? new Array<HealthSeries | null | false | undefined>(size) : new Map<number, HealthSeries | null | false>();
    const get = <T>(c: Array<T | undefined> | Map<number, T>, k: number): T | undefined => (Array.isArray(c) ? c[k] : c.get(k));
    const set = <T>(c: Array<T | undefined> | Map<number, T>, k: number, v: T): void => void (Array.isArray(c) ? (c[k] = v) : c.set(k, v));
    let start = 0;
    for (let m = 0; m < o.messageTime.length; m++) {
      const end = o.messageEnd[m];
      const time = o.messageTime[m];
      const version = o.messageVersion[m];
      const v = 3 * version;
      const vs = drift?.begin(o.versions[v], o.versions[v + 1], o.versions[v + 2], time);
      const hv = health?.begin(o.versions[v], o.versions[v + 1], o.versions[v + 2], time);
      const where = vs === undefined ? undefined : drift?.placement(vs, time);
      const hp = hv === undefined ? undefined : health?.placement(hv, time);
      const fv = fairness?.begin(o.versions[v], o.versions[v + 1], o.versions[v + 2], time);
      for (let i = start; i < end; i++) {
        const key = version * fieldCount + o.valueField[i];
        const kind = o.valueKind[i];
        // Fairness facts are not field values: neither drift's nor field health's.
        if (kind > KIND_EXCLUDED) {
          if (fv !== undefined) fairness?.entry(o.fields[o.valueField[i]], kind, o.values[i], o.strings);
          continue;
        }
        let hs: HealthSeries | null | false | undefined;
        if (hv !== undefined && hp !== undefined && health !== undefined) {
          hs = get(healthCache, key);
          if (hs === undefined || (hs === NOT_YET && kind === KIND_VALUE)) {
            const field = o.fields[o.valueField[i]];
            // A series drift already tracks (restored from an older state file) is not refused.
            const s = health.seriesOf(hv, field, kind === KIND_VALUE, vs?.fields.has(field) === true);
            hs = s ?? (kind === KIND_VALUE ? REFUSED : NOT_YET);
            set(healthCache, key, hs);
          }
          if (hs) health.count(hv, hs, hp, kind);
          else if (kind === KIND_VALUE) this.untracked++;
        }
        if (vs === undefined || where === undefined || drift === undefined || kind !== KIND_VALUE) continue;
        let s = get(driftCache, key);
        if (s === undefined) {
          const field = o.fields[o.valueField[i]];
          s = hv === undefined || hs || vs.fields.has(field) ? (drift.seriesOf(vs, field) ?? null) : null;
          set(driftCache, key, s);
        }
        drift.seriesValueAt(vs, s ?? undefined, where, o.values[i]);
      }
      if (fv !== undefined) fairness?.end(fv, time);
      start = end;
    }
  }

  report(wallNowMs: number): MonitorReport {
    const scores = this.drift ? this.drift.report(wallNowMs) : [];
    const driftUntracked = this.drift?.takeUntracked() ?? 0;
    const out: MonitorReport = { scores, trackedSeries: 0, untracked: 0 };
    if (this.health) out.health = reportHealth(this.health, wallNowMs, this.opts);
    if (this.fairness) out.fairness = reportFairness(this.fairness, wallNowMs);
    out.trackedSeries = this.trackedSeries;
    // With field health on, the cap is its own (drift's untracked values are among those).
    out.untracked = this.health ? this.untracked : driftUntracked;
    this.untracked = 0;
    return out;
  }

  /** The state file's bytes: a section per signal that is on. */
  snapshot(): Uint8Array {
    const sections = new Map<string, Uint8Array>();
    if (this.drift) sections.set('drift', this.drift.snapshot());
    if (this.health) sections.set('field_health', writeFieldHealth(this.health));
    if (this.fairness) sections.set('fairness', writeFairness(this.fairness));
    return writeState(sections);
  }

  /** From a state file's bytes; a section of a signal that is off is let go. */
  static restore(bytes: Uint8Array, opts: MonitorOptions): { ok: true; monitor: Monitor } | StateFailure {
    const state = readState(bytes);
    if (!state.ok) return state;
    let drift: DriftTracker | undefined;
    let health: FieldHealth | undefined;
    let fairness: Fairness | undefined;
    const driftBytes = state.sections.get('drift');
    if (driftBytes !== undefined) {
      const r = DriftTracker.restore(driftBytes, opts);
      if (!r.ok) return r;
      drift = r.tracker;
    }
    const healthBytes = state.sections.get('field_health');
    const fairnessBytes = state.sections.get('fairness');
    try {
      if (healthBytes !== undefined) {
        const r = new ByteReader(healthBytes);
        health = readFieldHealth(r, opts.maxSeries);
        if (r.remaining() !== 0) return { ok: false, reason: 'corrupt' };
      }
      // Read whenever present (its checks are known only with fairness on): a corrupt section fails the file either way.
      if (fairnessBytes !== undefined) {
        const r = new ByteReader(fairnessBytes);
        const f = new Fairness(opts.fairness ?? []);
        readFairness(r, f);
        if (r.remaining() !== 0) return { ok: false, reason: 'corrupt' };
        if (f.compiled.length > 0) fairness = f;
      }
    } catch (e) {
      if (e instanceof TruncatedError || e instanceof CorruptSection) return { ok: false, reason: e instanceof TruncatedError ? 'truncated' : 'corrupt' };
      throw e;
    }
    return { ok: true, monitor: new Monitor(opts, { drift, health, fairness }) };
  }
}

export type { HealthVersion };
